// The BFF's configuration, read once from the environment. Without DATAVERSE_URL the product runs
// against the bundled Dataverse simulator; with it, every Microsoft Entra ID setting must be present.
// A bad configuration stops start-up with one line per problem saying what to fix.
import { readFileSync } from "node:fs";
import path from "node:path";
import proxyAddr from "proxy-addr";
import * as z from "zod/mini";
import { leaseProblem } from "./outbox/delivery-worker";
import type { ContactMapping } from "./auth/signed-in-contact";
import type { TokenTrust } from "./auth/token-verifier";
import { parseKey } from "./personal-data";

export interface DataverseSettings {
  /** Organisation URL, e.g. https://contoso.crm4.dynamics.com (no trailing slash). */
  orgUrl: string;
  tenantId: string;
  clientId: string;
  credential: { kind: "secret"; secret: string } | { kind: "certificate"; privateKeyPem: string; certificatePem: string };
  /** e.g. https://login.microsoftonline.com */
  authorityHost: string;
  /** PEM of extra certificate authorities to trust (the simulator's, a corporate TLS proxy's). */
  extraCaPem?: string;
  timeoutMs: number;
}

/** Signed-in visitors: whose tokens the BFF trusts, and how a token names a Dataverse contact. */
export interface VisitorAuthSettings extends TokenTrust {
  contact: ContactMapping;
}

/** What the admin page's MSAL needs (all public): the authority and the page's own registration. */
export interface AdminPageSignIn {
  authority: string;
  clientId: string;
  scopes: string[];
  protocolMode: "AAD" | "OIDC";
  knownAuthorities: string[];
}

/** Administrators: whose tokens the BFF trusts, the app role they must have, and the admin page's sign-in. */
export interface AdminAuthSettings extends TokenTrust {
  role: string;
  page?: AdminPageSignIn;
}

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  profilesFile: string;
  logLevel: string;
  bodyLimitBytes: number;
  /** Absent when the product runs against the simulator (filled in at start-up). */
  dataverse?: DataverseSettings;
  simulatorPort: number;
  /** PostgreSQL for several instances; the embedded SQLite file in dataDir when absent. */
  databaseUrl?: string;
  /** Master key (32 bytes) for keyed hashes and signed tokens; kept in dataDir when absent and embedded. */
  secretKey?: Buffer;
  /** Encrypts phone numbers and names at rest when set. */
  personalDataKey?: Buffer;
  trustedProxies: string[];
  /** How long POST /callbacks waits for Dataverse before answering 202 instead of 201. */
  syncWaitMs: number;
  collectionEncoding: "objects" | "json-strings";
  outbox: { leaseMs: number; attemptTimeoutMs: number; inDoubtWaitMs: number; pollMs: number; maxAttempts: number; retryBaseMs: number; retryMaxMs: number };
  captchaSecret?: string;
  shutdownGraceMs: number;
  /** The BFF's public URL (for links, and its own origin behind a proxy); derived from requests when absent. */
  publicUrl?: string;
  /** Port of the demo host pages (a second origin); 0 turns them off. */
  demoPort: number;
  /** A static bearer token for the admin API, for the command line and automation. */
  adminApiToken?: string;
  /** Signed-in visitors (VISITOR_AUTH_*); on the simulator the development provider fills it in. */
  visitorAuth?: VisitorAuthSettings;
  /** Administrators (ADMIN_AUTH_*); on the simulator the development provider fills it in. */
  adminAuth?: AdminAuthSettings;
  /** Port of the development identity provider `npm start` runs with the simulator; 0 turns it off. */
  devIdpPort: number;
  /** Callback requests one client address may send. */
  addressLimit: { max: number; windowSeconds: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration problems:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const port = (fallback: number) =>
  z._default(z.string().check(z.regex(/^\d{1,5}$/, "must be a port number such as 3000")), String(fallback));

const httpsUrl = (error: string) => z.url({ protocol: /^https$/, error });

/** Asymmetric algorithms only: a JWKS holds public keys, and HS256 "signed" with one is a forgery. */
const ASYMMETRIC_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];

