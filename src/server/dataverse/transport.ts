// One undici connection pool for everything the BFF sends to Microsoft's cloud (token endpoint
// and Dataverse). undici's request() with keep-alive forwards ~2.5x faster than fetch on this
// hardware; the extra CA lets the same code trust the simulator or a corporate TLS proxy.
import { createSecureContext, rootCertificates } from "node:tls";
import type { Dispatcher } from "undici";
import { Agent, request } from "../outbound-http";
import type { IncomingHttpHeaders } from "undici/types/header";
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from "@azure/msal-node";

export interface TransportOptions {
  timeoutMs: number;
  extraCaPem?: string;
}

export function createDispatcher(options: TransportOptions): Dispatcher {
  return new Agent({
    connect: {
      // One secure context for every connection: given `ca` instead, each new connection parses
      // the ~140 root certificates again (milliseconds of CPU per connection).
      secureContext: options.extraCaPem ? createSecureContext({ ca: [...rootCertificates, options.extraCaPem] }) : undefined,
      timeout: options.timeoutMs,
    },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    keepAliveTimeout: 30_000,
    // Dataverse serves an application user at most 52 requests at once (service protection
    // limits); more would be answered 429. (Fewer, 16, cost ~15 % of the callback throughput here.)
    connections: 48,
  });
}

/** MSAL's network interface over our dispatcher, so token requests share its trust and timeouts. */
export function msalNetworkClient(dispatcher: Dispatcher): INetworkModule {
  async function send<T>(method: "GET" | "POST", url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    const response = await request(url, { method, dispatcher, headers: options?.headers, body: options?.body });
    const text = await response.body.text();
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
    }
    return { status: response.statusCode, headers, body: (text ? JSON.parse(text) : {}) as T };
  }
  return {
    sendGetRequestAsync: (url, options) => send("GET", url, options),
    sendPostRequestAsync: (url, options) => send("POST", url, options),
  };
}

export interface CallAnswer {
  statusCode: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/**
 * One request and its whole answer as text, through undici's dispatch() with a handler that keeps
 * the chunks: half the client-side cost of request() (no response stream to build and drain), and
 * this BFF sends two such requests for every callback. Aborting `signal` gives the call up and
 * closes its socket, as request() does.
 */
export function call(dispatcher: Dispatcher, options: { origin: string; path: string; method: "GET" | "POST"; headers: Record<string, string>; body?: string; signal?: AbortSignal }): Promise<CallAnswer> {
  const { signal } = options;
  return new Promise<CallAnswer>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    let controller: Dispatcher.DispatchController | undefined;
    let answer: { statusCode: number; headers: IncomingHttpHeaders } | undefined;
    const chunks: Buffer[] = [];
    const onAbort = () => (controller ? controller.abort(signal!.reason) : settle(() => reject(signal!.reason)));
    let settled = false;
    const settle = (then: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      then();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    dispatcher.dispatch(
      { origin: options.origin, path: options.path, method: options.method, headers: options.headers, body: options.body },
      {
        onRequestStart(started) {
          controller = started;
          if (settled) started.abort(signal?.reason);
        },
        onResponseStart(_controller, statusCode, headers) {
          answer = { statusCode, headers: headers as IncomingHttpHeaders };
        },
        onResponseData(_controller, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          settle(() => resolve({ statusCode: answer!.statusCode, headers: answer!.headers, text: chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8") }));
        },
        onResponseError(_controller, error) {
          settle(() => reject(error));
        },
      },
    );
  });
}
