// Refusals as RFC 9457 problem details (`application/problem+json`), each naming the fields at fault.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { describeError, isErrorCode, type ErrorCode } from "../shared/error-codes";
import type { FieldError, Problem } from "../shared/schemas";

export const PROBLEM_TYPES = {
  validation: "https://callback-widget.dev/problems/validation",
  malformedJson: "https://callback-widget.dev/problems/malformed-json",
  tooLarge: "https://callback-widget.dev/problems/body-too-large",
  unsupportedMediaType: "https://callback-widget.dev/problems/unsupported-media-type",
  notFound: "https://callback-widget.dev/problems/not-found",
  upstream: "https://callback-widget.dev/problems/contact-centre-unavailable",
  rateLimited: "https://callback-widget.dev/problems/rate-limited",
  conflict: "https://callback-widget.dev/problems/conflict",
  unauthorized: "https://callback-widget.dev/problems/unauthorized",
  forbidden: "https://callback-widget.dev/problems/forbidden",
  forbiddenOrigin: "https://callback-widget.dev/problems/origin-not-allowed",
  notReady: "https://callback-widget.dev/problems/not-ready",
  internal: "https://callback-widget.dev/problems/internal",
} as const;

export function fieldError(field: string, code: ErrorCode): FieldError {
  return { field, code, message: describeError(code) };
}

interface ZodIssueLike {
  path: PropertyKey[];
  message: string;
  code?: string;
  keys?: string[];
}

/** One FieldError per zod issue; an unknown key becomes an error on that key's own path. */
export function fieldErrorsFromIssues(issues: readonly ZodIssueLike[]): FieldError[] {
  return issues.flatMap((issue) => {
    const base = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys" && issue.keys) {
      return issue.keys.map((key) => fieldError(base ? `${base}.${key}` : key, "unknown_field"));
    }
    return [fieldError(base, isErrorCode(issue.message) ? issue.message : "invalid")];
  });
}

export function problem(
  c: Context,
  status: ContentfulStatusCode,
  type: string,
  title: string,
  extra: { detail?: string; errors: FieldError[] },
): Response {
  const body: Problem = { type, title, status, ...extra };
  const requestId = c.get("requestId" as never) as string | undefined;
  if (requestId) body.requestId = requestId;
  return c.body(JSON.stringify(body), status, { "Content-Type": "application/problem+json" });
}

export function validationProblem(c: Context, errors: FieldError[], status: ContentfulStatusCode = 422): Response {
  return problem(c, status, PROBLEM_TYPES.validation, "Some fields need attention", { errors });
}