const EnvSchema = z.object({
  PORT: port(3000),
  HOST: z._default(z.string(), "127.0.0.1"),
  DATA_DIR: z._default(z.string(), "./data"),
  PROFILES_FILE: z._default(z.string(), "./config/profiles.json"),
  LOG_LEVEL: z._default(z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], "must be one of fatal, error, warn, info, debug, trace, silent"), "info"),
  BODY_LIMIT_BYTES: z._default(z.string().check(z.regex(/^\d+$/, "must be a number of bytes")), "16384"),
  SIMULATOR_PORT: port(3001),
  DATAVERSE_URL: z.optional(z.url({ protocol: /^https$/, error: "must be the https:// URL of the Dataverse organisation" })),
  DATAVERSE_TIMEOUT_MS: z._default(z.string().check(z.regex(/^\d+$/, "must be milliseconds")), "10000"),
  DATAVERSE_CA_FILE: z.optional(z.string()),
  AZURE_TENANT_ID: z.optional(z.string().check(z.minLength(1))),
  AZURE_CLIENT_ID: z.optional(z.string().check(z.minLength(1))),
  AZURE_CLIENT_SECRET: z.optional(z.string().check(z.minLength(1))),
  AZURE_CLIENT_CERTIFICATE_PATH: z.optional(z.string().check(z.minLength(1))),
  AZURE_AUTHORITY_HOST: z._default(z.url({ protocol: /^https$/, error: "must be an https:// URL" }), "https://login.microsoftonline.com"),
  DATABASE_URL: z.optional(z.string().check(z.regex(/^postgres(ql)?:\/\//, "must be a postgres:// connection URL"))),
  SECRET_KEY: z.optional(z.string()),
  PERSONAL_DATA_KEY: z.optional(z.string()),
  TRUSTED_PROXIES: z._default(z.string(), ""),
  SYNC_WAIT_MS: z._default(z.string().check(z.regex(/^\d+$/, "must be milliseconds")), "2500"),
  DATAVERSE_COLLECTIONS: z._default(z.enum(["objects", "json-strings"], "must be objects or json-strings"), "objects"),
  OUTBOX_LEASE_MS: z._default(z.string().check(z.regex(/^\d+$/, "must be milliseconds")), "60000"),
  DELIVERY_ATTEMPT_TIMEOUT_MS: z._default(z.string().check(z.regex(/^[1-9]\d*$/, "must be milliseconds")), "25000"),
  OUTBOX_IN_DOUBT_WAIT_MS: z._default(z.string().check(z.regex(/^\d+$/, "must be milliseconds")), "60000"),
  OUTBOX_POLL_MS: z._default(z.string().check(z.regex(/^\d+$/, "must be milliseconds")), "500"),
  OUTBOX_RETRY_BASE_MS: z._default(z.string().check(z.regex(/^\d+$/, "must be milliseconds")), "2000"),
  OUTBOX_RETRY_MAX_MS: z._default(z.string().check(z.regex(/^\d+$/, "must be milliseconds")), "600000"),
  DELIVERY_MAX_ATTEMPTS: z._default(z.string().check(z.regex(/^[1-9]\d*$/, "must be a positive number")), "12"),
  CAPTCHA_SECRET: z.optional(z.string()),
  SHUTDOWN_GRACE_MS: z._default(z.string().check(z.regex(/^\d+$/, "must be milliseconds")), "10000"),
  PUBLIC_URL: z.optional(z.url({ protocol: /^https?$/, error: "must be the BFF's public http(s):// URL" })),
  DEMO_PORT: port(3002),
  ADMIN_API_TOKEN: z.optional(z.string().check(z.minLength(24, "must be at least 24 characters (generate one with: openssl rand -hex 24)"))),
  VISITOR_AUTH_ISSUER: z.optional(httpsUrl("must be the https:// issuer of visitors' tokens (the `iss` claim)")),
  VISITOR_AUTH_AUDIENCE: z.optional(z.string()),
  VISITOR_AUTH_JWKS_URI: z.optional(httpsUrl("must be the https:// URL of the issuer's signing keys")),
  VISITOR_AUTH_CONTACT_CLAIM: z.optional(z.string().check(z.regex(/^[\w.:-]{1,100}$/, "must be a claim name such as oid, sub or email"))),
  VISITOR_AUTH_CONTACT_FIELD: z.optional(z.string().check(z.regex(/^[a-z][a-z0-9_]{0,99}$/, "must be the logical name of a contacts column, such as contactid or emailaddress1"))),
  ADMIN_AUTH_ISSUER: z.optional(httpsUrl("must be the https:// issuer of administrators' tokens (the `iss` claim)")),
  ADMIN_AUTH_AUDIENCE: z.optional(z.string()),
  ADMIN_AUTH_JWKS_URI: z.optional(httpsUrl("must be the https:// URL of the issuer's signing keys")),
  ADMIN_AUTH_ROLE: z._default(z.string().check(z.regex(/^[\w.:-]{1,100}$/, "must be an app role value such as Callback.Admin")), "Callback.Admin"),
  ADMIN_AUTH_AUTHORITY: z.optional(httpsUrl("must be the https:// authority the admin page signs in with")),
  ADMIN_AUTH_CLIENT_ID: z.optional(z.string().check(z.minLength(1))),
  ADMIN_AUTH_SCOPES: z.optional(z.string()),
  ADMIN_AUTH_PROTOCOL_MODE: z._default(z.enum(["AAD", "OIDC"], "must be AAD (Microsoft Entra) or OIDC (another OpenID Connect provider)"), "AAD"),
  AUTH_ALGORITHMS: z._default(z.string(), "RS256"),
  AUTH_CA_FILE: z.optional(z.string()),
  AUTH_CLOCK_TOLERANCE_SECONDS: z._default(z.string().check(z.regex(/^\d{1,3}$/, "must be a number of seconds (at most 999)")), "60"),
  DEV_IDP_PORT: port(3003),
  RATE_LIMIT_PER_ADDRESS: z._default(z.string().check(z.regex(/^[1-9]\d*\/[1-9]\d*s$/, "must look like 20/600s (requests per seconds, both at least 1)")), "20/600s"),
});

/** Every variable the BFF reads (each is documented in .env.example). */
export const ENVIRONMENT_VARIABLES = Object.keys(EnvSchema.shape);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(stripEmpty(env));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const key = (name: "SECRET_KEY" | "PERSONAL_DATA_KEY") => {
    try {
      return parseKey(e[name]);
    } catch (error) {
      problems.push(`${name}: ${(error as Error).message} (generate one with: openssl rand -hex 32)`);
      return undefined;
    }
  };
  const config: Config = {
    port: Number(e.PORT),
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    profilesFile: path.resolve(e.PROFILES_FILE),
    logLevel: e.LOG_LEVEL,
    bodyLimitBytes: Number(e.BODY_LIMIT_BYTES),
    simulatorPort: Number(e.SIMULATOR_PORT),
    databaseUrl: e.DATABASE_URL,
    secretKey: key("SECRET_KEY"),
    personalDataKey: key("PERSONAL_DATA_KEY"),
    trustedProxies: e.TRUSTED_PROXIES.split(",").map((p) => p.trim()).filter(Boolean),
    syncWaitMs: Number(e.SYNC_WAIT_MS),
    collectionEncoding: e.DATAVERSE_COLLECTIONS,
    outbox: {
      leaseMs: Number(e.OUTBOX_LEASE_MS),
      attemptTimeoutMs: Number(e.DELIVERY_ATTEMPT_TIMEOUT_MS),
      inDoubtWaitMs: Number(e.OUTBOX_IN_DOUBT_WAIT_MS),
      pollMs: Number(e.OUTBOX_POLL_MS),
      maxAttempts: Number(e.DELIVERY_MAX_ATTEMPTS),
      retryBaseMs: Number(e.OUTBOX_RETRY_BASE_MS),
      retryMaxMs: Number(e.OUTBOX_RETRY_MAX_MS),
    },
    captchaSecret: e.CAPTCHA_SECRET,
    shutdownGraceMs: Number(e.SHUTDOWN_GRACE_MS),
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ""),
    demoPort: Number(e.DEMO_PORT),
    adminApiToken: e.ADMIN_API_TOKEN,
    devIdpPort: Number(e.DEV_IDP_PORT),
    addressLimit: { max: Number(e.RATE_LIMIT_PER_ADDRESS.split("/")[0]), windowSeconds: parseInt(e.RATE_LIMIT_PER_ADDRESS.split("/")[1]!, 10) },
  };
  const lease = leaseProblem(config.outbox.leaseMs, config.outbox.attemptTimeoutMs);
  if (lease) problems.push(`OUTBOX_LEASE_MS and DELIVERY_ATTEMPT_TIMEOUT_MS: ${lease}; lengthen the lease or shorten the attempt`);
  if (e.DATABASE_URL && !e.SECRET_KEY) {
    problems.push("SECRET_KEY: instances sharing DATABASE_URL must share one key (generate one with: openssl rand -hex 32)");
  }
  try {
    proxyAddr.compile(config.trustedProxies);
  } catch (error) {
    problems.push(`TRUSTED_PROXIES: ${(error as Error).message}`);
  }
  const auth = authSettings(e, problems);
  config.visitorAuth = auth.visitor;
  config.adminAuth = auth.admin;
  if (problems.length > 0) throw new ConfigError(problems);
  if (e.DATAVERSE_URL) config.dataverse = dataverseSettings(e);
  return config;
}

