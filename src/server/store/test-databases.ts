// Where the PostgreSQL suites run. Developer and CI machines have PostgreSQL on 127.0.0.1:5432;
// a fresh user machine may not, and then those suites are skipped with a notice, unless
// REQUIRE_POSTGRES=1 (as .ci/run sets), which turns a missing server into a failure.
import { randomBytes } from "node:crypto";
import { userInfo } from "node:os";
import pg from "pg";

// Trust authentication: connect as the operating-system user, as psql would.
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? `postgres://${userInfo().username}@127.0.0.1:5432/test`;

export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch (error) {
    if (process.env.REQUIRE_POSTGRES === "1") {
      throw new Error(`REQUIRE_POSTGRES=1 but PostgreSQL at ${TEST_DATABASE_URL} is unreachable: ${(error as Error).message}`);
    }
    console.warn(`PostgreSQL suites skipped: ${TEST_DATABASE_URL} is unreachable (${(error as Error).message}). Set TEST_DATABASE_URL or REQUIRE_POSTGRES=1.`);
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A fresh schema name for one test file's run. */
export function uniqueSchema(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString("hex")}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
