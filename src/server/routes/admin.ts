// The admin API: the do-not-call list and the consent records, for an administrator only.
// Every call needs `Authorization: Bearer <ADMIN_API_TOKEN>`; without that setting it is off.
import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, Hono, MiddlewareHandler } from "hono";
import { DoNotCallChange, type DoNotCallList } from "../../shared/schemas";
import type { AppDeps, AppEnv } from "../app";
import { consentCsv, parseDateArgument } from "../consent-export";
import { addNumbers, doNotCallCsv, removeNumbers } from "../do-not-call";
import { fieldError, fieldErrorsFromIssues, problem, PROBLEM_TYPES, validationProblem } from "../problem";

const digest = (text: string) => createHash("sha256").update(text).digest();

/** Admits a request whose bearer token is the configured one (compared in constant time). */
export function adminToken(expected: string | undefined): MiddlewareHandler<AppEnv> {
  const want = expected === undefined ? undefined : digest(expected);
  return async (c, next) => {
    if (!want) return problem(c, 404, PROBLEM_TYPES.notFound, "The admin API is not enabled (set ADMIN_API_TOKEN)", { errors: [fieldError("", "not_found")] });
    const given = /^Bearer (\S+)$/.exec(c.req.header("authorization") ?? "")?.[1];
    if (!given || !timingSafeEqual(digest(given), want)) {
      c.header("WWW-Authenticate", 'Bearer realm="callback-widget admin"');
      return problem(c, 401, PROBLEM_TYPES.unauthorized, "An administrator's token is required", { errors: [fieldError("authorization", "unauthorized")] });
    }
    await next();
  };
}

export function registerAdmin(app: Hono<AppEnv>, deps: AppDeps, guard: MiddlewareHandler<AppEnv>): void {
  app.use("/api/v1/admin/*", guard);

  app.get("/api/v1/admin/do-not-call", async (c) => {
    const entries = await deps.store.listDoNotCall();
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
    const onProblem = (callbackRequestId: string, reason: string) => deps.logger.error({ callbackRequestId, err: reason }, "number put on the do-not-call list, but its call could not be cancelled");
    return c.json(
      await addNumbers(deps.store, deps.vault, change.numbers, {
        country: change.country,
        note: change.note,
        source: "admin-api",
        now: deps.now(),
        withdraw: { gateway: deps.gateway, profiles: deps.profiles, now: deps.now, onProblem },
      }),
    );
  });

  app.delete("/api/v1/admin/do-not-call", async (c) => {
    const change = await readChange(c);
    if (change instanceof Response) return change;
    return c.json(await removeNumbers(deps.store, deps.vault, change.numbers, change.country));
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
    return c.body(consentCsv(await deps.store.consentRecords(from, to)), 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="consent-${c.req.query("from")}-${c.req.query("to")}.csv"`,
    });
  });
}

async function readChange(c: Context) {
  const body = await c.req.json().catch(() => undefined);
  const parsed = DoNotCallChange.safeParse(body);
  return parsed.success ? parsed.data : validationProblem(c, body === undefined ? [fieldError("", "malformed_json")] : fieldErrorsFromIssues(parsed.error.issues));
}
