// Which address a request comes from. Behind a reverse proxy the socket shows the proxy, so
// X-Forwarded-For is believed only for hops listed in TRUSTED_PROXIES (proxy-addr, as Express does).
import type { IncomingMessage } from "node:http";
import proxyAddr from "proxy-addr";

export type AddressResolver = (incoming: IncomingMessage | undefined) => string;

export function createAddressResolver(trustedProxies: string[]): AddressResolver {
  const trust = proxyAddr.compile(trustedProxies);
  return (incoming) => {
    if (!incoming?.socket) return "unknown";
    try {
      return proxyAddr(incoming, trust);
    } catch {
      return incoming.socket.remoteAddress ?? "unknown";
    }
  };
}

/** Whether the visitor's connection was TLS: directly, or as a trusted proxy says. */
export function isSecureRequest(incoming: IncomingMessage | undefined, trustedProxies: string[]): boolean {
  if (!incoming) return false;
  if ((incoming.socket as { encrypted?: boolean }).encrypted) return true;
  const proto = incoming.headers["x-forwarded-proto"];
  if (typeof proto !== "string") return false;
  const trust = proxyAddr.compile(trustedProxies);
  return trust(incoming.socket.remoteAddress ?? "", 0) && proto.split(",")[0]!.trim() === "https";
}
