// Two BFF instances on one PostgreSQL share the outbox: while Dataverse is down both queue
// requests; once it is back, their workers race for the rows and each request is sent once.
import { request } from "undici";
import { afterAll, describe, expect, it } from "vitest";
import { dropSchema, postgresAvailable, TEST_DATABASE_URL, uniqueSchema } from "../store/test-databases";
import { aroundTheClockProfile, startHarness, type Harness } from "../test-harness";

const START = Date.parse("2030-03-12T09:00:00Z");
let clock = START;

const withPostgres = await postgresAvailable();
const schema = uniqueSchema("cw_instances");
const limitSchema = uniqueSchema("cw_limits");
let h: Harness | undefined;
let limits: Harness | undefined;
afterAll(async () => {
  await h?.close();
  await limits?.close();
  if (withPostgres) {
    await dropSchema(schema);
    await dropSchema(limitSchema);
  }
});

async function metric(url: string, name: string): Promise<number> {
  const text = await (await request(`${url}/metrics`)).body.text();
  return Number(new RegExp(`^${name.replace(/[{}"]/g, "\\$&")} (\\d+)`, "m").exec(text)?.[1] ?? 0);
}

describe.runIf(withPostgres)("several BFF instances on one PostgreSQL", () => {
  it("deliver each queued request exactly once between them", async () => {
    h = await startHarness({
      profiles: {
        profiles: {
          line: aroundTheClockProfile,
        },
      },
      now: () => clock,
      simulator: { now: () => clock },
      databaseSchema: schema,
      env: { DATABASE_URL: TEST_DATABASE_URL, SECRET_KEY: "11".repeat(32), SYNC_WAIT_MS: "1000" },
      worker: { retry: { maxAttempts: 20, baseDelayMs: 100, maxDelayMs: 400 }, concurrency: 4 },
    });
    const first = h.bff;
    const second = await h.startAnotherBff();
    h.simulator.setFaults({ rules: [{ target: "action", kind: "status", status: 503 }] });

    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const response = await request(`${(i % 2 ? second : first).url}/api/v1/callbacks`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          profile: "line",
          phone: `+336${String(20_000_000 + i)}`,
          timeZone: "UTC",
          consent: true,
          windows: [{ start: "2030-03-12T10:00:00.000Z", end: "2030-03-12T11:00:00.000Z" }],
        }),
      });
      expect(response.statusCode).toBe(202);
      ids.push(((await response.body.json()) as { requestId: string }).requestId);
    }
    expect(h.simulator.ledger()).toHaveLength(0);

    h.simulator.clearFaults();
    for (let round = 0; round < 200; round++) {
      clock += 500;
      await Promise.all([first.worker.tick(), second.worker.tick()]);
      await Promise.all([first.worker.drain(), second.worker.drain()]);
      const records = await Promise.all(ids.map((id) => first.store.getCallback(id)));
      if (records.every((r) => r?.status === "scheduled")) break;
    }

    const records = await Promise.all(ids.map((id) => second.store.getCallback(id)));
    expect(records.every((r) => r?.status === "scheduled")).toBe(true);
    const ledger = h.simulator.ledger();
    expect(ledger).toHaveLength(40);
    expect(new Set(ledger.map((e) => (e.body as { DestinationPhoneNumber: string }).DestinationPhoneNumber)).size).toBe(40);
    // Both took part.
    const scheduledBy = await Promise.all([first.url, second.url].map((url) => metric(url, 'callback_widget_delivery_attempts_total{result="scheduled"}')));
    expect(scheduledBy[0]! + scheduledBy[1]!).toBe(40);
    expect(scheduledBy.every((n) => n > 0)).toBe(true);
  }, 60_000);

  it("hold the limit per number between them when requests for one number arrive together", async () => {
    limits = await startHarness({
      profiles: {
        profiles: {
          line: { ...aroundTheClockProfile, limits: { perNumber: { max: 3, windowSeconds: 3600 } } },
        },
      },
      now: () => START,
      simulator: { now: () => START },
      databaseSchema: limitSchema,
      env: { DATABASE_URL: TEST_DATABASE_URL, SECRET_KEY: "11".repeat(32), SYNC_WAIT_MS: "1000" },
    });
    const instances = [limits.bff, await limits.startAnotherBff()];
    const statuses = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const response = await request(`${instances[i % 2]!.url}/api/v1/callbacks`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ profile: "line", phone: "+33620999999", timeZone: "UTC", consent: true, windows: [{ start: "2030-03-12T10:00:00.000Z", end: "2030-03-12T11:00:00.000Z" }] }),
        });
        await response.body.text();
        return response.statusCode;
      }),
    );
    expect(statuses.filter((status) => status === 201 || status === 202)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(9);
  }, 60_000);
});
