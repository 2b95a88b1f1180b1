import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createVault } from "./personal-data";
import { randomFromPool } from "./random-pool";

describe("the personal data vault", () => {
  const vault = createVault({ hashKey: randomBytes(32), encryptionKey: randomBytes(32) });

  it("seals each time under a fresh nonce, and opens what it sealed", () => {
    const data = { phoneE164: "+33612345678", name: "Zoé Müller" };
    // More seals than the random pool holds nonces: its refills are crossed too.
    const sealed = Array.from({ length: 1000 }, () => vault.seal(data));
    const nonces = sealed.map((text) => text.split(":")[1]);
    expect(new Set(nonces).size).toBe(sealed.length);
    for (const text of sealed) expect(vault.open(text)).toEqual(data);
    expect(sealed[0]).not.toContain("+33612345678");
  });

  it("refuses a sealed text that was tampered with", () => {
    const [scheme, iv, tag, body] = vault.seal({ phoneE164: "+33612345678" }).split(":");
    const flipped = Buffer.from(body!, "base64url");
    flipped[0]! ^= 1;
    expect(() => vault.open([scheme, iv, tag, flipped.toString("base64url")].join(":"))).toThrow();
  });

  it("hashes a number as HMAC-SHA-256 of its domain and value, as the stored hashes were made", () => {
    const key = randomBytes(32);
    const expected = createHmac("sha256", key).update("phone\0+33612345678").digest("hex");
    expect(createVault({ hashKey: key }).hashPhone("+33612345678")).toBe(expected);
  });

  it("hashes a number the same way every time, and differently under another key", () => {
    const other = createVault({ hashKey: randomBytes(32) });
    expect(vault.hashPhone("+33612345678")).toBe(vault.hashPhone("+33612345678"));
    expect(vault.hashPhone("+33612345678")).toMatch(/^[0-9a-f]{64}$/);
    expect(other.hashPhone("+33612345678")).not.toBe(vault.hashPhone("+33612345678"));
    expect(vault.hash("+33612345678")).not.toBe(vault.hashPhone("+33612345678"));
  });
});

describe("randomFromPool", () => {
  it("gives bytes of the size asked for, never the same ones twice, across the pool's refills", () => {
    const draws = Array.from({ length: 2000 }, (_, i) => Buffer.from(randomFromPool(8 + (i % 9))).toString("hex"));
    draws.forEach((hex, i) => expect(hex.length).toBe(2 * (8 + (i % 9))));
    expect(new Set(draws).size).toBe(draws.length);
  });
});
