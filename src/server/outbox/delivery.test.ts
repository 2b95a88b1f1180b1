// The outbox against a misbehaving Dataverse: every accepted request must reach it exactly once.
// The BFF's clock is a variable the tests move, so waits (Retry-After, backoff) are checked exactly
// rather than timed; the simulator injects the faults.
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import type { FaultRule } from "../../simulator/index";
import { rmSync } from "node:fs";
import { openSqliteStore } from "../store/sqlite-store";
import type { CallbackRecord } from "../store/types";
import { startHarness, type Harness } from "../test-harness";
import type { WorkerOptions } from "./delivery-worker";

const START = Date.parse("2030-03-12T09:00:00Z");
let clock = START;
const allDay = Object.fromEntries(["sun", "mon", "tue", "wed", "thu", "fri", "sat"].map((d) => [d, ["00:00-24:00"]]));
const profile = {
  name: "Around the clock",
  proactiveEngagementConfigId: "cbbac510-3e66-ef11-a671-6045bd03d9d8",
  timeZone: "UTC",
  openingHours: allDay,
  slotMinutes: 30,
  horizonDays: 2,
  maxWindows: 4,
  allowedCountries: ["FR"],
  consent: { version: "1", text: "Call me." },
  limits: { perNumber: { max: 100, windowSeconds: 60 }, perProfile: { max: 100_000, windowSeconds: 60 } },
};

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function harness(options: { faults?: FaultRule[]; seed?: number; env?: Record<string, string>; timeoutMs?: number; maxAttempts?: number; worker?: Partial<WorkerOptions> } = {}) {
  clock = START;
  h = await startHarness({
    profiles: { profiles: { line: profile } },
    now: () => clock,
    // Dataverse's clock is ours too: deliveries it creates are dated on the same timeline.
    simulator: { now: () => clock },
    timeoutMs: options.timeoutMs,
    env: { SYNC_WAIT_MS: "2000", ...options.env },
    // Lost answers are looked for 10 s (of this clock) after the send.
    worker: { retry: { maxAttempts: options.maxAttempts ?? 12, baseDelayMs: 1_000, maxDelayMs: 8_000 }, minimumWindowMs: 60_000, inDoubtWaitMs: 10_000, ...options.worker },
  });
  if (options.faults) h.simulator.setFaults({ rules: options.faults, seed: options.seed ?? 1 });
  return h;
}

let numbers = 0;
function body(overrides: Record<string, unknown> = {}) {
  const n = String(++numbers).padStart(6, "0");
  return {
    profile: "line",
    phone: `+33612${n}`,
    timeZone: "UTC",
    consent: true,
    windows: [{ start: "2030-03-12T10:00:00.000Z", end: "2030-03-12T12:00:00.000Z" }],
    ...overrides,
  };
}

async function post(harnessed: Harness, payload: unknown, headers: Record<string, string> = {}) {
  const response = await request(`${harnessed.bff.url}/api/v1/callbacks`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(payload),
  });
  return { status: response.statusCode, body: (await response.body.json()) as { requestId: string; status: string; [key: string]: unknown } };
}

/** Moves the clock and lets the worker run until every request has an outcome. */
async function settle(harnessed: Harness, ids: string[], stepMs = 1_000, rounds = 400, realPauseMs = 0): Promise<CallbackRecord[]> {
  for (let round = 0; ; round++) {
    await harnessed.bff.worker.drain();
    const records = await Promise.all(ids.map((id) => harnessed.bff.store.getCallback(id)));
    if (records.every((r) => r && r.status !== "queued")) return records as CallbackRecord[];
    if (round === rounds) throw new Error(`still queued after ${rounds} rounds: ${records.filter((r) => r?.status === "queued").map((r) => r!.lastError).join("; ")}`);
    clock += stepMs;
    if (realPauseMs) await new Promise((resolve) => setTimeout(resolve, realPauseMs));
    await harnessed.bff.worker.tick();
  }
}

const actionCalls = (harnessed: Harness) => harnessed.simulator.stats().received.action ?? 0;

