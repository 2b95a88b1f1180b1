// The BFF killed with SIGKILL while its outbox holds requests (some possibly half-sent): after a
// restart on the same data folder, every request is delivered and none twice. The BFF runs as its
// own process, configured for a "real" organisation that happens to be the simulator.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type RunningSimulator } from "../simulator/index";
import { aroundTheClockProfile } from "./test-harness";

const dir = mkdtempSync(path.join(tmpdir(), "cw-crash-"));
let simulator: RunningSimulator;
let bff: ChildProcess | undefined;
// A port nobody listens on (a random one in a range could be another server's: its 422s then
// looked like this BFF's).
const port = await new Promise<number>((resolve) => {
  const probe = createServer().listen(0, "127.0.0.1", () => {
    const { port: free } = probe.address() as AddressInfo;
    probe.close(() => resolve(free));
  });
});
const base = `http://127.0.0.1:${port}`;

beforeAll(async () => {
  simulator = await startSimulator({ tlsDir: path.join(dir, "tls") });
  writeFileSync(
    path.join(dir, "profiles.json"),
    JSON.stringify({
      profiles: {
        line: {
          ...aroundTheClockProfile,
          // Whatever the hour this test runs at: compliance is tested elsewhere.
          callingHours: { enabled: false },
        },
      },
    }),
  );
});
afterAll(async () => {
  bff?.kill("SIGKILL");
  await simulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function startBffProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/server/main.ts"], {
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: path.join(dir, "data"),
      PROFILES_FILE: path.join(dir, "profiles.json"),
      LOG_LEVEL: "warn",
      DATAVERSE_URL: simulator.orgUrl,
      AZURE_AUTHORITY_HOST: simulator.authorityHost,
      AZURE_TENANT_ID: simulator.tenantId,
      AZURE_CLIENT_ID: simulator.clientId,
      AZURE_CLIENT_SECRET: simulator.clientSecret,
      DATAVERSE_CA_FILE: path.join(dir, "tls", "cert.pem"),
      SYNC_WAIT_MS: "50",
      OUTBOX_POLL_MS: "100",
      // A short lease so that the restarted BFF soon takes over the dead one's rows; each attempt
      // bounded within half of it, and lost answers looked for soon after.
      OUTBOX_LEASE_MS: "4000",
      DELIVERY_ATTEMPT_TIMEOUT_MS: "2000",
      OUTBOX_IN_DOUBT_WAIT_MS: "300",
      OUTBOX_RETRY_BASE_MS: "200",
      OUTBOX_RETRY_MAX_MS: "400",
      DELIVERY_MAX_ATTEMPTS: "50",
      RATE_LIMIT_PER_ADDRESS: "1000/60s",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await request(`${base}/healthz`)).statusCode === 200) return child;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the BFF did not start");
}

describe("a BFF killed with SIGKILL", () => {
  it("delivers everything after a restart, nothing twice", async () => {
    bff = await startBffProcess();
    // Half the sends fail outright, half succeed in Dataverse but lose their answer.
    simulator.setFaults({ seed: 7, rules: [{ target: "action", kind: "reset-after", rate: 0.5 }, { target: "action", kind: "status", status: 503 }] });
    const soon = new Date(Date.now() + 60 * 60_000);
    const start = new Date(Math.ceil(soon.getTime() / 1_800_000) * 1_800_000);
    const windows = [{ start: start.toISOString(), end: new Date(start.getTime() + 1_800_000).toISOString() }];

    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const response = await request(`${base}/api/v1/callbacks`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ profile: "line", phone: `+336${30_000_000 + i}`, timeZone: "UTC", consent: true, windows }),
      });
      expect(response.statusCode).toBe(202);
      ids.push(((await response.body.json()) as { requestId: string }).requestId);
    }
    await new Promise((resolve) => setTimeout(resolve, 700)); // the worker is busy retrying
    bff.kill("SIGKILL");
    await new Promise((resolve) => bff!.once("exit", resolve));
    const createdBeforeCrash = simulator.ledger().length;

    simulator.clearFaults();
    bff = await startBffProcess();
    const deadline = Date.now() + 30_000;
    let statuses: string[] = [];
    while (Date.now() < deadline) {
      statuses = await Promise.all(
        ids.map(async (id) => ((await (await request(`${base}/api/v1/callbacks/${id}`)).body.json()) as { status: string }).status),
      );
      if (statuses.every((s) => s === "scheduled")) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(statuses).toEqual(ids.map(() => "scheduled"));

    const ledger = simulator.ledger();
    const phones = ledger.map((e) => (e.body as { DestinationPhoneNumber: string }).DestinationPhoneNumber);
    expect(ledger).toHaveLength(20);
    expect(new Set(phones).size).toBe(20);
    expect(createdBeforeCrash).toBeGreaterThan(0); // some were half-sent when the process died
  }, 60_000);
});
