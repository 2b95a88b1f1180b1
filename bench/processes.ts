// The processes under test, each in a child process of its own: the Dataverse simulator, the BFF
// (the real product, configured through its environment), and the floors' bare servers. A child's
// peak resident memory is read from /proc when it stops.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const TMP = path.join(ROOT, "bench", "tmp");

/** The profiles every benchmark's BFF serves (bench/profiles.json). */
export function benchProfiles<T = unknown>(): T {
  return JSON.parse(readFileSync(path.join(ROOT, "bench", "profiles.json"), "utf8")) as T;
}

// The benchmark's ports (3210–3299 unless BENCH_PORTS=from-to says otherwise, to run two at once),
// apart from the browser tests'.
const PORTS = (process.env.BENCH_PORTS ?? "3210-3299").split("-").map(Number) as [number, number];

/** A free port in the benchmark's range. */
export async function freePort(from = PORTS[0], to = PORTS[1]): Promise<number> {
  for (let port = from; port <= to; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (free && !taken.has(port)) {
      taken.add(port);
      return port;
    }
  }
  throw new Error(`no free port in ${from}-${to}`);
}
const taken = new Set<number>();

/** CPU time (user + system) a process has used so far, in milliseconds. */
export function cpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    // utime and stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 a second).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

export interface Child {
  name: string;
  process: ChildProcess;
  /** Resident memory now and at its peak (VmRSS, VmHWM), in bytes. */
  memory(): { rss: number; peak: number };
  stop(): Promise<{ peakRss: number }>;
}

function readMemory(pid: number | undefined): { rss: number; peak: number } {
  if (!pid) return { rss: 0, peak: 0 };
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb("VmRSS"), peak: kb("VmHWM") };
  } catch {
    return { rss: 0, peak: 0 };
  }
}

/** Starts `node --import tsx <script>` (no wrapper process, so its pid is the server's; valgrind keeps it too). */
export function startNode(name: string, script: string, env: Record<string, string>, args: string[] = [], nodeArgs: string[] = [], wrapper: string[] = []): Child {
  mkdirSync(TMP, { recursive: true });
  const log = openSync(path.join(TMP, `${name}.log`), "w");
  const command = [...wrapper, process.execPath, ...nodeArgs, ...(script.endsWith(".ts") ? ["--import", "tsx"] : []), script, ...args];
  const child = spawn(command[0]!, command.slice(1), {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "production", ...env },
    stdio: ["ignore", log, log],
  });
  let exited = false;
  let lastPeak = 0;
  child.once("exit", () => (exited = true));
  const memory = () => {
    const m = readMemory(child.pid);
    if (m.peak) lastPeak = m.peak;
    return m;
  };
  return {
    name,
    process: child,
    memory,
    async stop() {
      memory();
      if (!exited) {
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        await new Promise((resolve) => child.once("exit", resolve));
        clearTimeout(killer);
      }
      return { peakRss: lastPeak };
    },
  };
}

