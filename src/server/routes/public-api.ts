// The public API under /api/v1: profiles, availability, callback requests and their status.
import type { Context, Hono } from "hono";
import metadata from "libphonenumber-js/metadata.max.json";
import { checkPhone, nationalFormat } from "../../shared/phone";
import { AvailabilityQuery, CallbackRequest, ProfileQuery, type CallbackCancelled, type CallbackLinks, type CallbackStatus, type SignedInVisitor } from "../../shared/schemas";
import { authProblem, visitorIdentity } from "../auth/bearer";
import { availabilityBody, offerFor, sharedAvailability } from "../availability";
import { preferredEncoding } from "../content-encoding";
import type { CalleeZones } from "../callee-zones";
import { acceptCallback } from "../callbacks";
import { cancelCallback } from "../cancellation";
import { callbackInvite } from "../invite";
import { fieldError, fieldErrorsFromIssues, problem, PROBLEM_TYPES, validationProblem } from "../problem";
import { nameFor, toPublicProfile } from "../profiles";
import type { CallbackRecord } from "../store/types";
import type { AppDeps, AppEnv } from "../app";
import { originAllowed, ownOrigin } from "./origins";

const IDEMPOTENCY_KEY = /^[\w.:-]{8,128}$/;

export function registerPublicApi(app: Hono<AppEnv>, deps: AppDeps): void {
  const { profiles, store, worker, metrics } = deps;
  const shared = sharedAvailability(store);

  app.get("/api/v1/profiles/:profile", (c) => {
    const profile = profiles.get(c.req.param("profile"));
    if (!profile) return unknownProfile(c);
    const query = ProfileQuery.safeParse(c.req.query());
    if (!query.success) return validationProblem(c, fieldErrorsFromIssues(query.error.issues));
    c.header("Cache-Control", "no-store");
    return c.json(toPublicProfile(profile, deps.formTokens.issue(profile.id), query.data.locale));
  });

  app.get("/api/v1/profiles/:profile/availability", async (c) => {
    const profile = profiles.get(c.req.param("profile"));
    if (!profile) return unknownProfile(c);
    const query = AvailabilityQuery.safeParse(c.req.query());
    if (!query.success) return validationProblem(c, fieldErrorsFromIssues(query.error.issues));
    // With a number, only what is permitted where that number rings.
    let callee: CalleeZones | undefined;
    if (query.data.phone !== undefined) {
      const phone = checkPhone(query.data.phone, query.data.country ?? profile.defaultCountry, { allowedCountries: profile.allowedCountries }, metadata);
      if (!phone.ok) return validationProblem(c, [fieldError(phone.code === "country_invalid" ? "country" : "phone", phone.code)]);
      callee = await deps.calleeZones(phone.e164, query.data.timeZone);
    }
    c.header("Cache-Control", "no-store");
    if (!callee) {
      const answer = await shared(profile, deps.now());
      const encoding = preferredEncoding(c.req.header("accept-encoding"));
      c.header("Vary", "Accept-Encoding");
      if (encoding) c.header("Content-Encoding", encoding);
      return c.body(answer.body(encoding), 200, { "Content-Type": "application/json" });
    }
    return c.json(availabilityBody(profile, await offerFor(profile, deps.now(), store, callee)));
  });

  // The signed-in visitor's own details (from their Dataverse contact), to prefill the form.
  app.get("/api/v1/profiles/:profile/me", async (c) => {
    const profile = profiles.get(c.req.param("profile"));
    if (!profile) return unknownProfile(c);
    const identity = await visitorIdentity(c, deps.auth.visitor, deps.logger);
    if (identity instanceof Response) return identity;
    if (identity.kind === "anonymous") return authProblem(c, "sign_in_required");
    const { contact } = identity;
    const country = contact.country && profile.allowedCountries.includes(contact.country) ? contact.country : undefined;
    const body: SignedInVisitor = {
      name: contact.name,
      phone: country ? contact.phoneE164 : undefined,
      phoneNational: country && contact.phoneE164 ? nationalFormat(contact.phoneE164, metadata) : undefined,
      country,
    };
    c.header("Cache-Control", "no-store");
    return c.json(body);
  });

  app.post(
    "/api/v1/callbacks",
    // The per-address limit comes first and, once exceeded, is answered from memory: a flood
    // costs neither a body parse nor a store round trip.
    async (c, next) => {
      const verdict = await deps.limiter.hit(`address:${c.get("clientAddress")}`, deps.settings.addressLimit);
      if (!verdict.ok) {
        metrics.callbackRequests.inc({ outcome: "rate_limited" });
        // One line when an address goes over its limit, not one per refusal: a flood of twenty
        // thousand requests must not become twenty thousand writes to the log (the metric counts them).
        if (verdict.first) deps.logger.warn({ requestId: c.get("requestId"), retryAfterSeconds: verdict.retryAfterSeconds }, "a client address went over its limit; its requests are refused until its allowance refills");
        else c.set("quietLog", true);
        return rateLimited(c, verdict.retryAfterSeconds, [fieldError("", "rate_limited")]);
      }
      await next();
    },
    async (c) => {
      const body = await readJson(c, deps.settings.bodyLimitBytes);
      if (body instanceof Response) return body;
      const parsed = CallbackRequest.safeParse(body);
      if (!parsed.success) {
        metrics.callbackRequests.inc({ outcome: "refused" });
        return validationProblem(c, fieldErrorsFromIssues(parsed.error.issues));
      }
      // CORS only stops a browser from reading the answer: refuse to act for pages not allowed.
      const origin = c.req.header("origin");
      if (origin && !originAllowed(profiles, parsed.data.profile, origin, ownOrigin(c, deps.settings.publicUrl))) {
        metrics.callbackRequests.inc({ outcome: "refused" });
        return problem(c, 403, PROBLEM_TYPES.forbiddenOrigin, "This page may not request callbacks for this line", { errors: [fieldError("", "origin_not_allowed")] });
      }
      const key = c.req.header("idempotency-key");
      if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
        return validationProblem(c, [{ field: "Idempotency-Key", code: "invalid", message: "Idempotency-Key must be 8 to 128 letters, digits or . _ : -" }]);
      }

      // A token, when there is one, is checked before anything is decided.
      const identity = await visitorIdentity(c, deps.auth.visitor, deps.logger);
      if (identity instanceof Response) {
        metrics.callbackRequests.inc({ outcome: "refused" });
        return identity;
      }
      const outcome = await acceptCallback(deps, parsed.data, {
        clientAddress: c.get("clientAddress"),
        userAgent: c.req.header("user-agent"),
        idempotencyKey: key,
        signedIn: identity.kind === "signed-in" ? identity.contact : undefined,
      });
      switch (outcome.kind) {
        case "forbidden":
          metrics.callbackRequests.inc({ outcome: "refused" });
          if (outcome.code === "contact_mismatch") deps.logger.warn({ requestId: c.get("requestId") }, "a signed-in request named another contact");
          return authProblem(c, outcome.code);
        case "refused":
          metrics.callbackRequests.inc({ outcome: "refused" });
          return validationProblem(c, outcome.errors);
        case "rate_limited":
          metrics.callbackRequests.inc({ outcome: "rate_limited" });
          return rateLimited(c, outcome.retryAfterSeconds, outcome.errors);
        case "unavailable":
          metrics.callbackRequests.inc({ outcome: "unavailable" });
          c.header("Retry-After", String(outcome.retryAfterSeconds));
          return problem(c, 503, PROBLEM_TYPES.notReady, "The check that you are not a robot cannot be made right now", { errors: outcome.errors });
        case "key_reused":
          return problem(c, 422, PROBLEM_TYPES.validation, "This Idempotency-Key was used for another request", {
            errors: [fieldError("Idempotency-Key", "idempotency_key_reused")],
          });
        case "accepted": {
          const record = outcome.replay ? await settled(deps, outcome.record) : await deliverBriefly(deps, outcome.record);
          metrics.callbackRequests.inc({ outcome: outcome.replay ? "replayed" : record.status });
          return answerFor(c, record, linksFor(c, record.id));
        }
      }
    },
  );

  /** Absolute links for one request, signed with its manage token. */
  const linksFor = (c: Context, id: string): CallbackLinks => {
    const base = deps.settings.publicUrl ?? ownOrigin(c);
    const token = deps.manageTokens.issue(id);
    return {
      manage: `${base}/requests/${id}?token=${token}`,
      cancelPage: `${base}/requests/${id}?token=${token}&action=cancel`,
      invite: `${base}/api/v1/callbacks/${id}/invite.ics?token=${token}`,
      cancel: `${base}/api/v1/callbacks/${id}/cancel?token=${token}`,
      status: `${base}/api/v1/callbacks/${id}?token=${token}`,
    };
  };

  app.get("/api/v1/callbacks/:requestId", async (c) => {
    const record = await store.getCallback(c.req.param("requestId"));
    if (!record) return problem(c, 404, PROBLEM_TYPES.notFound, "There is no callback request with this id", { errors: [fieldError("requestId", "request_not_found")] });
    c.header("Cache-Control", "no-store");
    const body: CallbackStatus = {
      requestId: record.id,
      status: record.status,
      deliveryId: record.deliveryId,
      windows: record.windows,
      createdAt: new Date(record.createdAt).toISOString(),
      profile: record.profile,
    };
    // Whoever holds the request's token sees Dataverse's own state of the call, and the links.
    if (deps.manageTokens.verify(record.id, c.req.query("token"))) {
      body.links = linksFor(c, record.id);
      if (record.status === "scheduled" && record.deliveryId) body.deliveryStatus = await deps.gateway.deliveryStatus(record.deliveryId).catch(() => undefined);
    }
    return c.json(body);
  });

  app.post("/api/v1/callbacks/:requestId/cancel", async (c) => {
    const record = await store.getCallback(c.req.param("requestId"));
    if (!record || !deps.manageTokens.verify(record.id, c.req.query("token"))) {
      return problem(c, 404, PROBLEM_TYPES.notFound, "There is no callback request with this id and token", { errors: [fieldError("requestId", "request_not_found")] });
    }
    const outcome = await cancelCallback(deps, record).catch((error: Error) => ({ kind: "error" as const, reason: error.message }));
    switch (outcome.kind) {
      case "cancelled":
      case "already-cancelled":
        return c.json({ requestId: record.id, status: "cancelled" } satisfies CallbackCancelled);
      case "busy":
        c.header("Retry-After", "2");
        return problem(c, 409, PROBLEM_TYPES.conflict, "The request is being passed to the contact centre right now; try again in a moment", { errors: [fieldError("", "cancel_in_progress")] });
      case "too-late":
        return problem(c, 409, PROBLEM_TYPES.conflict, "This callback can no longer be cancelled", { detail: outcome.reason, errors: [fieldError("", "not_cancellable")] });
      case "error":
        deps.logger.error({ callbackRequestId: record.id, err: outcome.reason }, "cancellation failed");
        return problem(c, 502, PROBLEM_TYPES.upstream, "The contact centre could not cancel the call; try again later", { errors: [fieldError("", "cancel_failed")] });
    }
  });

  app.get("/api/v1/callbacks/:requestId/invite.ics", async (c) => {
    const record = await store.getCallback(c.req.param("requestId"));
    if (!record || !deps.manageTokens.verify(record.id, c.req.query("token"))) {
      return problem(c, 404, PROBLEM_TYPES.notFound, "There is no callback request with this id and token", { errors: [fieldError("requestId", "request_not_found")] });
    }
    const profile = profiles.get(record.profile);
    const line = profile ? nameFor(profile, record.locale) : record.profile;
    return c.body(await callbackInvite(record, line, linksFor(c, record.id)), 200, {
      "Content-Type": "text/calendar; charset=utf-8",
      "Content-Disposition": `attachment; filename="callback-${record.id.slice(0, 8)}.ics"`,
    });
  });

  /** Tries to deliver right away, but answers within syncWaitMs whatever happens. */
  async function deliverBriefly(d: AppDeps, record: CallbackRecord): Promise<CallbackRecord> {
    const attempt = worker.deliverNow(record).catch((error: Error) => {
      d.logger.error({ err: error.message, callbackRequestId: record.id }, "immediate delivery failed");
      return undefined;
    });
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([attempt, new Promise<"late">((resolve) => (timer = setTimeout(resolve, d.settings.syncWaitMs, "late")))]);
    clearTimeout(timer);
    // The attempt says how it left the record; when it cannot (late, broken off), the store does.
    if (finished !== "late" && finished?.record) return finished.record;
    return (await store.getCallback(record.id)) ?? record;
  }

  /** A replay waits (briefly) for the first submission's attempt to finish, then answers like it. */
  async function settled(d: AppDeps, record: CallbackRecord): Promise<CallbackRecord> {
    const deadline = Date.now() + d.settings.syncWaitMs;
    let current = record;
    while (current.status === "queued" && current.claimedBy && Date.now() < deadline) {
      await sleep(50);
      current = (await store.getCallback(record.id)) ?? current;
    }
    return current;
  }
}

