// The BFF under load: callback and availability throughput against a bare undici proxy, and a flood
// from one address while real visitors (from other loopback addresses) submit.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import { Agent, request, type Dispatcher } from "undici";
import { callbackBodies, load, PHONE_POOL, type LoadResult, type OfferedSlot } from "./load";
import { cpuMs, freePort, startNode, startSimulator, waitFor, type Bff, type Child, type Simulator } from "./processes";
import { median } from "./tti";

export const PROFILE = "bench";

/** Talks to the simulator as the BFF would: a service token, then the Web API. */
export async function simulatorClient(simulator: Simulator) {
  const dispatcher = new Agent({ connect: { ca: [...rootCertificates, readFileSync(simulator.caFile, "utf8")] } });
  const form = new URLSearchParams({ grant_type: "client_credentials", client_id: simulator.clientId, client_secret: simulator.clientSecret, scope: `${simulator.url}/.default` });
  const tokenResponse = await request(`${simulator.url}/${simulator.tenantId}/oauth2/v2.0/token`, {
    method: "POST",
    dispatcher,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form.toString(),
  });
  const { access_token: token } = (await tokenResponse.body.json()) as { access_token: string };
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json; charset=utf-8", accept: "application/json", "odata-version": "4.0", "odata-maxversion": "4.0" };
  return {
    token,
    /** Creates a contact per number, as a CRM already holding these customers would have. */
    async seedContacts(numbers: string[]): Promise<string[]> {
      const ids: string[] = [];
      for (let i = 0; i < numbers.length; i += 25) {
        const batch = await Promise.all(
          numbers.slice(i, i + 25).map(async (mobilephone) => {
            const response = await request(`${simulator.url}/api/data/v9.2/contacts`, { method: "POST", dispatcher, headers, body: JSON.stringify({ mobilephone, lastname: "Bench" }) });
            await response.body.dump();
            const entityId = String(response.headers["odata-entityid"] ?? "");
            return /\(([0-9a-f-]{36})\)/.exec(entityId)?.[1] ?? "";
          }),
        );
        ids.push(...batch);
      }
      return ids;
    },
    close: () => dispatcher.close(),
  };
}

/**
 * A bench tool's whole run: the simulator with the bench's customers (PHONE_POOL) as contacts,
 * `body` with it, then every process in `children` stopped, last started first (the tool adds
 * those it starts), and the process ended: 2 if `body` threw, else 0.
 */
export async function runWithSimulator(body: (setup: { simulator: Simulator; token: string; contactIds: string[]; children: Child[] }) => Promise<void>): Promise<never> {
  const simulator = await startSimulator();
  const children: Child[] = [simulator.child];
  let exitCode = 0;
  try {
    const client = await simulatorClient(simulator);
    const contactIds = await client.seedContacts(PHONE_POOL);
    await client.close();
    await body({ simulator, token: client.token, contactIds, children });
  } catch (error) {
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    exitCode = 2;
  } finally {
    for (const child of children.reverse()) await child.stop();
  }
  process.exit(exitCode);
}

/** Slots to ask for: offered ones a little ahead, so none passes during the run. */
export async function offeredSlots(bffUrl: string): Promise<OfferedSlot[]> {
  const response = await fetch(`${bffUrl}/api/v1/profiles/${PROFILE}/availability`);
  const body = (await response.json()) as { slots: Array<OfferedSlot & { available: boolean }> };
  const soon = Date.now() + 30 * 60_000;
  return body.slots.filter((slot) => slot.available && Date.parse(slot.start) > soon).slice(0, 200);
}

export function startFloorProxy(simulator: Simulator, token: string, contactId: string, port: number): Child {
  return startNode("floor-proxy", "bench/fixtures/undici-proxy.ts", {
    BENCH_PORT: String(port),
    SIMULATOR_URL: simulator.url,
    SIMULATOR_CA_FILE: simulator.caFile,
    TOKEN: token,
    CONTACT_ID: contactId,
    CONFIG_ID: "cbbac510-3e66-ef11-a671-6045bd03d9d8",
  });
}

const JSON_HEADERS = { "content-type": "application/json" };