describe("delivery through a misbehaving Dataverse", () => {
  it("answers 201 when Dataverse accepts at once", async () => {
    const harnessed = await harness();
    const { status, body: answer } = await post(harnessed, body());
    expect(status).toBe(201);
    expect(answer.status).toBe("scheduled");
    expect(harnessed.simulator.ledger()).toHaveLength(1);
  });

  it("waits the full Retry-After of a 429 before sending again, and sends nothing meanwhile", async () => {
    const harnessed = await harness({ faults: [{ target: "action", kind: "status", status: 429, retryAfterSeconds: 30, times: 1 }] });
    const { status, body: queued } = await post(harnessed, body());
    expect(status).toBe(202);
    expect(queued).toMatchObject({ requestId: expect.any(String), status: "queued" });
    const record = (await harnessed.bff.store.getCallback(queued.requestId))!;
    expect(record.nextAttemptAt).toBe(START + 30_000);
    expect(record.inDoubt).toBe(false); // a 429 is refused before anything is done

    clock = START + 29_999;
    await harnessed.bff.worker.tick();
    await harnessed.bff.worker.drain();
    expect(actionCalls(harnessed)).toBe(1);

    clock = START + 30_000;
    const [done] = await settle(harnessed, [queued.requestId]);
    expect(done!.status).toBe("scheduled");
    expect(actionCalls(harnessed)).toBe(2);
    expect(harnessed.simulator.ledger()).toHaveLength(1);
  });

  it("retries a 500 and a 503 with growing, jittered delays", async () => {
    const harnessed = await harness({
      faults: [
        { target: "action", kind: "status", status: 500, times: 1 },
        { target: "action", kind: "status", status: 503, times: 1 },
      ],
    });
    const { body: queued } = await post(harnessed, body());
    const first = (await harnessed.bff.store.getCallback(queued.requestId))!;
    expect(first.nextAttemptAt - START).toBeGreaterThanOrEqual(500); // base 1 s: between 0.5 and 1 s
    expect(first.nextAttemptAt - START).toBeLessThanOrEqual(1_000);
    const [done] = await settle(harnessed, [queued.requestId], 250);
    expect(done).toMatchObject({ status: "scheduled", attempts: 3 });
    expect(harnessed.simulator.ledger()).toHaveLength(1);
  });

  it("does not call twice when the connection drops after Dataverse created the delivery", async () => {
    const harnessed = await harness({ faults: [{ target: "action", kind: "reset-after", times: 1 }] });
    const { status, body: queued } = await post(harnessed, body());
    expect(status).toBe(202);
    expect((await harnessed.bff.store.getCallback(queued.requestId))!.inDoubt).toBe(true);
    const [done] = await settle(harnessed, [queued.requestId]);
    const ledger = harnessed.simulator.ledger();
    expect(ledger).toHaveLength(1);
    expect(done).toMatchObject({ status: "scheduled", deliveryId: ledger[0]!.deliveryId });
    expect(actionCalls(harnessed)).toBe(1); // found in msdyn_proactive_deliveries, not sent again
  });

  it("does not call twice when Dataverse answers after our timeout", async () => {
    const harnessed = await harness({ timeoutMs: 300, faults: [{ target: "action", kind: "delay", delayMs: 1_000, times: 1 }] });
    const { body: queued } = await post(harnessed, body());
    const [done] = await settle(harnessed, [queued.requestId]);
    expect(harnessed.simulator.ledger()).toHaveLength(1);
    expect(done!.deliveryId).toBe(harnessed.simulator.ledger()[0]!.deliveryId);
  });

  it("sends again when the connection dropped before Dataverse did anything", async () => {
    const harnessed = await harness({ faults: [{ target: "action", kind: "reset-before", times: 1 }] });
    const { body: queued } = await post(harnessed, body());
    const [done] = await settle(harnessed, [queued.requestId]);
    expect(done!.status).toBe("scheduled");
    expect(actionCalls(harnessed)).toBe(2);
    expect(harnessed.simulator.ledger()).toHaveLength(1);
  });

  it("keeps requests while the token endpoint fails, and delivers them once it recovers", async () => {
    const harnessed = await harness({ faults: [{ target: "token", kind: "status", status: 503, retryAfterSeconds: 1, times: 2 }] });
    const { status, body: queued } = await post(harnessed, body());
    expect(status).toBe(202);
    // MSAL itself refuses to ask again for Retry-After seconds (real ones) after a 5xx.
    const [done] = await settle(harnessed, [queued.requestId], 1_000, 400, 10);
    expect(done!.status).toBe("scheduled");
    expect(harnessed.simulator.ledger()).toHaveLength(1);
  });

  it("marks a request expired, never sending it late, when its windows pass before Dataverse recovers", async () => {
    const harnessed = await harness({ faults: [{ target: "action", kind: "status", status: 503 }] });
    const { body: queued } = await post(harnessed, body());
    clock = Date.parse("2030-03-12T11:59:30Z"); // less than the minimum useful window remains
    const [done] = await settle(harnessed, [queued.requestId]);
    expect(done).toMatchObject({ status: "expired" });
    expect(harnessed.simulator.ledger()).toHaveLength(0);
  });

  it("gives up visibly after the last attempt", async () => {
    const harnessed = await harness({ maxAttempts: 3, faults: [{ target: "action", kind: "status", status: 500 }] });
    const { body: queued } = await post(harnessed, body());
    const [done] = await settle(harnessed, [queued.requestId]);
    expect(done).toMatchObject({ status: "failed", attempts: 3, lastError: expect.stringContaining("gave up after 3 attempts") });
    const status = await request(`${harnessed.bff.url}/api/v1/callbacks/${queued.requestId}`);
    expect(await status.body.json()).toMatchObject({ status: "failed" });
  });

  it("sends Windows and InputAttributes as JSON strings when the deployment says so", async () => {
    const harnessed = await harness({ env: { DATAVERSE_COLLECTIONS: "json-strings" } });
    expect((await post(harnessed, body())).status).toBe(201);
    const sent = harnessed.simulator.ledger()[0]!.body as { Windows: unknown };
    expect(typeof sent.Windows).toBe("string");
    expect(JSON.parse(sent.Windows as string)).toEqual([{ Start: "2030-03-12T10:00:00.000Z", End: "2030-03-12T11:59:59.999Z" }]);
  });
});

