// The shared store for several BFF instances: PostgreSQL through node-postgres. Instances claim
// outbox rows with FOR UPDATE SKIP LOCKED, so each row is delivered by one of them at a time, and
// share rate allowances. Migrations are versioned and run at start-up under an advisory lock.
import pg from "pg";
import { spendRate, type RateCost, type RateVerdict } from "../abuse/rate-limiter";
import { fromConsentRow, fromRow, insertValues, INSERT_COLUMNS, patchColumns, STATUSES, type CallbackRow, type ConsentRow } from "./rows";
import type { CallbackPatch, CallbackRecord, CallbackStatus, Claim, ConsentRecord, DoNotCallEntry, InsertResult, NewCallback, NumberLimit, OutboxStats, SlotReservation, Store } from "./types";

const MIGRATIONS: string[] = [
  `CREATE TABLE callback_requests (
     id TEXT PRIMARY KEY,
     profile TEXT NOT NULL,
     phone_hash TEXT NOT NULL,
     personal TEXT NOT NULL,
     windows TEXT NOT NULL,
     asap BOOLEAN NOT NULL,
     attributes TEXT NOT NULL,
     visitor_time_zone TEXT NOT NULL,
     locale TEXT,
     consent_version TEXT NOT NULL,
     consent_text_hash TEXT NOT NULL,
     client_address_hash TEXT,
     user_agent TEXT,
     idempotency_key TEXT UNIQUE,
     fingerprint TEXT NOT NULL,
     created_at BIGINT NOT NULL,
     status TEXT NOT NULL,
     attempts INTEGER NOT NULL,
     next_attempt_at BIGINT NOT NULL,
     in_doubt BOOLEAN NOT NULL,
     first_sent_at BIGINT,
     contact_id TEXT,
     delivery_id TEXT,
     last_error TEXT,
     claimed_by TEXT,
     lease_until BIGINT,
     updated_at BIGINT NOT NULL
   );
   CREATE INDEX callback_requests_due ON callback_requests (status, next_attempt_at);
   CREATE INDEX callback_requests_phone ON callback_requests (phone_hash, created_at);
   CREATE INDEX callback_requests_delivery ON callback_requests (delivery_id);
   CREATE TABLE rate_limits (key TEXT NOT NULL, reset_at BIGINT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (key, reset_at));`,
  `CREATE TABLE slot_usage (profile TEXT NOT NULL, slot_start BIGINT NOT NULL, used INTEGER NOT NULL, PRIMARY KEY (profile, slot_start));
   CREATE TABLE callback_slots (request_id TEXT NOT NULL, profile TEXT NOT NULL, slot_start BIGINT NOT NULL, PRIMARY KEY (request_id, slot_start));
   CREATE TABLE do_not_call (phone_hash TEXT PRIMARY KEY, added_at BIGINT NOT NULL, source TEXT NOT NULL, note TEXT);
   CREATE INDEX callback_requests_created ON callback_requests (created_at);`,
  // Which language's consent text the visitor saw (profiles give it in several).
  `ALTER TABLE callback_requests ADD COLUMN consent_language TEXT`,
  // Delivery ids are looked up with the number they were for (the phone index), as in SQLite.
  `DROP INDEX callback_requests_delivery`,
  // Rate limits as one theoretical arrival time per key (abuse/rate-limiter.ts), not counts per
  // fixed window, which reset at every window boundary. rate_limits stays for instances of the
  // previous version still running during a rolling upgrade; nothing of this version reads it.
  `CREATE TABLE rate_limit_allowances (key TEXT PRIMARY KEY, tat DOUBLE PRECISION NOT NULL);`,
];

/** The schema version the migrations above lead to (the highest row of schema_migrations). */
export const SCHEMA_VERSION = MIGRATIONS.length;

// Any constant will do; it only has to be the same for every instance running these migrations.
const MIGRATION_LOCK = 734_221_190;
// First key of the per-number transaction locks (the second is a hash of the number's hash).
const NUMBER_LOCK_SPACE = 734_221_191;
const bool = (b: boolean) => b;

export interface PostgresOptions {
  connectionString: string;
  /** A schema of its own (created if missing); tests use one per run. */
  schema?: string;
  maxConnections?: number;
}