export interface ThroughputFigures {
  /** The floor proxy's runs, before each callback run and after the last, and all of them together. */
  floorRuns: CostedLoad[];
  floor: CostedLoad;
  /** The callback runs, interleaved with the floor's, and all of them together. */
  callbackRuns: CostedLoad[];
  callbacks: CostedLoad;
  availability: CostedLoad;
  availabilityBytes: number;
}

/** Time for the deliveries still under way when a load stops to finish (they belong to its CPU). */
export function settleDeliveries(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1500));
}

/** A run's figures, and the CPU time each process spent per request during it (the why of a figure). */
export type CostedLoad = LoadResult & { cpuMsPerRequest: Record<string, number> };

export async function costed(processes: Record<string, number | undefined>, run: () => Promise<LoadResult>): Promise<CostedLoad> {
  const before = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, cpuMs(pid)]));
  const ownBefore = process.cpuUsage();
  const result = await run();
  const own = process.cpuUsage(ownBefore);
  const cpuMsPerRequest: Record<string, number> = {};
  for (const [name, pid] of Object.entries(processes)) cpuMsPerRequest[name] = (cpuMs(pid) - before[name]!) / Math.max(1, result.total);
  cpuMsPerRequest["load generator"] = (own.user + own.system) / 1000 / Math.max(1, result.total);
  return { ...result, cpuMsPerRequest };
}

/**
 * Several runs of one load as one: requests over their whole time, CPU over all their requests,
 * and the median of the runs' percentiles.
 */
