// One allow-list per profile decides which pages may use it: CORS for the API, frame-ancestors for
// the iframe page, and (in the browser) postMessage. The BFF's own pages are always allowed.
import type { Context, MiddlewareHandler } from "hono";
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

/** What a page allowed to call the API may read of its answers. */
export const EXPOSED_HEADERS = "Retry-After,X-Request-Id,Location";

/**
 * CORS for /api/v1: a profile's routes answer its own allow-list; the others (POST /callbacks,
 * whose profile is in the body, and polling) answer any profile's, and POST checks the body's
 * profile itself. The headers are decided before the route runs (they depend on the request
 * alone), so the answer is built once, with them.
 */
export function apiCors(profiles: Profiles, publicUrl?: string): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header("origin");
    const allowed = origin !== undefined && allowOrigin(c, profiles, origin, publicUrl);
    c.header("Vary", "Origin", { append: true });
    if (c.req.method === "OPTIONS" && origin !== undefined) {
      // A preflight: say what may follow, and stop here.
      const headers: Record<string, string> = { Vary: "Origin, Access-Control-Request-Headers", "Access-Control-Max-Age": "600", "Access-Control-Allow-Methods": "GET,POST" };
      // Authorization: a signed-in visitor's token, from the widget on the host's page.
      if (allowed) Object.assign(headers, { "Access-Control-Allow-Origin": origin, "Access-Control-Allow-Headers": "Content-Type,Idempotency-Key,Authorization" });
      return c.body(null, 204, headers);
    }
    if (allowed) {
      c.header("Access-Control-Allow-Origin", origin);
      c.header("Access-Control-Expose-Headers", EXPOSED_HEADERS);
    }
    await next();
  };
}

function allowOrigin(c: Context, profiles: Profiles, origin: string, publicUrl?: string): boolean {
  // The admin API serves the admin page on the BFF's own origin only.
  if (c.req.path.startsWith("/api/v1/admin/")) return origin === ownOrigin(c, publicUrl);
  const profile = /^\/api\/v1\/profiles\/([^/]+)/.exec(c.req.path)?.[1];
  return originAllowed(profiles, profile && decodeURIComponent(profile), origin, ownOrigin(c, publicUrl));
}
