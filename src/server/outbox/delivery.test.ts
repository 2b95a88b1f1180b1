// The outbox against a misbehaving Dataverse: every accepted request must reach it exactly once.
// The BFF's clock is a variable the tests move, so waits (Retry-After, backoff) are checked exactly
// rather than timed; the simulator injects the faults.
import { randomBytes, randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { request } from "undici";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { FaultRule } from "../../simulator/index";
import { createVault } from "../personal-data";
import { openSqliteStore } from "../store/sqlite-store";
import type { CallbackRecord } from "../store/types";
import { allDay, startHarness, type Harness } from "../test-harness";
import type { WorkerOptions } from "./delivery-worker";

const START = Date.parse("2030-03-12T09:00:00Z");
let clock = START;
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

async function harness(
  options: { faults?: FaultRule[]; seed?: number; env?: Record<string, string>; timeoutMs?: number; maxAttempts?: number; worker?: Partial<WorkerOptions>; profile?: Record<string, unknown> } = {},
) {
  clock = START;
  h = await startHarness({
    profiles: { profiles: { line: { ...profile, ...options.profile } } },
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
  return {
    status: response.statusCode,
    body: (await response.body.json()) as { requestId: string; status: string; links: { cancel: string }; errors?: Array<{ code: string }>; [key: string]: unknown },
  };
}

/** Moves the clock and lets the worker run until every request has an outcome. */
async function settle(harnessed: Harness, ids: string[], stepMs = 1_000, rounds = 400, realPauseMs = 0): Promise<CallbackRecord[]> {
  for (let round = 0; ; round++) {
    await harnessed.bff.worker.drain();
    const records = await Promise.all(ids.map((id) => harnessed.bff.store.getCallback(id)));
    if (records.every((r) => r && r.status !== "queued")) return records as CallbackRecord[];
    if (round === rounds) {
      // What a stuck request looked like, for the next time this fails.
      const stuck = records.filter((r) => r?.status === "queued").map((r) => `${r!.lastError} (next attempt at ${r!.nextAttemptAt}, claimed by ${r!.claimedBy ?? "nobody"} until ${r!.leaseUntil ?? "-"})`);
      throw new Error(`still queued after ${rounds} rounds at ${clock}: ${stuck.join("; ")}`);
    }
    clock += stepMs;
    if (realPauseMs) await new Promise((resolve) => setTimeout(resolve, realPauseMs));
    await harnessed.bff.worker.tick();
  }
}

const actionCalls = (harnessed: Harness) => harnessed.simulator.stats().received.action ?? 0;
const recordOf = (harnessed: Harness, id: string) => harnessed.bff.store.getCallback(id);
const listNumber = (harnessed: Harness, phoneHash: string) => harnessed.bff.store.addDoNotCall([{ phoneHash, addedAt: clock, source: "test" }]);

/** One request delivered first, so that the token is cached and the connections are open. */
async function warmUp(harnessed: Harness): Promise<void> {
  const { body: answer } = await post(harnessed, body());
  await harnessed.bff.worker.drain();
  expect((await recordOf(harnessed, answer.requestId))!.status).toBe("scheduled");
}

async function metric(harnessed: Harness, series: string): Promise<number> {
  const text = await (await request(`${harnessed.bff.url}/metrics`)).body.text();
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(" ")[1]) : 0;
}

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

  it("delivers once due while the poll timer's own round is under way", async () => {
    // A round started before the request was due (as the poll timer's may be) waits for the
    // store's next flush; a tick() meanwhile must wait for it, not answer at once: settle() would
    // then go round without ever letting the event loop run that flush, and nothing would be sent.
    const harnessed = await harness({ faults: [{ target: "action", kind: "status", status: 503, retryAfterSeconds: 30, times: 1 }] });
    const { status, body: queued } = await post(harnessed, body());
    expect(status).toBe(202);
    const underWay = harnessed.bff.worker.tick();
    const [done] = await settle(harnessed, [queued.requestId]);
    await underWay;
    expect(done).toMatchObject({ status: "scheduled", attempts: 2 });
    expect(actionCalls(harnessed)).toBe(2);
  });

  it("waits the full Retry-After of a 503 before trying again", async () => {
    const harnessed = await harness({ faults: [{ target: "action", kind: "status", status: 503, retryAfterSeconds: 45, times: 1 }] });
    const { status, body: queued } = await post(harnessed, body());
    expect(status).toBe(202);
    expect((await recordOf(harnessed, queued.requestId))!.nextAttemptAt).toBe(START + 45_000);

    clock = START + 44_999;
    await harnessed.bff.worker.tick();
    await harnessed.bff.worker.drain();
    expect(actionCalls(harnessed)).toBe(1);

    clock = START + 45_000;
    const [done] = await settle(harnessed, [queued.requestId]);
    expect(done).toMatchObject({ status: "scheduled", attempts: 2 });
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
    const harnessed = await harness({ timeoutMs: 1_000, faults: [{ target: "action", kind: "delay", delayMs: 2_000, times: 1 }] });
    const { body: queued } = await post(harnessed, body());
    // The late answer comes in real time, the worker's wait before looking for it (inDoubtWaitMs,
    // 10 s here) in the test's clock: real pauses let the first land before the second has passed,
    // as it would in real life, on a loaded machine too.
    const [done] = await settle(harnessed, [queued.requestId], 1_000, 400, 250);
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

describe("an attempt and its lease", () => {
  it("never sends again a request its worker is still sending when the lease runs out", async () => {
    const harnessed = await harness({
      env: { SYNC_WAIT_MS: "50" },
      worker: { leaseMs: 2_000, attemptTimeoutMs: 1_000 },
      faults: [{ target: "action", kind: "delay-before", delayMs: 600, times: 1 }],
    });
    const { status, body: queued } = await post(harnessed, body());
    expect(status).toBe(202); // Dataverse is still working on it
    clock += 5_000; // past the lease, by this clock, while the send is under way
    await harnessed.bff.worker.tick();
    const [done] = await settle(harnessed, [queued.requestId]);
    const ledger = harnessed.simulator.ledger();
    expect(ledger).toHaveLength(1);
    expect(actionCalls(harnessed)).toBe(1);
    expect(done).toMatchObject({ status: "scheduled", deliveryId: ledger[0]!.deliveryId });
  });

  it("gives up a send that outlasts the attempt's time limit, and looks for it only once Dataverse is done with it", async () => {
    const harnessed = await harness({ env: { SYNC_WAIT_MS: "50" }, worker: { leaseMs: 4_000, attemptTimeoutMs: 2_000, inDoubtWaitMs: 10_000 } });
    await warmUp(harnessed);
    harnessed.simulator.setFaults({ rules: [{ target: "action", kind: "delay-before", delayMs: 5_000, times: 1 }] });
    const { body: queued } = await post(harnessed, body());
    await harnessed.bff.worker.drain();
    // Given up when its time ran out (long before the lease): the answer is unknown, so in doubt.
    const abandoned = (await recordOf(harnessed, queued.requestId))!;
    expect(abandoned).toMatchObject({ status: "queued", inDoubt: true, claimedBy: undefined, lastError: expect.stringContaining("longer than 2000 ms") });
    expect(abandoned.nextAttemptAt).toBeGreaterThanOrEqual(START + 10_000);

    clock += 5_000; // Dataverse may still be acting on it: not looked for, not sent again
    await harnessed.bff.worker.tick();
    await harnessed.bff.worker.drain();
    expect(actionCalls(harnessed)).toBe(2);
    expect((await recordOf(harnessed, queued.requestId))!.status).toBe("queued");

    // Dataverse did create it, after we stopped waiting; the next attempt finds it.
    await vi.waitFor(() => expect(harnessed.simulator.ledger()).toHaveLength(2), { timeout: 20_000, interval: 50 });
    const [done] = await settle(harnessed, [queued.requestId]);
    expect(done).toMatchObject({ status: "scheduled", deliveryId: harnessed.simulator.ledger()[1]!.deliveryId });
    expect(actionCalls(harnessed)).toBe(2);
  });

  it("cancels in Dataverse a request cancelled while its send was unanswered, once the delivery shows up", async () => {
    // Each call to Dataverse times out after 2 s.
    const harnessed = await harness({ env: { SYNC_WAIT_MS: "50" }, timeoutMs: 2_000, worker: { inDoubtWaitMs: 10_000 } });
    await warmUp(harnessed);
    harnessed.simulator.setFaults({ rules: [{ target: "action", kind: "delay-before", delayMs: 5_000, times: 1 }] });
    const { body: queued } = await post(harnessed, body());
    await harnessed.bff.worker.drain();
    const cancelled = await request(queued.links.cancel, { method: "POST" });
    expect(cancelled.statusCode).toBe(200);
    expect(await cancelled.body.json()).toEqual({ requestId: queued.requestId, status: "cancelled" });

    await vi.waitFor(() => expect(harnessed.simulator.ledger()).toHaveLength(2), { timeout: 20_000, interval: 50 });
    const created = harnessed.simulator.ledger()[1]!;
    clock += 10_000;
    await harnessed.bff.worker.tick();
    await harnessed.bff.worker.drain();
    expect(await recordOf(harnessed, queued.requestId)).toMatchObject({ status: "cancelled", inDoubt: false, deliveryId: created.deliveryId });
    expect(harnessed.simulator.deliveryStatus(created.deliveryId)).toBe("Cancelled");
    expect(actionCalls(harnessed)).toBe(2);
  });
});

describe("closing a request whose answer was lost", () => {
  it("adopts, rather than expires, the delivery Dataverse made when the windows pass", async () => {
    const harnessed = await harness({ faults: [{ target: "action", kind: "reset-after", times: 1 }] });
    const { body: queued } = await post(harnessed, body());
    expect((await recordOf(harnessed, queued.requestId))!.inDoubt).toBe(true);
    clock = Date.parse("2030-03-12T11:59:30Z"); // less than the minimum useful window remains
    const [done] = await settle(harnessed, [queued.requestId]);
    expect(done).toMatchObject({ status: "scheduled", deliveryId: harnessed.simulator.ledger()[0]!.deliveryId, inDoubt: false });
    expect(actionCalls(harnessed)).toBe(1);
  });

  it("adopts, rather than fails, the delivery Dataverse made after the last attempt", async () => {
    const harnessed = await harness({ maxAttempts: 1, faults: [{ target: "action", kind: "reset-after", times: 1 }] });
    const { body: queued } = await post(harnessed, body());
    const [done] = await settle(harnessed, [queued.requestId]);
    expect(done).toMatchObject({ status: "scheduled", deliveryId: harnessed.simulator.ledger()[0]!.deliveryId });
    expect(actionCalls(harnessed)).toBe(1);
  });

  it("expires it only once Dataverse shows no delivery for it", async () => {
    const harnessed = await harness({ faults: [{ target: "action", kind: "status", status: 500 }] }); // a 5xx may have done something
    const { body: queued } = await post(harnessed, body());
    expect((await recordOf(harnessed, queued.requestId))!.inDoubt).toBe(true);
    clock = Date.parse("2030-03-12T11:59:30Z");
    const [done] = await settle(harnessed, [queued.requestId]);
    expect(done).toMatchObject({ status: "expired", inDoubt: false });
    expect(harnessed.simulator.stats().received.deliveries).toBeGreaterThanOrEqual(1);
    expect(harnessed.simulator.ledger()).toHaveLength(0);
  });
});

describe("the do-not-call list, after a request was accepted", () => {
  it("ends the request cancelled, never calling, when its number is listed before it is sent", async () => {
    const harnessed = await harness({ faults: [{ target: "action", kind: "status", status: 503, times: 1 }] });
    const { status, body: queued } = await post(harnessed, body());
    expect(status).toBe(202);
    await listNumber(harnessed, (await recordOf(harnessed, queued.requestId))!.phoneHash);
    const [done] = await settle(harnessed, [queued.requestId]);
    expect(done).toMatchObject({ status: "cancelled", lastError: "the number is on the do-not-call list" });
    expect(harnessed.simulator.ledger()).toHaveLength(0);
    expect(actionCalls(harnessed)).toBe(1);
    expect(await metric(harnessed, 'callback_widget_delivery_attempts_total{result="cancelled"}')).toBe(1);
  });

  it("cancels in Dataverse a delivery an unanswered send had made", async () => {
    const harnessed = await harness({ faults: [{ target: "action", kind: "reset-after", times: 1 }] });
    const { body: queued } = await post(harnessed, body());
    await listNumber(harnessed, (await recordOf(harnessed, queued.requestId))!.phoneHash);
    const [done] = await settle(harnessed, [queued.requestId]);
    const created = harnessed.simulator.ledger()[0]!;
    expect(done).toMatchObject({ status: "cancelled", deliveryId: created.deliveryId, inDoubt: false });
    expect(harnessed.simulator.deliveryStatus(created.deliveryId)).toBe("Cancelled");
    expect(actionCalls(harnessed)).toBe(1);
  });

  it("cancels the call in Dataverse when the number is listed while the call is being requested", async () => {
    const harnessed = await harness({ env: { SYNC_WAIT_MS: "50" } });
    await warmUp(harnessed);
    harnessed.simulator.setFaults({ rules: [{ target: "action", kind: "delay-before", delayMs: 500, times: 1 }] });
    const payload = body();
    const { status, body: queued } = await post(harnessed, payload);
    expect(status).toBe(202);
    await listNumber(harnessed, (await recordOf(harnessed, queued.requestId))!.phoneHash);
    const [done] = await settle(harnessed, [queued.requestId]);
    expect(done).toMatchObject({ status: "cancelled", lastError: "the number is on the do-not-call list" });
    // Whether the list was seen before or after Dataverse accepted: nothing is left to call.
    const toThisNumber = harnessed.simulator.ledger().filter((e) => (e.body as { DestinationPhoneNumber: string }).DestinationPhoneNumber === payload.phone);
    expect(toThisNumber.map((e) => harnessed.simulator.deliveryStatus(e.deliveryId)).filter((s) => s !== "Cancelled")).toEqual([]);
  });
});

describe("a request that cannot be read", () => {
  it("is marked failed once, counted and logged without its number, instead of being claimed again forever", async () => {
    const harnessed = await harness({ env: { PERSONAL_DATA_KEY: "22".repeat(32) } });
    // Sealed under another key, as after PERSONAL_DATA_KEY was changed.
    const other = createVault({ hashKey: randomBytes(32), encryptionKey: Buffer.alloc(32, 7) });
    const id = randomUUID();
    await harnessed.bff.store.insertCallback(
      {
        id,
        profile: "line",
        phoneHash: "unreadable",
        personal: other.seal({ phoneE164: "+33612999999", name: "Ada" }),
        windows: body().windows,
        asap: false,
        attributes: {},
        visitorTimeZone: "UTC",
        consentVersion: "1",
        consentTextHash: "x",
        fingerprint: "f",
        createdAt: clock,
      },
      clock,
    );
    const [done] = await settle(harnessed, [id]);
    expect(done).toMatchObject({ status: "failed", claimedBy: undefined, lastError: expect.stringContaining("cannot be decrypted (was PERSONAL_DATA_KEY changed?)") });
    expect(await metric(harnessed, 'callback_widget_delivery_failures_total{cause="undecryptable"}')).toBe(1);
    const logs = harnessed.logs.join("");
    expect(logs).toMatch(new RegExp(`"callbackRequestId":"${id}".*"cause":"undecryptable".*"msg":"delivery failed"`));
    expect(logs).not.toContain("612999999");
    expect(actionCalls(harnessed)).toBe(0);
  });
});

describe("tokens", () => {
  it("reuses one token for many calls, and gets a new one when Dataverse says it has expired", async () => {
    const harnessed = await harness();
    for (let i = 0; i < 5; i++) expect((await post(harnessed, body())).status).toBe(201);
    expect(harnessed.simulator.stats().tokenRequests).toBe(1);
    clock += 2 * 3600_000; // past the token's lifetime, for Dataverse (MSAL's cache has not noticed)
    const later = await post(harnessed, body({ windows: [{ start: "2030-03-12T14:00:00.000Z", end: "2030-03-12T14:30:00.000Z" }] }));
    expect(later.status).toBe(201);
    expect(harnessed.simulator.stats().tokenRequests).toBe(2);
    expect(harnessed.simulator.ledger()).toHaveLength(6);
  });

  it("gets a new token once when Dataverse refuses ours, costing no attempt", async () => {
    const harnessed = await harness();
    expect((await post(harnessed, body())).status).toBe(201);
    harnessed.simulator.revokeTokens();
    const { status, body: answer } = await post(harnessed, body());
    expect(status).toBe(201);
    expect(await recordOf(harnessed, answer.requestId)).toMatchObject({ status: "scheduled", attempts: 1 });
    expect(harnessed.simulator.stats().tokenRequests).toBe(2);
    expect(harnessed.simulator.ledger()).toHaveLength(2);
  });

  it("does not hold a send it had no token for as in doubt", async () => {
    const harnessed = await harness();
    await warmUp(harnessed);
    // The action refuses the cached token, and no new one can be had: nothing was sent.
    harnessed.simulator.setFaults({
      rules: [
        { target: "action", kind: "status", status: 401, times: 1 },
        { target: "token", kind: "status", status: 400, times: 1 },
      ],
    });
    const { status, body: queued } = await post(harnessed, body());
    expect(status).toBe(202);
    const record = (await recordOf(harnessed, queued.requestId))!;
    expect(record).toMatchObject({ status: "queued", inDoubt: false, attempts: 0, lastError: expect.stringContaining("could not get a Dataverse token") });
    expect(record.nextAttemptAt).toBeLessThan(clock + 10_000); // no wait for an answer that cannot come
  });

  it("keeps requests without spending attempts while Dataverse refuses every token, and says so in /readyz", async () => {
    const refused = (["contacts", "action", "deliveries", "whoami"] as const).map((target) => ({ target, kind: "status" as const, status: 401 }));
    const harnessed = await harness({ faults: refused });
    const { status, body: queued } = await post(harnessed, body());
    expect(status).toBe(202);
    for (let round = 0; round < 5; round++) {
      clock += 10_000;
      await harnessed.bff.worker.tick();
      await harnessed.bff.worker.drain();
    }
    expect(await recordOf(harnessed, queued.requestId)).toMatchObject({ status: "queued", attempts: 0, lastError: expect.stringContaining("401") });
    // Each call was made at most twice: once with the cached token, once with a new one.
    expect(harnessed.simulator.stats().received.contacts).toBeLessThanOrEqual(2 * 6);
    const ready = await request(`${harnessed.bff.url}/readyz`);
    expect(ready.statusCode).toBe(503);
    expect(((await ready.body.json()) as { checks: Record<string, string> }).checks.token).toMatch(/^failing: Dataverse refuses our token: Dataverse answered 401/);

    harnessed.simulator.clearFaults();
    const [done] = await settle(harnessed, [queued.requestId]);
    expect(done).toMatchObject({ status: "scheduled", attempts: 1 });
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

describe("graceful shutdown, when a send outlasts the grace period", () => {
  it("gives the send up and leaves the request in doubt, not free to be sent again at once", async () => {
    const harnessed = await harness({ env: { SYNC_WAIT_MS: "50", SHUTDOWN_GRACE_MS: "1500" }, worker: { inDoubtWaitMs: 10_000 } });
    await warmUp(harnessed);
    harnessed.simulator.setFaults({ rules: [{ target: "action", kind: "delay-before", delayMs: 6_000, times: 1 }] });
    const { status, body: queued } = await post(harnessed, body());
    expect(status).toBe(202);
    await harnessed.bff.close();
    h = undefined;
    const reopened = openSqliteStore(harnessed.dataDir);
    const left = (await reopened.getCallback(queued.requestId))!;
    await reopened.close();
    await harnessed.simulator.close();
    rmSync(harnessed.dataDir, { recursive: true, force: true });
    expect(left).toMatchObject({ status: "queued", inDoubt: true, claimedBy: undefined, lastError: expect.stringContaining("shutting down") });
    expect(left.nextAttemptAt).toBeGreaterThanOrEqual(START + 10_000);
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

  it("answers a replay as the first submission was answered, even once its slot has started", async () => {
    const harnessed = await harness();
    const payload = body();
    const headers = { "idempotency-key": "replay-after-start-0001" };
    const first = await post(harnessed, payload, headers);
    expect(first.status).toBe(201);
    clock = Date.parse("2030-03-12T10:05:00Z"); // the window has started
    const fresh = await post(harnessed, body({ windows: payload.windows }));
    expect(fresh.body.errors).toEqual([expect.objectContaining({ code: "window_in_past" })]); // as a new request, it would be refused
    expect(await post(harnessed, payload, headers)).toEqual(first);
    expect(harnessed.simulator.ledger()).toHaveLength(1);
  });

  it("answers a replay as the first submission was answered, even once the line's request limit is reached", async () => {
    const harnessed = await harness({
      profile: { limits: { perNumber: { max: 100, windowSeconds: 60 }, perProfile: { max: 1, windowSeconds: 600 } } },
      faults: [{ target: "action", kind: "status", status: 503 }],
    });
    const payload = body();
    const headers = { "idempotency-key": "replay-at-limit-0001" };
    const first = await post(harnessed, payload, headers);
    expect(first.status).toBe(202);
    expect((await post(harnessed, body())).status).toBe(429); // the line takes no more
    expect(await post(harnessed, payload, headers)).toEqual(first);
    harnessed.simulator.clearFaults();
    await settle(harnessed, [first.body.requestId]);
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

describe("the limit per number", () => {
  it("holds when requests for one number arrive together", async () => {
    const harnessed = await harness({ profile: { limits: { perNumber: { max: 2, windowSeconds: 3600 }, perProfile: { max: 100_000, windowSeconds: 60 } } } });
    const payload = body();
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(harnessed, payload)));
    expect(answers.filter((a) => a.status === 201 || a.status === 202)).toHaveLength(2);
    const limited = answers.filter((a) => a.status === 429);
    expect(limited).toHaveLength(6);
    expect(limited.every((a) => a.body.errors?.[0]?.code === "phone_rate_limited")).toBe(true);
    await settle(harnessed, answers.filter((a) => a.status !== 429).map((a) => a.body.requestId));
    expect(harnessed.simulator.ledger()).toHaveLength(2);
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
