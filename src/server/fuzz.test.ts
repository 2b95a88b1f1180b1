// Thousands of malformed, oversized and hostile requests (fast-check) against the running BFF:
// none may get a 5xx or bring the process down, and every refusal must be problem+json.
import fc from "fast-check";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isErrorCode } from "../shared/error-codes";
import { startHarness, supportProfile, type Harness } from "./test-harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ profiles: { profiles: { support: supportProfile } }, now: () => Date.parse("2030-03-12T09:00:00Z") });
});
afterAll(() => h?.close());

const valid = {
  profile: "support",
  phone: "06 12 34 56 78",
  country: "FR",
  timeZone: "Europe/Paris",
  consent: true,
  windows: [{ start: "2030-03-12T13:00:00.000Z", end: "2030-03-12T13:30:00.000Z" }],
};

async function send(method: string, path: string, body: string | undefined, headers: Record<string, string>) {
  const response = await request(`${h.bff.url}${path}`, { method: method as "POST", headers, body });
  const text = await response.body.text();
  return { status: response.statusCode, type: String(response.headers["content-type"] ?? ""), text };
}

function expectWellBehaved(answer: { status: number; type: string; text: string }) {
  expect(answer.status, answer.text).toBeLessThan(500);
  if (answer.status >= 400) {
    expect(answer.type).toContain("application/problem+json");
    const problem = JSON.parse(answer.text) as { status: number; title: string; errors: Array<{ field: string; code: string; message: string }> };
    expect(problem.status).toBe(answer.status);
    expect(problem.title.length).toBeGreaterThan(0);
    // Every refusal says which field and why, with a code the widget can put into words.
    expect(problem.errors.length).toBeGreaterThan(0);
    for (const error of problem.errors) expect(isErrorCode(error.code), error.code).toBe(true);
  }
}

const hostileString = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: "grapheme", maxLength: 60 }),
  fc.constantFrom("", " ", "\u0000", "null", "NaN", "-1", "1e309", "__proto__", "constructor", "'; DROP TABLE callback_requests;--", "<script>alert(1)</script>", "+".repeat(50), "\uD800", "0".repeat(2_000)),
);
const anyJson = fc.jsonValue({ maxDepth: 4 });
const fieldValue = fc.oneof(anyJson, hostileString);
const mutatedRequest = fc
  .record(
    {
      profile: fieldValue,
      phone: fieldValue,
      country: fieldValue,
      name: fieldValue,
      windows: fc.oneof(fieldValue, fc.array(fc.record({ start: fieldValue, end: fieldValue }, { requiredKeys: [] }), { maxLength: 30 })),
      timeZone: fieldValue,
      locale: fieldValue,
      consent: fieldValue,
      attributes: fc.oneof(fieldValue, fc.dictionary(hostileString, fieldValue, { maxKeys: 10 })),
      __proto__: fieldValue,
      ContactId: fieldValue,
    },
    { requiredKeys: [] },
  )
  .map((overrides) => ({ ...valid, ...overrides }));

const contentType = fc.constantFrom("application/json", "application/json; charset=utf-8", "application/problem+json", "text/plain", "application/x-www-form-urlencoded", "", "application/json;;;", "APPLICATION/JSON");
const headerValue = fc.string({ maxLength: 200 }).map((s) => s.replace(/[^\x20-\x7e]/g, "x"));

describe("hostile input", () => {
  it("never gets a 5xx for mutated callback requests", async () => {
    await fc.assert(
      fc.asyncProperty(mutatedRequest, async (body) => expectWellBehaved(await send("POST", "/api/v1/callbacks", JSON.stringify(body), { "content-type": "application/json" }))),
      { numRuns: 1_200 },
    );
  }, 120_000);

  it("never gets a 5xx for raw bodies, content types and headers", async () => {
    const rawBody = fc.oneof(fc.string({ maxLength: 300 }), anyJson.map((v) => JSON.stringify(v)), fc.string({ minLength: 17_000, maxLength: 20_000 }));
    await fc.assert(
      fc.asyncProperty(rawBody, contentType, headerValue, headerValue, async (body, type, key, forwarded) => {
        const headers: Record<string, string> = { "idempotency-key": key, "x-forwarded-for": forwarded };
        if (type) headers["content-type"] = type;
        expectWellBehaved(await send("POST", "/api/v1/callbacks", body, headers));
      }),
      { numRuns: 800 },
    );
  }, 120_000);

  it("never gets a 5xx for odd paths and query strings", async () => {
    const segment = fc.string({ maxLength: 40 }).map(encodeURIComponent);
    await fc.assert(
      fc.asyncProperty(segment, segment, segment, async (profile, key, value) => {
        expectWellBehaved(await send("GET", `/api/v1/profiles/${profile}/availability?${key}=${value}`, undefined, {}));
        expectWellBehaved(await send("GET", `/api/v1/profiles/support/availability?phone=${value}&country=${key}`, undefined, {}));
        expectWellBehaved(await send("GET", `/api/v1/callbacks/${profile}`, undefined, {}));
      }),
      { numRuns: 300 },
    );
    expect((await send("GET", "/healthz", undefined, {})).status).toBe(200);
  }, 120_000);
});
