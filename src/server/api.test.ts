// Integration: the BFF and the Dataverse simulator over real HTTP(S), with the BFF's clock pinned
// to Tuesday 12 March 2030, 10:00 in Paris, so offered slots are known in advance.
import { createHash } from "node:crypto";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, supportProfile, type Harness } from "./test-harness";

const NOW = Date.parse("2030-03-12T09:00:00Z");
const CONFIG_ID = supportProfile.proactiveEngagementConfigId;
/** A line whose own language is French, with its texts in Arabic and English too. */
const POLYGLOT = {
  ...supportProfile,
  language: "fr",
  name: { fr: "Assistance", en: "Support", ar: "الدعم" },
  consent: { version: "v2", text: { fr: "Appelez-moi.", en: "Call me.", ar: "اتصلوا بي." } },
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ profiles: { profiles: { support: supportProfile, polyglot: POLYGLOT } }, now: () => NOW });
});
afterAll(() => h?.close());

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await request(h.bff.url + path, {
    method: method as "GET",
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.body.text();
  return { status: response.statusCode, type: String(response.headers["content-type"]), body: text ? JSON.parse(text) : undefined };
}

const request0 = (overrides: Record<string, unknown> = {}) => ({
  profile: "support",
  phone: "06 12 34 56 78",
  country: "FR",
  name: "Ada Lovelace",
  timeZone: "America/New_York",
  consent: true,
  windows: [
    { start: "2030-03-12T13:00:00.000Z", end: "2030-03-12T13:30:00.000Z" },
    { start: "2030-03-12T13:30:00.000Z", end: "2030-03-12T14:00:00.000Z" },
    { start: "2030-03-13T09:00:00.000Z", end: "2030-03-13T09:30:00.000Z" },
  ],
  attributes: { orderNumber: "ORD-42" },
  ...overrides,
});

describe("public profile and availability", () => {
  it("answers /healthz", async () => {
    expect((await call("GET", "/healthz")).status).toBe(200);
  });

  it("tells the widget what it needs and nothing the browser must not choose", async () => {
    const { status, body } = await call("GET", "/api/v1/profiles/support");
    expect(status).toBe(200);
    expect(body).toEqual({
      id: "support",
      name: "Support",
      timeZone: "Europe/Paris",
      slotMinutes: 30,
      horizonDays: 7,
      maxWindows: 3,
      allowedCountries: ["FR", "GB", "US"],
      defaultCountry: "FR",
      names: { en: "Support" },
      language: "en",
      consent: { version: "v1", text: "Call me, please.", language: "en", texts: { en: "Call me, please." } },
      attributes: ["orderNumber"],
      formToken: expect.stringMatching(/^v1\./),
      minFillSeconds: 0,
      allowedOrigins: [],
    });
    expect(JSON.stringify(body)).not.toContain(CONFIG_ID);
  });

  it("gives the line's name and consent text in the visitor's language when it has them, else in its own, and all of them", async () => {
    const texts = { fr: "Appelez-moi.", en: "Call me.", ar: "اتصلوا بي." };
    const arabic = (await call("GET", "/api/v1/profiles/polyglot?locale=ar-EG")).body;
    expect(arabic).toMatchObject({ name: "الدعم", names: POLYGLOT.name, language: "fr", consent: { version: "v2", text: "اتصلوا بي.", language: "ar", texts } });
    const german = (await call("GET", "/api/v1/profiles/polyglot?locale=de")).body;
    expect(german).toMatchObject({ name: "Assistance", consent: { text: "Appelez-moi.", language: "fr", texts } });
    expect((await call("GET", "/api/v1/profiles/polyglot")).body.consent).toMatchObject({ text: "Appelez-moi.", language: "fr" });
    const bad = await call("GET", "/api/v1/profiles/polyglot?locale=not%20a%20language");
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: "locale", code: "locale_invalid" })]);
  });

  it("offers future slots in business hours, with ASAP while open", async () => {
    const { status, body } = await call("GET", "/api/v1/profiles/support/availability");
    expect(status).toBe(200);
    expect(body.timeZone).toBe("Europe/Paris");
    expect(body.asap).toBe(true);
    expect(body.slots[0]).toEqual({ start: "2030-03-12T09:00:00.000Z", end: "2030-03-12T09:30:00.000Z", available: true });
    expect(body.slots).toHaveLength(14 + 4 * 16); // rest of Tuesday, then Wed, Thu, Fri, Mon
    expect(body.slots.every((s: { start: string }) => Date.parse(s.start) >= NOW)).toBe(true);
  });

  it("sends the times compressed to clients that take it, the same answer either way", async () => {
    const fetchTimes = async (acceptEncoding?: string) => {
      const response = await request(`${h.bff.url}/api/v1/profiles/support/availability`, { headers: acceptEncoding ? { "accept-encoding": acceptEncoding } : {} });
      return { encoding: response.headers["content-encoding"], vary: response.headers.vary, body: Buffer.from(await response.body.arrayBuffer()) };
    };
    const plain = await fetchTimes();
    expect(plain.encoding).toBeUndefined();
    const br = await fetchTimes("gzip, deflate, br");
    expect(br.encoding).toBe("br");
    expect(br.vary).toContain("Accept-Encoding");
    expect(br.body.length).toBeLessThan(plain.body.length / 5);
    expect(JSON.parse(brotliDecompressSync(br.body).toString())).toEqual(JSON.parse(plain.body.toString()));
    const gzip = await fetchTimes("gzip");
    expect(gzip.encoding).toBe("gzip");
    expect(JSON.parse(gunzipSync(gzip.body).toString())).toEqual(JSON.parse(plain.body.toString()));
  });

  it("validates the optional phone and country parameters", async () => {
    expect((await call("GET", "/api/v1/profiles/support/availability?phone=0612345678&country=FR")).status).toBe(200);
    const short = await call("GET", "/api/v1/profiles/support/availability?phone=06&country=FR");
    expect(short.status).toBe(422);
    expect(short.body.errors).toEqual([{ field: "phone", code: "phone_too_short", message: expect.any(String) }]);
    const unknown = await call("GET", "/api/v1/profiles/support/availability?debug=1");
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: "debug", code: "unknown_field" })]);
  });

  it("answers 404 problem for an unknown profile", async () => {
    const { status, type, body } = await call("GET", "/api/v1/profiles/nope/availability");
    expect(status).toBe(404);
    expect(type).toContain("application/problem+json");
    expect(body.errors[0]).toMatchObject({ field: "profile", code: "unknown_profile" });
  });
});