/** Waits until the child answers `url` at all (any status: a floor may answer 429 or 502 to it). */
export async function waitFor(url: string, child: Child, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) throw new Error(`${child.name} exited with ${child.process.exitCode}; see bench/tmp/${child.name}.log`);
    try {
      await (await fetch(url)).arrayBuffer();
      return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${child.name} did not answer ${url} within ${timeoutMs} ms; see bench/tmp/${child.name}.log`);
}

export interface Simulator {
  child: Child;
  url: string;
  caFile: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

export async function startSimulator(): Promise<Simulator> {
  const port = await freePort();
  const tlsDir = path.join(TMP, "simulator-tls");
  // A fresh secret each run: the simulator and the BFF learn it from their environment.
  const clientSecret = randomBytes(24).toString("base64url");
  const child = startNode("simulator", "src/simulator/main.ts", {
    SIMULATOR_PORT: String(port),
    SIMULATOR_TLS_DIR: tlsDir,
    SIMULATOR_CLIENT_SECRET: clientSecret,
  }, [], (process.env.BENCH_SIMULATOR_NODE_ARGS ?? "").split(" ").filter(Boolean));
  const url = `https://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  // The simulator says it is ready on stdout (into its log) once it listens.
  for (;;) {
    if (child.process.exitCode !== null) throw new Error(`the simulator exited; see bench/tmp/simulator.log`);
    const text = readFileSync(path.join(TMP, "simulator.log"), "utf8");
    const line = text.split("\n").find((l) => l.includes("Dataverse simulator listening"));
    if (line) {
      const ready = JSON.parse(line) as { tenantId: string; clientId: string; caFile: string };
      return { child, url, caFile: ready.caFile, tenantId: ready.tenantId, clientId: ready.clientId, clientSecret };
    }
    if (Date.now() > deadline) throw new Error("the simulator did not start; see bench/tmp/simulator.log");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The Node flags `npm start` runs the server bundle with (from package.json), so the bench runs it alike. */
export function startFlags(): string[] {
  const { scripts } = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
  const command = scripts.start!.split("&&").map((part) => part.trim()).find((part) => part.startsWith("node "));
  if (!command) throw new Error("package.json's start script runs no `node …` command");
  const words = command.split(/\s+/).slice(1);
  return words.slice(0, words.findIndex((word) => !word.startsWith("-")));
}

export interface Bff {
  child: Child;
  url: string;
}

export interface BffOptions {
  /** More environment for the server, after the bench's own. */
  env?: Record<string, string>;
  /** Another build's server bundle, to compare two versions side by side (it serves the widget built beside it, its ../client). */
  script?: string;
  /** Node flags after npm start's own, so a flag named again overrides start's. */
  nodeArgs?: string[];
  /** A command the server runs under (valgrind, say): its pid is still the server's. */
  wrapper?: string[];
  /** How long to wait for its health check (a server under valgrind starts slowly). */
  readyTimeoutMs?: number;
}

/**
 * The product as `npm start` runs it against a real organisation (the simulator stands in for
 * one): its own SQLite file in a fresh DATA_DIR, the bench profiles, production logging.
 * BENCH_BFF_SCRIPT and BENCH_BFF_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=bench/tmp/profiles",
 * to profile the BFF under load) are the defaults of `script` and `nodeArgs`.
 */
export async function startBff(name: string, simulator: Simulator, profiles: unknown, options: BffOptions = {}): Promise<Bff> {
  const {
    env = {},
    script = process.env.BENCH_BFF_SCRIPT ?? "dist/server/main.js",
    nodeArgs = (process.env.BENCH_BFF_NODE_ARGS ?? "").split(" ").filter(Boolean),
    wrapper = [],
    readyTimeoutMs,
  } = options;
  const port = await freePort();
  const dataDir = path.join(TMP, `${name}-data-${Date.now()}`);
  mkdirSync(dataDir, { recursive: true });
  const profilesFile = path.join(dataDir, "profiles.json");
  writeFileSync(profilesFile, JSON.stringify(profiles, null, 2));
  // What `npm start` runs: the server bundle (npm run build:server), on plain Node.
  const child = startNode(name, script, {
    PORT: String(port),
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    PROFILES_FILE: profilesFile,
    DATAVERSE_URL: simulator.url,
    AZURE_AUTHORITY_HOST: simulator.url,
    AZURE_TENANT_ID: simulator.tenantId,
    AZURE_CLIENT_ID: simulator.clientId,
    AZURE_CLIENT_SECRET: simulator.clientSecret,
    DATAVERSE_CA_FILE: simulator.caFile,
    DEMO_PORT: "0",
    LOG_LEVEL: "info",
    ...env,
  }, [], [...startFlags(), ...nodeArgs], wrapper);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/healthz`, child, readyTimeoutMs);
  return { child, url };
}
