// The demo host pages (public/) on a second origin, as a customer's website would be: they embed
// the widget by script tag, iframe and single-page app, under a strict Content-Security-Policy with
// no inline script or style, which the embed must live with. Started by `npm start` on the simulator.
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono } from "hono";

export const PUBLIC_DIR = fileURLToPath(new URL("../../public/", import.meta.url));

/** What a strict host site would allow: itself, the BFF's script, API and iframe; nothing inline. */
export function demoCsp(bffOrigin: string, port: number): string {
  const otherHost = `http://localhost:${port} http://127.0.0.1:${port}`;
  return [
    "default-src 'self'",
    `script-src 'self' ${bffOrigin}`,
    `connect-src ${bffOrigin}`,
    `frame-src ${bffOrigin} ${otherHost}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
  ].join("; ");
}

export async function startDemoHost(options: { port: number; host: string; bffOrigin: string }): Promise<{ origin: string; close(): Promise<void> }> {
  const app = new Hono();
  app.get("/:page{[a-z-]*\\.html}", (c) => {
    let html: string;
    try {
      html = readFileSync(path.join(PUBLIC_DIR, c.req.param("page")), "utf8");
    } catch {
      return c.notFound();
    }
    c.header("Content-Security-Policy", demoCsp(options.bffOrigin, options.port));
    return c.html(html.replaceAll("{{BFF}}", options.bffOrigin));
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