export function combineRuns(runs: CostedLoad[]): CostedLoad {
  const total = runs.reduce((sum, run) => sum + run.total, 0);
  const durationSeconds = runs.reduce((sum, run) => sum + run.durationSeconds, 0);
  const statusCodes: Record<string, number> = {};
  const cpuMsPerRequest: Record<string, number> = {};
  for (const run of runs) {
    for (const [code, count] of Object.entries(run.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + count;
    for (const [name, ms] of Object.entries(run.cpuMsPerRequest)) cpuMsPerRequest[name] = (cpuMsPerRequest[name] ?? 0) + (ms * run.total) / Math.max(1, total);
  }
  return {
    requestsPerSecond: total / durationSeconds,
    p50Ms: median(runs.map((run) => run.p50Ms)),
    p99Ms: median(runs.map((run) => run.p99Ms)),
    total,
    statusCodes,
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    timeouts: runs.reduce((sum, run) => sum + run.timeouts, 0),
    durationSeconds,
    cpuMsPerRequest,
  };
}

/**
 * Callback and availability throughput of a running BFF against the floor proxy. This host's speed
 * drifts by tens of percent over minutes, so the callback load and the floor's take turns (`rounds`
 * runs of each, a last floor run after them) and each side's figure is all its runs together.
 */
export async function measureThroughput(
  bff: Bff,
  simulator: Simulator,
  floor: { url: string; child: Child },
  slots: OfferedSlot[],
  options: { rounds: number; durationSeconds: number },
  onPhase: (name: string) => void = () => undefined,
): Promise<ThroughputFigures> {
  const { rounds, durationSeconds } = options;
  const warmedRun = async (processes: Record<string, number | undefined>, url: string) => {
    await load({ url, method: "POST", headers: JSON_HEADERS, body: callbackBodies(PROFILE, slots), durationSeconds: 2 });
    return costed(processes, () => load({ url, method: "POST", headers: JSON_HEADERS, body: callbackBodies(PROFILE, slots), durationSeconds }));
  };
  const floorRun = () => warmedRun({ "floor proxy": floor.child.process.pid, simulator: simulator.child.process.pid }, `${floor.url}/api/v1/callbacks`);
  const processes = { bff: bff.child.process.pid, simulator: simulator.child.process.pid };
  const callbackRun = () => warmedRun(processes, `${bff.url}/api/v1/callbacks`);

  const floorRuns: CostedLoad[] = [];
  const callbackRuns: CostedLoad[] = [];
  for (let round = 0; round < rounds; round++) {
    onPhase("floor runs (BFF idle)");
    floorRuns.push(await floorRun());
    onPhase("callbacks");
    callbackRuns.push(await callbackRun());
  }
  onPhase("floor runs (BFF idle)");
  floorRuns.push(await floorRun());

  const availabilityUrl = `${bff.url}/api/v1/profiles/${PROFILE}/availability`;
  onPhase("availability");
  const availabilityBytes = (await (await fetch(availabilityUrl)).arrayBuffer()).byteLength;
  await load({ url: availabilityUrl, durationSeconds: 2 });
  const availability = await costed(processes, () => load({ url: availabilityUrl, durationSeconds: durationSeconds * rounds }));
  return { floorRuns, floor: combineRuns(floorRuns), callbackRuns, callbacks: combineRuns(callbackRuns), availability, availabilityBytes };
}

export interface VisitorFigures {
  requests: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Real visitors, each from its own loopback address: load the profile and the times, then submit,
 * `rounds` times over.
 */
export async function visitors(bffUrl: string, slots: OfferedSlot[], options: { count: number; firstAddress: number; rounds: number }): Promise<VisitorFigures> {
  const latencies: number[] = [];
  let failed = 0;
  const bodies = callbackBodies(PROFILE, slots);
  const timed = async (dispatcher: Dispatcher, url: string, init: { method?: "GET" | "POST"; body?: string; headers?: Record<string, string> }, expected: number) => {
    const started = performance.now();
    const response = await request(url, { dispatcher, method: init.method ?? "GET", body: init.body, headers: init.headers });
    await response.body.dump();
    latencies.push(performance.now() - started);
    if (response.statusCode !== expected) failed++;
  };
  await Promise.all(
    Array.from({ length: options.count }, async (_, i) => {
      const dispatcher = new Agent({ localAddress: `127.0.0.${options.firstAddress + i}` });
      try {
        for (let round = 0; round < options.rounds; round++) {
          await timed(dispatcher, `${bffUrl}/api/v1/profiles/${PROFILE}`, {}, 200);
          await timed(dispatcher, `${bffUrl}/api/v1/profiles/${PROFILE}/availability`, {}, 200);
          await timed(dispatcher, `${bffUrl}/api/v1/callbacks`, { method: "POST", body: bodies(), headers: { ...JSON_HEADERS, "idempotency-key": randomUUID() } }, 201);
        }
      } finally {
        await dispatcher.close();
      }
    }),
  );
  const sorted = [...latencies].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { requests: latencies.length, failed, p50Ms: median(latencies), p99Ms: pct(99), maxMs: sorted.at(-1)! };
}

export interface FloodFigures {
  floor: LoadResult;
  primed: number;
  flood: LoadResult;
  quiet: VisitorFigures;
  underFlood: VisitorFigures;
  /** The visitors finished while the flood was still running. */
  visitorsInsideFlood: boolean;
}

export async function measureFlood(bff: Bff, slots: OfferedSlot[], addressLimit: number, floodRequests: number): Promise<FloodFigures> {
  const port = await freePort();
  const constant = startNode("floor-constant", "bench/fixtures/constant-server.ts", { BENCH_PORT: String(port) });
  const constantUrl = `http://127.0.0.1:${port}`;
  await waitFor(constantUrl, constant);
  const floodBody = callbackBodies(PROFILE, slots);
  const floor = await load({ url: `${constantUrl}/api/v1/callbacks`, method: "POST", headers: JSON_HEADERS, body: floodBody, amount: floodRequests });
  await constant.stop();

  const rounds = 4;
  const quiet = await visitors(bff.url, slots, { count: 10, firstAddress: 2, rounds });
  // The flooding address spends its allowance first: from then on every request of it must be refused.
  const callbacksUrl = `${bff.url}/api/v1/callbacks`;
  await load({ url: callbacksUrl, method: "POST", headers: JSON_HEADERS, body: floodBody, amount: addressLimit, connections: 1 });
  let floodDone = false;
  const flood = load({ url: callbacksUrl, method: "POST", headers: JSON_HEADERS, body: floodBody, amount: floodRequests }).finally(() => (floodDone = true));
  await new Promise((resolve) => setTimeout(resolve, 300));
  const underFlood = await visitors(bff.url, slots, { count: 10, firstAddress: 12, rounds });
  const visitorsInsideFlood = !floodDone;
  return { floor, primed: addressLimit, flood: await flood, quiet, underFlood, visitorsInsideFlood };
}

export { PHONE_POOL };
