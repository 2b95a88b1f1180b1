// The simulator over real HTTPS: it must accept what Microsoft's services accept and refuse,
// in their shape, what they would refuse; otherwise tests against it prove nothing.
import { ConfidentialClientApplication } from "@azure/msal-node";
import { importPKCS8, SignJWT } from "jose";
import { generate } from "selfsigned";
import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { msalNetworkClient } from "../server/dataverse/transport";
import { startSimulator, type RunningSimulator } from "./index";

let sim: RunningSimulator;
let noRole: RunningSimulator;
let agent: Agent;
let clientCert: { cert: string; private: string };

beforeAll(async () => {
  clientCert = await generate([{ name: "commonName", value: "callback-widget" }], { keySize: 2048, algorithm: "sha256" });
  sim = await startSimulator({ clientCertificatePem: clientCert.cert });
  noRole = await startSimulator({ appRoles: ["Basic User"] });
  agent = new Agent({ connect: { ca: [sim.caCertPem, noRole.caCertPem] } });
});
afterAll(async () => {
  await sim?.close();
  await noRole?.close();
  await agent?.close();
});

async function send(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const response = await request(url, { method: (init.method ?? "GET") as "GET", headers: init.headers, body: init.body, dispatcher: agent });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

function tokenRequest(target: RunningSimulator, fields: Record<string, string>) {
  return send(`${target.url}/${target.tenantId}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: target.clientId, scope: `${target.orgUrl}/.default`, ...fields }).toString(),
  });
}

async function tokenFor(target: RunningSimulator): Promise<string> {
  return (await tokenRequest(target, { client_secret: target.clientSecret })).body.access_token;
}

async function api(target: RunningSimulator, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return send(`${target.orgUrl}/api/data/v9.2/${path}`, {
    method,
    headers: { authorization: `Bearer ${await tokenFor(target)}`, "content-type": "application/json; charset=utf-8", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function createContact(target: RunningSimulator, phone: string): Promise<string> {
  const created = await api(target, "POST", "contacts", { mobilephone: phone, lastname: "Test" });
  return /\(([^)]+)\)/.exec(String(created.headers["odata-entityid"]))![1]!;
}

describe("token endpoint", () => {
  it("issues a bearer token for the right secret and scope", async () => {
    const { status, body } = await tokenRequest(sim, { client_secret: sim.clientSecret });
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 3599, access_token: expect.stringMatching(/^eyJ/) });
  });

  it("refuses a wrong secret, a wrong scope and an unknown client like Entra ID does", async () => {
    const wrongSecret = await tokenRequest(sim, { client_secret: "nope" });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body).toMatchObject({ error: "invalid_client", error_codes: [7000215] });
    const wrongScope = await tokenRequest(sim, { client_secret: sim.clientSecret, scope: "https://graph.microsoft.com/.default" });
    expect(wrongScope.body.error).toBe("invalid_scope");
    const unknownClient = await tokenRequest(sim, { client_secret: sim.clientSecret, client_id: "someone-else" });
    expect(unknownClient.body.error).toBe("unauthorized_client");
  });

  it("accepts a client assertion signed by the registered certificate and refuses a forged one", async () => {
    const key = await importPKCS8(clientCert.private, "RS256");
    const assertion = (signingKey = key) =>
      new SignJWT({ jti: crypto.randomUUID() })
        .setProtectedHeader({ alg: "RS256" })
        .setIssuer(sim.clientId)
        .setSubject(sim.clientId)
        .setAudience(`${sim.url}/${sim.tenantId}/oauth2/v2.0/token`)
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(signingKey);
    const type = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    expect((await tokenRequest(sim, { client_assertion_type: type, client_assertion: await assertion() })).status).toBe(200);

    const other = await generate([{ name: "commonName", value: "intruder" }], { keySize: 2048, algorithm: "sha256" });
    const forged = await assertion(await importPKCS8(other.private, "RS256"));
    const refused = await tokenRequest(sim, { client_assertion_type: type, client_assertion: forged });
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe("invalid_client");
  });

  it("serves MSAL node's real client-credentials flow", async () => {
    const app = new ConfidentialClientApplication({
      auth: {
        clientId: sim.clientId,
        authority: `${sim.authorityHost}/${sim.tenantId}`,
        knownAuthorities: [new URL(sim.authorityHost).host],
        clientSecret: sim.clientSecret,
      },
      system: { networkClient: msalNetworkClient(agent) },
    });
    const result = await app.acquireTokenByClientCredential({ scopes: [`${sim.orgUrl}/.default`] });
    expect(result?.accessToken).toMatch(/^eyJ/);
    expect((await send(`${sim.orgUrl}/api/data/v9.2/contacts?$top=1`, { headers: { authorization: `Bearer ${result!.accessToken}` } })).status).toBe(200);
  });
});

describe("Web API authentication", () => {
  it("answers 401 without a token, with a forged one, or with another simulator's token", async () => {
    const none = await send(`${sim.orgUrl}/api/data/v9.2/contacts`);
    expect(none.status).toBe(401);
    expect(none.headers["www-authenticate"]).toContain("Bearer authorization_uri=");
    expect(none.body.error.code).toMatch(/^0x/);

    const token = await tokenFor(sim);
    const [header, payload] = token.split(".");
    const forged = `${header}.${payload}.${"A".repeat(342)}`;
    expect((await send(`${sim.orgUrl}/api/data/v9.2/contacts`, { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401);
    const foreign = await tokenFor(noRole);
    expect((await send(`${sim.orgUrl}/api/data/v9.2/contacts`, { headers: { authorization: `Bearer ${foreign}` } })).status).toBe(401);
  });
});

describe("contacts", () => {
  it("creates a contact (204 + OData-EntityId) and finds it by number", async () => {
    const created = await api(sim, "POST", "contacts", { mobilephone: "+33612345678", firstname: "Ada", lastname: "Lovelace" });
    expect(created.status).toBe(204);
    const id = /contacts\(([0-9a-f-]{36})\)$/.exec(String(created.headers["odata-entityid"]))![1];

    const filter = encodeURIComponent("mobilephone eq '+33612345678' or telephone1 eq '+33612345678'");
    const found = await api(sim, "GET", `contacts?$filter=${filter}&$select=contactid&$top=1`);
    expect(found.status).toBe(200);
    expect(found.body.value).toEqual([{ "@odata.etag": expect.any(String), contactid: id }]);
    expect(found.body["@odata.context"]).toContain("$metadata#contacts(contactid)");
  });

  it("returns the representation when asked", async () => {
    const created = await api(sim, "POST", "contacts", { mobilephone: "+33699999999" }, { prefer: "return=representation" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ contactid: expect.any(String), mobilephone: "+33699999999" });
  });

  it("handles quotes in string literals", async () => {
    await api(sim, "POST", "contacts", { lastname: "O'Brien", mobilephone: "+353861234567" });
    const found = await api(sim, "GET", `contacts?$filter=${encodeURIComponent("lastname eq 'O''Brien'")}&$select=lastname`);
    expect(found.body.value).toEqual([{ "@odata.etag": expect.any(String), lastname: "O'Brien" }]);
  });

  it("refuses filters it does not understand, unknown properties and over-long values", async () => {
    expect((await api(sim, "GET", `contacts?$filter=${encodeURIComponent("mobilephone ne '1'")}`)).status).toBe(400);
    expect((await api(sim, "GET", `contacts?$filter=${encodeURIComponent("password eq '1'")}`)).status).toBe(400);
    expect((await api(sim, "GET", `contacts?$filter=${encodeURIComponent("mobilephone eq '1")}`)).status).toBe(400);
    expect((await api(sim, "POST", "contacts", { mobilephone: "+1", nickname: "x" })).body.error.message).toContain("'nickname'");
    expect((await api(sim, "POST", "contacts", { lastname: "x".repeat(51) })).status).toBe(400);
  });
});

describe("CCaaS_CreateProactiveVoiceDelivery", () => {
  const future = (day: number, time: string) => `2031-01-${String(day).padStart(2, "0")}T${time}Z`;
  const sample = (contactId: string) => ({
    ApiVersion: "1.0",
    ProactiveEngagementConfigId: "cbbac510-3e66-ef11-a671-6045bd03d9d8",
    DestinationPhoneNumber: "+123456798",
    ContactId: contactId,
    Windows: [
      { Start: future(10, "13:00:00.000"), End: future(10, "15:59:59.999") },
      { Start: future(11, "13:00:00.000"), End: future(11, "15:59:59.999") },
    ],
    InputAttributes: { orderNumber: "ORD123456789", type: "callback", isFinalAttempt: "false" },
  });

  it("accepts the documented sample, answers a DeliveryId and records the body as received", async () => {
    const contactId = await createContact(sim, "+123456798");
    const before = sim.ledger().length;
    const body = sample(contactId);
    const { status, body: answer } = await api(sim, "POST", "CCaaS_CreateProactiveVoiceDelivery", body);
    expect(status).toBe(200);
    expect(answer).toEqual({
      "@odata.context": `${sim.orgUrl}/api/data/v9.2/$metadata#Microsoft.Dynamics.CRM.CCaaS_CreateProactiveVoiceDeliveryResponse`,
      DeliveryId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    const ledger = (await send(`${sim.url}/__simulator/deliveries`)).body;
    expect(ledger).toHaveLength(before + 1);
    expect(ledger.at(-1)).toMatchObject({ deliveryId: answer.DeliveryId, body, headers: { authorization: "Bearer [verified]" } });

    const row = await api(sim, "GET", `msdyn_proactive_deliveries(${answer.DeliveryId})`);
    expect(row.body).toMatchObject({ msdyn_to_address: "+123456798", msdyn_contact_id: contactId, msdyn_status: "Pending" });
    const query = encodeURIComponent(`msdyn_to_address eq '+123456798' and msdyn_contact_id eq '${contactId}'`);
    expect((await api(sim, "GET", `msdyn_proactive_deliveries?$filter=${query}`)).body.value).toHaveLength(1);
  });

  it("refuses every malformed body with a 4xx OData error and records nothing", async () => {
    const contactId = await createContact(sim, "+33611111111");
    const good = sample(contactId);
    const bad: Array<[string, unknown, number]> = [
      ["unknown field", { ...good, Priority: "high" }, 400],
      ["bad GUID", { ...good, ContactId: "not-a-guid" }, 400],
      ["End without milliseconds", { ...good, Windows: [{ Start: future(10, "13:00:00.000"), End: "2031-01-10T15:59:59Z" }] }, 400],
      ["Start with an offset", { ...good, Windows: [{ Start: "2031-01-10T13:00:00.000+01:00", End: future(10, "15:59:59.999") }] }, 400],
      ["window ending in the past", { ...good, Windows: [{ Start: "2020-01-10T13:00:00.000Z", End: "2020-01-10T15:59:59.999Z" }] }, 400],
      ["a month that does not exist", { ...good, Windows: [{ Start: "2031-13-10T13:00:00.000Z", End: "2031-13-10T15:59:59.999Z" }] }, 400],
      ["an hour that does not exist", { ...good, Windows: [{ Start: future(10, "25:61:61.000"), End: future(11, "15:59:59.999") }] }, 400],
      ["February the 30th", { ...good, Windows: [{ Start: "2031-02-30T13:00:00.000Z", End: "2031-02-30T15:59:59.999Z" }] }, 400],
      ["Start after End", { ...good, Windows: [{ Start: future(10, "16:00:00.000"), End: future(10, "15:59:59.999") }] }, 400],
      ["non-E.164 number", { ...good, DestinationPhoneNumber: "0612345678" }, 400],
      ["ApiVersion 2.0", { ...good, ApiVersion: "2.0" }, 400],
      ["boolean attribute", { ...good, InputAttributes: { isFinalAttempt: false } }, 400],
      ["unknown configuration", { ...good, ProactiveEngagementConfigId: "00000000-0000-0000-0000-000000000001" }, 404],
      ["unknown contact", { ...good, ContactId: "00000000-0000-0000-0000-000000000002" }, 404],
      ["malformed JSON", '{"ApiVersion": "1.0",', 400],
    ];
    const before = sim.ledger().length;
    for (const [name, body, status] of bad) {
      const response = await api(sim, "POST", "CCaaS_CreateProactiveVoiceDelivery", body);
      expect(response.status, name).toBe(status);
      expect(response.body.error, name).toEqual({ code: expect.stringMatching(/^0x/), message: expect.any(String) });
    }
    expect(sim.ledger()).toHaveLength(before);
    const stats = (await send(`${sim.url}/__simulator/stats`)).body;
    expect(stats.refusedActionCalls).toBeGreaterThanOrEqual(bad.length);
  });

  it("names the offending field in its message", async () => {
    const contactId = await createContact(sim, "+33622222222");
    const response = await api(sim, "POST", "CCaaS_CreateProactiveVoiceDelivery", { ...sample(contactId), DestinationPhoneNumber: "0612" });
    expect(response.body.error.message).toContain("DestinationPhoneNumber");
  });

  it("answers 403 when the application user lacks an Omnichannel role", async () => {
    const contactId = await createContact(noRole, "+33633333333");
    const response = await api(noRole, "POST", "CCaaS_CreateProactiveVoiceDelivery", sample(contactId));
    expect(response.status).toBe(403);
    expect(response.body.error.message).toContain("Omnichannel");
    expect(noRole.ledger()).toHaveLength(0);
  });
});