describe("POST /api/v1/callbacks", () => {
  it("records which language's consent text the visitor agreed to, and that text's hash, under the one version", async () => {
    const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
    const windows = [{ start: "2030-03-14T13:00:00.000Z", end: "2030-03-14T13:30:00.000Z" }];
    const cases = [
      ["ar-EG", "ar", "اتصلوا بي."],
      ["de-DE", "fr", "Appelez-moi."], // no German text: the profile's own was shown
      [undefined, "fr", "Appelez-moi."],
    ] as const;
    for (const [index, [locale, language, text]] of cases.entries()) {
      const { status, body } = await call("POST", "/api/v1/callbacks", { ...request0({ profile: "polyglot", windows, phone: `06 12 34 99 0${index}` }), ...(locale ? { locale } : {}) });
      expect(status).toBe(201);
      const record = (await h.bff.store.getCallback(body.requestId))!;
      expect({ version: record.consentVersion, language: record.consentLanguage, hash: record.consentTextHash }).toEqual({ version: "v2", language, hash: sha256(text) });
    }
  });

  it("schedules a call with merged windows, the E.164 number and a resolved contact", async () => {
    const before = (await h.deliveries()).length;
    const { status, body } = await call("POST", "/api/v1/callbacks", request0());
    expect(status).toBe(201);
    expect(body).toEqual({
      requestId: expect.any(String),
      deliveryId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: "scheduled",
      windows: [
        { start: "2030-03-12T13:00:00.000Z", end: "2030-03-12T14:00:00.000Z" },
        { start: "2030-03-13T09:00:00.000Z", end: "2030-03-13T09:30:00.000Z" },
      ],
      links: {
        manage: expect.stringMatching(new RegExp(`^${h.bff.url}/requests/${body.requestId}\\?token=[\\w-]{43}$`)),
        cancelPage: expect.stringMatching(new RegExp(`^${h.bff.url}/requests/${body.requestId}\\?token=[\\w-]{43}&action=cancel$`)),
        invite: expect.stringMatching(new RegExp(`/api/v1/callbacks/${body.requestId}/invite\\.ics\\?token=`)),
        cancel: expect.stringMatching(new RegExp(`/api/v1/callbacks/${body.requestId}/cancel\\?token=`)),
        status: expect.stringMatching(new RegExp(`^${h.bff.url}/api/v1/callbacks/${body.requestId}\\?token=[\\w-]{43}$`)),
      },
    });

    const deliveries = await h.deliveries();
    expect(deliveries).toHaveLength(before + 1);
    const sent = deliveries.at(-1)!;
    expect(sent.deliveryId).toBe(body.deliveryId);
    expect(sent.body).toEqual({
      ApiVersion: "1.0",
      ProactiveEngagementConfigId: CONFIG_ID,
      DestinationPhoneNumber: "+33612345678",
      ContactId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      Windows: [
        { Start: "2030-03-12T13:00:00.000Z", End: "2030-03-12T13:59:59.999Z" },
        { Start: "2030-03-13T09:00:00.000Z", End: "2030-03-13T09:29:59.999Z" },
      ],
      InputAttributes: { orderNumber: "ORD-42", type: "callback" },
    });
    expect(sent.headers).toMatchObject({
      accept: "application/json",
      "content-type": "application/json; charset=utf-8",
      "odata-maxversion": "4.0",
      "odata-version": "4.0",
      "if-none-match": "null",
      authorization: expect.stringMatching(/^Bearer /),
    });
  });

  it("finds the existing contact for a number it has seen", async () => {
    await call("POST", "/api/v1/callbacks", request0({ phone: "+44 20 7946 0958", country: undefined }));
    await call("POST", "/api/v1/callbacks", request0({ phone: "020 7946 0958", country: "GB", name: "Someone Else" }));
    const [a, b] = (await h.deliveries()).slice(-2);
    expect(a!.body.DestinationPhoneNumber).toBe("+442079460958");
    expect(b!.body.ContactId).toBe(a!.body.ContactId);
  });

  it("turns 'as soon as possible' into an explicit window until closing time", async () => {
    const { status, body } = await call("POST", "/api/v1/callbacks", request0({ windows: undefined }));
    expect(status).toBe(201);
    expect(body.windows).toEqual([{ start: "2030-03-12T09:00:00.000Z", end: "2030-03-12T16:00:00.000Z" }]);
    expect((await h.deliveries()).at(-1)!.body.Windows).toEqual([{ Start: "2030-03-12T09:00:00.000Z", End: "2030-03-12T15:59:59.999Z" }]);
  });

  const refusals: Array<[string, { body: unknown; headers?: Record<string, string> }, number, Array<{ field: string; code: string }>]> = [
    ["a too-short phone", { body: request0({ phone: "06 12" }) }, 422, [{ field: "phone", code: "phone_too_short" }]],
    ["a number not valid for its country", { body: request0({ phone: "(555) 123-4567", country: "US" }) }, 422, [{ field: "phone", code: "phone_invalid_for_country" }]],
    ["a number from a country the profile does not call", { body: request0({ phone: "+49 30 901820", country: undefined }) }, 422, [{ field: "phone", code: "phone_country_not_allowed" }]],
    ["a window in the past", { body: request0({ windows: [{ start: "2030-03-11T13:00:00.000Z", end: "2030-03-11T13:30:00.000Z" }] }) }, 422, [{ field: "windows.0", code: "window_in_past" }]],
    ["a window that is not offered (Saturday)", { body: request0({ windows: [{ start: "2030-03-16T13:00:00.000Z", end: "2030-03-16T13:30:00.000Z" }] }) }, 422, [{ field: "windows.0", code: "window_not_offered" }]],
    ["a misaligned window", { body: request0({ windows: [{ start: "2030-03-12T13:10:00.000Z", end: "2030-03-12T13:40:00.000Z" }] }) }, 422, [{ field: "windows.0", code: "window_not_offered" }]],
    ["a window that ends before it starts", { body: request0({ windows: [{ start: "2030-03-12T13:30:00.000Z", end: "2030-03-12T13:00:00.000Z" }] }) }, 422, [{ field: "windows.0", code: "window_invalid" }]],
    ["overlapping windows", { body: request0({ windows: [{ start: "2030-03-12T13:00:00.000Z", end: "2030-03-12T14:00:00.000Z" }, { start: "2030-03-12T13:30:00.000Z", end: "2030-03-12T14:00:00.000Z" }] }) }, 422, [{ field: "windows", code: "window_overlaps" }]],
    ["more windows than the profile allows", { body: request0({ windows: ["13:00", "14:00", "15:00", "16:00"].map((t, i) => ({ start: `2030-03-12T1${3 + i}:00:00.000Z`, end: `2030-03-12T1${3 + i}:30:00.000Z` })) }) }, 422, [{ field: "windows", code: "windows_too_many" }]],
    ["no consent", { body: request0({ consent: false }) }, 422, [{ field: "consent", code: "consent_required" }]],
    ["consent missing", { body: { ...request0(), consent: undefined } }, 422, [{ field: "consent", code: "consent_required" }]],
    ["an unknown profile", { body: request0({ profile: "nope" }) }, 422, [{ field: "profile", code: "unknown_profile" }]],
    ["a ContactId sent by the browser", { body: request0({ ContactId: "761e062f-c734-ef11-8e4f-00224808a166" }) }, 422, [{ field: "ContactId", code: "unknown_field" }]],
    ["a ProactiveEngagementConfigId sent by the browser", { body: request0({ ProactiveEngagementConfigId: CONFIG_ID }) }, 422, [{ field: "ProactiveEngagementConfigId", code: "unknown_field" }]],
    ["an attribute the profile does not allow", { body: request0({ attributes: { type: "urgent" } }) }, 422, [{ field: "attributes.type", code: "attribute_not_allowed" }]],
    ["a country the profile does not allow", { body: request0({ country: "DE", phone: "030 901820" }) }, 422, [{ field: "country", code: "country_not_allowed" }, { field: "phone", code: "phone_country_not_allowed" }]],
    ["an unknown time zone", { body: request0({ timeZone: "Mars/Olympus" }) }, 422, [{ field: "timeZone", code: "time_zone_invalid" }]],
    ["malformed JSON", { body: '{"profile": "support",' }, 400, [{ field: "", code: "malformed_json" }]],
    ["a body that is not JSON at all", { body: "profile=support", headers: { "content-type": "application/x-www-form-urlencoded" } }, 415, [{ field: "", code: "unsupported_media_type" }]],
    ["a JSON array instead of an object", { body: "[]" }, 422, [{ field: "", code: "invalid_type" }]],
    ["an oversized body", { body: request0({ name: "x".repeat(20_000) }) }, 413, [{ field: "", code: "body_too_large" }]],
  ];

  it.each(refusals)("refuses %s with a field-level problem and places no call", async (_name, input, status, errors) => {
    const before = (await h.deliveries()).length;
    const { actionCalls, contactQueries, contactCreates } = h.simulator.stats();
    const response = await call("POST", "/api/v1/callbacks", input.body, input.headers);
    expect(response.status).toBe(status);
    expect(response.type).toContain("application/problem+json");
    expect(response.body).toMatchObject({ type: expect.stringContaining("/problems/"), title: expect.any(String), status });
    expect(response.body.errors).toEqual(errors.map((e) => ({ ...e, message: expect.any(String) })));
    expect(await h.deliveries()).toHaveLength(before);
    // Nothing reached Dataverse at all: no action call (even a refused one), no contact looked up or made.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.simulator.stats()).toMatchObject({ actionCalls, contactQueries, contactCreates });
  });
});

