// The embedded default store: one SQLite file in DATA_DIR, through better-sqlite3, for one BFF
// instance. WAL with synchronous=NORMAL survives a killed process (a commit is in the log before
// the answer leaves); a power cut can lose the last commits, which PostgreSQL covers in production.
// Writes made in the same turn of the event loop share one transaction (a group commit): under
// load, the pages many requests change (index leaves, slot counts) go to the log once per turn
// rather than once per write. Each write runs in a savepoint of its own, so one that fails is
// rolled back alone, and each caller hears back only once the transaction has committed. The
// lookups every callback request makes (its idempotency key, the do-not-call list) run in that
// transaction too: each statement outside one takes and releases SQLite's locks by itself.
import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { fromConsentRow, fromRow, insertValues, INSERT_COLUMNS, NumberLimited, patchColumns, SlotFull, STATUSES, type CallbackRow, type ConsentRow } from "./rows";
import { spendRate, type RateCost, type RateVerdict } from "../abuse/rate-limiter";
import type { CallbackPatch, CallbackRecord, CallbackStatus, Claim, ConsentRecord, DoNotCallEntry, InsertResult, NewCallback, NumberLimit, OutboxStats, SlotReservation, Store } from "./types";

const MIGRATIONS: string[] = [
  `CREATE TABLE callback_requests (
     id TEXT PRIMARY KEY,
     profile TEXT NOT NULL,
     phone_hash TEXT NOT NULL,
     personal TEXT NOT NULL,
     windows TEXT NOT NULL,
     asap INTEGER NOT NULL,
     attributes TEXT NOT NULL,
     visitor_time_zone TEXT NOT NULL,
     locale TEXT,
     consent_version TEXT NOT NULL,
     consent_text_hash TEXT NOT NULL,
     client_address_hash TEXT,
     user_agent TEXT,
     idempotency_key TEXT UNIQUE,
     fingerprint TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     status TEXT NOT NULL,
     attempts INTEGER NOT NULL,
     next_attempt_at INTEGER NOT NULL,
     in_doubt INTEGER NOT NULL,
     first_sent_at INTEGER,
     contact_id TEXT,
     delivery_id TEXT,
     last_error TEXT,
     claimed_by TEXT,
     lease_until INTEGER,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX callback_requests_due ON callback_requests (status, next_attempt_at);
   CREATE INDEX callback_requests_phone ON callback_requests (phone_hash, created_at);
   CREATE INDEX callback_requests_delivery ON callback_requests (delivery_id);`,
  `CREATE TABLE slot_usage (profile TEXT NOT NULL, slot_start INTEGER NOT NULL, used INTEGER NOT NULL, PRIMARY KEY (profile, slot_start));
   CREATE TABLE callback_slots (request_id TEXT NOT NULL, profile TEXT NOT NULL, slot_start INTEGER NOT NULL, PRIMARY KEY (request_id, slot_start));
   CREATE TABLE do_not_call (phone_hash TEXT PRIMARY KEY, added_at INTEGER NOT NULL, source TEXT NOT NULL, note TEXT);
   CREATE INDEX callback_requests_created ON callback_requests (created_at);`,
  // Which language's consent text the visitor saw (profiles give it in several).
  `ALTER TABLE callback_requests ADD COLUMN consent_language TEXT`,
  // Delivery ids are looked up with the number they were for (the phone index): an index of random
  // ids of its own cost every scheduled request a write to a random page.
  `DROP INDEX callback_requests_delivery`,
];

/** The schema version the migrations above lead to (the highest row of schema_migrations). */
export const SCHEMA_VERSION = MIGRATIONS.length;

const bool = (b: boolean) => (b ? 1 : 0);

export function openSqliteStore(dataDir: string): SqliteStore {
  mkdirSync(dataDir, { recursive: true });
  return new SqliteStore(new Database(path.join(dataDir, "callback-widget.sqlite")));
}

