// Abuse and security over real HTTP: rate limits by address, number and profile; which address to
// believe behind a proxy; the honeypot, the minimum fill time and a CAPTCHA checked against a local
// stand-in for the provider's siteverify; security headers; personal data encrypted at rest.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { aroundTheClockProfile, startHarness, type Harness } from "../test-harness";

const NOW = Date.parse("2030-03-12T09:00:00Z");
let clock = NOW;
const baseProfile = aroundTheClockProfile;

let h: Harness | undefined;
let verifier: Server | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  await new Promise((resolve) => (verifier ? verifier.close(resolve) : resolve(undefined)));
  verifier = undefined;
});

async function harness(profile: Record<string, unknown> = {}, env: Record<string, string> = {}) {
  clock = NOW;
  // A stand-in for the built widget, so that the BFF serves its pages.
  const staticRoot = mkdtempSync(path.join(tmpdir(), "cw-pages-"));
  writeFileSync(path.join(staticRoot, "index.html"), "<!doctype html><title>widget</title>");
  h = await startHarness({ profiles: { profiles: { line: { ...baseProfile, ...profile } } }, now: () => clock, env, staticRoot });
  return h;
}

let phones = 0;
const callback = (overrides: Record<string, unknown> = {}) => ({
  profile: "line",
  phone: `+3361${String(++phones).padStart(7, "0")}`,
  timeZone: "UTC",
  consent: true,
  windows: [{ start: "2030-03-12T10:00:00.000Z", end: "2030-03-12T10:30:00.000Z" }],
  ...overrides,
});

async function post(harnessed: Harness, body: unknown, headers: Record<string, string> = {}) {
  const response = await request(`${harnessed.bff.url}/api/v1/callbacks`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.statusCode, headers: response.headers, body: (await response.body.json()) as { errors?: Array<{ field: string; code: string }>; [k: string]: unknown } };
}

describe("rate limits", () => {
  it("answers 429 with Retry-After once an address has used its allowance, without reading the body", async () => {
    const harnessed = await harness({}, { RATE_LIMIT_PER_ADDRESS: "3/60s" });
    for (let i = 0; i < 3; i++) expect((await post(harnessed, callback())).status).toBe(201);
    const refused = await post(harnessed, callback());
    expect(refused.status).toBe(429);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    expect(refused.headers["content-type"]).toContain("application/problem+json");
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: "", code: "rate_limited" })]);
    // Even garbage is refused by the limit, before parsing.
    const garbage = await request(`${harnessed.bff.url}/api/v1/callbacks`, { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
    expect(garbage.statusCode).toBe(429);
    // Once known, a refusal is answered before the app (flood-guard.ts): the same answer, headers included.
    const again = await request(`${harnessed.bff.url}/api/v1/callbacks`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://shop.example" },
      body: JSON.stringify(callback()),
    });
    const body = (await again.body.json()) as { status: number; errors: Array<{ code: string }>; requestId: string };
    expect(again.statusCode).toBe(429);
    expect(body).toMatchObject({ status: 429, errors: [{ field: "", code: "rate_limited" }] });
    expect(again.headers["x-request-id"]).toBe(body.requestId);
    expect(again.headers["content-type"]).toBe("application/problem+json");
    expect(Number(again.headers["retry-after"])).toBeGreaterThan(0);
    expect(again.headers["x-content-type-options"]).toBe("nosniff");
    // Not a page the profile allows: no CORS grant, as the app would answer.
    expect(again.headers["access-control-allow-origin"]).toBeUndefined();
    expect(harnessed.simulator.ledger()).toHaveLength(3);
  });

  it("keeps refusing a flooding address across a clock boundary, and lets it back in at the refill rate", async () => {
    const harnessed = await harness({}, { RATE_LIMIT_PER_ADDRESS: "3/60s" });
    // NOW is on a minute: the allowance is spent just before the next one.
    clock = NOW + 59_999;
    for (let i = 0; i < 3; i++) expect((await post(harnessed, callback())).status).toBe(201);
    clock = NOW + 60_001;
    const refused = await post(harnessed, callback());
    expect(refused.status).toBe(429);
    expect(refused.headers["retry-after"]).toBe("20"); // 60 s / 3: the first request's share refills
    clock = NOW + 59_999 + 20_000;
    expect((await post(harnessed, callback())).status).toBe(201);
    expect((await post(harnessed, callback())).status).toBe(429);
    expect(harnessed.simulator.ledger()).toHaveLength(4);
  });

  it("lets a page the profile allows read the refusal of a flood, as it reads every other answer", async () => {
    const shop = "https://shop.example";
    const harnessed = await harness({ allowedOrigins: [shop] }, { RATE_LIMIT_PER_ADDRESS: "1/60s" });
    const send = () => request(`${harnessed.bff.url}/api/v1/callbacks`, { method: "POST", headers: { "content-type": "application/json", origin: shop }, body: JSON.stringify(callback()) });
    for (const expected of [201, 429, 429]) {
      const answer = await send();
      await answer.body.dump();
      expect(answer.statusCode).toBe(expected);
      expect(answer.headers["access-control-allow-origin"]).toBe(shop);
    }
  });

  it("keeps anyone from having a number called again and again", async () => {
    const harnessed = await harness({ limits: { perNumber: { max: 2, windowSeconds: 3600 } } });
    const phone = "+33612000999";
    expect((await post(harnessed, callback({ phone }))).status).toBe(201);
    expect((await post(harnessed, callback({ phone: "06 12 00 09 99", country: "FR" }))).status).toBe(201);
    const third = await post(harnessed, callback({ phone }));
    expect(third.status).toBe(429);
    expect(third.body.errors).toEqual([expect.objectContaining({ field: "phone", code: "phone_rate_limited" })]);
    expect(harnessed.simulator.ledger()).toHaveLength(2);
    clock += 3600_001; // the first two now lie outside the hour
    expect((await post(harnessed, callback({ phone, windows: [{ start: "2030-03-12T10:30:00.000Z", end: "2030-03-12T11:00:00.000Z" }] }))).status).toBe(201);
  });

  it("limits a whole profile", async () => {
    const harnessed = await harness({ limits: { perProfile: { max: 2, windowSeconds: 60 } } });
    await post(harnessed, callback());
    await post(harnessed, callback());
    expect((await post(harnessed, callback())).status).toBe(429);
  });

  it("believes X-Forwarded-For only from a trusted proxy", async () => {
    const trusting = await harness({}, { RATE_LIMIT_PER_ADDRESS: "1/60s", TRUSTED_PROXIES: "loopback" });
    expect((await post(trusting, callback(), { "x-forwarded-for": "203.0.113.7" })).status).toBe(201);
    expect((await post(trusting, callback(), { "x-forwarded-for": "203.0.113.7" })).status).toBe(429);
    expect((await post(trusting, callback(), { "x-forwarded-for": "203.0.113.8" })).status).toBe(201);
    await trusting.close();

    h = undefined;
    const untrusting = await harness({}, { RATE_LIMIT_PER_ADDRESS: "1/60s" });
    expect((await post(untrusting, callback(), { "x-forwarded-for": "203.0.113.7" })).status).toBe(201);
    expect((await post(untrusting, callback(), { "x-forwarded-for": "203.0.113.8" })).status).toBe(429); // same socket address
  });
});

