// One behaviour, two stores: the embedded SQLite and the shared PostgreSQL answer alike.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import pg from "pg";
import { openPostgresStore, SCHEMA_VERSION as POSTGRES_VERSION } from "./postgres-store";
import { openSqliteStore, SCHEMA_VERSION as SQLITE_VERSION } from "./sqlite-store";
import { dropSchema, postgresAvailable, TEST_DATABASE_URL, uniqueSchema } from "./test-databases";
import { patchedRecord, queuedRecord } from "./rows";
import type { NewCallback, Store } from "./types";
import { rateCost } from "../abuse/rate-limiter";

const T0 = Date.parse("2030-03-12T09:00:00Z");
let n = 0;
function callback(overrides: Partial<NewCallback> = {}): NewCallback {
  n++;
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    profile: "default",
    phoneHash: `hash-${n}`,
    personal: "plain:{}",
    windows: [{ start: "2030-03-12T10:00:00.000Z", end: "2030-03-12T11:00:00.000Z" }],
    asap: false,
    attributes: { type: "callback" },
    visitorTimeZone: "Europe/Paris",
    consentVersion: "1",
    consentTextHash: "abc",
    fingerprint: `fp-${n}`,
    createdAt: T0,
    ...overrides,
  };
}

function contract(name: string, open: () => Promise<{ store: Store; cleanup(): Promise<void> }>) {
  describe(`${name} store`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeAll(async () => ({ store, cleanup } = await open()));
    afterAll(async () => {
      await store?.close();
      await cleanup?.();
    });

    it("keeps every field of a record", async () => {
      const c = callback({ locale: "fr-FR", clientAddressHash: "addr", userAgent: "UA", idempotencyKey: `key-${n + 1}`, asap: true });
      expect(await store.insertCallback(c, T0)).toEqual({ inserted: true });
      expect(await store.getCallback(c.id)).toEqual({
        ...c,
        status: "queued",
        attempts: 0,
        nextAttemptAt: T0,
        inDoubt: false,
        firstSentAt: undefined,
        contactId: undefined,
        deliveryId: undefined,
        lastError: undefined,
        claimedBy: undefined,
        leaseUntil: undefined,
        updatedAt: T0,
      });
      expect(await store.findByIdempotencyKey(c.idempotencyKey!)).toMatchObject({ id: c.id });
    });

    it("answers the existing record for a reused idempotency key", async () => {
      const first = callback({ idempotencyKey: "same-key" });
      await store.insertCallback(first, T0);
      const second = await store.insertCallback(callback({ idempotencyKey: "same-key" }), T0);
      expect(second).toMatchObject({ inserted: false, existing: { id: first.id } });
    });

    it("inserts a record already claimed, and holds what queuedRecord and patchedRecord say it holds", async () => {
      const c = callback({ idempotencyKey: `key-claimed-${n}` });
      const claim = { worker: "now", leaseUntil: T0 + 60_000 };
      expect(await store.insertCallback(c, T0, { claim })).toEqual({ inserted: true });
      let expected = queuedRecord(c, T0, claim);
      expect(await store.getCallback(c.id)).toEqual(expected);
      expect(await store.claimOne(c.id, "other", T0 + 1, 1_000)).toBeUndefined(); // held by "now"

      const marking = { contactId: "contact-1", inDoubt: true, firstSentAt: T0 + 5 };
      expect(await store.updateClaimed(c.id, "now", marking, T0 + 5)).toBe(true);
      expected = patchedRecord(expected, marking, T0 + 5, false);
      expect(await store.getCallback(c.id)).toEqual(expected);

      const done = { status: "scheduled" as const, deliveryId: "delivery-1", inDoubt: false, attempts: 1, lastError: undefined };
      expect(await store.completeClaim(c.id, "now", done, T0 + 9)).toBe(true);
      expect(await store.getCallback(c.id)).toEqual(patchedRecord(expected, done, T0 + 9, true));
    });

    it("keeps each of the writes made together apart: one refused leaves the others whole", async () => {
      const slot = T0 + 7 * 3_600_000;
      const reserve = { slots: { profile: "default", slotStarts: [slot], capacity: 2 } };
      const requests = [callback(), callback(), callback(), callback()];
      // Issued in one turn of the event loop: the embedded store commits them in one transaction.
      const results = await Promise.all(requests.map((c) => store.insertCallback(c, T0, reserve)));
      expect(results.filter((r) => r.inserted)).toHaveLength(2);
      expect(results.filter((r) => !r.inserted)).toEqual([
        { inserted: false, fullSlot: slot },
        { inserted: false, fullSlot: slot },
      ]);
      const kept = await Promise.all(requests.map((c) => store.getCallback(c.id)));
      expect(kept.map((r) => r !== undefined)).toEqual(results.map((r) => r.inserted));
      expect((await store.slotUsage("default", slot, slot + 1)).get(slot)).toBe(2);
    });

    it("lets one worker at a time hold a record, until its lease ends", async () => {
      const c = callback();
      await store.insertCallback(c, T0);
      expect(await store.claimOne(c.id, "a", T0, 1_000)).toMatchObject({ id: c.id, claimedBy: "a", leaseUntil: T0 + 1_000 });
      expect(await store.claimOne(c.id, "b", T0 + 999, 1_000)).toBeUndefined();
      expect(await store.completeClaim(c.id, "b", { status: "scheduled" }, T0)).toBe(false);
      expect(await store.claimOne(c.id, "b", T0 + 1_001, 1_000)).toMatchObject({ claimedBy: "b" });
      expect(await store.completeClaim(c.id, "a", { status: "scheduled" }, T0)).toBe(false); // a lost it
    });

    it("never claims again a record its worker is still working on, even once the lease has passed", async () => {
      const c = callback();
      await store.insertCallback(c, T0);
      expect(await store.claimOne(c.id, "w", T0, 1_000)).toBeDefined();
      const later = T0 + 5_000;
      expect((await store.claimDue("w", later, 1_000, 100, [c.id])).map((r) => r.id)).not.toContain(c.id);
      expect((await store.getCallback(c.id))!.leaseUntil).toBe(T0 + 1_000);
      // And a worker whose lease has run out may not go on as if it still held the record.
      expect(await store.updateClaimed(c.id, "w", { inDoubt: true }, later)).toBe(false);
      expect((await store.getCallback(c.id))!.inDoubt).toBe(false);
      expect(await store.updateClaimed(c.id, "w", { inDoubt: true }, T0 + 999)).toBe(true);
      expect(await store.completeClaim(c.id, "w", { inDoubt: false }, later)).toBe(true);
    });

    it("claims cancelled records still in doubt, to look for them in Dataverse, and no other closed record", async () => {
      const inDoubt = callback();
      const settled = callback();
      for (const c of [inDoubt, settled]) {
        await store.insertCallback(c, T0);
        await store.claimOne(c.id, "x", T0, 1_000);
        await store.completeClaim(c.id, "x", { inDoubt: c === inDoubt, nextAttemptAt: T0 + 500 }, T0);
        expect(await store.cancelQueued(c.id, T0 + 1, "changed their mind")).toBe(true);
      }
      expect(await store.getCallback(inDoubt.id)).toMatchObject({ status: "cancelled", inDoubt: true, lastError: "changed their mind" });
      expect((await store.claimDue("w", T0 + 499, 1_000, 1_000)).map((r) => r.id)).not.toContain(inDoubt.id); // not yet due
      const claimed = (await store.claimDue("w", T0 + 500, 1_000, 1_000)).map((r) => r.id);
      expect(claimed).toContain(inDoubt.id);
      expect(claimed).not.toContain(settled.id);
      await store.releaseClaims("w");
    });

    it("lists a number's requests by status", async () => {
      const [a, b, other] = [callback({ phoneHash: "listed-number" }), callback({ phoneHash: "listed-number" }), callback()];
      for (const c of [a, b, other]) await store.insertCallback(c, T0);
      await store.cancelQueued(b.id, T0);
      expect((await store.callbacksForPhone("listed-number", ["queued", "scheduled"])).map((r) => r.id)).toEqual([a.id]);
      expect((await store.callbacksForPhone("listed-number", ["queued", "cancelled"])).map((r) => r.id)).toEqual([a.id, b.id]);
    });

    it("claims only due records, each for exactly one of two concurrent workers", async () => {
      const due = Array.from({ length: 30 }, () => callback());
      for (const c of due) await store.insertCallback(c, T0);
      const later = callback();
      await store.insertCallback(later, T0);
      await store.claimOne(later.id, "x", T0, 1); // a claim and release to move it
      await store.completeClaim(later.id, "x", { nextAttemptAt: T0 + 60_000 }, T0);

      const [a, b] = await Promise.all([store.claimDue("w1", T0 + 10, 30_000, 100), store.claimDue("w2", T0 + 10, 30_000, 100)]);
      const ids = [...a, ...b].map((r) => r.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).not.toContain(later.id);
      for (const c of due) expect(ids).toContain(c.id);
    });

    it("updates a held record, keeps or releases the claim, and hands claims back", async () => {
      const c = callback();
      await store.insertCallback(c, T0);
      await store.claimOne(c.id, "w", T0, 30_000);
      expect(await store.updateClaimed(c.id, "w", { inDoubt: true, firstSentAt: T0 + 5, contactId: "contact" }, T0 + 5)).toBe(true);
      expect(await store.getCallback(c.id)).toMatchObject({ inDoubt: true, firstSentAt: T0 + 5, contactId: "contact", claimedBy: "w", updatedAt: T0 + 5 });
      expect(await store.releaseClaims("w")).toBeGreaterThanOrEqual(1);
      expect((await store.getCallback(c.id))!.claimedBy).toBeUndefined();

      await store.claimOne(c.id, "w", T0, 30_000);
      expect(await store.completeClaim(c.id, "w", { status: "scheduled", deliveryId: "d-1", inDoubt: false, attempts: 1 }, T0 + 9)).toBe(true);
      expect(await store.getCallback(c.id)).toMatchObject({ status: "scheduled", deliveryId: "d-1", inDoubt: false, attempts: 1, claimedBy: undefined, leaseUntil: undefined });
      expect(await store.hasDeliveryId("d-1", c.phoneHash)).toBe(true);
      expect(await store.hasDeliveryId("d-2", c.phoneHash)).toBe(false);
      expect(await store.claimOne(c.id, "w", T0 + 99_999, 30_000)).toBeUndefined(); // no longer queued
    });

    it("limits requests per number since a time, counting atomically with the insert even when they arrive together", async () => {
      const limit = (since: number, max: number) => ({ perNumber: { since, max } });
      expect(await store.insertCallback(callback({ phoneHash: "counted", createdAt: T0 - 10_000 }), T0, limit(T0 - 20_000, 2))).toEqual({ inserted: true });
      // The first is older than the window: it does not count.
      const results = await Promise.all(Array.from({ length: 8 }, () => store.insertCallback(callback({ phoneHash: "counted", createdAt: T0 }), T0, limit(T0 - 5_000, 3))));
      expect(results.filter((r) => r.inserted)).toHaveLength(3);
      expect(results.filter((r) => !r.inserted)).toEqual(Array.from({ length: 5 }, () => ({ inserted: false, numberLimited: true })));
      expect(await store.callbacksForPhone("counted", ["queued"])).toHaveLength(4);
      // A replay of a key already used answers the existing record, not the limit.
      const keyed = callback({ phoneHash: "counted-keyed", idempotencyKey: "counted-key" });
      await store.insertCallback(keyed, T0, limit(T0 - 5_000, 1));
      expect(await store.insertCallback(callback({ phoneHash: "counted-keyed", idempotencyKey: "counted-key" }), T0, limit(T0 - 5_000, 1))).toMatchObject({ inserted: false, existing: { id: keyed.id } });
    });

    it("counts the outbox by status", async () => {
      await store.insertCallback(callback({ createdAt: T0 - 10_000 }), T0);
      const stats = await store.outboxStats();
      expect(stats.queued).toBe(stats.byStatus.queued);
      expect(stats.byStatus.scheduled).toBeGreaterThanOrEqual(1);
      expect(stats.oldestQueuedAt).toBe(T0 - 10_000);
    });

    it("takes slots up to their capacity, all or nothing, even with concurrent requests, and gives them back", async () => {
      const profile = `cap-${n++}`;
      const slot = T0 + 3_600_000;
      const other = slot + 1_800_000;
      const reserve = (slots: number[]) => ({ slots: { profile, slotStarts: slots, capacity: 2 } });
      const results = await Promise.all([1, 2, 3].map(() => store.insertCallback(callback(), T0, reserve([slot]))));
      expect(results.filter((r) => r.inserted)).toHaveLength(2);
      expect(results.filter((r) => !r.inserted)).toEqual([{ inserted: false, fullSlot: slot }]);
      expect(await store.slotUsage(profile, slot, slot + 1)).toEqual(new Map([[slot, 2]]));

      // A request needing a full slot and a free one takes neither, and is not written.
      const both = callback();
      expect(await store.insertCallback(both, T0, reserve([other, slot]))).toEqual({ inserted: false, fullSlot: slot });
      expect(await store.getCallback(both.id)).toBeUndefined();
      expect((await store.slotUsage(profile, T0, T0 + 86_400_000)).get(other) ?? 0).toBe(0);

      const holder = callback();
      await store.insertCallback(holder, T0, reserve([other]));
      await store.releaseSlots(holder.id);
      await store.releaseSlots(holder.id); // twice is harmless
      expect((await store.slotUsage(profile, T0, T0 + 86_400_000)).get(other)).toBe(0);
    });

    it("keeps a do-not-call list of hashes", async () => {
      const added = await store.addDoNotCall([
        { phoneHash: "dnc-a", addedAt: T0, source: "cli", note: "asked by phone" },
        { phoneHash: "dnc-b", addedAt: T0 + 1, source: "import" },
        { phoneHash: "dnc-a", addedAt: T0 + 2, source: "cli" },
      ]);
      expect(added).toBe(2);
      expect(await store.isDoNotCall("dnc-a")).toBe(true);
      expect(await store.isDoNotCall("dnc-c")).toBe(false);
      expect(await store.listDoNotCall()).toEqual([
        { phoneHash: "dnc-a", addedAt: T0, source: "cli", note: "asked by phone" },
        { phoneHash: "dnc-b", addedAt: T0 + 1, source: "import", note: undefined },
      ]);
      expect(await store.removeDoNotCall("dnc-a")).toBe(true);
      expect(await store.removeDoNotCall("dnc-a")).toBe(false);
      expect(await store.isDoNotCall("dnc-a")).toBe(false);
    });

    it("answers consent records by date", async () => {
      const c = callback({ createdAt: T0 + 123_456, clientAddressHash: "ip", userAgent: "Firefox", consentLanguage: "ar" });
      await store.insertCallback(c, T0);
      const records = await store.consentRecords(T0 + 123_456, T0 + 123_457);
      expect(records).toEqual([
        { requestId: c.id, createdAt: T0 + 123_456, profile: "default", consentVersion: "1", consentLanguage: "ar", consentTextHash: "abc", phoneHash: c.phoneHash, clientAddressHash: "ip", userAgent: "Firefox", status: "queued" },
      ]);
      expect((await store.getCallback(c.id))?.consentLanguage).toBe("ar");
    });

    it("lists the most recent requests first", async () => {
      const older = callback({ createdAt: T0 + 900_000_000 });
      const newer = callback({ createdAt: T0 + 900_000_001 });
      await store.insertCallback(older, T0);
      await store.insertCallback(newer, T0);
      const recent = await store.recentCallbacks(2);
      expect(recent.map((r) => r.id)).toEqual([newer.id, older.id]);
      expect(recent[0]).toMatchObject({ status: "queued", attempts: 0, phoneHash: newer.phoneHash });
      expect(await store.recentCallbacks(1)).toHaveLength(1);
    });

    it("lets a key spend its rate allowance at once, then one request per refill, refusing the rest without charging them", async () => {
      const key = `limit-${n++}`;
      const cost = rateCost({ max: 3, windowSeconds: 60 }); // one request refills every 20 s
      for (let i = 0; i < 3; i++) expect(await store.takeRate(key, cost, T0 + i)).toEqual({ allowed: true });
      // The fourth would be allowed once the first request's share has refilled.
      expect(await store.takeRate(key, cost, T0 + 10)).toEqual({ allowed: false, retryAt: T0 + 20_000 });
      expect(await store.takeRate(key, cost, T0 + 19_999)).toEqual({ allowed: false, retryAt: T0 + 20_000 });
      expect(await store.takeRate(key, cost, T0 + 20_000)).toEqual({ allowed: true });
      expect(await store.takeRate(key, cost, T0 + 20_001)).toEqual({ allowed: false, retryAt: T0 + 40_000 });
      // Another key has its own allowance; after a whole window of quiet, the whole allowance is back.
      expect(await store.takeRate(`${key}-other`, cost, T0 + 20_001)).toEqual({ allowed: true });
      for (let i = 0; i < 3; i++) expect(await store.takeRate(key, cost, T0 + 100_000 + i)).toEqual({ allowed: true });
      expect((await store.takeRate(key, cost, T0 + 100_003)).allowed).toBe(false);
    });

    it("does not give the allowance back at a clock boundary", async () => {
      const key = `limit-${n++}`;
      const cost = rateCost({ max: 20, windowSeconds: 600 });
      const boundary = Math.ceil(T0 / 600_000) * 600_000 + 600_000;
      for (let i = 0; i < 20; i++) expect((await store.takeRate(key, cost, boundary - 1)).allowed).toBe(true);
      // Fixed ten-minute windows would allow twenty more here.
      expect(await store.takeRate(key, cost, boundary + 1)).toEqual({ allowed: false, retryAt: boundary - 1 + 30_000 });
    });

    it("takes from one allowance atomically when requests arrive together", async () => {
      const key = `limit-${n++}`;
      const cost = rateCost({ max: 4, windowSeconds: 60 });
      const verdicts = await Promise.all(Array.from({ length: 12 }, () => store.takeRate(key, cost, T0)));
      expect(verdicts.filter((v) => v.allowed)).toHaveLength(4);
    });
  });
}

