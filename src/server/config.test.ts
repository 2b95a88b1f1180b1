import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, ENVIRONMENT_VARIABLES, loadConfig } from "./config";
import { parseProfiles } from "./profiles";
import { checkSignIn } from "./server";

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("loadConfig", () => {
  it("runs on the simulator with no configuration at all", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, simulatorPort: 3001, bodyLimitBytes: 16384 });
    expect(config.dataverse).toBeUndefined();
  });

  it("says what to fix for a real organisation with missing settings", () => {
    const problems = problemsOf(() => loadConfig({ DATAVERSE_URL: "https://contoso.crm4.dynamics.com" }));
    expect(problems).toEqual([
      expect.stringMatching(/^AZURE_TENANT_ID: /),
      expect.stringMatching(/^AZURE_CLIENT_ID: /),
      expect.stringMatching(/^AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH: /),
    ]);
  });

  it("refuses an outbox lease that is not at least twice the longest attempt", () => {
    expect(loadConfig({}).outbox).toMatchObject({ leaseMs: 60_000, attemptTimeoutMs: 25_000, inDoubtWaitMs: 60_000 });
    const problems = problemsOf(() => loadConfig({ OUTBOX_LEASE_MS: "30000", DELIVERY_ATTEMPT_TIMEOUT_MS: "20000" }));
    expect(problems).toEqual([expect.stringMatching(/^OUTBOX_LEASE_MS and DELIVERY_ATTEMPT_TIMEOUT_MS: .*30000 ms.*20000 ms/)]);
    expect(problemsOf(() => loadConfig({ OUTBOX_LEASE_MS: "40000", DELIVERY_ATTEMPT_TIMEOUT_MS: "20000" }))).toEqual([]);
    expect(problemsOf(() => loadConfig({ DELIVERY_ATTEMPT_TIMEOUT_MS: "0" })).map((p) => p.split(":")[0])).toEqual(["DELIVERY_ATTEMPT_TIMEOUT_MS"]);
  });

  it("refuses malformed values, naming each variable", () => {
    const problems = problemsOf(() => loadConfig({ PORT: "http", DATAVERSE_URL: "http://contoso.crm.dynamics.com", LOG_LEVEL: "loud" }));
    expect(problems.map((p) => p.split(":")[0])).toEqual(["PORT", "LOG_LEVEL", "DATAVERSE_URL"]);
    // A limit of no requests, or per no time, is a typo, not a setting.
    for (const limit of ["0/600s", "20/0s", "20/600"]) expect(problemsOf(() => loadConfig({ RATE_LIMIT_PER_ADDRESS: limit }))).toEqual([expect.stringMatching(/^RATE_LIMIT_PER_ADDRESS: must look like 20\/600s/)]);
    expect(loadConfig({ RATE_LIMIT_PER_ADDRESS: "5/30s" }).addressLimit).toEqual({ max: 5, windowSeconds: 30 });
  });

  it("reads a certificate credential and refuses a file without a private key", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cw-config-"));
    const file = path.join(dir, "cert.pem");
    writeFileSync(file, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    const env = { DATAVERSE_URL: "https://contoso.crm4.dynamics.com/", AZURE_TENANT_ID: "t", AZURE_CLIENT_ID: "c", AZURE_CLIENT_CERTIFICATE_PATH: file };
    expect(problemsOf(() => loadConfig(env))).toEqual([expect.stringContaining("must hold both the private key")]);
    writeFileSync(file, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    const config = loadConfig(env);
    expect(config.dataverse).toMatchObject({ orgUrl: "https://contoso.crm4.dynamics.com", credential: { kind: "certificate" } });
    expect(problemsOf(() => loadConfig({ ...env, AZURE_CLIENT_CERTIFICATE_PATH: path.join(dir, "missing.pem") }))).toEqual([
      expect.stringMatching(/^AZURE_CLIENT_CERTIFICATE_PATH: cannot read .*ENOENT/),
    ]);
  });
});

