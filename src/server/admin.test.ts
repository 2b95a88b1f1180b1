// The admin API and the command-line tools over the same data: the do-not-call list and the
// consent records, only for an administrator.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, supportProfile, type Harness } from "./test-harness";

const NOW = Date.parse("2030-03-12T09:00:00Z");
const TOKEN = "admin-token-for-tests-0123456789";
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ profiles: { profiles: { support: supportProfile } }, now: () => NOW, env: { ADMIN_API_TOKEN: TOKEN } });
});
afterAll(() => h?.close());

async function admin(method: string, pathname: string, body?: unknown, token: string | null = TOKEN, accept = "application/json") {
  const response = await request(`${h.bff.url}${pathname}`, {
    method: method as "GET",
    headers: { accept, ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.body.text();
  return { status: response.statusCode, type: String(response.headers["content-type"]), text, json: () => JSON.parse(text) };
}

const callback = (phone: string) =>
  request(`${h.bff.url}/api/v1/callbacks`, {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": "TestBrowser/1.0" },
    body: JSON.stringify({ profile: "support", phone, country: "FR", timeZone: "Europe/Paris", consent: true, windows: [{ start: "2030-03-12T13:00:00.000Z", end: "2030-03-12T13:30:00.000Z" }] }),
  }).then((r) => r.statusCode);

describe("admin API", () => {
  it("refuses anyone without the administrator's token", async () => {
    expect((await admin("GET", "/api/v1/admin/do-not-call", undefined, null)).status).toBe(401);
    const wrong = await admin("GET", "/api/v1/admin/do-not-call", undefined, "not-the-admin-token-at-all-00");
    expect(wrong.status).toBe(401);
    expect(wrong.type).toContain("application/problem+json");
    expect((await admin("POST", "/api/v1/admin/do-not-call", { numbers: ["+33612345678"] }, "x")).status).toBe(401);
  });

  it("adds numbers to the do-not-call list, which then refuses them, and removes them", async () => {
    const added = await admin("POST", "/api/v1/admin/do-not-call", { numbers: ["06 12 34 56 01", "+33612345601", "06 12"], country: "FR", note: "asked" });
    expect(added.json()).toEqual({ added: 1, alreadyListed: 0, invalid: [{ input: "06 12", code: "phone_too_short" }], callsCancelled: 0, callsBeingSent: 0, callsNotCancelled: 0 });
    expect(await callback("06 12 34 56 01")).toBe(422);

    const list = (await admin("GET", "/api/v1/admin/do-not-call")).json();
    expect(list).toMatchObject({ count: 1, entries: [{ phoneHash: expect.stringMatching(/^[0-9a-f]{64}$/), source: "admin-api", note: "asked" }] });
    expect(JSON.stringify(list)).not.toContain("612345601"); // hashes only

    expect((await admin("DELETE", "/api/v1/admin/do-not-call", { numbers: ["+33612345601"] })).json()).toEqual({ removed: 1, invalid: [] });
    expect(await callback("06 12 34 56 01")).toBe(201);
  });

  it("refuses a malformed change with a field-level problem", async () => {
    const refused = await admin("POST", "/api/v1/admin/do-not-call", { numbers: [] });
    expect(refused.status).toBe(422);
    expect(refused.json().errors).toEqual([expect.objectContaining({ field: "numbers", code: "required" })]);
  });

  it("exports consent records as CSV for a period", async () => {
    expect(await callback("06 12 34 56 02")).toBe(201);
    const csv = await admin("GET", "/api/v1/admin/consent?from=2030-03-12&to=2030-03-13");
    expect(csv.status).toBe(200);
    expect(csv.type).toContain("text/csv");
    const [header, ...rows] = csv.text.trim().split("\n");
    expect(header).toBe("request_id,consented_at,profile,consent_version,consent_language,consent_text_sha256,phone_hash,client_address_hash,user_agent,status");
    expect(rows.length).toBeGreaterThanOrEqual(2);
    // No locale in the request: the profile's own language's text was shown and agreed to.
    expect(rows.at(-1)).toMatch(/^[0-9a-f-]{36},2030-03-12T09:00:00\.000Z,support,v1,en,[0-9a-f]{64},[0-9a-f]{64},[0-9a-f]{64},TestBrowser\/1\.0,(scheduled|queued)$/);
    expect(csv.text).not.toContain("612345602");
  });
});

describe("command-line tools on the same data", () => {
  const run = (script: string, args: string[]) =>
    execFileSync(process.execPath, ["--import", "tsx", `src/server/${script}`, ...args], { env: { ...process.env, DATA_DIR: h.dataDir }, encoding: "utf8" });

  it("npm run dnc imports a CSV and exports hashes; the BFF refuses the numbers at once", async () => {
    const file = path.join(h.dataDir, "dnc.csv");
    writeFileSync(file, "name,phone\nAda,06 12 34 56 03\nBob,+44 20 7946 0958\nEve,not a number\n");
    // One line is not a number: the import says so and exits non-zero, having added the rest.
    const output = (() => {
      try {
        return run("dnc-main.ts", ["import", file, "--country", "FR"]);
      } catch (error) {
        return String((error as { stdout?: string }).stdout);
      }
    })();
    expect(output).toMatch(/read 3 numbers: added 2, already listed 0\n  not a usable number: not a number/);
    expect(await callback("06 12 34 56 03")).toBe(422);
    const exported = run("dnc-main.ts", ["export"]);
    expect(exported.split("\n")[0]).toBe("phone_hash,added_at,source,note");
    expect(exported).toContain(`import:${file}`);
    expect(run("dnc-main.ts", ["check", "+33612345603"])).toContain("listed");
    run("dnc-main.ts", ["remove", "+33612345603"]);
    expect(run("dnc-main.ts", ["check", "+33612345603"])).toContain("not listed");
  });

  it("npm run consent exports the same records as the API", async () => {
    const cli = run("consent-main.ts", ["export", "--from", "2030-03-12", "--to", "2030-03-13"]);
    const api = (await admin("GET", "/api/v1/admin/consent?from=2030-03-12&to=2030-03-13")).text;
    expect(cli).toBe(api);
  });
});

// Last: the requests it makes end cancelled, which the consent exports above do not expect.
describe("the do-not-call list and calls already requested", () => {
  it("cancels, in Dataverse, the calls already scheduled for a number it lists", async () => {
    const response = await request(`${h.bff.url}/api/v1/callbacks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ profile: "support", phone: "06 12 34 56 04", country: "FR", timeZone: "Europe/Paris", consent: true, windows: [{ start: "2030-03-12T14:00:00.000Z", end: "2030-03-12T14:30:00.000Z" }] }),
    });
    expect(response.statusCode).toBe(201);
    const { requestId, deliveryId } = (await response.body.json()) as { requestId: string; deliveryId: string };
    expect(h.simulator.deliveryStatus(deliveryId)).toBe("Pending");

    const added = await admin("POST", "/api/v1/admin/do-not-call", { numbers: ["+33612345604"] });
    expect(added.json()).toEqual({ added: 1, alreadyListed: 0, invalid: [], callsCancelled: 1, callsBeingSent: 0, callsNotCancelled: 0 });
    expect(h.simulator.deliveryStatus(deliveryId)).toBe("Cancelled");
    expect(await h.bff.store.getCallback(requestId)).toMatchObject({ status: "cancelled", lastError: "the number is on the do-not-call list" });
    await admin("DELETE", "/api/v1/admin/do-not-call", { numbers: ["+33612345604"] });
  });

  it("npm run dnc says which scheduled calls it cannot cancel without Dataverse, and the admin API cancels them", async () => {
    const response = await request(`${h.bff.url}/api/v1/callbacks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ profile: "support", phone: "+33612345605", timeZone: "Europe/Paris", consent: true, windows: [{ start: "2030-03-12T14:30:00.000Z", end: "2030-03-12T15:00:00.000Z" }] }),
    });
    expect(response.statusCode).toBe(201);
    const { requestId, deliveryId } = (await response.body.json()) as { requestId: string; deliveryId: string };
    let output = "";
    let failed = false;
    try {
      output = execFileSync(process.execPath, ["--import", "tsx", "src/server/dnc-main.ts", "add", "+33612345605"], { env: { ...process.env, DATA_DIR: h.dataDir }, encoding: "utf8" });
    } catch (error) {
      failed = true;
      output = String((error as { stdout?: string }).stdout);
    }
    expect(failed).toBe(true); // exits non-zero
    expect(output).toContain(`request ${requestId} could not be cancelled: this command reaches Dataverse only with DATAVERSE_URL set`);
    expect(output).toContain("calls already requested for these numbers: cancelled 0, being sent 0 (the BFF cancels them), not cancelled 1");
    expect(h.simulator.deliveryStatus(deliveryId)).toBe("Pending");

    const again = await admin("POST", "/api/v1/admin/do-not-call", { numbers: ["+33612345605"] });
    expect(again.json()).toMatchObject({ added: 0, alreadyListed: 1, callsCancelled: 1, callsNotCancelled: 0 });
    expect(h.simulator.deliveryStatus(deliveryId)).toBe("Cancelled");
  });
});
