// Starts a Dataverse simulator and a BFF wired to it, in-process on ephemeral ports, for the
// integration tests. Everything runs for real over HTTP(S); only the clock can be pinned.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { generate } from "selfsigned";
import { Agent, request } from "undici";
import { startSimulator, type RunningSimulator, type SimulatorOptions } from "../simulator/index";
import { loadConfig, type Config } from "./config";
import { simulatorSettings } from "./dataverse/simulator-settings";
import { createLogger } from "./logger";
import { parseProfiles } from "./profiles";
import type { WorkerOptions } from "./outbox/delivery-worker";
import { startBff, type BffOptions, type RunningBff } from "./server";

export interface Harness {
  bff: RunningBff;
  simulator: RunningSimulator;
  dataDir: string;
  /** Every log line the BFF wrote, for assertions about what must never be logged. */
  logs: string[];
  /** Starts one more BFF sharing this one's configuration (and, on PostgreSQL, its store). */
  startAnotherBff(): Promise<RunningBff>;
  /** Adds a contact to the simulated Dataverse directly; answers its id. */
  seedContact(fields: Record<string, string>): Promise<string>;
  /** GETs one of the simulator's test endpoints (/__simulator/…) as JSON. */
  simulatorJson(path: string): Promise<unknown>;
  /** Reads the simulator's ledger of action calls. */
  deliveries(): Promise<Array<{ deliveryId: string; headers: Record<string, string>; body: Record<string, unknown> }>>;
  close(): Promise<void>;
}

export async function startHarness(options: {
  profiles: unknown;
  now?: () => number;
  simulator?: SimulatorOptions;
  bodyLimitBytes?: number;
  /** How the BFF proves who it is to the token endpoint. */
  credential?: "secret" | "certificate" | "wrong-secret";
  /** Extra BFF settings, as environment variables. */
  env?: Record<string, string>;
  worker?: Partial<WorkerOptions>;
  /** Timeout of each call to the simulator. */
  timeoutMs?: number;
  databaseSchema?: string;
  /** A folder holding the built pages (index.html); none by default. */
  staticRoot?: string;
}): Promise<Harness> {
  const profiles = parseProfiles(options.profiles);
  const certificate = options.credential === "certificate" ? await generate([{ name: "commonName", value: "callback-widget bff" }], { keySize: 2048, algorithm: "sha256" }) : undefined;
  const simulator = await startSimulator({
    port: 0,
    clientCertificatePem: certificate?.cert,
    engagementConfigs: [...profiles.values()].map((p) => ({ id: p.proactiveEngagementConfigId, name: p.name, type: "Voice", active: true, dialMode: "Copilot" })),
    ...options.simulator,
  });
  const dataDir = mkdtempSync(path.join(tmpdir(), "callback-widget-test-"));
  const logs: string[] = [];
  const logger = createLogger("info", new Writable({ write: (chunk, _enc, done) => (logs.push(String(chunk)), done()) }));
  const config: Config = loadConfig({
    PORT: "0",
    DATA_DIR: dataDir,
    BODY_LIMIT_BYTES: String(options.bodyLimitBytes ?? 16_384),
    SYNC_WAIT_MS: "3000",
    OUTBOX_POLL_MS: "100",
    RATE_LIMIT_PER_ADDRESS: "100000/60s",
    ...options.env,
  });
  const bffOptions: BffOptions = {
    config,
    profiles,
    logger,
    now: options.now,
    worker: options.worker,
    databaseSchema: options.databaseSchema,
    staticRoot: options.staticRoot ?? path.join(dataDir, "no-widget"),
    dataverse: simulatorSettings(simulator, {
      credential: certificate
        ? { kind: "certificate", privateKeyPem: certificate.private, certificatePem: certificate.cert }
        : { kind: "secret", secret: options.credential === "wrong-secret" ? "not-the-registered-secret" : simulator.clientSecret },
      timeoutMs: options.timeoutMs ?? 5_000,
    }),
  };
  const bff = await startBff(bffOptions);
  const others: RunningBff[] = [];
  const trustSimulator = new Agent({ connect: { ca: simulator.caCertPem } });
  return {
    bff,
    simulator,
    dataDir,
    logs,
    async startAnotherBff() {
      const another = await startBff(bffOptions);
      others.push(another);
      return another;
    },
    async seedContact(fields) {
      const response = await request(`${simulator.url}/__simulator/contacts`, { method: "POST", body: JSON.stringify(fields), dispatcher: trustSimulator });
      return ((await response.body.json()) as { contactid: string }).contactid;
    },
    async simulatorJson(path) {
      const response = await request(`${simulator.url}${path}`, { dispatcher: trustSimulator });
      return response.body.json();
    },
    async deliveries() {
      const response = await request(`${simulator.url}/__simulator/deliveries`, { dispatcher: trustSimulator });
      return (await response.body.json()) as Awaited<ReturnType<Harness["deliveries"]>>;
    },
    async close() {
      for (const other of others) await other.close();
      await bff.close();
      await simulator.close();
      await trustSimulator.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const weekdays = (range: string) => Object.fromEntries(["mon", "tue", "wed", "thu", "fri"].map((d) => [d, [range]]));

/** A weekday 09:00-17:00 Paris profile the integration tests share. */
export const supportProfile = {
  name: "Support",
  proactiveEngagementConfigId: "cbbac510-3e66-ef11-a671-6045bd03d9d8",
  timeZone: "Europe/Paris",
  openingHours: weekdays("09:00-17:00"),
  slotMinutes: 30,
  horizonDays: 7,
  maxWindows: 3,
  allowedCountries: ["FR", "GB", "US"],
  defaultCountry: "FR",
  consent: { version: "v1", text: "Call me, please." },
  attributes: { allowed: ["orderNumber"], fixed: { type: "callback" } },
  limits: { perNumber: { max: 1000, windowSeconds: 3600 } },
};

/** Open every hour of every day, in UTC: for tests where opening hours are not the point. */
export const allDay = Object.fromEntries(["sun", "mon", "tue", "wed", "thu", "fri", "sat"].map((d) => [d, ["00:00-24:00"]]));

/** A profile open around the clock for two days, French numbers only. */
export const aroundTheClockProfile = {
  name: "Line",
  proactiveEngagementConfigId: "cbbac510-3e66-ef11-a671-6045bd03d9d8",
  timeZone: "UTC",
  openingHours: allDay,
  slotMinutes: 30,
  horizonDays: 2,
  maxWindows: 2,
  allowedCountries: ["FR"],
  consent: { version: "1", text: "Call me." },
};