type Env = z.infer<typeof EnvSchema>;

function authSettings(e: Env, problems: string[]): { visitor?: VisitorAuthSettings; admin?: AdminAuthSettings } {
  const algorithms = list(e.AUTH_ALGORITHMS);
  const refused = algorithms.filter((alg) => !ASYMMETRIC_ALGORITHMS.includes(alg));
  if (refused.length > 0 || algorithms.length === 0) {
    problems.push(`AUTH_ALGORITHMS: ${refused.join(", ") || "(empty)"} not allowed; list asymmetric algorithms only (${ASYMMETRIC_ALGORITHMS.join(", ")}), RS256 for Microsoft Entra ID`);
  }
  const extraCaPem = e.AUTH_CA_FILE ? readPem(e.AUTH_CA_FILE, "AUTH_CA_FILE", problems) : undefined;
  const common = { algorithms, extraCaPem, clockToleranceSeconds: Number(e.AUTH_CLOCK_TOLERANCE_SECONDS), timeoutMs: Number(e.DATAVERSE_TIMEOUT_MS) };

  const need = (prefix: string, values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) if (!value) problems.push(`${prefix}${name}: required when ${prefix}* is set (see .env.example)`);
  };

  let visitor: VisitorAuthSettings | undefined;
  const visitorSet = [e.VISITOR_AUTH_ISSUER, e.VISITOR_AUTH_AUDIENCE, e.VISITOR_AUTH_JWKS_URI, e.VISITOR_AUTH_CONTACT_CLAIM, e.VISITOR_AUTH_CONTACT_FIELD].some(Boolean);
  if (visitorSet) {
    need("VISITOR_AUTH_", { ISSUER: e.VISITOR_AUTH_ISSUER, AUDIENCE: e.VISITOR_AUTH_AUDIENCE, CONTACT_CLAIM: e.VISITOR_AUTH_CONTACT_CLAIM, CONTACT_FIELD: e.VISITOR_AUTH_CONTACT_FIELD });
    if (e.VISITOR_AUTH_ISSUER && e.VISITOR_AUTH_AUDIENCE && e.VISITOR_AUTH_CONTACT_CLAIM && e.VISITOR_AUTH_CONTACT_FIELD) {
      visitor = {
        ...common,
        issuer: e.VISITOR_AUTH_ISSUER,
        audiences: list(e.VISITOR_AUTH_AUDIENCE),
        jwksUri: e.VISITOR_AUTH_JWKS_URI,
        contact: { claim: e.VISITOR_AUTH_CONTACT_CLAIM, field: e.VISITOR_AUTH_CONTACT_FIELD },
      };
    }
  }

  let admin: AdminAuthSettings | undefined;
  const adminSet = [e.ADMIN_AUTH_ISSUER, e.ADMIN_AUTH_AUDIENCE, e.ADMIN_AUTH_JWKS_URI, e.ADMIN_AUTH_AUTHORITY, e.ADMIN_AUTH_CLIENT_ID, e.ADMIN_AUTH_SCOPES].some(Boolean);
  if (adminSet) {
    need("ADMIN_AUTH_", { ISSUER: e.ADMIN_AUTH_ISSUER, AUDIENCE: e.ADMIN_AUTH_AUDIENCE });
    if (Boolean(e.ADMIN_AUTH_CLIENT_ID) !== Boolean(e.ADMIN_AUTH_SCOPES)) {
      problems.push("ADMIN_AUTH_CLIENT_ID and ADMIN_AUTH_SCOPES: set both (the admin page's app registration and the API scope it asks for), or neither (API only)");
    }
    if (e.ADMIN_AUTH_ISSUER && e.ADMIN_AUTH_AUDIENCE) {
      // Entra's v2.0 issuer is the authority with /v2.0 added.
      const authority = e.ADMIN_AUTH_AUTHORITY ?? e.ADMIN_AUTH_ISSUER.replace(/\/v2\.0\/?$/, "");
      admin = {
        ...common,
        issuer: e.ADMIN_AUTH_ISSUER,
        audiences: list(e.ADMIN_AUTH_AUDIENCE),
        jwksUri: e.ADMIN_AUTH_JWKS_URI,
        role: e.ADMIN_AUTH_ROLE,
        page:
          e.ADMIN_AUTH_CLIENT_ID && e.ADMIN_AUTH_SCOPES
            ? {
                authority,
                clientId: e.ADMIN_AUTH_CLIENT_ID,
                scopes: list(e.ADMIN_AUTH_SCOPES),
                protocolMode: e.ADMIN_AUTH_PROTOCOL_MODE,
                knownAuthorities: e.ADMIN_AUTH_PROTOCOL_MODE === "OIDC" ? [new URL(authority).host] : [],
              }
            : undefined,
      };
    }
  }
  return { visitor, admin };
}