describe("bot defences", () => {
  it("refuses a filled-in honeypot", async () => {
    const harnessed = await harness();
    const refused = await post(harnessed, callback({ website: "http://spam.example" }));
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: "website", code: "bot_suspected" })]);
    expect(harnessed.simulator.ledger()).toHaveLength(0);
  });

  it("refuses a form sent faster than the minimum fill time, or without its token", async () => {
    const harnessed = await harness({ botDefence: { minFillSeconds: 4 } });
    const profile = (await (await request(`${harnessed.bff.url}/api/v1/profiles/line`)).body.json()) as { formToken: string; minFillSeconds: number };
    expect(profile.minFillSeconds).toBe(4);

    expect((await post(harnessed, callback())).body.errors).toEqual([expect.objectContaining({ field: "formToken", code: "form_token_missing" })]);
    expect((await post(harnessed, callback({ formToken: "v1.123.forged" }))).body.errors).toEqual([expect.objectContaining({ code: "form_token_missing" })]);
    clock += 3_999;
    expect((await post(harnessed, callback({ formToken: profile.formToken }))).body.errors).toEqual([expect.objectContaining({ field: "formToken", code: "form_too_fast" })]);
    clock += 1;
    expect((await post(harnessed, callback({ formToken: profile.formToken }))).status).toBe(201);
  });

  it("checks a CAPTCHA answer with the provider's siteverify (a local stand-in)", async () => {
    const received: URLSearchParams[] = [];
    verifier = createServer((req, res) => {
      let text = "";
      req.on("data", (chunk) => (text += chunk));
      req.on("end", () => {
        const form = new URLSearchParams(text);
        received.push(form);
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ success: form.get("secret") === "captcha-secret" && form.get("response") === "human" }));
      });
    });
    await new Promise<void>((resolve) => verifier!.listen(0, "127.0.0.1", resolve));
    const verifyUrl = `http://127.0.0.1:${(verifier.address() as AddressInfo).port}/siteverify`;
    const harnessed = await harness({ botDefence: { captcha: { provider: "turnstile", siteKey: "site-key", verifyUrl } } }, { CAPTCHA_SECRET: "captcha-secret" });

    const profile = (await (await request(`${harnessed.bff.url}/api/v1/profiles/line`)).body.json()) as { captcha: unknown };
    expect(profile.captcha).toEqual({ provider: "turnstile", siteKey: "site-key", scriptUrl: "https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit" });
    expect((await post(harnessed, callback())).body.errors).toEqual([expect.objectContaining({ field: "captchaToken", code: "captcha_required" })]);
    expect((await post(harnessed, callback({ captchaToken: "robot" }))).body.errors).toEqual([expect.objectContaining({ field: "captchaToken", code: "captcha_failed" })]);
    expect((await post(harnessed, callback({ captchaToken: "human" }))).status).toBe(201);
    expect(received.map((form) => [form.get("secret"), form.get("response"), form.get("remoteip")])).toEqual([
      ["captcha-secret", "robot", "127.0.0.1"],
      ["captcha-secret", "human", "127.0.0.1"],
    ]);
    expect(harnessed.simulator.ledger()).toHaveLength(1);

    // The pages of this line let the provider's widget load, and only its origin.
    const page = await request(`${harnessed.bff.url}/callback/line`);
    await page.body.text();
    const csp = String(page.headers["content-security-policy"]);
    expect(csp).toContain("script-src 'self' https://challenges.cloudflare.com;");
    expect(csp).toContain("frame-src 'self' https://challenges.cloudflare.com;");
  });

  it("answers 503 with Retry-After, and places no call, when the provider cannot be asked", async () => {
    verifier = createServer((_req, res) => {
      res.statusCode = 502;
      res.end("bad gateway");
    });
    await new Promise<void>((resolve) => verifier!.listen(0, "127.0.0.1", resolve));
    const down = `http://127.0.0.1:${(verifier.address() as AddressInfo).port}/siteverify`;
    const harnessed = await harness({ botDefence: { captcha: { provider: "hcaptcha", siteKey: "k", verifyUrl: down } } }, { CAPTCHA_SECRET: "s" });
    const answer = await post(harnessed, callback({ captchaToken: "human" }));
    expect(answer.status).toBe(503);
    expect(answer.headers["retry-after"]).toBe("5");
    expect(answer.body.errors).toEqual([expect.objectContaining({ field: "captchaToken", code: "captcha_unavailable" })]);
    expect(harnessed.simulator.stats().actionCalls).toBe(0);
  });

  it("will not start with a CAPTCHA but no secret to check it with", async () => {
    await expect(harness({ botDefence: { captcha: { provider: "recaptcha", siteKey: "k" } } })).rejects.toThrow(/CAPTCHA_SECRET: profiles line use a CAPTCHA/);
  });
});

