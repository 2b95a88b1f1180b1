// Load generation with autocannon (in this process, on loopback), and the callback request bodies
// the BFF benchmark sends: one of a pool of French mobile numbers whose contacts exist in the
// simulator (so a request costs what the issue describes: contact lookup, action call, writes),
// a window taken from the offered slots, and a fresh Idempotency-Key, as the widget sends.
import { randomUUID } from "node:crypto";
import autocannon from "autocannon";

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  durationSeconds: number;
}

export interface LoadOptions {
  url: string;
  connections?: number;
  durationSeconds?: number;
  amount?: number;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  /** A new body for every request. */
  body?: () => string;
  /** Requests per second across all connections (default: as fast as the server answers). */
  overallRate?: number;
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  const { url, body } = options;
  const headers = { ...options.headers };
  // autocannon notices a run has ended only at its next once-a-second sample, so a run of a fixed
  // number of requests (the flood's 20,000, done in one to three seconds here) has its duration
  // rounded up to whole seconds, and two such runs' rates could only differ by 2×, 1.5×...: the
  // duration is timed here instead, from the start to the last answer.
  const started = performance.now();
  let lastAnswer = started;
  const settings: autocannon.Options = {
    url,
    connections: options.connections ?? 50,
    ...(options.amount ? { amount: options.amount } : { duration: options.durationSeconds ?? 10 }),
    timeout: 30,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    method: options.method ?? "GET",
    headers,
    requests: body
      ? [
          {
            setupRequest: (request) => ({
              ...request,
              body: body(),
              headers: { ...headers, "idempotency-key": randomUUID() },
            }),
          },
        ]
      : undefined,
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const run = autocannon(settings, (error, finished) => (error ? reject(error) : resolve(finished)));
    run.on("response", () => (lastAnswer = performance.now()));
  });
  const durationSeconds = (lastAnswer - started) / 1000;
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stats.count ?? 0;
  return {
    // Completed requests over the run's own duration (autocannon's per-second average drops the tail).
    requestsPerSecond: durationSeconds > 0 ? result.requests.total / durationSeconds : 0,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    statusCodes,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSeconds,
  };
}

/** The pool of numbers a benchmark cycles through; each has a contact in the simulator. */
export const PHONE_POOL = Array.from({ length: 500 }, (_, i) => `+3361${String(2_000_000 + i).padStart(7, "0")}`);

export interface OfferedSlot {
  start: string;
  end: string;
}

/** POST /api/v1/callbacks bodies, cycling through numbers and offered windows. */
export function callbackBodies(profile: string, slots: OfferedSlot[]): () => string {
  let n = 0;
  return () => {
    const phone = PHONE_POOL[n % PHONE_POOL.length]!;
    const slot = slots[n % slots.length]!;
    n++;
    return JSON.stringify({
      profile,
      phone,
      country: "FR",
      name: "Bench Visitor",
      windows: [{ start: slot.start, end: slot.end }],
      timeZone: "Europe/Paris",
      locale: "fr-FR",
      consent: true,
      attributes: { orderNumber: `ORD-${n}` },
    });
  };
}
