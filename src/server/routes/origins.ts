// One allow-list per profile decides which pages may use it: CORS for the API, frame-ancestors for
// the iframe page, and (in the browser) postMessage. The BFF's own pages are always allowed.
import type { Context, MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { Profiles } from "../profiles";

/** The origin the BFF itself is served from, as the browser sees it. */
export function ownOrigin(c: Context, publicUrl?: string): string {
  return publicUrl ? new URL(publicUrl).origin : new URL(c.req.url).origin;
}

/** Whether a page on `origin` may use `profile` (its own pages always may). */
export function originAllowed(profiles: Profiles, profile: string | undefined, origin: string, own: string): boolean {
  if (origin === own) return true;
  const lower = origin.toLowerCase();
  if (profile !== undefined) return profiles.get(profile)?.allowedOrigins.includes(lower) ?? false;
  for (const p of profiles.values()) if (p.allowedOrigins.includes(lower)) return true;
  return false;
}

/**
 * CORS for /api/v1: a profile's routes answer its own allow-list; the others (POST /callbacks,
 * whose profile is in the body, and polling) answer any profile's, and POST checks the body's
 * profile itself.
 */
export function apiCors(profiles: Profiles, publicUrl?: string): MiddlewareHandler {
  return cors({
    origin: (origin, c) => {
      // The admin API serves the admin page on the BFF's own origin only.
      if (c.req.path.startsWith("/api/v1/admin/")) return origin === ownOrigin(c, publicUrl) ? origin : null;
      const profile = /^\/api\/v1\/profiles\/([^/]+)/.exec(c.req.path)?.[1];
      return originAllowed(profiles, profile && decodeURIComponent(profile), origin, ownOrigin(c, publicUrl)) ? origin : null;
    },
    allowMethods: ["GET", "POST"],
    // Authorization: a signed-in visitor's token, from the widget on the host's page.
    allowHeaders: ["Content-Type", "Idempotency-Key", "Authorization"],
    exposeHeaders: ["Retry-After", "X-Request-Id", "Location"],
    maxAge: 600,
  });
}
