// Signed-in visitors and administrators, over real HTTP: a real OpenID Connect provider (the
// development tenant, oidc-provider over HTTPS) signs people in, the BFF verifies its tokens
// through its JWKS, and every forgery is refused: no token, expired, wrong audience, wrong
// issuer, `alg: none`, HS256 "signed" with the public key, another key, no admin role, and a
// valid token for contact A naming contact B. No test skips verification.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { exportSPKI, generateKeyPair, SignJWT, type JWTPayload } from "jose";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevIdp, type RunningDevIdp } from "../../dev-idp/index";
import { signInWithCode } from "../../dev-idp/sign-in";
import { deriveKey } from "../server";
import { loadOrCreateKeyFile } from "../personal-data";
import { LinkSigner } from "../signed-links";
import { startHarness, supportProfile, type Harness } from "../test-harness";

const NOW = Date.parse("2030-03-12T09:00:00Z");
const AUDIENCE = "api://callback-widget";
const SCOPE = `${AUDIENCE}/Callback.Request`;
const REDIRECT = "http://127.0.0.1:9/auth/redirect";
const STATIC_ADMIN_TOKEN = "automation-token-0123456789abcdef";
const WINDOW = { start: "2030-03-12T13:00:00.000Z", end: "2030-03-12T13:30:00.000Z" };

let idp: RunningDevIdp;
let h: Harness;
let caFile: string;
let adaContact: string;
let bobContact: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  idp = await startDevIdp({
    users: [
      { username: "ada", password: "ada-pw", name: "Ada Lovelace", email: "ada@contoso.example" },
      { username: "bob", password: "bob-pw", name: "Bob", email: "bob@contoso.example" },
      { username: "grace", password: "grace-pw", name: "Grace Hopper", email: "grace@contoso.example", roles: ["Callback.Admin"] },
      { username: "eve", password: "eve-pw", name: "Eve", email: "eve@elsewhere.example", roles: ["Callback.Reader"] },
    ],
    clients: [{ clientId: "callback-widget-tests", redirectUris: [REDIRECT] }],
    api: { audience: AUDIENCE, scopes: [SCOPE] },
  });
  // The BFF trusts the provider's certificate as it would a corporate CA (AUTH_CA_FILE).
  caFile = path.join(mkdtempSync(path.join(tmpdir(), "callback-widget-idp-")), "ca.pem");
  writeFileSync(caFile, idp.caCertPem);
  h = await startHarness({
    profiles: { profiles: { support: supportProfile, members: { ...supportProfile, name: "Members", signIn: { required: true } } } },
    now: () => NOW,
    env: {
      VISITOR_AUTH_ISSUER: idp.issuer,
      VISITOR_AUTH_AUDIENCE: AUDIENCE,
      VISITOR_AUTH_CONTACT_CLAIM: "email",
      VISITOR_AUTH_CONTACT_FIELD: "emailaddress1",
      ADMIN_AUTH_ISSUER: idp.issuer,
      ADMIN_AUTH_AUDIENCE: AUDIENCE,
      AUTH_CA_FILE: caFile,
      ADMIN_API_TOKEN: STATIC_ADMIN_TOKEN,
    },
  });
  adaContact = await h.seedContact({ fullname: "Ada Lovelace", emailaddress1: "ada@contoso.example", mobilephone: "+33612345678" });
  bobContact = await h.seedContact({ fullname: "Bob", emailaddress1: "bob@contoso.example", mobilephone: "+33698765432" });
  for (const [user, password] of [["ada", "ada-pw"], ["bob", "bob-pw"], ["grace", "grace-pw"], ["eve", "eve-pw"]]) {
    tokens[user!] = (await signInWithCode({ issuer: idp.issuer, caCertPem: idp.caCertPem, clientId: "callback-widget-tests", redirectUri: REDIRECT, scopes: ["openid", "profile", SCOPE], username: user!, password: password! })).accessToken;
  }
});
afterAll(async () => {
  await h?.close();
  await idp?.close();
  if (caFile) rmSync(path.dirname(caFile), { recursive: true, force: true });
});

// ---------- tokens the provider would make, and forgeries ----------

const seconds = () => Math.floor(Date.now() / 1000);

