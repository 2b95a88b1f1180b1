// Which address a request comes from. Behind a reverse proxy the socket shows the proxy, so
// X-Forwarded-For is believed only for hops listed in TRUSTED_PROXIES (proxy-addr, as Express does).
import type { IncomingMessage } from "node:http";
import proxyAddr from "proxy-addr";

export type AddressResolver = (incoming: IncomingMessage | undefined) => string;

export function createAddressResolver(trustedProxies: string[]): AddressResolver {
  const trust = compiled(trustedProxies);
  return (incoming) => {
    if (!incoming?.socket) return "unknown";
    try {
      return proxyAddr(incoming, trust);
    } catch {
      return incoming.socket.remoteAddress ?? "unknown";
    }
  };
}

// The trusted-proxy list is the same on every request: compile it once.
const compiledLists = new WeakMap<string[], ReturnType<typeof proxyAddr.compile>>();
function compiled(trustedProxies: string[]): ReturnType<typeof proxyAddr.compile> {
  let trust = compiledLists.get(trustedProxies);
  if (!trust) compiledLists.set(trustedProxies, (trust = proxyAddr.compile(trustedProxies)));
  return trust;
}

/** Whether the visitor's connection was TLS: directly, or as a trusted proxy says. */
export function isSecureRequest(incoming: IncomingMessage | undefined, trustedProxies: string[]): boolean {
  if (!incoming) return false;
  if ((incoming.socket as { encrypted?: boolean }).encrypted) return true;
  const proto = incoming.headers["x-forwarded-proto"];
  if (typeof proto !== "string") return false;
  const trust = compiled(trustedProxies);
  return trust(incoming.socket.remoteAddress ?? "", 0) && proto.split(",")[0]!.trim() === "https";
}
