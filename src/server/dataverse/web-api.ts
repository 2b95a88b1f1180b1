// A minimal Dataverse Web API client: adds the service token and the OData headers Dataverse
// expects to every call, and turns error answers into DataverseError with what a caller needs
// to decide whether to retry (status, Dataverse's own code, Retry-After).
import type { Dispatcher } from "undici";
import { TokenError, type TokenProvider } from "./token-provider";
import { call, type CallAnswer } from "./transport";

export class DataverseError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly code: string | undefined,
    readonly retryAfterSeconds: number | undefined,
    /** False only when the request certainly never reached Dataverse, or was refused unprocessed. */
    readonly mayHaveArrived = true,
  ) {
    super(message);
    this.name = "DataverseError";
  }

  /** 401: Dataverse refused our token (expired, revoked), even after we fetched a new one. */
  get tokenRefused(): boolean {
    return this.status === 401;
  }

  /** 401, 408, 429, 5xx and network failures may succeed later; other 4xx will not. */
  get transient(): boolean {
    return this.status === undefined || this.tokenRefused || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

// Errors raised before a connection exists: the request cannot have reached Dataverse.
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "UND_ERR_CONNECT_TIMEOUT", "CERT_HAS_EXPIRED", "DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_VERIFY_LEAF_SIGNATURE"]);

export interface WebApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface CallOptions {
  headers?: Record<string, string>;
  /** Gives up on the call when aborted (a delivery attempt's time limit): the socket is closed. */
  signal?: AbortSignal;
}

export interface WebApi {
  readonly orgUrl: string;
  get(pathAndQuery: string, options?: CallOptions): Promise<WebApiResponse>;
  post(path: string, body: unknown, options?: CallOptions): Promise<WebApiResponse>;
}

export function createWebApi(orgUrl: string, tokens: TokenProvider, dispatcher: Dispatcher): WebApi {
  const base = new URL(`${orgUrl}/api/data/v9.2/`);
  // The same headers for every call while the token lasts: built once per token, not per call.
  let headers: { token: string; values: Record<string, string> } | undefined;
  const headersFor = (token: string) => {
    if (headers?.token !== token) {
      headers = {
        token,
        values: {
          accept: "application/json",
          "content-type": "application/json; charset=utf-8",
          "odata-maxversion": "4.0",
          "odata-version": "4.0",
          "if-none-match": "null",
          authorization: `Bearer ${token}`,
        },
      };
    }
    return headers.values;
  };

  async function send(method: "GET" | "POST", pathAndQuery: string, body: unknown, options: CallOptions = {}): Promise<WebApiResponse> {
    const { signal } = options;
    // A 401 means our token was refused (expired early, revoked, keys rolled over): Dataverse did
    // nothing, so the call is made once more with a token fetched anew, never more than once.
    for (let fresh = false; ; fresh = true) {
      const token = await untilAborted(tokens.getToken({ fresh }), signal, (reason) => new TokenError(`gave up waiting for a Dataverse token: ${reason}`));
      if (signal?.aborted) throw new DataverseError(`gave up before calling Dataverse: ${abortReason(signal)}`, undefined, undefined, undefined, false);
      let response: CallAnswer;
      try {
        response = await call(dispatcher, {
          origin: base.origin,
          path: base.pathname + pathAndQuery,
          method,
          signal,
          headers: options.headers ? Object.assign({}, headersFor(token), options.headers) : headersFor(token),
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (error) {
        // Given up while the request was out: Dataverse may have it, and may still act on it.
        if (signal?.aborted) throw new DataverseError(`gave up waiting for Dataverse: ${abortReason(signal)}`, undefined, undefined, undefined, true);
        const code = (error as { code?: string }).code ?? "";
        throw new DataverseError(`Dataverse unreachable: ${code} ${(error as Error).message}`.trim(), undefined, undefined, undefined, !NOT_SENT.has(code));
      }
      if (response.statusCode === 401 && !fresh) continue;
      const parsed = response.text ? safeJson(response.text) : undefined;
      if (response.statusCode >= 400) throw toDataverseError(response, parsed, fresh);
      return { status: response.statusCode, headers: response.headers, body: parsed };
    }
  }

  return {
    orgUrl,
    get: (pathAndQuery, options) => send("GET", pathAndQuery, undefined, options),
    post: (path, body, options) => send("POST", path, body, options),
  };
}

/** `work`, unless `signal` aborts first (the work itself goes on: use for what cannot be cancelled). */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, toError: (reason: string) => Error): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(toError(abortReason(signal)));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(toError(abortReason(signal)));
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : String(reason ?? "aborted");
}

function toDataverseError(response: CallAnswer, body: unknown, freshToken: boolean): DataverseError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const message = typeof error?.message === "string" ? error.message : `HTTP ${response.statusCode}`;
  const code = typeof error?.code === "string" ? error.code : undefined;
  const retryAfter = Number(response.headers["retry-after"]);
  const refused = response.statusCode === 401 && freshToken ? " (a newly fetched token was refused too)" : "";
  // A 4xx (429 included: service protection refuses before executing) means nothing was done.
  return new DataverseError(
    `Dataverse answered ${response.statusCode}: ${message}${refused}`,
    response.statusCode,
    code,
    Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined,
    response.statusCode >= 500,
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { error: { code: "", message: text.slice(0, 200) } };
  }
}

/** An OData string literal: single quotes doubled, the whole thing quoted. */
export function odataString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
