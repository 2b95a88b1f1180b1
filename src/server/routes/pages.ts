// The pages and files the BFF serves to browsers: the standalone callback page, the iframe page
// (the same HTML, framed only by a profile's allowed origins), the script-tag loader and the
// widget bundle other origins import, and plain pages for signed links that cannot be used.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Context, Hono, MiddlewareHandler } from "hono";
import { getMimeType } from "hono/utils/mime";
import { describeError } from "../../shared/error-codes";
import { captchaOrigins } from "../abuse/bot-defence";
import { preferredEncoding, type Encoding } from "../content-encoding";
import type { AppDeps, AppEnv } from "../app";
import { signInOrigins } from "../profiles";

/**
 * No inline script or style anywhere: the widget works under a strict CSP, and so do our pages.
 * A profile with a CAPTCHA adds its provider's origins for scripts, frames and requests; `connect`
 * adds the identity provider a page signs in with (MSAL reads its metadata and tokens).
 */
export function pageCsp(frameAncestors: string, captcha: string[] = [], connect: string[] = []): string {
  const plus = (base: string, ...more: string[][]) => [base, ...more.flat()].join(" ");
  return [
    "default-src 'self'",
    `script-src ${plus("'self'", captcha)}`,
    "style-src 'self'",
    `connect-src ${plus("'self'", captcha, connect)}`,
    `frame-src ${plus("'self'", captcha)}`,
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
  const html = (name: string) => (existsSync(path.join(root, name)) ? readFileSync(path.join(root, name), "utf8") : undefined);
  const indexHtml = html("index.html")!;
  const adminHtml = html("admin.html") ?? "<!doctype html><title>Admin</title><p>The admin page is not built (npm run build).";
  const bridgeHtml = html("auth-redirect.html") ?? "<!doctype html><title>Sign-in</title>";

  // A profile's page, with its first answers asked for as the HTML arrives (one per profile).
  const profilePages = new Map<string, string>();
  const pageFor = (profileId: string) => {
    let body = profilePages.get(profileId);
    if (body === undefined) {
      body = withDataPreloads(indexHtml, profileId);
      if (profilePages.size < 1000) profilePages.set(profileId, body);
    }
    return body;
  };

  const page = (c: Context, frameAncestors: string, profileId?: string) => {
    const profile = deps.profiles.get(profileId ?? "");
    const captcha = profile?.botDefence.captcha;
    c.header("Content-Security-Policy", pageCsp(frameAncestors, captcha ? captchaOrigins(captcha) : [], signInOrigins(profile)));
    c.header("Cache-Control", "no-cache");
    return c.html(profile ? pageFor(profile.id) : indexHtml);
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

  // The admin page: its own bundle (MSAL and all), never part of what visitors download.
  app.get("/admin", (c) => {
    const authority = deps.auth.admin.page?.authority;
    c.header("Content-Security-Policy", pageCsp("'none'", [], authority ? [new URL(authority).origin] : []));
    c.header("Cache-Control", "no-cache");
    return c.html(adminHtml);
  });

  // MSAL's redirect bridge: where the sign-in popup lands, to hand the answer to the widget.
  app.get("/auth/redirect", (c) => {
    c.header("Content-Security-Policy", pageCsp("'none'"));
    c.header("Cache-Control", "no-cache");
    return c.html(bridgeHtml);
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

  // Files other origins load: module scripts are fetched with CORS, so they say anyone may. They
  // are public, so a host page's own performance monitoring may see their full timing too
  // (without Timing-Allow-Origin, Resource Timing shows another origin's file as start and end only).
  const forAnyOrigin = (c: Context) => {
    c.res.headers.set("Access-Control-Allow-Origin", "*");
    c.res.headers.set("Timing-Allow-Origin", "*");
  };
  app.use("/embed.js", async (c, next) => {
    await next();
    c.res.headers.set("Cache-Control", "public, max-age=300");
    forAnyOrigin(c);
  });
  app.use("/embed/*", async (c, next) => {
    await next();
    c.res.headers.set("Cache-Control", "no-cache");
    forAnyOrigin(c);
  });
  app.use("/assets/*", async (c, next) => {
    await next();
    if (c.res.status === 200) c.res.headers.set("Cache-Control", "public, max-age=31536000, immutable");
    forAnyOrigin(c);
  });
  app.use("/*", builtFiles(root));
  app.use("/*", serveStatic({ root, precompressed: true }));
}

/**
 * The page with `<link rel="preload" as="fetch">` for the profile and its times, the widget's first
 * two GETs: the browser asks for them while it parses the page, in parallel with the scripts,
 * instead of once a script has run. The widget's own fetches (same address, same mode and
 * credentials) then take these answers rather than asking again.
 */
export function withDataPreloads(html: string, profileId: string): string {
  const profilePath = `/api/v1/profiles/${encodeURIComponent(profileId)}`;
  const links = [profilePath, `${profilePath}/availability`].map((href) => `<link rel="preload" as="fetch" crossorigin href="${href}">`).join("");
  // Before the scripts, so that the answers are asked for first.
  return html.replace(/<\/title>/i, (end) => `${end}${links}`);
}

/**
 * The widget's built scripts and styles, read once and served from memory with an ETag: every
 * visitor of every host page asks for them, and reading them from disk on each request costs the
 * BFF more than the API calls that follow. The build's brotli and gzip copies (scripts/precompress.mjs)
 * go to browsers that accept them: a third of the bytes, compressed once rather than per request.
 */
function builtFiles(root: string): MiddlewareHandler {
  const files = new Map<string, BuiltFile>();
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.(?:js|css)$/.test(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    const urlPath = `/${path.relative(root, file).split(path.sep).join("/")}`;
    files.set(urlPath, {
      type: getMimeType(file) ?? "application/octet-stream",
      identity: variant(readFileSync(file)),
      br: existsSync(`${file}.br`) ? variant(readFileSync(`${file}.br`), "br") : undefined,
      gzip: existsSync(`${file}.gz`) ? variant(readFileSync(`${file}.gz`), "gzip") : undefined,
    });
  }
  return async (c, next) => {
    const file = c.req.method === "GET" || c.req.method === "HEAD" ? files.get(c.req.path) : undefined;
    if (!file) return next();
    const chosen = pickEncoding(file, c.req.header("accept-encoding"));
    c.header("Vary", "Accept-Encoding");
    c.header("ETag", chosen.etag);
    if (c.req.header("if-none-match") === chosen.etag) return c.body(null, 304);
    c.header("Content-Type", file.type);
    if (chosen.encoding) c.header("Content-Encoding", chosen.encoding);
    return c.req.method === "HEAD" ? c.body(null, 200) : c.body(chosen.body, 200);
  };
}

interface BuiltFile {
  type: string;
  identity: Variant;
  br?: Variant;
  gzip?: Variant;
}

interface Variant {
  body: Uint8Array<ArrayBuffer>;
  etag: string;
  encoding?: Encoding;
}

function variant(bytes: Buffer, encoding?: Encoding): Variant {
  const body = new Uint8Array(bytes);
  // Each encoding its own tag: a cache must not answer a gzip request's revalidation with brotli.
  const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
  return { body, etag, encoding };
}

function pickEncoding(file: BuiltFile, acceptEncoding: string | undefined): Variant {
  const encoding = preferredEncoding(acceptEncoding, { br: file.br !== undefined, gzip: file.gzip !== undefined });
  return (encoding && file[encoding]) || file.identity;
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
