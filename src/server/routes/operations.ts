// What operators and orchestrators ask: liveness, readiness, metrics, the API's description.
import type { Hono } from "hono";
import type { AppDeps, AppEnv } from "../app";

interface Readiness {
  at: number;
  ok: boolean;
  checks: Record<string, string>;
}

const READINESS_TTL_MS = 5_000;

export function registerOperations(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get("/healthz", (c) => c.json({ status: "ok" }));

  // Readiness touches the store, the token endpoint and Dataverse; remembered for a few seconds so
  // an orchestrator's probes cannot become load.
  let last: Readiness | undefined;
  let pending: Promise<Readiness> | undefined;
  async function readiness(): Promise<Readiness> {
    const checks: Record<string, string> = {};
    const run = async (name: string, check: () => Promise<unknown>) => {
      try {
        await check();
        checks[name] = "ok";
      } catch (error) {
        checks[name] = `failing: ${(error as Error).message.slice(0, 300)}`;
      }
    };
    await run("store", () => deps.store.ping());
    // Dataverse first: a call it accepts clears an earlier refusal of our token, which the token check reports.
    await run("dataverse", () => deps.gateway.whoAmI());
    await run("token", () => deps.gateway.checkToken());
    const paused = deps.gateway.pausedUntil();
    if (paused) checks.throttled = `Dataverse asked us to wait until ${new Date(paused).toISOString()}`;
    return { at: Date.now(), ok: Object.values(checks).every((v) => v === "ok"), checks };
  }

  app.get("/readyz", async (c) => {
    if (!last || Date.now() - last.at > READINESS_TTL_MS) {
      pending ??= readiness().finally(() => (pending = undefined));
      last = await pending;
    }
    return c.json({ status: last.ok ? "ready" : "not ready", checks: last.checks }, last.ok ? 200 : 503);
  });

  app.get("/metrics", async (c) => {
    await deps.metrics.refreshOutbox();
    return c.body(await deps.metrics.registry.metrics(), 200, { "Content-Type": deps.metrics.registry.contentType });
  });

  // Built on first request (zod's JSON Schema conversion is not needed before), then kept.
  let openApi: Promise<object> | undefined;
  app.get("/api/v1/openapi.json", async (c) => c.json(await (openApi ??= import("../openapi").then((m) => m.buildOpenApiDocument()))));
}
