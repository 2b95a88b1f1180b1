// undici's connection pool and its request(), without the rest of the package. `import "undici"`
// loads all of undici (fetch, WebSocket, caches, mocks, proxies: ~3 MB more of this server's heap,
// which uses none of them); these are the modules the server's outbound calls need. undici has no
// exports map: the paths are pinned by the lockfile, and every test that calls the simulator or a
// fake CAPTCHA provider goes through them.
import { createRequire } from "node:module";
import type * as Undici from "undici";

const require = createRequire(import.meta.url);

export const Agent = require("undici/lib/dispatcher/agent.js") as typeof Undici.Agent;
const { getGlobalDispatcher } = require("undici/lib/global.js") as { getGlobalDispatcher(): Undici.Dispatcher };
const requestOn = require("undici/lib/api/api-request.js") as (this: Undici.Dispatcher, options: Undici.Dispatcher.RequestOptions) => Promise<Undici.Dispatcher.ResponseData>;

export type RequestOptions = Omit<Undici.Dispatcher.RequestOptions, "origin" | "path" | "method"> & {
  method?: Undici.Dispatcher.HttpMethod;
  dispatcher?: Undici.Dispatcher;
};

/** undici's request(url, options): through `options.dispatcher`, else undici's global one. */
export function request(url: string, options: RequestOptions = {}): Promise<Undici.Dispatcher.ResponseData> {
  const { dispatcher = getGlobalDispatcher(), ...rest } = options;
  const target = new URL(url);
  // Object.assign rather than a spread followed by properties: see store/rows.ts.
  return requestOn.call(dispatcher, Object.assign({}, rest, { origin: target.origin, path: `${target.pathname}${target.search}`, method: rest.method ?? "GET" }));
}
