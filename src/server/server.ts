// Wires the BFF together (store, keys, Dataverse gateway, outbox worker, abuse defences, HTTP app)
// and serves it. Used by main.ts and by the integration tests, which start it in-process.
import { hkdfSync } from "node:crypto";
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { createServer, type Server } from "node:http";
import { getRequestListener } from "@hono/node-server";
import type { Logger } from "pino";
import { createCaptchaVerifier, FormTokens } from "./abuse/bot-defence";
import { createAddressResolver } from "./abuse/client-address";
import { floodGuard } from "./abuse/flood-guard";
import { RateLimiter } from "./abuse/rate-limiter";
import { createApp } from "./app";
import { createContactMapper } from "./auth/signed-in-contact";
import { createTokenVerifier } from "./auth/token-verifier";
import { cachedCalleeZones } from "./callee-zones";
import { ConfigError, type Config, type DataverseSettings } from "./config";
import { createDataverseGateway } from "./dataverse/gateway";
import { createMetrics } from "./metrics";
import { DeliveryWorker, type WorkerOptions } from "./outbox/delivery-worker";
import { createVault, loadOrCreateKeyFile } from "./personal-data";
import type { Profiles } from "./profiles";
import { LinkSigner, ManageTokens } from "./signed-links";
import { openSqliteStore } from "./store/sqlite-store";
import type { Store } from "./store/types";

export const DEFAULT_STATIC_ROOT = fileURLToPath(new URL("../../dist/client/", import.meta.url));

export interface BffOptions {
  config: Config;
  dataverse: DataverseSettings;
  profiles: Profiles;
  logger: Logger;
  now?: () => number;
  staticRoot?: string;
  /** PostgreSQL schema to use (tests give each run its own). */
  databaseSchema?: string;
  worker?: Partial<WorkerOptions>;
}

export interface RunningBff {
  url: string;
  store: Store;
  worker: DeliveryWorker;
  /** Stops accepting, lets deliveries under way finish, hands back the rest. */
  close(): Promise<void>;
}

/** Purpose-bound keys derived from the one master secret. */
export function deriveKey(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), `callback-widget ${purpose}`, 32));
}

/** The keyed hashing (and optional encryption) of personal data, with the keys the BFF uses. */
export function openVault(config: Config) {
  const master = config.secretKey ?? loadOrCreateKeyFile(config.dataDir, "secret.key");
  return { master, vault: createVault({ hashKey: deriveKey(master, "phone-hash"), encryptionKey: config.personalDataKey }) };
}

export async function openStore(config: Config, schema?: string): Promise<Store> {
  if (!config.databaseUrl) return openSqliteStore(config.dataDir);
  // The PostgreSQL client is loaded only by instances that use it.
  const { openPostgresStore } = await import("./store/postgres-store");
  return openPostgresStore({ connectionString: config.databaseUrl, schema });
}

/** A profile asking visitors to sign in needs a way to verify their tokens. */
export function checkSignIn(profiles: Profiles, config: Pick<Config, "visitorAuth">): string[] {
  if (config.visitorAuth) return [];
  return [...profiles.values()]
    .filter((p) => p.signIn)
    .map((p) => `profiles.${p.id}.signIn: visitors' tokens cannot be verified: set VISITOR_AUTH_ISSUER, VISITOR_AUTH_AUDIENCE, VISITOR_AUTH_CONTACT_CLAIM and VISITOR_AUTH_CONTACT_FIELD`);
}

