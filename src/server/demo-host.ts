// The demo host pages (public/) on a second origin, as a customer's website would be: they embed
// the widget by script tag, iframe and single-page app, under a strict Content-Security-Policy with
// no inline script or style, which the embed must live with. Started by `npm start` on the simulator.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono } from "hono";

export const PUBLIC_DIR = fileURLToPath(new URL("../../public/", import.meta.url));
// The portal page signs its users in itself, with msal-browser's browser build (a global `msal`).
// (Not among the package's exports: found beside its package.json.)
const MSAL_BROWSER = path.join(path.dirname(createRequire(import.meta.url).resolve("@azure/msal-browser/package.json")), "lib", "msal-browser.min.js");

/** The demo portal's own sign-in (its app registration in the development tenant). */
export interface PortalSignIn {
  authority: string;
  clientId: string;
  scope: string;
}

/** What a strict host site would allow: itself, the BFF's script, API and iframe; nothing inline. */
export function demoCsp(bffOrigin: string, port: number, identityProvider?: string): string {
  const otherHost = `http://localhost:${port} http://127.0.0.1:${port}`;
  return [
    "default-src 'self'",
    `script-src 'self' ${bffOrigin}`,
    `connect-src ${[bffOrigin, identityProvider].filter(Boolean).join(" ")}`,
    `frame-src ${bffOrigin} ${otherHost}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
  ].join("; ");
}

export async function startDemoHost(options: { port: number; host: string; bffOrigin: string; signIn?: PortalSignIn }): Promise<{ origin: string; close(): Promise<void> }> {
  const app = new Hono();
  const idpOrigin = options.signIn && new URL(options.signIn.authority).origin;
  app.get("/vendor/msal-browser.min.js", (c) => c.body(readFileSync(MSAL_BROWSER, "utf8"), 200, { "Content-Type": "text/javascript; charset=utf-8" }));
  app.get("/:page{[a-z-]*\\.html}", (c) => {
    let html: string;
    try {
      html = readFileSync(path.join(PUBLIC_DIR, c.req.param("page")), "utf8");
    } catch {
      return c.notFound();
    }
    c.header("Content-Security-Policy", demoCsp(options.bffOrigin, options.port, idpOrigin));
    return c.html(
      html
        .replaceAll("{{BFF}}", options.bffOrigin)
        .replaceAll("{{AUTHORITY}}", options.signIn?.authority ?? "")
        .replaceAll("{{CLIENT_ID}}", options.signIn?.clientId ?? "")
        .replaceAll("{{SCOPE}}", options.signIn?.scope ?? ""),
    );
  });
  app.get("/", (c) => c.redirect("/index.html"));
  app.use("/*", serveStatic({ root: PUBLIC_DIR }));
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
