import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { preferredEncoding, SharedBody } from "./content-encoding";

describe("preferredEncoding", () => {
  it("prefers brotli, then gzip, and sends nothing compressed to a client that asks for none", () => {
    expect(preferredEncoding("gzip, deflate, br, zstd")).toBe("br");
    expect(preferredEncoding("gzip, deflate")).toBe("gzip");
    expect(preferredEncoding("*")).toBe("gzip");
    expect(preferredEncoding("identity")).toBeUndefined();
    expect(preferredEncoding(undefined)).toBeUndefined();
  });

  it("takes q=0 as a refusal, and offers only the copies there are", () => {
    expect(preferredEncoding("br;q=0, gzip;q=0.8")).toBe("gzip");
    expect(preferredEncoding("BR ; q=0.0, gzip; q=0")).toBeUndefined();
    expect(preferredEncoding("br;q=0.5")).toBe("br");
    expect(preferredEncoding("br, gzip", { br: false, gzip: true })).toBe("gzip");
    expect(preferredEncoding("br", { br: false, gzip: true })).toBeUndefined();
  });
});

describe("SharedBody", () => {
  const text = JSON.stringify({ slots: Array.from({ length: 500 }, (_, i) => ({ start: i, available: i % 3 === 0 })) });
  const answer = new SharedBody(new TextEncoder().encode(text));

  it("compresses each copy once, and each copy decompresses to the answer", () => {
    const br = answer.body("br");
    expect(answer.body("br")).toBe(br);
    expect(brotliDecompressSync(br).toString()).toBe(text);
    expect(gunzipSync(answer.body("gzip")).toString()).toBe(text);
    expect(answer.body(undefined)).toBe(answer.identity);
  });
});
