// Fault injection, switchable per test: make chosen calls fail the ways Microsoft's services do
// (429 with Retry-After, 5xx, slow answers, connections reset before or after the work was done).
// Draws come from a seeded generator so a failing soak can be replayed.
import type { Context, MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { odataError } from "./odata";

export type FaultTarget = "token" | "contacts" | "action" | "deliveries" | "whoami" | "any";

export interface FaultRule {
  target: FaultTarget;
  /**
   * status: answer `status` at once, doing nothing; delay: do the work, then answer `delayMs` late;
   * delay-before: wait `delayMs`, then do the work and answer (a slow service: the work is done even
   * if the client has given up meanwhile); reset-before: drop the connection without doing
   * anything; reset-after: do the work, then drop it.
   */
  kind: "status" | "delay" | "delay-before" | "reset-before" | "reset-after";
  status?: number;
  retryAfterSeconds?: number;
  delayMs?: number;
  /** Chance that a matching call is hit, 0..1 (default 1). */
  rate?: number;
  /** Hits at most this many calls, then stays quiet. */
  times?: number;
}

export interface FaultPlan {
  rules: FaultRule[];
  seed?: number;
}

export class FaultInjector {
  private rules: Array<FaultRule & { hits: number }> = [];
  private random: () => number = Math.random;
  readonly injected: Record<string, number> = {};
  /** Every call received, by target, faulted or not. */
  readonly received: Record<string, number> = {};

  set(plan: FaultPlan): void {
    this.rules = plan.rules.map((rule) => ({ ...rule, hits: 0 }));
    this.random = plan.seed === undefined ? Math.random : mulberry32(plan.seed);
  }

  clear(): void {
    this.rules = [];
  }

  /** The rule that hits this call, if any (each draw consumes randomness, so order is stable). */
  draw(target: Exclude<FaultTarget, "any">): FaultRule | undefined {
    for (const rule of this.rules) {
      if (rule.target !== target && rule.target !== "any") continue;
      if (rule.times !== undefined && rule.hits >= rule.times) continue;
      if (this.random() >= (rule.rate ?? 1)) continue;
      rule.hits++;
      const name = `${target}:${rule.kind}${rule.status ? `:${rule.status}` : ""}`;
      this.injected[name] = (this.injected[name] ?? 0) + 1;
      return rule;
    }
    return undefined;
  }

  middleware(): MiddlewareHandler {
    return async (c, next) => {
      const target = targetOf(c);
      if (target) this.received[target] = (this.received[target] ?? 0) + 1;
      const rule = target && this.draw(target);
      if (!rule) return next();
      switch (rule.kind) {
        case "status": {
          const status = (rule.status ?? 503) as ContentfulStatusCode;
          const headers: Record<string, string> = rule.retryAfterSeconds !== undefined ? { "Retry-After": String(rule.retryAfterSeconds) } : {};
          if (target === "token") {
            return c.json({ error: "temporarily_unavailable", error_description: "AADSTS90033: A transient error has occurred. Please try again.", error_codes: [90033] }, status, headers);
          }
          if (status === 401) return odataError(c, 401, "0x80072182", "The access token is not valid: it has been revoked.", headers);
          return odataError(c, status, status === 429 ? "0x80072322" : "0x80040265", status === 429 ? "Number of requests exceeded the limit of 6000 over time window of 300 seconds." : "The service is temporarily unavailable.", headers);
        }
        case "reset-before":
          return dropConnection(c);
        case "delay":
          await next();
          await new Promise((resolve) => setTimeout(resolve, rule.delayMs ?? 30_000));
          return;
        case "delay-before":
          await new Promise((resolve) => setTimeout(resolve, rule.delayMs ?? 30_000));
          return next();
        case "reset-after":
          await next();
          return dropConnection(c);
      }
    };
  }
}

function targetOf(c: Context): Exclude<FaultTarget, "any"> | undefined {
  const path = c.req.path;
  if (c.req.method === "POST" && /\/oauth2\/v2\.0\/token$/.test(path)) return "token";
  if (!path.startsWith("/api/data/v9.2/")) return undefined;
  const segment = path.slice("/api/data/v9.2/".length);
  if (segment.startsWith("contacts")) return "contacts";
  if (segment.startsWith("CCaaS_CreateProactiveVoiceDelivery")) return "action";
  if (segment.startsWith("msdyn_proactive_deliveries")) return "deliveries";
  if (segment.startsWith("WhoAmI")) return "whoami";
  return undefined;
}

/** Destroys the socket under the request: the client sees a reset, never an answer. */
function dropConnection(c: Context): Response {
  const outgoing = (c.env as { outgoing?: { socket?: { destroy(): void } | null } } | undefined)?.outgoing;
  outgoing?.socket?.destroy();
  return new Response(null, { status: 499 });
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
