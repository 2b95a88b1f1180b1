// The admin API, for the admin page (/admin) and automation: recent requests and the outbox, the
// do-not-call list, the consent records. Every call goes through the guard (an Entra token with
// the admin app role, checked on each call, or ADMIN_API_TOKEN); numbers are masked unless an
// administrator asks for one, which is logged.
import type { Context, Hono, MiddlewareHandler } from "hono";
import { maskPhone } from "../../shared/phone";
import { DoNotCallChange, type AdminCallback, type AdminCallbacks, type AdminSignIn, type DoNotCallList } from "../../shared/schemas";
import type { AppDeps, AppEnv } from "../app";
import { consentCsv, parseDateArgument } from "../consent-export";
import { addNumbers, doNotCallCsv, removeNumbers } from "../do-not-call";
import { fieldError, fieldErrorsFromIssues, problem, PROBLEM_TYPES, validationProblem } from "../problem";
import type { CallbackRecord } from "../store/types";

const PHONE_HASH = /^[0-9a-f]{64}$/;

export function registerAdmin(app: Hono<AppEnv>, deps: AppDeps, guard: MiddlewareHandler<AppEnv>): void {
  const { store, vault, logger } = deps;

  // What the admin page's MSAL needs: public values, read before anyone has signed in.
  app.get("/admin/settings.json", (c) => {
    const page = deps.auth.admin.page;
    if (!page) return problem(c, 404, PROBLEM_TYPES.notFound, "Sign-in for the admin page is not configured (ADMIN_AUTH_CLIENT_ID, ADMIN_AUTH_SCOPES)", { errors: [fieldError("", "not_found")] });
    const body: AdminSignIn = { ...page, role: deps.auth.admin.role, redirectUri: `${deps.settings.publicUrl ?? new URL(c.req.url).origin}/admin` };
    c.header("Cache-Control", "no-cache");
    return c.json(body);
  });

  app.use("/api/v1/admin/*", guard);
  app.use("/api/v1/admin/*", async (c, next) => {
    await next();
    c.res.headers.set("Cache-Control", "no-store");
  });
  const audit = (c: Context<AppEnv>, fields: Record<string, unknown>, message: string) =>
    logger.info({ requestId: c.get("requestId"), admin: c.get("admin")?.subject, ...fields }, message);

  app.get("/api/v1/admin/me", (c) => c.json({ subject: c.get("admin")!.subject, name: c.get("admin")!.name, role: deps.auth.admin.role }));

  app.get("/api/v1/admin/callbacks", async (c) => {
    const limit = Math.min(Math.max(Number(c.req.query("limit") ?? 50) || 50, 1), 500);
    const [records, stats] = await Promise.all([store.recentCallbacks(limit), store.outboxStats()]);
    const body: AdminCallbacks = {
      outbox: {
        depth: stats.queued,
        oldestQueuedAt: stats.oldestQueuedAt === undefined ? undefined : new Date(stats.oldestQueuedAt).toISOString(),
        byStatus: stats.byStatus,
      },
      callbacks: records.map((record) => adminView(record, maskedPhone(record))),
    };
    return c.json(body);
  });

  // One number in clear, when an administrator needs it (to call back by hand, say): logged.
  app.get("/api/v1/admin/callbacks/:requestId/phone", async (c) => {
    const record = await store.getCallback(c.req.param("requestId"));
    if (!record) return problem(c, 404, PROBLEM_TYPES.notFound, "There is no callback request with this id", { errors: [fieldError("requestId", "request_not_found")] });
    audit(c, { callbackRequestId: record.id }, "an administrator revealed a callback request's number");
    return c.json({ requestId: record.id, phone: vault.open(record.personal).phoneE164 });
  });

  app.get("/api/v1/admin/do-not-call", async (c) => {
    const entries = await store.listDoNotCall();
    if ((c.req.header("accept") ?? "").includes("text/csv")) return c.body(doNotCallCsv(entries), 200, { "Content-Type": "text/csv; charset=utf-8" });
    const body: DoNotCallList = {
      count: entries.length,
      entries: entries.map((e) => ({ phoneHash: e.phoneHash, addedAt: new Date(e.addedAt).toISOString(), source: e.source, note: e.note })),
    };
    return c.json(body);
  });

  app.post("/api/v1/admin/do-not-call", async (c) => {
    const change = await readChange(c);
    if (change instanceof Response) return change;
    const onProblem = (callbackRequestId: string, reason: string) => logger.error({ callbackRequestId, err: reason }, "number put on the do-not-call list, but its call could not be cancelled");
    const outcome = await addNumbers(store, vault, change.numbers, {
      country: change.country,
      note: change.note,
      source: "admin-api",
      now: deps.now(),
      withdraw: { gateway: deps.gateway, profiles: deps.profiles, now: deps.now, onProblem },
    });
    audit(c, { added: outcome.added }, "do-not-call list: numbers added");
    return c.json(outcome);
  });

  app.delete("/api/v1/admin/do-not-call", async (c) => {
    const change = await readChange(c);
    if (change instanceof Response) return change;
    const outcome = await removeNumbers(store, vault, change.numbers, change.country);
    audit(c, { removed: outcome.removed }, "do-not-call list: numbers removed");
    return c.json(outcome);
  });

  // The list holds hashes only: the page removes an entry by its hash.
  app.delete("/api/v1/admin/do-not-call/:phoneHash", async (c) => {
    const hash = c.req.param("phoneHash");
    if (!PHONE_HASH.test(hash)) return validationProblem(c, [fieldError("phoneHash", "invalid")]);
    if (!(await store.removeDoNotCall(hash))) return problem(c, 404, PROBLEM_TYPES.notFound, "This number is not on the do-not-call list", { errors: [fieldError("phoneHash", "not_found")] });
    audit(c, { removed: 1 }, "do-not-call list: number removed");
    return c.json({ removed: 1, invalid: [] });
  });

  app.get("/api/v1/admin/consent", async (c) => {
    let from: number;
    let to: number;
    try {
      from = parseDateArgument(c.req.query("from") ?? "", "from");
      to = parseDateArgument(c.req.query("to") ?? "", "to");
    } catch {
      return validationProblem(c, [fieldError("from", "invalid"), fieldError("to", "invalid")]);
    }
    audit(c, { from: c.req.query("from"), to: c.req.query("to") }, "consent records exported");
    return c.body(consentCsv(await store.consentRecords(from, to)), 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="consent-${c.req.query("from")}-${c.req.query("to")}.csv"`,
    });
  });

  function maskedPhone(record: CallbackRecord): string {
    try {
      return maskPhone(vault.open(record.personal).phoneE164);
    } catch {
      return "•••"; // sealed with a key this instance does not have
    }
  }
}

/** A request as administrators see it; `retrying` is a queued request that has failed before. */
function adminView(record: CallbackRecord, phone: string): AdminCallback {
  return {
    requestId: record.id,
    createdAt: new Date(record.createdAt).toISOString(),
    profile: record.profile,
    status: record.status === "queued" && record.attempts > 0 ? "retrying" : record.status,
    attempts: record.attempts,
    nextAttemptAt: record.status === "queued" ? new Date(record.nextAttemptAt).toISOString() : undefined,
    windows: record.windows,
    phone,
    contactId: record.contactId,
    deliveryId: record.deliveryId,
    lastError: record.lastError,
  };
}

async function readChange(c: Context) {
  const body = await c.req.json().catch(() => undefined);
  const parsed = DoNotCallChange.safeParse(body);
  return parsed.success ? parsed.data : validationProblem(c, body === undefined ? [fieldError("", "malformed_json")] : fieldErrorsFromIssues(parsed.error.issues));
}
