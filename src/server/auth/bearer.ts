// Bearer tokens at the HTTP edge: reading the Authorization header, the admin API's guard (an
// Entra token with the admin app role, or the automation token), the signed-in visitor's identity,
// and the refusals, as problem details with the RFC 6750 challenge. A token is never logged,
// and a token that is present is always verified: none is ever ignored or trusted unverified.
import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import type { ErrorCode } from "../../shared/error-codes";
import type { AppEnv } from "../app";
import { fieldError, problem, PROBLEM_TYPES } from "../problem";
import type { ContactMapper, SignedInContact } from "./signed-in-contact";
import { TokenRefused, type TokenVerifier } from "./token-verifier";

export type AuthRefusal = "sign_in_required" | "sign_in_invalid" | "sign_in_expired" | "sign_in_unavailable" | "role_required" | "contact_not_found" | "contact_mismatch";

const REALM = "callback-widget";

/** The bearer token of a request: absent, or present (possibly malformed, which verifies as invalid). */
export function bearerToken(c: Context): { present: false } | { present: true; token: string } {
  const header = c.req.header("authorization");
  if (header === undefined) return { present: false };
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  return { present: true, token: match?.[1] ?? "" };
}

export function authProblem(c: Context, refusal: AuthRefusal): Response {
  const challenge = (error?: string, description?: string) =>
    c.header("WWW-Authenticate", [`Bearer realm="${REALM}"`, error && `error="${error}"`, description && `error_description="${description}"`].filter(Boolean).join(", "));
  const errors = [fieldError("", refusal satisfies ErrorCode)];
  switch (refusal) {
    case "sign_in_required":
      challenge();
      return problem(c, 401, PROBLEM_TYPES.unauthorized, "Sign in first", { errors });
    case "sign_in_invalid":
      challenge("invalid_token");
      return problem(c, 401, PROBLEM_TYPES.unauthorized, "The sign-in token is not valid", { errors });
    case "sign_in_expired":
      challenge("invalid_token", "The token expired");
      return problem(c, 401, PROBLEM_TYPES.unauthorized, "The sign-in token has expired", { errors });
    case "sign_in_unavailable":
      c.header("Retry-After", "30");
      return problem(c, 503, PROBLEM_TYPES.notReady, "Sign-in cannot be checked right now", { errors });
    case "role_required":
      challenge("insufficient_scope");
      return problem(c, 403, PROBLEM_TYPES.forbidden, "This account is not an administrator of callbacks", { errors });
    case "contact_not_found":
      return problem(c, 403, PROBLEM_TYPES.forbidden, "No customer record matches this account", { errors });
    case "contact_mismatch":
      return problem(c, 403, PROBLEM_TYPES.forbidden, "A signed-in request is for the signed-in customer only", { errors });
  }
}

function refusalFor(error: unknown): AuthRefusal {
  if (!(error instanceof TokenRefused)) throw error;
  return error.reason === "expired" ? "sign_in_expired" : error.reason === "unavailable" ? "sign_in_unavailable" : "sign_in_invalid";
}

function logRefusal(c: Context<AppEnv>, logger: Logger, who: string, error: unknown): void {
  // jose's reason (e.g. `ERR_JWT_EXPIRED`, a claim check that failed), never the token.
  logger.info({ requestId: c.get("requestId"), who, reason: error instanceof Error ? error.message : String(error) }, "bearer token refused");
}

export interface AdminGuardOptions {
  /** Entra tokens: verified, then required to carry `role` in their `roles` claim. */
  verifier?: TokenVerifier;
  role: string;
  /** ADMIN_API_TOKEN: a static secret for the command line and automation. */
  staticToken?: string;
  logger: Logger;
}

/** Admits administrators only; sets `admin` (who, for the audit log) on the context. */
export function adminGuard(options: AdminGuardOptions): MiddlewareHandler<AppEnv> {
  const digest = (text: string) => createHash("sha256").update(text).digest();
  const wanted = options.staticToken === undefined ? undefined : digest(options.staticToken);
  const looksLikeJwt = (token: string) => token.split(".").length === 3;

  return async (c, next) => {
    if (!options.verifier && !wanted) {
      return problem(c, 404, PROBLEM_TYPES.notFound, "The admin API is not enabled (configure ADMIN_AUTH_* or ADMIN_API_TOKEN)", { errors: [fieldError("", "not_found")] });
    }
    const bearer = bearerToken(c);
    if (!bearer.present) return authProblem(c, "sign_in_required");

    if (options.verifier && looksLikeJwt(bearer.token)) {
      let claims;
      try {
        claims = await options.verifier.verify(bearer.token);
      } catch (error) {
        logRefusal(c, options.logger, "admin", error);
        return authProblem(c, refusalFor(error));
      }
      const roles = Array.isArray(claims.roles) ? claims.roles : [];
      if (!roles.includes(options.role)) {
        options.logger.warn({ requestId: c.get("requestId"), subject: claims.sub }, "admin API refused: the account lacks the admin role");
        return authProblem(c, "role_required");
      }
      c.set("admin", { subject: String(claims.sub), name: typeof claims.name === "string" ? claims.name : undefined });
      return next();
    }
    if (wanted && timingSafeEqual(digest(bearer.token), wanted)) {
      c.set("admin", { subject: "admin-api-token" });
      return next();
    }
    logRefusal(c, options.logger, "admin", new Error("not the admin API token, nor a JWT"));
    return authProblem(c, "sign_in_invalid");
  };
}

export interface VisitorAuth {
  verifier: TokenVerifier;
  mapContact: ContactMapper;
}

export type VisitorIdentity = { kind: "anonymous" } | { kind: "signed-in"; contact: SignedInContact };

/**
 * Who the visitor is: anonymous when they bring no token; signed in when their token verifies and
 * maps to one contact; otherwise the refusal to answer with.
 */
export async function visitorIdentity(c: Context<AppEnv>, auth: VisitorAuth | undefined, logger: Logger): Promise<VisitorIdentity | Response> {
  const bearer = bearerToken(c);
  if (!bearer.present) return { kind: "anonymous" };
  if (!auth) {
    logRefusal(c, logger, "visitor", new Error("a token was sent but visitor sign-in is not configured"));
    return authProblem(c, "sign_in_invalid");
  }
  let claims;
  try {
    claims = await auth.verifier.verify(bearer.token);
  } catch (error) {
    logRefusal(c, logger, "visitor", error);
    return authProblem(c, refusalFor(error));
  }
  let outcome;
  try {
    outcome = await auth.mapContact(claims);
  } catch (error) {
    logger.error({ requestId: c.get("requestId"), err: (error as Error).message }, "the signed-in visitor's contact could not be read from Dataverse");
    c.header("Retry-After", "30");
    return problem(c, 503, PROBLEM_TYPES.upstream, "Your customer record cannot be read right now", { errors: [fieldError("", "sign_in_unavailable")] });
  }
  if (!outcome.ok) {
    logger.warn({ requestId: c.get("requestId"), subject: claims.sub }, "no single Dataverse contact matches the signed-in visitor");
    return authProblem(c, outcome.reason);
  }
  return { kind: "signed-in", contact: outcome.contact };
}
