// The pages and files the BFF serves to browsers: the standalone callback page, the iframe page
// (the same HTML, framed only by a profile's allowed origins), the script-tag loader and the
// widget bundle other origins import, and plain pages for signed links that cannot be used.
import { readFileSync } from "node:fs";
import path from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Context, Hono } from "hono";
import { describeError } from "../../shared/error-codes";
import { captchaOrigins } from "../abuse/bot-defence";
import type { AppDeps, AppEnv } from "../app";

/**
 * No inline script or style anywhere: the widget works under a strict CSP, and so do our pages.
 * A profile with a CAPTCHA adds its provider's origins for scripts, frames and requests.
 */
export function pageCsp(frameAncestors: string, captcha: string[] = []): string {
  const plus = (base: string) => [base, ...captcha].join(" ");
  return [
    "default-src 'self'",
    `script-src ${plus("'self'")}`,
    "style-src 'self'",
    `connect-src ${plus("'self'")}`,
    `frame-src ${plus("'self'")}`,
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors}`,
  ].join("; ");
}

export function registerPages(app: Hono<AppEnv>, deps: AppDeps): void {
  const root = deps.staticRoot;
  if (!root) return;
  const indexHtml = readFileSync(path.join(root, "index.html"), "utf8");

  const page = (c: Context, frameAncestors: string, profileId?: string) => {
    const captcha = deps.profiles.get(profileId ?? "")?.botDefence.captcha;
    c.header("Content-Security-Policy", pageCsp(frameAncestors, captcha ? captchaOrigins(captcha) : []));
    c.header("Cache-Control", "no-cache");
    return c.html(indexHtml);
  };

  /** A page opened with ?link= shows the form only if the link is good: a bad one gets a page saying so. */
  const refusedLink = (c: Context, profile: string, frameAncestors: string): Response | undefined => {
    const link = c.req.query("link");
    if (link === undefined) return undefined;
    const check = deps.links.verify(link, profile);
    if (check.ok) return undefined;
    const title = check.reason === "link_expired" ? "This link has expired" : "This link is not valid";
    return notice(c, check.reason === "link_expired" ? 410 : 400, title, describeError(check.reason), `/callback/${encodeURIComponent(profile)}`, frameAncestors);
  };

  app.get("/", (c) => {
    const profile = c.req.query("profile") || "default";
    return refusedLink(c, profile, "'none'") ?? page(c, "'none'", profile);
  });

  app.get("/callback/:profile", (c) => {
    const profile = c.req.param("profile");
    if (!deps.profiles.has(profile)) return notice(c, 404, "Unknown callback line", `There is no callback line called “${profile}”.`);
    return refusedLink(c, profile, "'none'") ?? page(c, "'none'", profile);
  });

  // A request's own page (from the confirmation, the invite or an email): its status, and Cancel.
  app.get("/requests/:requestId", (c) => page(c, "'none'"));

  app.get("/embed/iframe", (c) => {
    const profile = deps.profiles.get(c.req.query("profile") ?? "");
    if (!profile) return notice(c, 404, "Unknown callback line", "This page needs the ?profile= of a callback line.");
    const ancestors = ["'self'", ...profile.allowedOrigins].join(" ");
    return refusedLink(c, profile.id, ancestors) ?? page(c, ancestors, profile.id);
  });

  // Files other origins load: module scripts are fetched with CORS, so they say anyone may.
  app.use("/embed.js", async (c, next) => {
    await next();
    c.header("Cache-Control", "public, max-age=300");
    c.header("Access-Control-Allow-Origin", "*");
  });
  app.use("/embed/*", async (c, next) => {
    await next();
    c.header("Cache-Control", "no-cache");
    c.header("Access-Control-Allow-Origin", "*");
  });
  app.use("/assets/*", async (c, next) => {
    await next();
    if (c.res.status === 200) c.header("Cache-Control", "public, max-age=31536000, immutable");
    c.header("Access-Control-Allow-Origin", "*");
  });
  app.use("/*", serveStatic({ root, precompressed: true }));
}

function notice(c: Context, status: 400 | 404 | 410, title: string, message: string, retry?: string, frameAncestors = "'none'"): Response {
  const escape = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  c.header("Content-Security-Policy", pageCsp(frameAncestors));
  return c.html(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title></head>` +
      `<body><main><h1>${escape(title)}</h1><p>${escape(message)}</p>${retry ? `<p><a href="${escape(retry)}">Request a callback</a></p>` : ""}</main></body></html>`,
    status,
  );
}