/** "a, b c" -> ["a", "b", "c"] */
function list(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

function dataverseSettings(e: Env): DataverseSettings {
  const problems: string[] = [];
  if (!e.AZURE_TENANT_ID) problems.push("AZURE_TENANT_ID: set it to the Microsoft Entra tenant (directory) id of the organisation");
  if (!e.AZURE_CLIENT_ID) problems.push("AZURE_CLIENT_ID: set it to the application (client) id of the app registration used as the Dataverse application user");
  if (!e.AZURE_CLIENT_SECRET && !e.AZURE_CLIENT_CERTIFICATE_PATH) {
    problems.push("AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH: set one (a certificate is recommended in production)");
  }
  if (e.AZURE_CLIENT_SECRET && e.AZURE_CLIENT_CERTIFICATE_PATH) {
    problems.push("AZURE_CLIENT_SECRET and AZURE_CLIENT_CERTIFICATE_PATH: set only one of them");
  }
  const certificatePem = e.AZURE_CLIENT_CERTIFICATE_PATH ? readPem(e.AZURE_CLIENT_CERTIFICATE_PATH, "AZURE_CLIENT_CERTIFICATE_PATH", problems) : undefined;
  if (certificatePem !== undefined && (!certificatePem.includes("PRIVATE KEY-----") || !certificatePem.includes("BEGIN CERTIFICATE"))) {
    problems.push("AZURE_CLIENT_CERTIFICATE_PATH: the PEM file must hold both the private key (unencrypted) and the certificate");
  }
  const extraCaPem = e.DATAVERSE_CA_FILE ? readPem(e.DATAVERSE_CA_FILE, "DATAVERSE_CA_FILE", problems) : undefined;
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    orgUrl: e.DATAVERSE_URL!.replace(/\/+$/, ""),
    tenantId: e.AZURE_TENANT_ID!,
    clientId: e.AZURE_CLIENT_ID!,
    credential: certificatePem
      ? { kind: "certificate", privateKeyPem: certificatePem, certificatePem }
      : { kind: "secret", secret: e.AZURE_CLIENT_SECRET! },
    authorityHost: e.AZURE_AUTHORITY_HOST.replace(/\/+$/, ""),
    extraCaPem,
    timeoutMs: Number(e.DATAVERSE_TIMEOUT_MS),
  };
}

function readPem(file: string, variable: string, problems: string[]): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    problems.push(`${variable}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
    return undefined;
  }
}

/** Treats `VAR=` like an unset variable, as most tools do. */
function stripEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ""));
}