export class SqliteStore implements Store {
  readonly kind = "sqlite";
  private readonly statements;
  /** Rate allowances live in memory (each key's theoretical arrival time): the embedded store serves one instance. */
  private readonly rateTats = new Map<string, number>();
  private readonly patchStatements = new Map<string, Database.Statement>();
  /** Writes waiting for this turn's transaction. */
  private pending: Array<{ work: () => unknown; savepoint: boolean; resolve: (value: unknown) => void; reject: (error: unknown) => void }> = [];
  private readonly transactionStatements;

  constructor(private readonly db: Database.Database) {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 5000");
    // SQLite's own default page cache (2 MB; better-sqlite3 raises it to 16 MB). A request touches
    // the newest pages of each index, its number's entries and the slot counts, which fit; the OS
    // caches the rest of the file. With 16 MB the cache filled as the outbox grew, ~11 MB more
    // resident memory after 30 s of callback load, for no measurable gain in CPU per request.
    db.pragma("cache_size = -2000");
    // Every callback request rewrites the same hot pages (indexes, slot usage) a few times; a
    // checkpoint every 10,000 pages (~40 MB of log) instead of SQLite's 1,000 copies each of them
    // to the database file ten times less often. Under load that halves the store's cost.
    db.pragma("wal_autocheckpoint = 10000");
    migrate(db);
    this.transactionStatements = {
      begin: db.prepare("BEGIN IMMEDIATE"),
      commit: db.prepare("COMMIT"),
      rollback: db.prepare("ROLLBACK"),
      savepoint: db.prepare("SAVEPOINT write"),
      release: db.prepare("RELEASE write"),
      rollbackTo: db.prepare("ROLLBACK TO write"),
    };
    this.statements = {
      insert: db.prepare(`INSERT INTO callback_requests (${INSERT_COLUMNS.join(", ")}) VALUES (${INSERT_COLUMNS.map(() => "?").join(", ")})`),
      get: db.prepare(`SELECT * FROM callback_requests WHERE id = ?`),
      recent: db.prepare(`SELECT * FROM callback_requests ORDER BY created_at DESC, id LIMIT ?`),
      byKey: db.prepare(`SELECT * FROM callback_requests WHERE idempotency_key = ?`),
      claimDue: db.prepare(
        `UPDATE callback_requests SET claimed_by = ?, lease_until = ?
         WHERE id IN (SELECT id FROM callback_requests
                      WHERE (status = 'queued' OR (status = 'cancelled' AND in_doubt = 1))
                        AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)
                        AND id NOT IN (SELECT value FROM json_each(?))
                      ORDER BY next_attempt_at LIMIT ?)
         RETURNING *`,
      ),
      claimOne: db.prepare(
        `UPDATE callback_requests SET claimed_by = ?, lease_until = ?
         WHERE id = ? AND status = 'queued' AND (lease_until IS NULL OR lease_until < ?)
         RETURNING *`,
      ),
      cancelQueued: db.prepare(
        `UPDATE callback_requests SET status = 'cancelled', last_error = ?, updated_at = ?
         WHERE id = ? AND status = 'queued' AND (lease_until IS NULL OR lease_until < ?)`,
      ),
      markCancelled: db.prepare(`UPDATE callback_requests SET status = 'cancelled', last_error = ?, updated_at = ? WHERE id = ? AND status = 'scheduled'`),
      release: db.prepare(`UPDATE callback_requests SET claimed_by = NULL, lease_until = NULL WHERE claimed_by = ?`),
      hasDelivery: db.prepare(`SELECT 1 FROM callback_requests WHERE phone_hash = ? AND delivery_id = ? LIMIT 1`),
      countForPhone: db.prepare(`SELECT COUNT(*) AS n FROM callback_requests WHERE phone_hash = ? AND created_at >= ?`),
      forPhone: db.prepare(
        `SELECT * FROM callback_requests WHERE phone_hash = ? AND status IN (SELECT value FROM json_each(?)) ORDER BY created_at, id`,
      ),
      stats: db.prepare(`SELECT status, COUNT(*) AS n, MIN(created_at) AS oldest FROM callback_requests GROUP BY status`),
      takeSlot: db.prepare(
        `INSERT INTO slot_usage (profile, slot_start, used) VALUES (?, ?, 1)
         ON CONFLICT (profile, slot_start) DO UPDATE SET used = used + 1 WHERE used < ? RETURNING used`,
      ),
      holdSlot: db.prepare(`INSERT INTO callback_slots (request_id, profile, slot_start) VALUES (?, ?, ?)`),
      heldSlots: db.prepare(`DELETE FROM callback_slots WHERE request_id = ? RETURNING profile, slot_start`),
      giveSlot: db.prepare(`UPDATE slot_usage SET used = used - 1 WHERE profile = ? AND slot_start = ? AND used > 0`),
      usage: db.prepare(`SELECT slot_start, used FROM slot_usage WHERE profile = ? AND slot_start >= ? AND slot_start < ?`),
      dncAdd: db.prepare(`INSERT INTO do_not_call (phone_hash, added_at, source, note) VALUES (?, ?, ?, ?) ON CONFLICT (phone_hash) DO NOTHING`),
      dncRemove: db.prepare(`DELETE FROM do_not_call WHERE phone_hash = ?`),
      dncHas: db.prepare(`SELECT 1 FROM do_not_call WHERE phone_hash = ?`),
      dncList: db.prepare(`SELECT phone_hash, added_at, source, note FROM do_not_call ORDER BY added_at, phone_hash`),
      consent: db.prepare(
        `SELECT id, created_at, profile, consent_version, consent_language, consent_text_hash, phone_hash, client_address_hash, user_agent, status
         FROM callback_requests WHERE created_at >= ? AND created_at < ? ORDER BY created_at, id`,
      ),
    };
  }