export async function startBff(options: BffOptions): Promise<RunningBff> {
  const { config, logger } = options;
  const needCaptcha = [...options.profiles.values()].filter((p) => p.botDefence.captcha).map((p) => p.id);
  if (needCaptcha.length > 0 && !config.captchaSecret) {
    throw new ConfigError([`CAPTCHA_SECRET: profiles ${needCaptcha.join(", ")} use a CAPTCHA; set the provider's secret key`]);
  }
  const now = options.now ?? Date.now;
  const signInProblems = checkSignIn(options.profiles, config);
  if (signInProblems.length > 0) throw new ConfigError(signInProblems);
  const store = await openStore(config, options.databaseSchema);
  const { master, vault } = openVault(config);
  const metrics = createMetrics(store, now);
  const gateway = createDataverseGateway(options.dataverse, {
    encoding: config.collectionEncoding,
    now,
    observe: (operation, outcome, seconds) => metrics.dataverseDuration.observe({ operation, outcome }, seconds),
  });
  const worker = new DeliveryWorker(
    {
      store,
      gateway,
      vault,
      profiles: options.profiles,
      logger,
      now,
      onAttempt: (result, _reason, cause) => {
        metrics.deliveryAttempts.inc({ result });
        if (cause) metrics.deliveryFailures.inc({ cause });
      },
    },
    {
      leaseMs: config.outbox.leaseMs,
      attemptTimeoutMs: config.outbox.attemptTimeoutMs,
      inDoubtWaitMs: config.outbox.inDoubtWaitMs,
      pollMs: config.outbox.pollMs,
      retry: { maxAttempts: config.outbox.maxAttempts, baseDelayMs: config.outbox.retryBaseMs, maxDelayMs: config.outbox.retryMaxMs },
      ...options.worker,
    },
  );
  // Token lifetimes are the identity provider's clock, the real one (never the injected `now`).
  const visitorVerifier = config.visitorAuth && createTokenVerifier(config.visitorAuth);
  const adminVerifier = config.adminAuth && createTokenVerifier(config.adminAuth);
  const staticRoot = options.staticRoot ?? DEFAULT_STATIC_ROOT;
  if (!existsSync(staticRoot)) logger.warn({ staticRoot }, "the widget is not built (run `npm run build`); serving the API only");

  const limiter = new RateLimiter(store, now);
  const resolveAddress = createAddressResolver(config.trustedProxies);
  const app = createApp({
    profiles: options.profiles,
    store,
    vault,
    limiter,
    formTokens: new FormTokens(deriveKey(master, "form-token"), now),
    links: new LinkSigner(deriveKey(master, "signed-link"), now),
    manageTokens: new ManageTokens(deriveKey(master, "manage-request")),
    calleeZones: cachedCalleeZones(),
    captcha: createCaptchaVerifier(config.captchaSecret),
    now,
    worker,
    gateway,
    metrics,
    logger,
    resolveAddress,
    settings: {
      bodyLimitBytes: config.bodyLimitBytes,
      syncWaitMs: config.syncWaitMs,
      trustedProxies: config.trustedProxies,
      addressLimit: config.addressLimit,
      publicUrl: config.publicUrl,
    },
    auth: {
      visitor: visitorVerifier && { verifier: visitorVerifier, mapContact: createContactMapper(config.visitorAuth!.contact, gateway, now) },
      admin: { verifier: adminVerifier, role: config.adminAuth?.role ?? "Callback.Admin", staticToken: config.adminApiToken, page: config.adminAuth?.page },
    },
    staticRoot: existsSync(staticRoot) ? staticRoot : undefined,
  });

  const server = await new Promise<Server>((resolve) => {
    const guarded = floodGuard(
      {
        limiter,
        resolveAddress,
        trustedProxies: config.trustedProxies,
        profiles: options.profiles,
        publicUrl: config.publicUrl,
        onRefused: () => {
          metrics.callbackRequests.inc({ outcome: "rate_limited" });
          metrics.httpRequests.inc({ method: "POST", route: "/api/v1/callbacks", status: "429" });
        },
      },
      getRequestListener(app.fetch),
    );
    const s = createServer(guarded).listen(config.port, config.host, () => resolve(s));
  });
  // Longer than the idle timeouts of clients and load balancers (60 s is common), so the server is
  // never the one to close a connection a client is about to reuse.
  Object.assign(server, { keepAliveTimeout: 65_000, headersTimeout: 66_000 });
  worker.start();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`,
    store,
    worker,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      await worker.stop(config.shutdownGraceMs);
      await closed;
      await gateway.close();
      await visitorVerifier?.close();
      await adminVerifier?.close();
      await store.close();
    },
  };
}