describe(".env.example", () => {
  it("documents every variable the BFF reads", () => {
    const documented = readFileSync(".env.example", "utf8");
    expect(ENVIRONMENT_VARIABLES.filter((name) => !new RegExp(`^${name}=`, "m").test(documented))).toEqual([]);
  });
});

describe("loadConfig: sign-in", () => {
  const visitor = {
    VISITOR_AUTH_ISSUER: "https://login.microsoftonline.com/6f1b9a3e-2c4d-4e8f-9a7b-1c2d3e4f5a6b/v2.0",
    VISITOR_AUTH_AUDIENCE: "0b7c5e1d-8f2a-4b3c-9d4e-5f6a7b8c9d0e, api://callbacks",
    VISITOR_AUTH_CONTACT_CLAIM: "oid",
    VISITOR_AUTH_CONTACT_FIELD: "adx_identity_objectid",
  };

  it("reads the visitors' and administrators' trust, deriving the admin page's authority", () => {
    const config = loadConfig({
      ...visitor,
      ADMIN_AUTH_ISSUER: "https://login.microsoftonline.com/6f1b9a3e-2c4d-4e8f-9a7b-1c2d3e4f5a6b/v2.0",
      ADMIN_AUTH_AUDIENCE: "api://callbacks",
      ADMIN_AUTH_CLIENT_ID: "1c2d3e4f-0000-4000-8000-000000000001",
      ADMIN_AUTH_SCOPES: "api://callbacks/Callback.Manage",
    });
    expect(config.visitorAuth).toMatchObject({
      audiences: ["0b7c5e1d-8f2a-4b3c-9d4e-5f6a7b8c9d0e", "api://callbacks"],
      algorithms: ["RS256"],
      contact: { claim: "oid", field: "adx_identity_objectid" },
    });
    expect(config.adminAuth).toMatchObject({
      role: "Callback.Admin",
      page: { authority: "https://login.microsoftonline.com/6f1b9a3e-2c4d-4e8f-9a7b-1c2d3e4f5a6b", protocolMode: "AAD", scopes: ["api://callbacks/Callback.Manage"], knownAuthorities: [] },
    });
    expect(loadConfig({}).visitorAuth).toBeUndefined();
  });

  it("stops start-up on an incomplete or unsafe sign-in configuration", () => {
    expect(problemsOf(() => loadConfig({ VISITOR_AUTH_ISSUER: visitor.VISITOR_AUTH_ISSUER }))).toEqual([
      expect.stringMatching(/^VISITOR_AUTH_AUDIENCE: required/),
      expect.stringMatching(/^VISITOR_AUTH_CONTACT_CLAIM: required/),
      expect.stringMatching(/^VISITOR_AUTH_CONTACT_FIELD: required/),
    ]);
    expect(problemsOf(() => loadConfig({ ...visitor, AUTH_ALGORITHMS: "RS256,HS256,none" }))).toEqual([expect.stringMatching(/^AUTH_ALGORITHMS: HS256, none not allowed/)]);
    expect(problemsOf(() => loadConfig({ ...visitor, VISITOR_AUTH_ISSUER: "http://idp.example" })).join()).toMatch(/^VISITOR_AUTH_ISSUER: must be the https:\/\//);
    expect(problemsOf(() => loadConfig({ ...visitor, VISITOR_AUTH_CONTACT_FIELD: "emailaddress1 eq 'x' or contactid" })).join()).toMatch(/^VISITOR_AUTH_CONTACT_FIELD: /);
    expect(problemsOf(() => loadConfig({ ADMIN_AUTH_ISSUER: "https://idp.example", ADMIN_AUTH_AUDIENCE: "api", ADMIN_AUTH_CLIENT_ID: "x" }))).toEqual([
      expect.stringMatching(/^ADMIN_AUTH_CLIENT_ID and ADMIN_AUTH_SCOPES: set both/),
    ]);
  });
});

describe("parseProfiles", () => {
  const profile = {
    name: "P",
    proactiveEngagementConfigId: "cbbac510-3e66-ef11-a671-6045bd03d9d8",
    timeZone: "Europe/Paris",
    openingHours: { mon: ["09:00-17:00"] },
    slotMinutes: 30,
    horizonDays: 7,
    maxWindows: 3,
    allowedCountries: ["FR"],
    consent: { version: "1", text: "ok" },
  };

  it("accepts a minimal profile and fills in defaults", () => {
    const parsed = parseProfiles({ profiles: { p: profile } }).get("p")!;
    expect(parsed.calendar.openingHours.mon).toEqual([{ open: "09:00", close: "17:00" }]);
    expect(parsed).toMatchObject({ allowedAttributes: [], fixedAttributes: {}, asapMinimumMinutes: 10 });
  });

  it("says which profile field is wrong", () => {
    const problems = problemsOf(() =>
      parseProfiles({
        profiles: {
          p: { ...profile, timeZone: "Paris", openingHours: { mon: ["17:00-09:00"], funday: ["09:00-10:00"] }, defaultCountry: "DE" },
        },
      }),
    );
    expect(problems.join("\n")).toMatch(/profiles\.p\.timeZone/);
    expect(problems.join("\n")).toMatch(/profiles\.p\.openingHours/);
    expect(problemsOf(() => parseProfiles({ profiles: { p: { ...profile, defaultCountry: "DE" } } }))).toEqual([
      expect.stringContaining("defaultCountry: DE is not in allowedCountries"),
    ]);
    expect(problemsOf(() => parseProfiles({ profiles: {} }))).toEqual([expect.stringContaining("define at least one profile")]);
  });

  it("takes the name and consent text in several languages, one consent version covering them all", () => {
    const parsed = parseProfiles({
      profiles: { p: { ...profile, language: "fr", name: { fr: "Assistance", ar: "الدعم" }, consent: { version: "7", text: { fr: "D’accord.", en: "Agreed." } } } },
    }).get("p")!;
    expect(parsed).toMatchObject({ language: "fr", name: "Assistance", names: { fr: "Assistance", ar: "الدعم" }, consent: { version: "7", texts: { fr: "D’accord.", en: "Agreed." } } });
    // A plain string is in the profile's language, English unless it says otherwise.
    expect(parseProfiles({ profiles: { p: profile } }).get("p")).toMatchObject({ language: "en", names: { en: "P" }, consent: { texts: { en: "ok" } } });
  });

  it("refuses texts missing the profile's own language (shown when the visitor's is not given), or keyed by something else", () => {
    expect(problemsOf(() => parseProfiles({ profiles: { p: { ...profile, consent: { version: "1", text: { fr: "D’accord." } } } } }))).toEqual([
      expect.stringContaining(`profiles.p.consent.text: give it in the profile's language "en" too`),
    ]);
    expect(problemsOf(() => parseProfiles({ profiles: { p: { ...profile, name: { "fr-FR": "Assistance", en: "Support" } } } })).join("\n")).toMatch(/profiles\.p\.name/);
  });

  it("reads a profile's sign-in; an OIDC authority is known to MSAL; a bad one is refused", () => {
    const signIn = { required: true, msal: { authority: "https://idp.example:8443", clientId: "widget", scopes: ["api://callbacks/Callback.Request"], protocolMode: "OIDC" } };
    expect(parseProfiles({ profiles: { p: { ...profile, signIn } } }).get("p")!.signIn).toEqual({ required: true, msal: { ...signIn.msal, knownAuthorities: ["idp.example:8443"] } });
    const problems = problemsOf(() => parseProfiles({ profiles: { p: { ...profile, signIn: { msal: { ...signIn.msal, authority: "http://idp.example", scopes: [] } } } } }));
    expect(problems.join("\n")).toMatch(/profiles\.p\.signIn\.msal\.authority/);
    expect(problems.join("\n")).toMatch(/profiles\.p\.signIn\.msal\.scopes/);
    // Sign-in without a way to verify tokens stops start-up.
    expect(checkSignIn(parseProfiles({ profiles: { p: { ...profile, signIn } } }), {})).toEqual([expect.stringMatching(/^profiles\.p\.signIn: .*VISITOR_AUTH_ISSUER/)]);
  });
});
