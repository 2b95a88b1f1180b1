import { describe, expect, it } from "vitest";
import type { CallbackRequest } from "../shared/schemas";
import { ApiError, createApi, retryAfterSeconds } from "./api";

const request: CallbackRequest = { profile: "default", phone: "06 12 34 56 78", timeZone: "UTC", consent: true };
const problem = (status: number, extra: object = {}) =>
  new Response(JSON.stringify({ type: "about:blank", title: "Some fields need attention", status, ...extra }), { status, headers: { "content-type": "application/problem+json" } });

function fakeFetch(answer: () => Response | Promise<Response>) {
  const calls: Array<{ url: string; init?: RequestInit }> = [];
  const fetcher = (async (url: string, init?: RequestInit) => {
    calls.push({ url, init });
    return answer();
  }) as typeof fetch;
  return { calls, fetcher };
}

describe("createApi", () => {
  it("posts the request as JSON with the idempotency key, under apiBase", async () => {
    const body = { requestId: "r1", deliveryId: "761e062f-c734-ef11-8e4f-00224808a166", status: "scheduled", windows: [] };
    const { calls, fetcher } = fakeFetch(() => Response.json(body, { status: 201 }));
    const outcome = await createApi("https://bff.example/base/", fetcher).submit(request, "key-1");
    expect(outcome).toEqual({ kind: "scheduled", body });
    expect(calls[0]!.url).toBe("https://bff.example/base/api/v1/callbacks");
    expect(calls[0]!.init).toMatchObject({ method: "POST", body: JSON.stringify(request) });
    expect((calls[0]!.init!.headers as Record<string, string>)["idempotency-key"]).toBe("key-1");
  });

  it("sends a signed-in visitor's token as a bearer token, and only when there is one", async () => {
    const body = { requestId: "r1", deliveryId: "761e062f-c734-ef11-8e4f-00224808a166", status: "scheduled", windows: [] };
    const { calls, fetcher } = fakeFetch(() => Response.json(body, { status: 201 }));
    const api = createApi("", fetcher);
    await api.submit(request, "key-1", "eyJ.token.sig");
    await api.submit(request, "key-2");
    expect((calls[0]!.init!.headers as Record<string, string>).authorization).toBe("Bearer eyJ.token.sig");
    expect((calls[1]!.init!.headers as Record<string, string>).authorization).toBeUndefined();
  });

  it("asks for the signed-in visitor's details with their token, and reads a refusal", async () => {
    const { calls, fetcher } = fakeFetch(() => Response.json({ name: "Ada Lovelace", phone: "+33612345678", country: "FR" }));
    expect(await createApi("https://bff.example", fetcher).me("portal", "tok")).toEqual({ name: "Ada Lovelace", phone: "+33612345678", country: "FR" });
    expect(calls[0]!.url).toBe("https://bff.example/api/v1/profiles/portal/me");
    expect((calls[0]!.init!.headers as Record<string, string>).authorization).toBe("Bearer tok");
    const refused = createApi("", fakeFetch(() => problem(401, { errors: [{ field: "", code: "sign_in_expired", message: "" }] })).fetcher).me("portal", "old");
    await expect(refused).rejects.toMatchObject({ status: 401, problem: { errors: [{ code: "sign_in_expired" }] } });
  });

  it("reads 202 as queued", async () => {
    const { fetcher } = fakeFetch(() => Response.json({ requestId: "r2", status: "queued" }, { status: 202 }));
    expect(await createApi("", fetcher).submit(request, "k")).toEqual({ kind: "queued", body: { requestId: "r2", status: "queued" } });
  });

  it("parses problem+json refusals with their field errors and Retry-After", async () => {
    const errors = [{ field: "phone", code: "phone_too_short", message: "This phone number is too short." }];
    const refused = await createApi("", fakeFetch(() => problem(422, { errors })).fetcher).submit(request, "k");
    expect(refused).toMatchObject({ kind: "problem", problem: { status: 422, errors } });
    const limited = problem(429);
    limited.headers.set("retry-after", "30");
    expect(await createApi("", fakeFetch(() => limited).fetcher).submit(request, "k")).toMatchObject({ kind: "problem", retryAfterSeconds: 30 });
  });

  it("turns a bare error status into a problem", async () => {
    const outcome = await createApi("", fakeFetch(() => new Response("<html>Bad gateway</html>", { status: 502, statusText: "Bad Gateway" })).fetcher).submit(request, "k");
    expect(outcome).toEqual({ kind: "problem", problem: { type: "about:blank", title: "Bad Gateway", status: 502 }, retryAfterSeconds: undefined });
  });

  it("says when there was no answer it could read", async () => {
    const failing = (async () => {
      throw new TypeError("Failed to fetch");
    }) as typeof fetch;
    expect(await createApi("", failing).submit(request, "k")).toEqual({ kind: "unanswered", reason: "Failed to fetch" });
    expect(await createApi("", fakeFetch(() => new Response("not json", { status: 201 })).fetcher).submit(request, "k")).toMatchObject({ kind: "unanswered" });
  });

  it("checks profiles against the shared schema and throws ApiError with the problem", async () => {
    const api = createApi("", fakeFetch(() => problem(404, { title: "There is no callback profile with this name" })).fetcher);
    await expect(api.profile("nope")).rejects.toMatchObject({ status: 404, problem: { title: "There is no callback profile with this name" } });
    const garbage = createApi("", fakeFetch(() => Response.json({ slots: "nope" })).fetcher);
    await expect(garbage.availability("default")).rejects.toBeInstanceOf(ApiError);
  });
});

describe("retryAfterSeconds", () => {
  it("reads seconds and HTTP dates", () => {
    expect(retryAfterSeconds("120")).toBe(120);
    expect(retryAfterSeconds(null)).toBeUndefined();
    expect(retryAfterSeconds("soon")).toBeUndefined();
    const now = Date.parse("2026-03-10T13:00:00Z");
    expect(retryAfterSeconds("Tue, 10 Mar 2026 13:01:00 GMT", now)).toBe(60);
  });
});