  async insertCallback(callback: NewCallback, now: number, limits: { slots?: SlotReservation; perNumber?: NumberLimit; claim?: Claim } = {}): Promise<InsertResult> {
    const { slots, perNumber, claim } = limits;
    try {
      // The transaction holds the write lock: the count below cannot change until it commits.
      return await this.write((): InsertResult => {
        this.statements.insert.run(...insertValues(callback, now, bool, claim));
        if (perNumber && (this.statements.countForPhone.get(callback.phoneHash, perNumber.since) as { n: number }).n > perNumber.max) throw new NumberLimited();
        for (const slot of slots?.slotStarts ?? []) {
          if (!this.statements.takeSlot.get(slots!.profile, slot, slots!.capacity)) throw new SlotFull(slot);
          this.statements.holdSlot.run(callback.id, slots!.profile, slot);
        }
        if (slots?.slotStarts.length) this.usageChanges++;
        return { inserted: true };
      });
    } catch (error) {
      if (error instanceof SlotFull) return { inserted: false, fullSlot: error.slot };
      if (error instanceof NumberLimited) return { inserted: false, numberLimited: true };
      if (callback.idempotencyKey && (error as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE") {
        const existing = this.statements.byKey.get(callback.idempotencyKey) as CallbackRow | undefined;
        if (existing) return { inserted: false, existing: fromRow(existing) };
      }
      throw error;
    }
  }

  /** Runs `work` in this turn's shared transaction, in a savepoint of its own (see the top of this file). */
  private write<T>(work: () => T): Promise<T> {
    return this.enqueue(work, true);
  }

  /** The same for one statement, a lookup or a write, which needs no savepoint: SQLite undoes a failed statement by itself. */
  private oneStatement<T>(work: () => T): Promise<T> {
    return this.enqueue(work, false);
  }

  private enqueue<T>(work: () => T, savepoint: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, savepoint, resolve: resolve as (value: unknown) => void, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const t = this.transactionStatements;
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      t.begin.run();
    } catch (error) {
      for (const write of batch) write.reject(error);
      return;
    }
    try {
      for (const write of batch) {
        if (write.savepoint) t.savepoint.run();
        try {
          outcomes.push({ ok: true, value: write.work() });
          if (write.savepoint) t.release.run();
        } catch (error) {
          // Some failures (a full disk, an I/O error) end the whole transaction: then nothing of it holds.
          if (!this.db.inTransaction) throw error;
          if (write.savepoint) {
            t.rollbackTo.run();
            t.release.run();
          }
          outcomes.push({ ok: false, error });
        }
      }
      t.commit.run();
    } catch (error) {
      // The transaction itself failed (the disk, most likely): none of it was kept.
      if (this.db.inTransaction) t.rollback.run();
      for (const write of batch) write.reject(error);
      return;
    }
    batch.forEach((write, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) write.resolve(outcome.value);
      else write.reject(outcome.error);
    });
  }

  private usageChanges = 0;
  usageVersion(): number {
    return this.usageChanges;
  }

  async releaseSlots(requestId: string): Promise<void> {
    await this.write(() => {
      this.usageChanges++;
      for (const held of this.statements.heldSlots.all(requestId) as Array<{ profile: string; slot_start: number }>) {
        this.statements.giveSlot.run(held.profile, held.slot_start);
      }
    });
  }

  async slotUsage(profile: string, from: number, to: number): Promise<Map<number, number>> {
    const rows = this.statements.usage.all(profile, from, to) as Array<{ slot_start: number; used: number }>;
    return new Map(rows.map((row) => [row.slot_start, row.used]));
  }

  async addDoNotCall(entries: DoNotCallEntry[]): Promise<number> {
    return this.write(() => entries.reduce((added, e) => added + this.statements.dncAdd.run(e.phoneHash, e.addedAt, e.source, e.note ?? null).changes, 0));
  }

  async removeDoNotCall(phoneHash: string): Promise<boolean> {
    return this.oneStatement(() => this.statements.dncRemove.run(phoneHash).changes === 1);
  }

  async isDoNotCall(phoneHash: string): Promise<boolean> {
    return this.oneStatement(() => this.statements.dncHas.get(phoneHash) !== undefined);
  }

  async listDoNotCall(): Promise<DoNotCallEntry[]> {
    return (this.statements.dncList.all() as Array<{ phone_hash: string; added_at: number; source: string; note: string | null }>).map((row) => ({
      phoneHash: row.phone_hash,
      addedAt: row.added_at,
      source: row.source,
      note: row.note ?? undefined,
    }));
  }

  async consentRecords(from: number, to: number): Promise<ConsentRecord[]> {
    return (this.statements.consent.all(from, to) as ConsentRow[]).map(fromConsentRow);
  }

  async getCallback(id: string): Promise<CallbackRecord | undefined> {
    const row = this.statements.get.get(id) as CallbackRow | undefined;
    return row && fromRow(row);
  }

  async recentCallbacks(limit: number): Promise<CallbackRecord[]> {
    return (this.statements.recent.all(limit) as CallbackRow[]).map(fromRow);
  }

  async findByIdempotencyKey(key: string): Promise<CallbackRecord | undefined> {
    const row = await this.oneStatement(() => this.statements.byKey.get(key) as CallbackRow | undefined);
    return row && fromRow(row);
  }

  async claimDue(worker: string, now: number, leaseMs: number, limit: number, exclude: readonly string[] = []): Promise<CallbackRecord[]> {
    return this.oneStatement(() => (this.statements.claimDue.all(worker, now + leaseMs, now, now, JSON.stringify(exclude), limit) as CallbackRow[]).map(fromRow));
  }

  async claimOne(id: string, worker: string, now: number, leaseMs: number): Promise<CallbackRecord | undefined> {
    const row = await this.oneStatement(() => this.statements.claimOne.get(worker, now + leaseMs, id, now) as CallbackRow | undefined);
    return row && fromRow(row);
  }

  async completeClaim(id: string, worker: string, patch: CallbackPatch, now: number): Promise<boolean> {
    return this.patch(id, worker, patch, now, true);
  }

  async updateClaimed(id: string, worker: string, patch: CallbackPatch, now: number): Promise<boolean> {
    return this.patch(id, worker, patch, now, false);
  }

  private patch(id: string, worker: string, patch: CallbackPatch, now: number, release: boolean): Promise<boolean> {
    const columns = patchColumns(patch, bool);
    const sets = [...columns.map(([column]) => `${column} = ?`), "updated_at = ?", ...(release ? ["claimed_by = NULL", "lease_until = NULL"] : [])];
    // Keeping a claim needs a live lease: nothing is sent on a lease another worker may take.
    const sql = `UPDATE callback_requests SET ${sets.join(", ")} WHERE id = ? AND claimed_by = ?${release ? "" : " AND lease_until > ?"}`;
    let statement = this.patchStatements.get(sql);
    if (!statement) this.patchStatements.set(sql, (statement = this.db.prepare(sql)));
    const values = [...columns.map(([, value]) => value), now, id, worker, ...(release ? [] : [now])];
    return this.oneStatement(() => statement.run(...values).changes === 1);
  }

  async cancelQueued(id: string, now: number, reason?: string): Promise<boolean> {
    return this.oneStatement(() => this.statements.cancelQueued.run(reason ?? null, now, id, now).changes === 1);
  }

  async markCancelled(id: string, now: number, reason?: string): Promise<boolean> {
    return this.oneStatement(() => this.statements.markCancelled.run(reason ?? null, now, id).changes === 1);
  }

  async releaseClaims(worker: string): Promise<number> {
    return this.oneStatement(() => this.statements.release.run(worker).changes);
  }

  async hasDeliveryId(deliveryId: string, phoneHash: string): Promise<boolean> {
    return this.statements.hasDelivery.get(phoneHash, deliveryId) !== undefined;
  }

  async callbacksForPhone(phoneHash: string, statuses: readonly CallbackStatus[]): Promise<CallbackRecord[]> {
    return (this.statements.forPhone.all(phoneHash, JSON.stringify(statuses)) as CallbackRow[]).map(fromRow);
  }

  async outboxStats(): Promise<OutboxStats> {
    const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as OutboxStats["byStatus"];
    let oldestQueuedAt: number | undefined;
    for (const row of this.statements.stats.all() as Array<{ status: CallbackRecord["status"]; n: number; oldest: number }>) {
      byStatus[row.status] = row.n;
      if (row.status === "queued") oldestQueuedAt = row.oldest;
    }
    return { queued: byStatus.queued, oldestQueuedAt, byStatus };
  }

  async takeRate(key: string, cost: RateCost, now: number): Promise<RateVerdict> {
    const verdict = spendRate(this.rateTats.get(key), cost, now);
    if (!verdict.allowed) return verdict;
    if (this.rateTats.size > 100_000) this.sweepRates(now);
    this.rateTats.set(key, verdict.tat);
    return { allowed: true };
  }

  /** Keys whose allowance is whole again hold nothing that an absent key does not. */
  private sweepRates(now: number): void {
    for (const [key, tat] of this.rateTats) if (tat <= now) this.rateTats.delete(key);
  }

  async ping(): Promise<void> {
    this.db.prepare("SELECT 1").get();
  }

  async close(): Promise<void> {
    this.flush();
    this.db.close();
  }
}

function migrate(db: Database.Database): void {
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
  const applied = (db.prepare("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations").get() as { v: number }).v;
  MIGRATIONS.slice(applied).forEach((sql, index) => {
    db.transaction(() => {
      db.exec(sql);
      db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)").run(applied + index + 1, Date.now());
    })();
  });
}
