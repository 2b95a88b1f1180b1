// The first thing a request meets: an address already known to be over its limit gets its 429
// here, on the raw Node request, before the web framework builds anything for it. A flood of
// refusals must cost the BFF as little as a server answering a constant, so that real visitors
// (other addresses) still get through. Everything else goes on to the app, unchanged.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { fieldError, PROBLEM_TYPES } from "../problem";
import type { Profiles } from "../profiles";
import { EXPOSED_HEADERS, originAllowed } from "../routes/origins";
import type { AddressResolver } from "./client-address";
import { isSecureRequest } from "./client-address";
import type { RateLimiter } from "./rate-limiter";

export interface FloodGuardOptions {
  limiter: RateLimiter;
  resolveAddress: AddressResolver;
  trustedProxies: string[];
  profiles: Profiles;
  publicUrl?: string;
  /** Counts each refusal (the metric the app keeps for the others). */
  onRefused(): void;
}

const REFUSAL_ERRORS = [fieldError("", "rate_limited")];

export function floodGuard(options: FloodGuardOptions, next: RequestListener): RequestListener {
  return (req, res) => {
    // Only the callback API is limited per address before its body is read.
    if (req.method !== "POST" || req.url !== "/api/v1/callbacks") return next(req, res);
    const verdict = options.limiter.blocked(`address:${options.resolveAddress(req)}`);
    if (!verdict) return next(req, res);
    options.onRefused();
    refuse(req, res, verdict.retryAfterSeconds, options);
  };
}

function refuse(req: IncomingMessage, res: ServerResponse, retryAfterSeconds: number, options: FloodGuardOptions): void {
  const requestId = randomUUID();
  const body = JSON.stringify({ type: PROBLEM_TYPES.rateLimited, title: "Too many requests", status: 429, errors: REFUSAL_ERRORS, requestId });
  const headers: Record<string, string> = {
    "Content-Type": "application/problem+json",
    "Content-Length": String(Buffer.byteLength(body)),
    "Retry-After": String(retryAfterSeconds),
    "X-Request-Id": requestId,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
  };
  if (isSecureRequest(req, options.trustedProxies)) headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains";
  // The same CORS answer the app would give, so a page that may call us can read the refusal.
  const origin = req.headers.origin;
  if (origin) {
    headers.Vary = "Origin";
    const own = options.publicUrl ? new URL(options.publicUrl).origin : `http://${req.headers.host ?? ""}`;
    if (originAllowed(options.profiles, undefined, origin, own)) {
      headers["Access-Control-Allow-Origin"] = origin;
      headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS;
    }
  }
  // The body is not read: drop it rather than keep the connection waiting on it.
  req.resume();
  res.writeHead(429, headers).end(body);
}
