// What lets the widget live on other sites, over real HTTP: CORS per profile, refusal of pages
// that are not allowed, frame-ancestors for the iframe page, and signed links.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { brotliDecompressSync, brotliCompressSync, gunzipSync, gzipSync } from "node:zlib";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadOrCreateKeyFile } from "./personal-data";
import { deriveKey } from "./server";
import { LinkSigner } from "./signed-links";
import { startHarness, supportProfile, type Harness } from "./test-harness";

const NOW = Date.parse("2030-03-12T09:00:00Z");
const SHOP = "https://shop.example.com";
const PORTAL = "https://portal.example.com";
const WIDGET = `export function mount() {}\n${"// the widget's code\n".repeat(200)}`;
let h: Harness;
let links: LinkSigner;

beforeAll(async () => {
  const pages = mkdtempSync(path.join(tmpdir(), "cw-pages-"));
  writeFileSync(path.join(pages, "index.html"), "<!doctype html><title>widget</title><main id=root></main>");
  writeFileSync(path.join(pages, "embed.js"), "// the loader\n");
  mkdirSync(path.join(pages, "embed"));
  writeFileSync(path.join(pages, "embed", "widget.js"), WIDGET);
  // What the build writes beside it (scripts/precompress.mjs).
  writeFileSync(path.join(pages, "embed", "widget.js.br"), brotliCompressSync(WIDGET));
  writeFileSync(path.join(pages, "embed", "widget.js.gz"), gzipSync(WIDGET));
  h = await startHarness({
    profiles: {
      profiles: {
        support: { ...supportProfile, allowedOrigins: [SHOP] },
        portal: { ...supportProfile, allowedOrigins: [PORTAL] },
      },
    },
    now: () => NOW,
    staticRoot: pages,
  });
  links = new LinkSigner(deriveKey(loadOrCreateKeyFile(h.dataDir, "secret.key"), "signed-link"), () => NOW);
});
afterAll(() => h?.close());

