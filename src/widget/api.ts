// The widget's client for the BFF's public API. Answers are checked against the shared schemas and
// become typed outcomes; submitting never throws for an HTTP status, so a refusal can never lose
// what the visitor typed.
import * as z from "zod/mini";
import { Availability, PublicProfile } from "../shared/profile-schemas";
import type { CallbackQueued, CallbackRequest, CallbackScheduled, CallbackStatus, Problem, SignedInVisitor } from "../shared/schemas";
import { takePrefetched } from "./prefetch";

// The schemas of the answers that come once the form is on screen (a submission, a request's
// status, a signed-in visitor, a refusal) are built only when the first of them is read.
const answerSchemas = () => import("../shared/schemas");

export interface AvailabilityFor {
  phone?: string;
  country?: string;
  timeZone?: string;
}

export type SubmitOutcome =
  | { kind: "scheduled"; body: CallbackScheduled }
  | { kind: "queued"; body: CallbackQueued }
  | { kind: "problem"; problem: Problem; retryAfterSeconds?: number }
  /** No answer we can read: the request may or may not have arrived. */
  | { kind: "unanswered"; reason: string };

/** A GET that did not give what we asked for; `problem` is the BFF's explanation when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem?: Problem,
  ) {
    super(problem?.title ?? `HTTP ${status}`);
    this.name = "ApiError";
  }
}

export interface CallbackApi {
  profile(name: string, signal?: AbortSignal): Promise<PublicProfile>;
  /** With a number, only the times permitted where it rings (and the visitor's zone as a hint). */
  availability(name: string, signal?: AbortSignal, query?: AvailabilityFor): Promise<Availability>;
  /** The times with their slots left for `checkSlots`. */
  availabilityOutline(name: string): Promise<UncheckedAvailability>;
  /** With a signed-in visitor's token, the request is for their own contact. */
  submit(request: CallbackRequest, idempotencyKey: string, token?: string): Promise<SubmitOutcome>;
  /** The signed-in visitor's details (from their contact), to prefill the form. */
  me(name: string, token: string): Promise<SignedInVisitor>;
  /** A request's status; with its token, Dataverse's own state and the links too. */
  status(requestId: string, token?: string): Promise<CallbackStatus>;
  /** The status at a request's signed `links.status`. */
  statusAt(statusUrl: string): Promise<CallbackStatus>;
  /** POSTs to a request's signed cancel link. */
  cancel(cancelUrl: string): Promise<{ ok: true } | { ok: false; problem?: Problem }>;
}

/**
 * The times with their slots not yet checked (14 days of 15-minute slots are 1,344 of them): for a
 * form that first offers "as soon as possible" and shows no slot until the visitor asks for them.
 */
export type UncheckedAvailability = Omit<Availability, "slots"> & { slots: unknown[] };
// An array, its items unread: parsing 1,344 of them, even as unknown, holds the first paint back.
const AvailabilityOutline = z.extend(Availability, { slots: z.custom<unknown[]>((value) => Array.isArray(value)) });

/** The slots of `availability`, checked, or an ApiError as for an answer that does not parse. */
export function checkSlots(availability: UncheckedAvailability): Availability {
  const slots = Availability.shape.slots.safeParse(availability.slots);
  if (!slots.success) throw new ApiError(200);
  return { ...availability, slots: slots.data };
}

/** A GET already asked for by the page (prefetch.ts) is answered from there. */
const fetchOrPrefetched: typeof fetch = (input, init) => ((init?.method ?? "GET") === "GET" && typeof input === "string" && takePrefetched(input)) || fetch(input, init);

/** `apiBase` is the BFF's origin (and optional path prefix); the page's own origin when empty. */
export function createApi(apiBase = "", fetcher: typeof fetch = fetchOrPrefetched): CallbackApi {
  const base = apiBase.replace(/\/+$/, "");
  const profilePath = (name: string) => `${base}/api/v1/profiles/${encodeURIComponent(name)}`;

  async function getParsed<T>(url: string, schema: z.ZodMiniType<T> | (() => Promise<z.ZodMiniType<T>>), signal?: AbortSignal, token?: string): Promise<T> {
    const response = await fetcher(url, { headers: { accept: "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, signal });
    const body = await readJson(response);
    if (!response.ok) throw new ApiError(response.status, await asProblem(body));
    const parsed = (typeof schema === "function" ? await schema() : schema).safeParse(body);
    if (!parsed.success) throw new ApiError(response.status);
    return parsed.data;
  }

  return {
    profile: (name, signal) => getParsed(profilePath(name), PublicProfile, signal),
    availability: (name, signal, query) => {
      const search = new URLSearchParams(Object.entries(query ?? {}).filter((entry): entry is [string, string] => Boolean(entry[1])));
      return getParsed(`${profilePath(name)}/availability${search.size > 0 ? `?${search}` : ""}`, Availability, signal);
    },
    availabilityOutline: (name) => getParsed(`${profilePath(name)}/availability`, AvailabilityOutline),
    me: (name, token) => getParsed(`${profilePath(name)}/me`, async () => (await answerSchemas()).SignedInVisitor, undefined, token),
    status: (requestId, token) =>
      getParsed(`${base}/api/v1/callbacks/${encodeURIComponent(requestId)}${token ? `?token=${encodeURIComponent(token)}` : ""}`, async () => (await answerSchemas()).CallbackStatus),
    statusAt: (statusUrl) => getParsed(statusUrl, async () => (await answerSchemas()).CallbackStatus),
    async cancel(cancelUrl) {
      try {
        const response = await fetcher(cancelUrl, { method: "POST", headers: { accept: "application/json, application/problem+json" } });
        if (response.ok) return { ok: true };
        return { ok: false, problem: await asProblem(await readJson(response)) };
      } catch {
        return { ok: false };
      }
    },
    async submit(request, idempotencyKey, token) {
      let schemas: Awaited<ReturnType<typeof answerSchemas>>;
      let response: Response;
      try {
        // Before sending: an answer must never arrive that the widget cannot read.
        schemas = await answerSchemas();
        response = await fetcher(`${base}/api/v1/callbacks`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept: "application/json, application/problem+json",
            "idempotency-key": idempotencyKey,
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify(request),
        });
      } catch (error) {
        return { kind: "unanswered", reason: error instanceof Error ? error.message : String(error) };
      }
      const body = await readJson(response);
      if (response.status === 201) {
        const scheduled = schemas.CallbackScheduled.safeParse(body);
        return scheduled.success ? { kind: "scheduled", body: scheduled.data } : { kind: "unanswered", reason: "unreadable 201 body" };
      }
      if (response.status === 202) {
        const queued = schemas.CallbackQueued.safeParse(body);
        return queued.success ? { kind: "queued", body: queued.data } : { kind: "unanswered", reason: "unreadable 202 body" };
      }
      if (response.ok) return { kind: "unanswered", reason: `unexpected status ${response.status}` };
      return {
        kind: "problem",
        problem: (await asProblem(body)) ?? { type: "about:blank", title: response.statusText || "The request failed", status: response.status },
        retryAfterSeconds: retryAfterSeconds(response.headers.get("retry-after")),
      };
    },
  };
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

async function asProblem(body: unknown): Promise<Problem | undefined> {
  const schemas = await answerSchemas().catch(() => undefined);
  const parsed = schemas ? schemas.Problem.safeParse(body) : { success: false as const };
  return parsed.success ? parsed.data : undefined;
}

/** Retry-After is either a number of seconds or an HTTP date. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) > 0 ? Number(text) : undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  const seconds = Math.ceil((at - now) / 1000);
  return seconds > 0 ? seconds : undefined;
}