export async function openPostgresStore(options: PostgresOptions): Promise<PostgresStore> {
  const schema = options.schema;
  if (schema && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name: ${schema}`);
  if (schema) {
    const setup = new pg.Client({ connectionString: options.connectionString });
    await setup.connect();
    try {
      // Concurrent CREATE SCHEMA IF NOT EXISTS can still collide: serialise it like the migrations.
      await setup.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
      await setup.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } finally {
      await setup.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    options: schema ? `-c search_path=${schema}` : undefined,
  });
  await migrate(pool);
  return new PostgresStore(pool);
}

export class PostgresStore implements Store {
  readonly kind = "postgres";
  private hitsSinceSweep = 0;

  constructor(private readonly pool: pg.Pool) {}

  async insertCallback(callback: NewCallback, now: number, limits: { slots?: SlotReservation; perNumber?: NumberLimit; claim?: Claim } = {}): Promise<InsertResult> {
    const { slots, perNumber, claim } = limits;
    const placeholders = INSERT_COLUMNS.map((_, i) => `$${i + 1}`).join(", ");
    const client = await this.pool.connect();
    let inserted: boolean;
    const rollback = async <T>(result: T): Promise<T> => {
      await client.query("ROLLBACK");
      return result;
    };
    try {
      await client.query("BEGIN");
      // Requests for one number wait for each other here until commit, so each counts the others:
      // without it, two instances could both see room for one more.
      if (perNumber) await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [NUMBER_LOCK_SPACE, callback.phoneHash]);
      const insert = await client.query(
        `INSERT INTO callback_requests (${INSERT_COLUMNS.join(", ")}) VALUES (${placeholders}) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
        insertValues(callback, now, bool, claim),
      );
      inserted = insert.rowCount === 1;
      if (inserted && perNumber) {
        const { rows } = await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM callback_requests WHERE phone_hash = $1 AND created_at >= $2`, [callback.phoneHash, perNumber.since]);
        if (Number(rows[0]!.n) > perNumber.max) return await rollback({ inserted: false, numberLimited: true });
      }
      for (const slot of inserted ? (slots?.slotStarts ?? []) : []) {
        // The row lock taken by the upsert serialises instances competing for the last place.
        const taken = await client.query(
          `INSERT INTO slot_usage (profile, slot_start, used) VALUES ($1, $2, 1)
           ON CONFLICT (profile, slot_start) DO UPDATE SET used = slot_usage.used + 1 WHERE slot_usage.used < $3 RETURNING used`,
          [slots!.profile, slot, slots!.capacity],
        );
        if (taken.rowCount !== 1) return await rollback({ inserted: false, fullSlot: slot });
        await client.query(`INSERT INTO callback_slots (request_id, profile, slot_start) VALUES ($1, $2, $3)`, [callback.id, slots!.profile, slot]);
      }
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    if (inserted) return { inserted: true };
    const existing = await this.pool.query<CallbackRow>(`SELECT * FROM callback_requests WHERE idempotency_key = $1`, [callback.idempotencyKey]);
    if (!existing.rows[0]) throw new Error("insert conflicted but no row holds the idempotency key");
    return { inserted: false, existing: fromRow(existing.rows[0]) };
  }

  async releaseSlots(requestId: string): Promise<void> {
    await this.pool.query(
      `WITH held AS (DELETE FROM callback_slots WHERE request_id = $1 RETURNING profile, slot_start)
       UPDATE slot_usage SET used = used - 1 FROM held
       WHERE slot_usage.profile = held.profile AND slot_usage.slot_start = held.slot_start AND used > 0`,
      [requestId],
    );
  }

  async slotUsage(profile: string, from: number, to: number): Promise<Map<number, number>> {
    const { rows } = await this.pool.query<{ slot_start: string; used: number }>(
      `SELECT slot_start, used FROM slot_usage WHERE profile = $1 AND slot_start >= $2 AND slot_start < $3`,
      [profile, from, to],
    );
    return new Map(rows.map((row) => [Number(row.slot_start), row.used]));
  }

  async addDoNotCall(entries: DoNotCallEntry[]): Promise<number> {
    if (entries.length === 0) return 0;
    const result = await this.pool.query(
      `INSERT INTO do_not_call (phone_hash, added_at, source, note)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[]) ON CONFLICT (phone_hash) DO NOTHING`,
      [entries.map((e) => e.phoneHash), entries.map((e) => e.addedAt), entries.map((e) => e.source), entries.map((e) => e.note ?? null)],
    );
    return result.rowCount ?? 0;
  }

  async removeDoNotCall(phoneHash: string): Promise<boolean> {
    return ((await this.pool.query(`DELETE FROM do_not_call WHERE phone_hash = $1`, [phoneHash])).rowCount ?? 0) === 1;
  }

  async isDoNotCall(phoneHash: string): Promise<boolean> {
    return ((await this.pool.query(`SELECT 1 FROM do_not_call WHERE phone_hash = $1`, [phoneHash])).rowCount ?? 0) > 0;
  }

  async listDoNotCall(): Promise<DoNotCallEntry[]> {
    const { rows } = await this.pool.query<{ phone_hash: string; added_at: string; source: string; note: string | null }>(
      `SELECT phone_hash, added_at, source, note FROM do_not_call ORDER BY added_at, phone_hash`,
    );
    return rows.map((row) => ({ phoneHash: row.phone_hash, addedAt: Number(row.added_at), source: row.source, note: row.note ?? undefined }));
  }

  async consentRecords(from: number, to: number): Promise<ConsentRecord[]> {
    const { rows } = await this.pool.query<ConsentRow>(
      `SELECT id, created_at, profile, consent_version, consent_language, consent_text_hash, phone_hash, client_address_hash, user_agent, status
       FROM callback_requests WHERE created_at >= $1 AND created_at < $2 ORDER BY created_at, id`,
      [from, to],
    );
    return rows.map(fromConsentRow);
  }

  async getCallback(id: string): Promise<CallbackRecord | undefined> {
    const { rows } = await this.pool.query<CallbackRow>(`SELECT * FROM callback_requests WHERE id = $1`, [id]);
    return rows[0] && fromRow(rows[0]);
  }

  async recentCallbacks(limit: number): Promise<CallbackRecord[]> {
    const { rows } = await this.pool.query<CallbackRow>(`SELECT * FROM callback_requests ORDER BY created_at DESC, id LIMIT $1`, [limit]);
    return rows.map(fromRow);
  }

  async findByIdempotencyKey(key: string): Promise<CallbackRecord | undefined> {
    const { rows } = await this.pool.query<CallbackRow>(`SELECT * FROM callback_requests WHERE idempotency_key = $1`, [key]);
    return rows[0] && fromRow(rows[0]);
  }

  async claimDue(worker: string, now: number, leaseMs: number, limit: number, exclude: readonly string[] = []): Promise<CallbackRecord[]> {
    const { rows } = await this.pool.query<CallbackRow>(
      `UPDATE callback_requests SET claimed_by = $1, lease_until = $2
       WHERE id IN (SELECT id FROM callback_requests
                    WHERE (status = 'queued' OR (status = 'cancelled' AND in_doubt))
                      AND next_attempt_at <= $3 AND (lease_until IS NULL OR lease_until < $3)
                      AND NOT (id = ANY($5::text[]))
                    ORDER BY next_attempt_at LIMIT $4
                    FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [worker, now + leaseMs, now, limit, exclude],
    );
    return rows.map(fromRow);
  }

  async claimOne(id: string, worker: string, now: number, leaseMs: number): Promise<CallbackRecord | undefined> {
    const { rows } = await this.pool.query<CallbackRow>(
      `UPDATE callback_requests SET claimed_by = $1, lease_until = $2
       WHERE id = (SELECT id FROM callback_requests
                   WHERE id = $3 AND status = 'queued' AND (lease_until IS NULL OR lease_until < $4)
                   FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [worker, now + leaseMs, id, now],
    );
    return rows[0] && fromRow(rows[0]);
  }

  completeClaim(id: string, worker: string, patch: CallbackPatch, now: number): Promise<boolean> {
    return this.patch(id, worker, patch, now, true);
  }

  updateClaimed(id: string, worker: string, patch: CallbackPatch, now: number): Promise<boolean> {
    return this.patch(id, worker, patch, now, false);
  }

  private async patch(id: string, worker: string, patch: CallbackPatch, now: number, release: boolean): Promise<boolean> {
    const columns = patchColumns(patch, bool);
    const values = [...columns.map(([, value]) => value), now, id, worker];
    const sets = [
      ...columns.map(([column], i) => `${column} = $${i + 1}`),
      `updated_at = $${columns.length + 1}`,
      ...(release ? ["claimed_by = NULL", "lease_until = NULL"] : []),
    ];
    // Keeping a claim needs a live lease: nothing is sent on a lease another worker may take.
    const result = await this.pool.query(
      `UPDATE callback_requests SET ${sets.join(", ")} WHERE id = $${columns.length + 2} AND claimed_by = $${columns.length + 3}${release ? "" : ` AND lease_until > $${columns.length + 1}`}`,
      values,
    );
    return result.rowCount === 1;
  }

  async cancelQueued(id: string, now: number, reason?: string): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE callback_requests SET status = 'cancelled', last_error = $3, updated_at = $1
       WHERE id = $2 AND status = 'queued' AND (lease_until IS NULL OR lease_until < $1)`,
      [now, id, reason ?? null],
    );
    return result.rowCount === 1;
  }

  async markCancelled(id: string, now: number, reason?: string): Promise<boolean> {
    const result = await this.pool.query(`UPDATE callback_requests SET status = 'cancelled', last_error = $3, updated_at = $1 WHERE id = $2 AND status = 'scheduled'`, [now, id, reason ?? null]);
    return result.rowCount === 1;
  }

  async releaseClaims(worker: string): Promise<number> {
    const result = await this.pool.query(`UPDATE callback_requests SET claimed_by = NULL, lease_until = NULL WHERE claimed_by = $1`, [worker]);
    return result.rowCount ?? 0;
  }

  async hasDeliveryId(deliveryId: string, phoneHash: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(`SELECT 1 FROM callback_requests WHERE phone_hash = $1 AND delivery_id = $2 LIMIT 1`, [phoneHash, deliveryId]);
    return (rowCount ?? 0) > 0;
  }

  async callbacksForPhone(phoneHash: string, statuses: readonly CallbackStatus[]): Promise<CallbackRecord[]> {
    const { rows } = await this.pool.query<CallbackRow>(
      `SELECT * FROM callback_requests WHERE phone_hash = $1 AND status = ANY($2::text[]) ORDER BY created_at, id`,
      [phoneHash, statuses],
    );
    return rows.map(fromRow);
  }

  async outboxStats(): Promise<OutboxStats> {
    const { rows } = await this.pool.query<{ status: CallbackRecord["status"]; n: string; oldest: string }>(
      `SELECT status, COUNT(*) AS n, MIN(created_at) AS oldest FROM callback_requests GROUP BY status`,
    );
    const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as OutboxStats["byStatus"];
    let oldestQueuedAt: number | undefined;
    for (const row of rows) {
      byStatus[row.status] = Number(row.n);
      if (row.status === "queued") oldestQueuedAt = Number(row.oldest);
    }
    return { queued: byStatus.queued, oldestQueuedAt, byStatus };
  }

  async takeRate(key: string, cost: RateCost, now: number): Promise<RateVerdict> {
    // The rule of spendRate, in one statement so that instances taking from one key at once
    // cannot both spend its last request: the row is locked from the conflict to the update.
    const { rows } = await this.pool.query<{ tat: number }>(
      `INSERT INTO rate_limit_allowances AS a (key, tat) VALUES ($1, $2::double precision + $3)
       ON CONFLICT (key) DO UPDATE SET tat = GREATEST(a.tat, $2) + $3
         WHERE GREATEST(a.tat, $2) + $3 - $2 <= $4
       RETURNING tat`,
      [key, now, cost.costMs, cost.capacityMs],
    );
    if (++this.hitsSinceSweep >= 1000) {
      this.hitsSinceSweep = 0;
      void this.pool.query(`DELETE FROM rate_limit_allowances WHERE tat <= $1`, [now]).catch(() => undefined);
    }
    if (rows.length > 0) return { allowed: true };
    // Refused: when it would be allowed, from the allowance as it stands now.
    const current = await this.pool.query<{ tat: number }>(`SELECT tat FROM rate_limit_allowances WHERE key = $1`, [key]);
    const verdict = spendRate(current.rows[0]?.tat, cost, now);
    return verdict.allowed ? { allowed: false, retryAt: now } : verdict;
  }

  async ping(): Promise<void> {
    await this.pool.query("SELECT 1");
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await client.query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)");
    const { rows } = await client.query<{ v: number }>("SELECT COALESCE(MAX(version), 0)::int AS v FROM schema_migrations");
    const applied = rows[0]!.v;
    for (const [index, sql] of MIGRATIONS.slice(applied).entries()) {
      await client.query("BEGIN");
      try {
        await client.query(sql);
        await client.query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)", [applied + index + 1, Date.now()]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}
