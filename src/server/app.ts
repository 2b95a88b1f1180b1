// The BFF's HTTP surface: the public API under /api/v1, operations endpoints and the built widget.
// Handlers stay thin: validation is the shared schemas, decisions live in callbacks.ts and outbox/.
import type { IncomingMessage } from "node:http";
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import { routePath } from "hono/route";
import type { Logger } from "pino";
import type { AddressResolver } from "./abuse/client-address";
import { isSecureRequest } from "./abuse/client-address";
import type { Limit } from "./abuse/rate-limiter";
import { adminGuard, type VisitorAuth } from "./auth/bearer";
import type { TokenVerifier } from "./auth/token-verifier";
import type { AcceptDeps } from "./callbacks";
import type { AdminPageSignIn } from "./config";
import type { DataverseGateway } from "./dataverse/gateway";
import type { Metrics } from "./metrics";
import type { DeliveryWorker } from "./outbox/delivery-worker";
import { fieldError, problem, PROBLEM_TYPES } from "./problem";
import { registerAdmin } from "./routes/admin";
import { registerOperations } from "./routes/operations";
import { apiCors } from "./routes/origins";
import { pageCsp, registerPages } from "./routes/pages";
import { registerPublicApi } from "./routes/public-api";
import type { LinkSigner } from "./signed-links";

export interface AppDeps extends AcceptDeps {
  worker: DeliveryWorker;
  gateway: DataverseGateway;
  metrics: Metrics;
  logger: Logger;
  resolveAddress: AddressResolver;
  links: LinkSigner;
  settings: { bodyLimitBytes: number; syncWaitMs: number; trustedProxies: string[]; addressLimit: Limit; publicUrl?: string };
  auth: {
    /** Signed-in visitors' tokens; absent: only anonymous requests. */
    visitor?: VisitorAuth;
    admin: {
      /** Administrators' Entra tokens, which must carry `role`. */
      verifier?: TokenVerifier;
      role: string;
      /** ADMIN_API_TOKEN, for the command line and automation. */
      staticToken?: string;
      /** What the admin page's MSAL needs; absent: no admin page sign-in. */
      page?: AdminPageSignIn;
    };
  };
  /** Folder of the built widget (vite build); absent in API-only tests. */
  staticRoot?: string;
}

export type AppEnv = {
  Bindings: { incoming?: IncomingMessage };
  /** quietLog: an answer not worth a log line of its own (a flood's refusals, logged once instead). */
  Variables: { requestId: string; clientAddress: string; admin?: { subject: string; name?: string }; quietLog?: boolean };
};

export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const { logger, metrics } = deps;

  app.use(requestId());
  app.use(async (c, next) => {
    c.set("clientAddress", deps.resolveAddress(c.env?.incoming));
    const started = performance.now();
    await next();
    const route = routePath(c) || "unmatched";
    metrics.httpRequests.inc({ method: c.req.method, route, status: String(c.res.status) });
    if (c.get("quietLog")) return;
    // The path only: availability queries carry phone numbers.
    logger.info({ requestId: c.get("requestId"), method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) }, "request");
  });
  app.use(async (c, next) => {
    await next();
    // Set on the answer's own headers: c.header() after the answer exists would build it again,
    // copying its body (a 100 kB availability answer, say) on every request.
    const headers = c.res.headers;
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("Referrer-Policy", "strict-origin-when-cross-origin");
    if (isSecureRequest(c.env?.incoming, deps.settings.trustedProxies)) headers.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    if ((headers.get("content-type") ?? "").startsWith("text/html") && !headers.has("content-security-policy")) {
      headers.set("Content-Security-Policy", pageCsp("'none'"));
    }
  });

  app.onError((error, c) => {
    logger.error({ requestId: c.get("requestId"), err: error.message }, "unhandled error");
    return problem(c, 500, PROBLEM_TYPES.internal, "Something went wrong on our side", { errors: [fieldError("", "internal_error")] });
  });

  app.use("/api/v1/*", apiCors(deps.profiles, deps.settings.publicUrl));
  registerOperations(app, deps);
  registerPublicApi(app, deps);
  registerAdmin(app, deps, adminGuard({ ...deps.auth.admin, logger }));
  app.all("/api/*", (c) => problem(c, 404, PROBLEM_TYPES.notFound, "There is no such API resource", { errors: [fieldError("", "not_found")] }));
  registerPages(app, deps);
  app.notFound((c) => problem(c, 404, PROBLEM_TYPES.notFound, "Not found", { errors: [fieldError("", "not_found")] }));
  return app;
}