const get = async (pathname: string, headers: Record<string, string> = {}) => {
  const response = await request(h.bff.url + pathname, { headers });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
};
const post = async (body: unknown, headers: Record<string, string> = {}) => {
  const response = await request(`${h.bff.url}/api/v1/callbacks`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  return { status: response.statusCode, headers: response.headers, body: (await response.body.json()) as { errors?: Array<{ field: string; code: string }> } };
};
let phones = 0;
const callback = (overrides: Record<string, unknown> = {}) => ({
  profile: "support",
  phone: `+3361${String(++phones).padStart(7, "0")}`,
  timeZone: "Europe/Paris",
  consent: true,
  windows: [{ start: "2030-03-12T13:00:00.000Z", end: "2030-03-12T13:30:00.000Z" }],
  ...overrides,
});

describe("CORS from one allow-list per profile", () => {
  it("lets a profile's own origins read its answers, and nobody else", async () => {
    expect((await get("/api/v1/profiles/support", { origin: SHOP })).headers["access-control-allow-origin"]).toBe(SHOP);
    expect((await get("/api/v1/profiles/support", { origin: PORTAL })).headers["access-control-allow-origin"]).toBeUndefined();
    expect((await get("/api/v1/profiles/portal/availability", { origin: PORTAL })).headers["access-control-allow-origin"]).toBe(PORTAL);
    expect((await get("/api/v1/profiles/support", { origin: "https://evil.example" })).headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("answers the preflight of POST /callbacks for any profile's origin, with the headers the widget sends", async () => {
    const response = await request(`${h.bff.url}/api/v1/callbacks`, {
      method: "OPTIONS",
      headers: { origin: PORTAL, "access-control-request-method": "POST", "access-control-request-headers": "content-type,idempotency-key" },
    });
    expect(response.statusCode).toBe(204);
    expect(response.headers["access-control-allow-origin"]).toBe(PORTAL);
    expect(String(response.headers["access-control-allow-headers"]).toLowerCase()).toContain("idempotency-key");
    expect(response.headers["access-control-allow-methods"]).toBe("GET,POST");
    // A page no profile allows learns nothing it may do.
    const foreign = await request(`${h.bff.url}/api/v1/callbacks`, { method: "OPTIONS", headers: { origin: "https://evil.example", "access-control-request-method": "POST" } });
    expect(foreign.statusCode).toBe(204);
    expect(foreign.headers["access-control-allow-origin"]).toBeUndefined();
    expect(foreign.headers["access-control-allow-headers"]).toBeUndefined();
  });

  it("lets an allowed page read the answer's reference and refusal headers", async () => {
    const answer = await get("/api/v1/profiles/support", { origin: SHOP });
    expect(answer.headers.vary).toContain("Origin");
    expect(String(answer.headers["access-control-expose-headers"])).toContain("Retry-After");
    expect(String(answer.headers["access-control-expose-headers"])).toContain("X-Request-Id");
  });

  it("refuses to act for a page the body's profile does not allow, and places no call", async () => {
    const before = (await h.deliveries()).length;
    const refused = await post(callback(), { origin: PORTAL });
    expect(refused.status).toBe(403);
    expect(refused.body.errors).toEqual([expect.objectContaining({ code: "origin_not_allowed" })]);
    expect((await post(callback(), { origin: SHOP })).status).toBe(201);
    expect((await post(callback())).status).toBe(201); // no Origin: not a browser
    expect((await post(callback(), { origin: h.bff.url })).status).toBe(201); // the BFF's own pages
    expect((await h.deliveries()).length).toBe(before + 3);
  });
});

describe("pages", () => {
  it("lets only a profile's allowed origins frame its iframe page", async () => {
    const frame = await get("/embed/iframe?profile=portal");
    expect(frame.status).toBe(200);
    expect(frame.headers["content-security-policy"]).toContain(`frame-ancestors 'self' ${PORTAL}`);
    expect(frame.headers["content-security-policy"]).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect((await get("/embed/iframe?profile=nope")).status).toBe(404);
    expect((await get("/callback/support")).headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  });

  it("asks for a profile's first answers as its page arrives: preload links the widget's own fetches match", async () => {
    const preloads = (html: string) => [...html.matchAll(/<link rel="preload" as="fetch" crossorigin href="([^"]+)">/g)].map((match) => match[1]);
    const answers = ["/api/v1/profiles/support", "/api/v1/profiles/support/availability"];
    expect(preloads((await get("/callback/support")).text)).toEqual(answers);
    expect(preloads((await get("/?profile=support")).text)).toEqual(answers);
    expect(preloads((await get("/embed/iframe?profile=portal")).text)).toEqual(["/api/v1/profiles/portal", "/api/v1/profiles/portal/availability"]);
    // Only where there is a profile to load.
    expect(preloads((await get("/?profile=nope")).text)).toEqual([]);
    expect(preloads((await get("/requests/some-id?token=x")).text)).toEqual([]);
  });

  it("serves the widget's scripts to any origin, as module scripts need, with their timing visible to the host", async () => {
    const script = await get("/embed/widget.js");
    expect(script.status).toBe(200);
    expect(script.headers["access-control-allow-origin"]).toBe("*");
    expect(script.headers["timing-allow-origin"]).toBe("*");
    expect(script.headers["cache-control"]).toBe("no-cache");
    const loader = await get("/embed.js");
    expect(loader.headers["access-control-allow-origin"]).toBe("*");
    expect(loader.headers["timing-allow-origin"]).toBe("*");
    // The API is not a public file: no blanket timing permission there.
    expect((await get("/api/v1/profiles/support", { origin: SHOP })).headers["timing-allow-origin"]).toBeUndefined();
  });
});

describe("signed links", () => {
  const contactId = "761e062f-c734-ef11-8e4f-00224808a166";

  it("books the call for the link's contact, with its attributes, without looking the contact up", async () => {
    const link = links.sign({ profile: "support", contactId, attributes: { caseNumber: "CAS-1" }, expiresAt: NOW + 60_000 });
    // The simulator only accepts contacts it knows: seed this one.
    await h.seedContact({ contactid: contactId, lastname: "Linked" });
    const before = h.simulator.stats().contactQueries;
    const answer = await post(callback({ link }));
    expect(answer.status).toBe(201);
    expect(h.simulator.ledger().at(-1)!.body).toMatchObject({ ContactId: contactId, InputAttributes: { caseNumber: "CAS-1", type: "callback" } });
    expect(h.simulator.stats().contactQueries).toBe(before);
  });

  it("refuses a tampered, expired or borrowed link, and places no call", async () => {
    const before = (await h.deliveries()).length;
    const good = links.sign({ profile: "support", contactId, expiresAt: NOW + 60_000 });
    const [body, mac] = good.split(".");
    const tampered = `${Buffer.from(Buffer.from(body!, "base64url").toString().replace(contactId, "00000000-0000-4000-8000-000000000000")).toString("base64url")}.${mac}`;
    expect((await post(callback({ link: tampered }))).body.errors).toEqual([expect.objectContaining({ field: "link", code: "link_invalid" })]);
    const expired = links.sign({ profile: "support", contactId, expiresAt: NOW - 1 });
    expect((await post(callback({ link: expired }))).body.errors).toEqual([expect.objectContaining({ field: "link", code: "link_expired" })]);
    const otherProfile = links.sign({ profile: "portal", contactId, expiresAt: NOW + 60_000 });
    expect((await post(callback({ link: otherProfile }))).body.errors).toEqual([expect.objectContaining({ field: "link", code: "link_invalid" })]);
    expect((await h.deliveries()).length).toBe(before);

    // Every page that takes ?link= refuses a bad one rather than showing a form that would fail.
    expect((await get(`/callback/support?link=${tampered}`)).status).toBe(400);
    expect((await get(`/?profile=support&link=${tampered}`)).status).toBe(400);
    const framed = await get(`/embed/iframe?profile=support&link=${tampered}`);
    expect(framed.status).toBe(400);
    expect(framed.text).toContain("This link is not valid");
    const page = await get(`/callback/support?link=${expired}`);
    expect(page.status).toBe(410);
    expect(page.text).toContain("This link has expired");
    expect((await get(`/callback/support?link=${good}`)).status).toBe(200);
  });

  it("books calls only to the number a link names, however it is written", async () => {
    await h.seedContact({ contactid: contactId, lastname: "Linked" });
    const link = links.sign({ profile: "support", contactId, phone: "+33612345678", expiresAt: NOW + 60_000 });
    const before = h.simulator.stats();
    const stranger = await post(callback({ link, phone: "06 98 76 54 32" }));
    expect(stranger.status).toBe(422);
    expect(stranger.body.errors).toEqual([expect.objectContaining({ field: "phone", code: "link_phone_mismatch" })]);
    expect(h.simulator.stats().actionCalls).toBe(before.actionCalls);
    const own = await post(callback({ link, phone: "06 12 34 56 78" }));
    expect(own.status).toBe(201);
    expect(h.simulator.ledger().at(-1)!.body).toMatchObject({ ContactId: contactId, DestinationPhoneNumber: "+33612345678" });
  });
});

describe("the widget's scripts, compressed once at build time", () => {
  const fetchWidget = async (headers: Record<string, string>) => {
    const response = await request(`${h.bff.url}/embed/widget.js`, { headers });
    return { status: response.statusCode, headers: response.headers, body: Buffer.from(await response.body.arrayBuffer()) };
  };

  it("sends brotli where the browser takes it, then gzip, else the file as built", async () => {
    const br = await fetchWidget({ "accept-encoding": "gzip, deflate, br, zstd" });
    expect(br.headers["content-encoding"]).toBe("br");
    expect(brotliDecompressSync(br.body).toString()).toBe(WIDGET);
    const gzip = await fetchWidget({ "accept-encoding": "gzip" });
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gzip.body).toString()).toBe(WIDGET);
    const refusedBr = await fetchWidget({ "accept-encoding": "br;q=0, gzip;q=0.5" });
    expect(refusedBr.headers["content-encoding"]).toBe("gzip");
    const plain = await fetchWidget({ "accept-encoding": "identity" });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.toString()).toBe(WIDGET);
    for (const answer of [br, gzip, plain]) expect(answer.headers.vary).toContain("Accept-Encoding");
  });

  it("tags each encoding apart, so a revalidation never gets the other one", async () => {
    const br = await fetchWidget({ "accept-encoding": "br" });
    const plain = await fetchWidget({});
    expect(br.headers.etag).not.toBe(plain.headers.etag);
    expect((await fetchWidget({ "accept-encoding": "br", "if-none-match": String(br.headers.etag) })).status).toBe(304);
    expect((await fetchWidget({ "if-none-match": String(br.headers.etag) })).status).toBe(200);
  });
});