/** Signed with the provider's own key: valid unless the claims say otherwise. */
function providerSigned(claims: JWTPayload, header: { alg?: string; kid?: string } = {}) {
  return new SignJWT({ email: "ada@contoso.example", roles: ["Callback.Admin"], ...claims })
    .setProtectedHeader({ alg: "RS256", kid: idp.signingKey.kid, typ: "at+jwt", ...header })
    .setIssuer(String(claims.iss ?? idp.issuer))
    .setAudience((claims.aud as string) ?? AUDIENCE)
    .setSubject("ada")
    .setIssuedAt(Number(claims.iat ?? seconds()))
    .setExpirationTime(Number(claims.exp ?? seconds() + 600))
    .sign(idp.signingKey.privateKey);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as JWTPayload;

/** `alg: none`: the claims of a real admin token, unsigned. */
const unsigned = () => `${b64({ alg: "none", typ: "JWT" })}.${b64(claimsOf(tokens.grace!))}.`;

/** HS256 with the provider's public key as the HMAC secret (the classic algorithm confusion). */
async function hmacWithPublicKey(form: "pem" | "jwk") {
  const { importJWK } = await import("jose");
  const publicKey = await importJWK(idp.signingKey.publicJwk, "RS256", { extractable: true });
  const secret = new TextEncoder().encode(form === "pem" ? await exportSPKI(publicKey as CryptoKey) : JSON.stringify(idp.signingKey.publicJwk));
  return new SignJWT(claimsOf(tokens.grace!)).setProtectedHeader({ alg: "HS256", kid: idp.signingKey.kid }).sign(secret);
}

/** A perfectly formed token from someone else's key, claiming the provider's kid. */
async function otherKeySigned() {
  const { privateKey } = await generateKeyPair("RS256");
  return new SignJWT(claimsOf(tokens.grace!)).setProtectedHeader({ alg: "RS256", kid: idp.signingKey.kid }).sign(privateKey);
}

// ---------- HTTP ----------

async function call(method: "GET" | "POST" | "DELETE", pathname: string, options: { token?: string; body?: unknown; authorization?: string } = {}) {
  const authorization = options.authorization ?? (options.token ? `Bearer ${options.token}` : undefined);
  const response = await request(`${h.bff.url}${pathname}`, {
    method,
    headers: { accept: "application/json", ...(authorization ? { authorization } : {}), ...(options.body ? { "content-type": "application/json" } : {}) },
    body: options.body ? JSON.stringify(options.body) : undefined,
  });
  const text = await response.body.text();
  const json = () => JSON.parse(text) as { errors?: Array<{ code: string }>; [key: string]: unknown };
  return { status: response.statusCode, type: String(response.headers["content-type"]), challenge: response.headers["www-authenticate"] as string | undefined, text, json, code: () => json().errors?.[0]?.code };
}

const callbackBody = (profile: string, extra: Record<string, unknown> = {}) => ({ profile, phone: "+33612345678", timeZone: "Europe/Paris", consent: true, windows: [WINDOW], ...extra });

describe("signed-in visitors", () => {
  it("verifies a real token from the provider, maps it to the contact and prefills from it", async () => {
    const me = await call("GET", "/api/v1/profiles/support/me", { token: tokens.ada });
    expect(me.status).toBe(200);
    expect(me.json()).toEqual({ name: "Ada Lovelace", phone: "+33612345678", phoneNational: "06 12 34 56 78", country: "FR" });
  });

  it("binds a signed-in request to the visitor's contact: Dataverse receives that ContactId", async () => {
    const before = (await h.deliveries()).length;
    const created = await call("POST", "/api/v1/callbacks", { token: tokens.ada, body: callbackBody("members", { phone: "06 12 34 56 11", country: "FR" }) });
    expect(created.status).toBe(201);
    const calls = await h.deliveries();
    expect(calls).toHaveLength(before + 1);
    expect(calls.at(-1)!.body).toMatchObject({ ContactId: adaContact, DestinationPhoneNumber: "+33612345611" });
  });

  it("refuses a profile that requires signing in without a token", async () => {
    const refused = await call("POST", "/api/v1/callbacks", { body: callbackBody("members") });
    expect(refused.status).toBe(401);
    expect(refused.type).toContain("application/problem+json");
    expect(refused.code()).toBe("sign_in_required");
    expect(refused.challenge).toBe('Bearer realm="callback-widget"');
    expect((await call("GET", "/api/v1/profiles/support/me")).status).toBe(401);
  });

  it("still serves anonymous visitors on profiles that do not require signing in", async () => {
    expect((await call("POST", "/api/v1/callbacks", { body: callbackBody("support", { phone: "06 12 34 56 12", country: "FR" }) })).status).toBe(201);
  });

  const forgeries: Array<[string, () => Promise<string> | string, string]> = [
    ["an expired token", () => providerSigned({ iat: seconds() - 7200, exp: seconds() - 3600 }), "sign_in_expired"],
    ["a token for another audience", () => providerSigned({ aud: "api://someone-else" }), "sign_in_invalid"],
    ["a token from another issuer", () => providerSigned({ iss: "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0" }), "sign_in_invalid"],
    ["an unsigned token (alg: none)", unsigned, "sign_in_invalid"],
    ["an HS256 token signed with the provider's public key (PEM)", () => hmacWithPublicKey("pem"), "sign_in_invalid"],
    ["an HS256 token signed with the provider's public key (JWK)", () => hmacWithPublicKey("jwk"), "sign_in_invalid"],
    ["a token signed by another key", otherKeySigned, "sign_in_invalid"],
    ["a token whose signature was altered", () => tokens.ada!.slice(0, -4) + (tokens.ada!.endsWith("AAAA") ? "BBBB" : "AAAA"), "sign_in_invalid"],
    ["something that is not a JWT", () => "not-a-token", "sign_in_invalid"],
  ];

  for (const [what, make, code] of forgeries) {
    it(`refuses ${what}, with a 401 problem and nothing sent`, async () => {
      const before = (await h.deliveries()).length;
      const token = await make();
      for (const attempt of [
        await call("GET", "/api/v1/profiles/support/me", { token }),
        await call("POST", "/api/v1/callbacks", { token, body: callbackBody("support", { phone: "06 12 34 56 13", country: "FR" }) }),
      ]) {
        expect(attempt.status).toBe(401);
        expect(attempt.type).toContain("application/problem+json");
        expect(attempt.code()).toBe(code);
        expect(attempt.challenge).toMatch(/^Bearer realm="callback-widget", error="invalid_token"/);
      }
      expect(await h.deliveries()).toHaveLength(before);
    });
  }

  it("refuses a valid token for contact A naming contact B (a signed link for B)", async () => {
    const links = new LinkSigner(deriveKey(loadOrCreateKeyFile(h.dataDir, "secret.key"), "signed-link"), () => NOW);
    const linkForBob = links.sign({ profile: "support", contactId: bobContact, expiresAt: NOW + 60_000 });
    const before = (await h.deliveries()).length;
    const refused = await call("POST", "/api/v1/callbacks", { token: tokens.ada, body: callbackBody("support", { phone: "06 12 34 56 14", country: "FR", link: linkForBob }) });
    expect(refused.status).toBe(403);
    expect(refused.type).toContain("application/problem+json");
    expect(refused.code()).toBe("contact_mismatch");
    // Naming it in the body is refused too (the browser never names a contact).
    const named = await call("POST", "/api/v1/callbacks", { token: tokens.ada, body: callbackBody("support", { phone: "06 12 34 56 14", country: "FR", ContactId: bobContact }) });
    expect(named.status).toBe(422);
    expect(named.json().errors).toContainEqual(expect.objectContaining({ field: "ContactId", code: "unknown_field" }));
    expect(await h.deliveries()).toHaveLength(before);

    // Bob's own token with Bob's link is fine, and the call is for Bob.
    const own = await call("POST", "/api/v1/callbacks", { token: tokens.bob, body: callbackBody("support", { phone: "06 12 34 56 15", country: "FR", link: linkForBob }) });
    expect(own.status).toBe(201);
    expect((await h.deliveries()).at(-1)!.body).toMatchObject({ ContactId: bobContact });
  });

  it("refuses a valid token that matches no contact", async () => {
    const refused = await call("POST", "/api/v1/callbacks", { token: tokens.eve, body: callbackBody("members") });
    expect(refused.status).toBe(403);
    expect(refused.code()).toBe("contact_not_found");
  });
});

describe("the admin API", () => {
  it("admits a real token with the admin role, and the automation token", async () => {
    const me = await call("GET", "/api/v1/admin/me", { token: tokens.grace });
    expect(me.status).toBe(200);
    expect(me.json()).toMatchObject({ subject: "grace", role: "Callback.Admin" });
    expect((await call("GET", "/api/v1/admin/do-not-call", { token: STATIC_ADMIN_TOKEN })).status).toBe(200);
  });

  it("refuses no token with 401, and a valid token without the admin role with 403", async () => {
    const none = await call("GET", "/api/v1/admin/callbacks");
    expect(none.status).toBe(401);
    expect(none.type).toContain("application/problem+json");
    expect(none.code()).toBe("sign_in_required");
    for (const token of [tokens.ada, tokens.eve]) {
      const refused = await call("GET", "/api/v1/admin/callbacks", { token });
      expect(refused.status).toBe(403);
      expect(refused.type).toContain("application/problem+json");
      expect(refused.code()).toBe("role_required");
      expect(refused.challenge).toContain('error="insufficient_scope"');
      expect((await call("POST", "/api/v1/admin/do-not-call", { token, body: { numbers: ["+33612345600"] } })).status).toBe(403);
    }
  });

  it("refuses every forgery of an administrator's token", async () => {
    for (const token of [
      await providerSigned({ sub: "grace", iat: seconds() - 7200, exp: seconds() - 3600 }),
      await providerSigned({ aud: "api://someone-else" }),
      await providerSigned({ iss: `${idp.issuer}/other` }),
      unsigned(),
      await hmacWithPublicKey("pem"),
      await hmacWithPublicKey("jwk"),
      await otherKeySigned(),
      "not-the-automation-token-000000000",
    ]) {
      const refused = await call("GET", "/api/v1/admin/callbacks", { token });
      expect(refused.status, token.slice(0, 40)).toBe(401);
      expect(refused.type).toContain("application/problem+json");
    }
    expect((await call("GET", "/api/v1/admin/callbacks", { authorization: "Basic Z3JhY2U6cHc=" })).status).toBe(401);
  });

  it("lists recent requests with masked numbers and the outbox depth; reveals one number on request", async () => {
    const listed = await call("GET", "/api/v1/admin/callbacks", { token: tokens.grace });
    expect(listed.status).toBe(200);
    const body = listed.json() as { outbox: { depth: number }; callbacks: Array<{ requestId: string; phone: string; status: string; contactId?: string }> };
    expect(body.outbox.depth).toBeGreaterThanOrEqual(0);
    expect(body.callbacks.length).toBeGreaterThanOrEqual(3);
    expect(body.callbacks.every((c) => /^\+\d{2}•+\d{2}$/.test(c.phone))).toBe(true);
    expect(listed.text).not.toContain("612345611");
    expect(body.callbacks.find((c) => c.contactId === adaContact)).toMatchObject({ status: "scheduled", phone: "+33•••••••11" });

    const id = body.callbacks.find((c) => c.contactId === adaContact)!.requestId;
    expect((await call("GET", `/api/v1/admin/callbacks/${id}/phone`, { token: tokens.grace })).json()).toMatchObject({ phone: "+33612345611" });
    expect((await call("GET", `/api/v1/admin/callbacks/${id}/phone`, { token: tokens.eve })).status).toBe(403);
  });

  it("shows a request whose delivery failed and will be tried again as retrying, in the outbox", async () => {
    h.simulator.setFaults({ rules: [{ target: "action", kind: "status", status: 503 }] });
    try {
      const queued = await call("POST", "/api/v1/callbacks", { body: callbackBody("support", { phone: "06 12 34 56 16", country: "FR" }) });
      expect(queued.status).toBe(202);
      const body = (await call("GET", "/api/v1/admin/callbacks", { token: tokens.grace })).json() as { outbox: { depth: number }; callbacks: Array<{ requestId: string; status: string; attempts: number; lastError?: string }> };
      expect(body.callbacks.find((c) => c.requestId === queued.json().requestId)).toMatchObject({ status: "retrying", attempts: 1, lastError: expect.stringContaining("503") });
      expect(body.outbox.depth).toBeGreaterThanOrEqual(1);
    } finally {
      h.simulator.clearFaults();
    }
  });

  it("adds a number to the do-not-call list and removes it by its hash", async () => {
    const added = await call("POST", "/api/v1/admin/do-not-call", { token: tokens.grace, body: { numbers: ["06 12 34 56 99"], country: "FR" } });
    expect(added.json()).toMatchObject({ added: 1 });
    const list = (await call("GET", "/api/v1/admin/do-not-call", { token: tokens.grace })).json() as { entries: Array<{ phoneHash: string }> };
    const hash = list.entries.at(-1)!.phoneHash;
    expect((await call("DELETE", `/api/v1/admin/do-not-call/${hash}`, { token: tokens.ada })).status).toBe(403);
    expect((await call("DELETE", `/api/v1/admin/do-not-call/${hash}`, { token: tokens.grace })).json()).toEqual({ removed: 1, invalid: [] });
    expect((await call("DELETE", `/api/v1/admin/do-not-call/${hash}`, { token: tokens.grace })).status).toBe(404);
  });
});

describe("logs", () => {
  it("never hold a token", () => {
    const logs = h.logs.join("");
    expect(logs).toContain("bearer token refused");
    for (const token of Object.values(tokens)) {
      expect(logs).not.toContain(token);
      expect(logs).not.toContain(token.split(".")[2]!);
    }
  });
});
