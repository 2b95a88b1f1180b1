// A minimal Dataverse Web API client: adds the service token and the OData headers Dataverse
// expects to every call, and turns error answers into DataverseError with what a caller needs
// to decide whether to retry (status, Dataverse's own code, Retry-After).
import { request, type Dispatcher } from "undici";
import type { TokenProvider } from "./token-provider";

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

  /** 408, 429, 5xx and network failures may succeed later; other 4xx will not. */
  get transient(): boolean {
    return this.status === undefined || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

// Errors raised before a connection exists: the request cannot have reached Dataverse.
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "UND_ERR_CONNECT_TIMEOUT", "CERT_HAS_EXPIRED", "DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_VERIFY_LEAF_SIGNATURE"]);

export interface WebApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface WebApi {
  readonly orgUrl: string;
  get(pathAndQuery: string, headers?: Record<string, string>): Promise<WebApiResponse>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<WebApiResponse>;
}

export function createWebApi(orgUrl: string, tokens: TokenProvider, dispatcher: Dispatcher): WebApi {
  const base = `${orgUrl}/api/data/v9.2/`;

  async function send(method: "GET" | "POST", pathAndQuery: string, body?: unknown, extra?: Record<string, string>) {
    const token = await tokens.getToken();
    let response: Dispatcher.ResponseData;
    let text: string;
    try {
      response = await request(base + pathAndQuery, {
        method,
        dispatcher,
        headers: {
          accept: "application/json",
          "content-type": "application/json; charset=utf-8",
          "odata-maxversion": "4.0",
          "odata-version": "4.0",
          "if-none-match": "null",
          authorization: `Bearer ${token}`,
          ...extra,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      text = await response.body.text();
    } catch (error) {
      const code = (error as { code?: string }).code ?? "";
      throw new DataverseError(`Dataverse unreachable: ${code} ${(error as Error).message}`.trim(), undefined, undefined, undefined, !NOT_SENT.has(code));
    }
    const parsed = text ? safeJson(text) : undefined;
    if (response.statusCode >= 400) throw toDataverseError(response, parsed);
    return { status: response.statusCode, headers: response.headers, body: parsed };
  }

  return {
    orgUrl,
    get: (pathAndQuery, headers) => send("GET", pathAndQuery, undefined, headers),
    post: (path, body, headers) => send("POST", path, body, headers),
  };
}

function toDataverseError(response: Dispatcher.ResponseData, body: unknown): DataverseError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const message = typeof error?.message === "string" ? error.message : `HTTP ${response.statusCode}`;
  const code = typeof error?.code === "string" ? error.code : undefined;
  const retryAfter = Number(response.headers["retry-after"]);
  // A 4xx (429 included: service protection refuses before executing) means nothing was done.
  return new DataverseError(
    `Dataverse answered ${response.statusCode}: ${message}`,
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