describe("graceful shutdown", () => {
  it("finishes a delivery under way before the BFF stops, and stops accepting", async () => {
    const harnessed = await harness({ env: { SYNC_WAIT_MS: "50" }, faults: [{ target: "action", kind: "delay", delayMs: 700, times: 1 }] });
    const { status, body: queued } = await post(harnessed, body());
    expect(status).toBe(202);
    await harnessed.bff.close();
    await expect(request(`${harnessed.bff.url}/healthz`)).rejects.toThrow();
    expect(harnessed.simulator.ledger()).toHaveLength(1);
    const reopened = openSqliteStore(harnessed.dataDir);
    expect(await reopened.getCallback(queued.requestId)).toMatchObject({ status: "scheduled", claimedBy: undefined });
    await reopened.close();
    h = undefined;
    await harnessed.simulator.close();
    rmSync(harnessed.dataDir, { recursive: true, force: true });
  });
});

describe("idempotency", () => {
  it("gives two submissions with the same Idempotency-Key the same answer and one call", async () => {
    const harnessed = await harness();
    const payload = body();
    const headers = { "idempotency-key": "8c1f1f9e-1c55-4a9c-9d55-7b8f2a1d3e01" };
    const [a, b] = await Promise.all([post(harnessed, payload, headers), post(harnessed, payload, headers)]);
    expect(a.status).toBe(201);
    expect(b).toEqual(a);
    const later = await post(harnessed, payload, headers);
    expect(later).toEqual(a);
    expect(harnessed.simulator.ledger()).toHaveLength(1);
  });

  it("refuses a key reused for a different request", async () => {
    const harnessed = await harness();
    const headers = { "idempotency-key": "key-reused-0001" };
    expect((await post(harnessed, body(), headers)).status).toBe(201);
    const other = await post(harnessed, body(), headers);
    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ errors: [{ field: "Idempotency-Key", code: "idempotency_key_reused" }] });
    expect(harnessed.simulator.ledger()).toHaveLength(1);
  });
});

describe("a soak at a 30% fault rate", () => {
  it("delivers every accepted request exactly once", async () => {
    const harnessed = await harness({
      timeoutMs: 400,
      seed: 2026,
      faults: [
        { target: "action", kind: "status", status: 429, retryAfterSeconds: 2, rate: 0.08 },
        { target: "action", kind: "status", status: 500, rate: 0.06 },
        { target: "action", kind: "reset-after", rate: 0.06 },
        { target: "action", kind: "delay", delayMs: 800, rate: 0.04 },
        { target: "action", kind: "reset-before", rate: 0.06 },
        { target: "contacts", kind: "status", status: 503, rate: 0.05 },
        { target: "deliveries", kind: "status", status: 503, rate: 0.1 },
      ],
    });
    const payloads = Array.from({ length: 300 }, () => body());
    const answers: Array<Awaited<ReturnType<typeof post>>> = [];
    for (let i = 0; i < payloads.length; i += 20) {
      answers.push(...(await Promise.all(payloads.slice(i, i + 20).map((p) => post(harnessed, p)))));
    }
    expect(answers.every((a) => a.status === 201 || a.status === 202)).toBe(true);
    const records = await settle(harnessed, answers.map((a) => a.body.requestId!), 1_000, 2_000);
    expect(records.every((r) => r.status === "scheduled")).toBe(true);

    const ledger = harnessed.simulator.ledger();
    const perNumber = new Map<string, number>();
    for (const entry of ledger) {
      const phone = (entry.body as { DestinationPhoneNumber: string }).DestinationPhoneNumber;
      perNumber.set(phone, (perNumber.get(phone) ?? 0) + 1);
    }
    expect(ledger).toHaveLength(payloads.length);
    expect([...perNumber.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(records.map((r) => r.deliveryId))).toEqual(new Set(ledger.map((e) => e.deliveryId)));
    const injected = Object.values(harnessed.simulator.stats().injected).reduce((a, b) => a + b, 0);
    expect(injected).toBeGreaterThan(payloads.length * 0.25);

    // Hundreds of retries later, the logs still hold no number and no token.
    const logs = harnessed.logs.join("");
    expect(logs).toContain("delivery will be retried");
    for (const p of payloads) expect(logs).not.toContain(p.phone.slice(3));
    expect(logs).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
  }, 120_000);
});