function answerFor(c: Context, record: CallbackRecord, links: CallbackLinks): Response {
  switch (record.status) {
    case "scheduled":
      return c.json({ requestId: record.id, deliveryId: record.deliveryId, status: "scheduled", windows: record.windows, links }, 201);
    case "queued":
      c.header("Location", `/api/v1/callbacks/${record.id}`);
      return c.json({ requestId: record.id, status: "queued", windows: record.windows, links }, 202);
    case "cancelled":
      return problem(c, 409, PROBLEM_TYPES.conflict, "This request was cancelled", { errors: [fieldError("", "request_cancelled")] });
    case "failed":
    case "expired":
      return problem(c, 502, PROBLEM_TYPES.upstream, "The contact centre could not schedule the call", {
        detail: `Your request ${record.id} was recorded but the contact centre refused it. Please try again later or contact us another way.`,
        errors: [fieldError("", "request_failed")],
      });
  }
}

function rateLimited(c: Context, retryAfterSeconds: number, errors: ReturnType<typeof fieldError>[]): Response {
  c.header("Retry-After", String(retryAfterSeconds));
  return problem(c, 429, PROBLEM_TYPES.rateLimited, "Too many requests", { errors });
}

function unknownProfile(c: Context): Response {
  return problem(c, 404, PROBLEM_TYPES.notFound, "There is no callback profile with this name", { errors: [fieldError("profile", "unknown_profile")] });
}