describe("OpenAPI document", () => {
  it("is generated from the request schema, strict keys included", async () => {
    const { status, body } = await call("GET", "/api/v1/openapi.json");
    expect(status).toBe(200);
    expect(body.openapi).toBe("3.1.0");
    expect(Object.keys(body.paths).sort()).toEqual([
      "/api/v1/callbacks",
      "/api/v1/callbacks/{requestId}",
      "/api/v1/callbacks/{requestId}/cancel",
      "/api/v1/callbacks/{requestId}/invite.ics",
      "/api/v1/openapi.json",
      "/api/v1/profiles/{profile}",
      "/api/v1/profiles/{profile}/availability",
      "/api/v1/profiles/{profile}/me",
      "/healthz",
      "/metrics",
      "/readyz",
    ]);
    expect(Object.keys(body.paths["/api/v1/callbacks"].post.responses)).toEqual(expect.arrayContaining(["201", "202", "422", "429"]));
    expect(body.components.schemas.CallbackQueued.properties.status).toEqual({ type: "string", const: "queued" });
    expect(body.components.schemas.CallbackStatus.properties.status.enum).toEqual(["queued", "scheduled", "failed", "expired", "cancelled"]);
    const schema = body.components.schemas.CallbackRequest;
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(expect.arrayContaining(["profile", "phone", "timeZone", "consent"]));
    expect(Object.keys(schema.properties)).toEqual([
      "profile", "phone", "country", "name", "windows", "timeZone", "locale", "consent", "attributes", "formToken", "captchaToken", "link", "website",
    ]);
  });
});

describe("logs", () => {
  it("never contain a full phone number or a token", () => {
    const all = h.logs.join("");
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain("+33612345678");
    expect(all).not.toContain("612345678");
    expect(all).not.toContain("+442079460958");
    expect(all).not.toMatch(/eyJ[\w-]+\.[\w-]+\./); // a JWT
  });
});
