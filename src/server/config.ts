// The BFF's configuration, read once from the environment. Without DATAVERSE_URL the product runs
// against the bundled Dataverse simulator; with it, every Microsoft Entra ID setting must be present.
// A bad configuration stops start-up with one line per problem saying what to fix.
import { readFileSync } from "node:fs";
import path from "node:path";
import proxyAddr from "proxy-addr";
import * as z from "zod/mini";
import { leaseProblem } from "./outbox/delivery-worker";
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
  /** Bearer token for the admin API (do-not-call list, consent export); the admin API is off without it. */
  adminApiToken?: string;
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
  RATE_LIMIT_PER_ADDRESS: z._default(z.string().check(z.regex(/^\d+\/\d+s$/, "must look like 20/600s (requests per seconds)")), "20/600s"),
});

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
  if (problems.length > 0) throw new ConfigError(problems);
  if (e.DATAVERSE_URL) config.dataverse = dataverseSettings(e);
  return config;
}

function dataverseSettings(e: z.infer<typeof EnvSchema>): DataverseSettings {
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
