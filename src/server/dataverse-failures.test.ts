// The BFF against a simulator that authenticates it by certificate, and one that refuses it:
// a refusal is answered with a problem and recorded as failed, never lost or reported as done.
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { startHarness, supportProfile, type Harness } from "./test-harness";

const NOW = Date.parse("2030-03-12T09:00:00Z");
const body = JSON.stringify({
  profile: "support",
  phone: "06 12 34 56 78",
  country: "FR",
  timeZone: "Europe/Paris",
  consent: true,
  windows: [{ start: "2030-03-12T13:00:00.000Z", end: "2030-03-12T13:30:00.000Z" }],
});

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function submit(harness: Harness) {
  const response = await request(`${harness.bff.url}/api/v1/callbacks`, { method: "POST", headers: { "content-type": "application/json" }, body });
  return { status: response.statusCode, type: String(response.headers["content-type"]), body: (await response.body.json()) as Record<string, unknown> };
}

describe("Dataverse credentials and refusals", () => {
  it("authenticates with a client certificate (MSAL client assertion)", async () => {
    h = await startHarness({ profiles: { profiles: { support: supportProfile } }, now: () => NOW, credential: "certificate" });
    const { status } = await submit(h);
    expect(status).toBe(201);
    expect(await h.deliveries()).toHaveLength(1);
  });

  it("answers 502 problem when Dataverse refuses the call for good (no Omnichannel role), and says so", async () => {
    h = await startHarness({ profiles: { profiles: { support: supportProfile } }, now: () => NOW, simulator: { appRoles: ["Basic User"] } });
    const { status, type, body: problem } = await submit(h);
    expect(status).toBe(502);
    expect(type).toContain("application/problem+json");
    expect(problem.detail).toMatch(/was recorded but the contact centre refused it/);
    expect(await h.deliveries()).toHaveLength(0);
    expect(h.logs.join("")).toContain("delivery failed");
  });

  it("queues the request when it cannot get a token, reports it in /readyz, and logs no secret", async () => {
    h = await startHarness({ profiles: { profiles: { support: supportProfile } }, now: () => NOW, credential: "wrong-secret" });
    const { status, body: queued } = await submit(h);
    expect(status).toBe(202);
    expect(queued).toMatchObject({ requestId: expect.any(String), status: "queued", windows: [expect.any(Object)], links: expect.any(Object) });
    const poll = await request(`${h.bff.url}/api/v1/callbacks/${queued.requestId}`);
    expect(await poll.body.json()).toMatchObject({ requestId: queued.requestId, status: "queued" });
    expect(await h.deliveries()).toHaveLength(0);

    const ready = await request(`${h.bff.url}/readyz`);
    expect(ready.statusCode).toBe(503);
    expect(((await ready.body.json()) as { checks: Record<string, string> }).checks.token).toMatch(/^failing: could not get a Dataverse token/);
    const logs = h.logs.join("");
    expect(logs).toContain("could not get a Dataverse token");
    expect(logs).not.toContain("not-the-registered-secret");
  });
});