contract("SQLite", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "cw-store-"));
  return { store: openSqliteStore(dir), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

type Versions = Array<{ version: number; applied_at: number }>;
const versionsOf = (rows: Array<{ version: number | string; applied_at: number | string }>): Versions =>
  rows.map((row) => ({ version: Number(row.version), applied_at: Number(row.applied_at) }));
const upTo = (last: number) => Array.from({ length: last }, (_, i) => i + 1);

describe("SQLite migrations", () => {
  it("record each version once, and do nothing when run again", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cw-migrate-"));
    const read = () => {
      const db = new Database(path.join(dir, "callback-widget.sqlite"), { readonly: true });
      try {
        return versionsOf(db.prepare("SELECT version, applied_at FROM schema_migrations ORDER BY version").all() as Versions);
      } finally {
        db.close();
      }
    };
    try {
      await openSqliteStore(dir).close();
      const first = read();
      expect(first.map((row) => row.version)).toEqual(upTo(SQLITE_VERSION));
      const store = openSqliteStore(dir);
      expect(read()).toEqual(first); // the same rows, applied at the same times
      await store.ping();
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const withPostgres = await postgresAvailable();
describe.runIf(withPostgres)("with PostgreSQL", () => {
  contract("PostgreSQL", async () => {
    const schema = uniqueSchema("cw_store");
    return { store: await openPostgresStore({ connectionString: TEST_DATABASE_URL, schema }), cleanup: () => dropSchema(schema) };
  });

  it("runs its migrations once even when several instances start together, and not again on a restart", async () => {
    const schema = uniqueSchema("cw_migrate");
    const read = async () => {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        return versionsOf((await client.query(`SELECT version, applied_at FROM ${schema}.schema_migrations ORDER BY version`)).rows);
      } finally {
        await client.end();
      }
    };
    try {
      const starts = await Promise.allSettled([1, 2, 3].map(() => openPostgresStore({ connectionString: TEST_DATABASE_URL, schema })));
      const stores = starts.map((start) => (start.status === "fulfilled" ? start.value : undefined));
      expect(starts.map((start) => start.status)).toEqual(["fulfilled", "fulfilled", "fulfilled"]);
      const first = await read();
      expect(first.map((row) => row.version)).toEqual(upTo(POSTGRES_VERSION));
      // Each instance works on the schema it found.
      await Promise.all(stores.map((store, i) => store!.insertCallback(callback({ phoneHash: `migrated-${i}` }), T0)));
      await Promise.all(stores.map((store) => store!.close()));

      const restarted = await openPostgresStore({ connectionString: TEST_DATABASE_URL, schema });
      expect(await read()).toEqual(first);
      expect(await restarted.callbacksForPhone("migrated-2", ["queued"])).toHaveLength(1);
      await restarted.close();
    } finally {
      await dropSchema(schema);
    }
  });
});
