// Personal data at rest. Phone numbers are looked up by a keyed hash (HMAC-SHA-256), so rate
// limits and the do-not-call list never need them in clear; what the outbox must keep to place the
// call (number, name) is sealed with AES-256-GCM when a key is configured.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { keyedHash } from "./keyed-hash";
import { randomFromPool } from "./random-pool";

export interface PersonalData {
  phoneE164: string;
  name?: string;
}

export interface PersonalDataVault {
  /** Stable keyed hash of an E.164 number (hex). */
  hashPhone(e164: string): string;
  /** Keyed hash of any other identifier (client address, user agent). */
  hash(value: string): string;
  seal(data: PersonalData): string;
  open(sealed: string): PersonalData;
  readonly encrypting: boolean;
}

export function createVault(keys: { hashKey: Buffer; encryptionKey?: Buffer }): PersonalDataVault {
  const { hashKey, encryptionKey } = keys;
  const keyed = keyedHash(hashKey);
  const hmac = (domain: string, value: string) => keyed(`${domain}\0${value}`, "hex");
  return {
    encrypting: encryptionKey !== undefined,
    hashPhone: (e164) => hmac("phone", e164),
    hash: (value) => hmac("other", value),
    seal(data) {
      const json = JSON.stringify(data);
      if (!encryptionKey) return `plain:${json}`;
      // A fresh 96-bit nonce for each seal, as GCM requires; read at once, before the pool moves on.
      const iv = Buffer.from(randomFromPool(12));
      const cipher = createCipheriv("aes-256-gcm", encryptionKey, iv);
      const body = Buffer.concat([cipher.update(json, "utf8"), cipher.final()]);
      return `aes256gcm:${iv.toString("base64url")}:${cipher.getAuthTag().toString("base64url")}:${body.toString("base64url")}`;
    },
    open(sealed) {
      if (sealed.startsWith("plain:")) return JSON.parse(sealed.slice(6)) as PersonalData;
      const [scheme, iv, tag, body] = sealed.split(":");
      if (scheme !== "aes256gcm" || !iv || !tag || body === undefined) throw new Error("unknown sealed personal data format");
      if (!encryptionKey) throw new Error("personal data is encrypted but PERSONAL_DATA_KEY is not set");
      const decipher = createDecipheriv("aes-256-gcm", encryptionKey, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      const json = Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
      return JSON.parse(json) as PersonalData;
    },
  };
}

/** A 32-byte key from base64 or hex text; undefined when absent. */
export function parseKey(text: string | undefined): Buffer | undefined {
  if (!text) return undefined;
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, "hex") : Buffer.from(text, "base64");
  if (key.length !== 32) throw new Error("must be 32 bytes, as 64 hex digits or base64");
  return key;
}

/**
 * The embedded default keeps its hashing key beside its database, created on first start. (Several
 * instances sharing PostgreSQL must be given the same PHONE_HASH_KEY instead.)
 */
export function loadOrCreateKeyFile(dataDir: string, name: string): Buffer {
  const file = path.join(dataDir, "keys", name);
  if (existsSync(file)) return Buffer.from(readFileSync(file, "utf8").trim(), "hex");
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  writeFileSync(file, key.toString("hex"), { mode: 0o600 });
  return key;
}