describe("headers and personal data", () => {
  it("sends security headers and the request id on every answer, and HSTS only behind TLS", async () => {
    const harnessed = await harness({}, { TRUSTED_PROXIES: "loopback" });
    const plain = await request(`${harnessed.bff.url}/api/v1/profiles/line`);
    expect(plain.headers["x-content-type-options"]).toBe("nosniff");
    expect(plain.headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(plain.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(plain.headers["strict-transport-security"]).toBeUndefined();
    const behindTls = await request(`${harnessed.bff.url}/healthz`, { headers: { "x-forwarded-proto": "https" } });
    expect(behindTls.headers["strict-transport-security"]).toContain("max-age=");
    const problem = await post(harnessed, { nope: true });
    expect(problem.body.requestId).toBe(problem.headers["x-request-id"]);
  });

  it("keeps numbers and names out of the database in clear when PERSONAL_DATA_KEY is set", async () => {
    const harnessed = await harness({}, { PERSONAL_DATA_KEY: "22".repeat(32) });
    const phone = "+33698765432";
    expect((await post(harnessed, callback({ phone, name: "Grace Hopper" }))).status).toBe(201);
    const dataDir = harnessed.dataDir;
    const bytes = readdirSync(dataDir)
      .filter((file) => file.startsWith("callback-widget.sqlite"))
      .map((file) => readFileSync(path.join(dataDir, file)).toString("latin1"))
      .join("");
    expect(bytes.length).toBeGreaterThan(0);
    expect(bytes).not.toContain("98765432");
    expect(bytes).not.toContain("Grace Hopper");
    expect(harnessed.simulator.ledger()[0]!.body).toMatchObject({ DestinationPhoneNumber: phone });
  });

  it("exposes Prometheus metrics for requests, the outbox and Dataverse", async () => {
    const harnessed = await harness();
    await post(harnessed, callback());
    await post(harnessed, callback({ consent: false }));
    const text = await (await request(`${harnessed.bff.url}/metrics`)).body.text();
    expect(text).toMatch(/callback_widget_callback_requests_total\{outcome="scheduled"\} 1/);
    expect(text).toMatch(/callback_widget_callback_requests_total\{outcome="refused"\} 1/);
    expect(text).toMatch(/callback_widget_outbox_depth 0/);
    expect(text).toMatch(/callback_widget_dataverse_request_duration_seconds_count\{operation="create_voice_delivery",outcome="ok"\} 1/);
    expect(text).toMatch(/callback_widget_http_requests_total\{method="POST",route="\/api\/v1\/callbacks",status="201"\} 1/);
  });
});