/** The body as JSON, or the problem answer explaining why it is not (not JSON, too large, malformed). */
async function readJson(c: Context<AppEnv>, limit: number): Promise<unknown> {
  const type = c.req.header("content-type") ?? "";
  const tooLarge = () => problem(c, 413, PROBLEM_TYPES.tooLarge, "The request body is too large", { errors: [fieldError("", "body_too_large")] });
  if (Number(c.req.header("content-length")) > limit) return tooLarge();
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    return problem(c, 415, PROBLEM_TYPES.unsupportedMediaType, "The request body must be JSON", { errors: [fieldError("", "unsupported_media_type")] });
  }
  const text = await readText(c, limit);
  if (text === undefined) return tooLarge();
  try {
    return JSON.parse(text);
  } catch {
    return problem(c, 400, PROBLEM_TYPES.malformedJson, "The request body is not valid JSON", { errors: [fieldError("", "malformed_json")] });
  }
}

/**
 * The body as text, or undefined past `limit` bytes. Read from Node's own request: asking the
 * framework for it would first build a web Request around it, which costs more than the read.
 */
async function readText(c: Context<AppEnv>, limit: number): Promise<string | undefined> {
  const incoming = c.env?.incoming;
  if (!incoming) {
    const text = await c.req.text();
    return Buffer.byteLength(text) > limit ? undefined : text;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  // Past the limit the rest is read and dropped, so the connection can still carry the answer;
  // a client that keeps sending far beyond it loses its connection instead. (Events rather than
  // `for await`: an async iterator per request costs more than the body it reads.)
  return new Promise<string | undefined>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > 64 * limit) {
        done();
        incoming.socket.destroy();
        resolve(undefined);
      }
    };
    const onEnd = () => {
      done();
      resolve(size > limit ? undefined : chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8"));
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    // A client gone before its body ended: nothing to answer.
    const onClose = () => onError(new Error("the request closed before its body ended"));
    const done = () => {
      incoming.off("data", onData);
      incoming.off("end", onEnd);
      incoming.off("error", onError);
      incoming.off("close", onClose);
    };
    incoming.on("data", onData);
    incoming.on("end", onEnd);
    incoming.on("error", onError);
    incoming.on("close", onClose);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
