// `npm run bench`: builds the widget and the floors, measures sizes, time to interactive, BFF
// throughput, a flood and memory, prints one table and writes it to bench/results/. Every figure
// sits next to its floor measured in the same run on this machine, and budgets are ratios to it
// (sizes, being deterministic, have absolute budgets). `npm run bench -- --check` exits 1 when a
// budget is missed. Options: --quick (fewer loads, shorter runs: a smoke test, not a measurement).
import { cpus, loadavg } from "node:os";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { measureFlood, measureThroughput, offeredSlots, PHONE_POOL, PROFILE, simulatorClient, startFloorProxy } from "./bff";
import { benchProfiles, freePort, ROOT, startBff, startSimulator, TMP, waitFor, type Bff, type Child } from "./processes";
import { buildProductAndFloor, FLOOR, measureBundles, type Bundle } from "./sizes";
import { measureTti, startHostServer } from "./tti";

const args = new Set(process.argv.slice(2));
// How busy the machine was (other jobs share it): the 1-minute load average at start and end.
const loadAtStart = loadavg()[0]!;
const quick = args.has("--quick");
const check = args.has("--check");
const KB = 1000;
const MB = 1000 * 1000;

interface Row {
  section: string;
  figure: string;
  value: number;
  unit: string;
  floor?: number;
  /** value / floor */
  ratio?: number;
  budget?: string;
  ok?: boolean;
}

const rows: Row[] = [];
function row(r: Omit<Row, "ratio"> & { ratio?: number }) {
  const ratio = r.ratio ?? (r.floor ? r.value / r.floor : undefined);
  rows.push({ ...r, ratio });
}

function log(message: string) {
  process.stderr.write(`[bench] ${message}\n`);
}

// ---------- sizes ----------

log("building the widget and the floor");
buildProductAndFloor();
const { loader, standalone, embed, floor: floorBundle } = await measureBundles();
const bundles: Bundle[] = [loader, standalone, embed, floorBundle];

row({ section: "size", figure: "loader embed.js, gzip", value: loader.gzip / KB, unit: "kB", budget: "≤ 3 kB", ok: loader.gzip <= 3 * KB });
for (const bundle of [standalone, embed]) {
  row({ section: "size", figure: `${bundle.name}, gzip`, value: bundle.gzip / KB, unit: "kB", floor: floorBundle.gzip / KB, budget: "≤ 125 kB", ok: bundle.gzip <= 125 * KB });
  row({ section: "size", figure: `${bundle.name}, brotli`, value: bundle.brotli / KB, unit: "kB", floor: floorBundle.brotli / KB });
  row({ section: "size", figure: `${bundle.name}, raw`, value: bundle.raw / KB, unit: "kB", floor: floorBundle.raw / KB });
}

// ---------- the servers ----------

log("starting the simulator");
const simulator = await startSimulator();
const children: Child[] = [simulator.child];
const peaks: Record<string, number> = {};
// The highest resident memory seen in each part of the run, to say where the peak comes from.
let phase = "start";
const phasePeaks: Record<string, number> = {};
const samplers: NodeJS.Timeout[] = [];
const watch = (bff: Bff) => {
  samplers.push(
    setInterval(() => {
      const memory = bff.child.memory();
      peaks[bff.child.name] = Math.max(peaks[bff.child.name] ?? 0, memory.peak);
      phasePeaks[phase] = Math.max(phasePeaks[phase] ?? 0, memory.rss);
    }, 250),
  );
};

let exitCode = 0;
try {
  const client = await simulatorClient(simulator);
  log(`seeding ${PHONE_POOL.length} contacts`);
  const contactIds = await client.seedContacts(PHONE_POOL);
  await client.close();

  const hostPort = await freePort();
  const hostOrigin = `http://127.0.0.1:${hostPort}`;
  const profiles = benchProfiles<{ profiles: Record<string, { allowedOrigins: string[] }> }>();
  profiles.profiles[PROFILE]!.allowedOrigins = [hostOrigin];

  log("starting the BFF");
  // Limits high enough that the load is the point, not the per-address limit (the flood has its own BFF).
  const bff = await startBff("bff", simulator, profiles, { env: { RATE_LIMIT_PER_ADDRESS: "1000000000/60s" } });
  children.push(bff.child);
  watch(bff);
  const host = await startHostServer(FLOOR, hostPort, bff.url);

  // ---------- time to interactive ----------
  const loads = quick ? 3 : 15;
  log(`time to interactive: ${loads} loads of each page, CPU at 1x and 4x`);
  phase = "time to interactive";
  const tti = await measureTti(
    {
      standalone: `${bff.url}/callback/${PROFILE}`,
      floor: `${host.origin}/index.html`,
      embed: `${host.origin}/host.html`,
      "floor-click": `${host.origin}/on-click.html`,
    },
    { loads, throttles: [1, 4] },
  );
  host.server.close();
  for (const t of tti) {
    const checked = t.throttle === 1;
    row({ section: "tti", figure: `standalone page, CPU ${t.throttle}x (median of ${t.loads})`, value: t.medianMs.standalone, unit: "ms", floor: t.medianMs.floor, budget: checked ? "≤ 1.5× floor" : "report", ok: checked ? t.medianMs.standalone <= 1.5 * t.medianMs.floor : undefined });
    row({ section: "tti", figure: `script tag from click, CPU ${t.throttle}x (median of ${t.loads})`, value: t.medianMs.embed, unit: "ms", floor: t.medianMs["floor-click"], budget: checked ? "≤ 1.5× floor" : "report", ok: checked ? t.medianMs.embed <= 1.5 * t.medianMs["floor-click"] : undefined });
  }
  // What was counted as "before the form is usable" must be what the browser fetched before it was.
  const counted = new Set([...standalone.files, ...embed.files].map((f) => `/${f.file}`));
  const uncounted = tti.flatMap((t) => [...t.fetchedBeforeReady.standalone, ...t.fetchedBeforeReady.embed]).filter((p) => !counted.has(p) && p !== "/embed.js");
  row({ section: "size", figure: "files fetched before ready but not counted", value: new Set(uncounted).size, unit: "files", budget: "0", ok: uncounted.length === 0 });

  // ---------- throughput ----------
  // Three turns of 5 s each side (60 s in all with the warm-ups): the host's drift falls on both.
  const rounds = quick ? 1 : 3;
  const duration = quick ? 3 : 5;
  log(`throughput: floor proxy and callbacks in turns (${rounds} each), floor proxy again, availability`);
  const proxyPort = await freePort();
  const proxy = startFloorProxy(simulator, (await simulatorClient(simulator)).token, contactIds[0]!, proxyPort);
  children.push(proxy);
  await waitFor(`http://127.0.0.1:${proxyPort}/`, proxy);
  const slots = await offeredSlots(bff.url);
  const throughput = await measureThroughput(bff, simulator, { url: `http://127.0.0.1:${proxyPort}`, child: proxy }, slots, { rounds, durationSeconds: duration }, (name) => (phase = name));
  await proxy.stop();
  const floorRps = throughput.floor.requestsPerSecond;
  const floorP50 = throughput.floor.p50Ms;
  const floorP99 = throughput.floor.p99Ms;
  const okShare = (r: typeof throughput.callbacks, status: string) => (r.statusCodes[status] ?? 0) / Math.max(1, r.total);
  row({ section: "bff", figure: "POST /api/v1/callbacks, requests/s (50 connections)", value: throughput.callbacks.requestsPerSecond, unit: "req/s", floor: floorRps, budget: "≥ 0.45× floor", ok: throughput.callbacks.requestsPerSecond >= 0.45 * floorRps });
  row({ section: "bff", figure: "POST /api/v1/callbacks, share answered 201", value: okShare(throughput.callbacks, "201") * 100, unit: "%", budget: "100 %", ok: okShare(throughput.callbacks, "201") === 1 && throughput.callbacks.errors === 0 });
  row({ section: "bff", figure: "POST /api/v1/callbacks, p50", value: throughput.callbacks.p50Ms, unit: "ms", floor: floorP50 });
  row({ section: "bff", figure: "POST /api/v1/callbacks, p99", value: throughput.callbacks.p99Ms, unit: "ms", floor: floorP99 });
  row({ section: "bff", figure: `GET …/availability (14 days, 15 min), requests/s`, value: throughput.availability.requestsPerSecond, unit: "req/s", floor: floorRps, budget: "≥ 1× floor", ok: throughput.availability.requestsPerSecond >= floorRps && okShare(throughput.availability, "200") === 1 });
  row({ section: "bff", figure: "GET …/availability, p50", value: throughput.availability.p50Ms, unit: "ms", floor: floorP50 });
  row({ section: "bff", figure: "GET …/availability, p99", value: throughput.availability.p99Ms, unit: "ms", floor: floorP99 });
  // Where the CPU goes, per request: what explains the ratios above on a shared machine.
  const cpu = (load: { cpuMsPerRequest: Record<string, number> }, name: string) => load.cpuMsPerRequest[name] ?? 0;
  const floorCpu = (name: string) => cpu(throughput.floor, name);
  row({ section: "bff", figure: "CPU per callback: BFF (floor: bare proxy)", value: cpu(throughput.callbacks, "bff"), unit: "ms", floor: floorCpu("floor proxy") });
  row({ section: "bff", figure: "CPU per callback: simulator (2 calls; floor: 1)", value: cpu(throughput.callbacks, "simulator"), unit: "ms", floor: floorCpu("simulator") });
  row({ section: "bff", figure: "CPU per availability answer: BFF", value: cpu(throughput.availability, "bff"), unit: "ms", floor: floorCpu("floor proxy") });
  await bff.child.stop();

  // ---------- flood ----------
  log("flood: 20,000 requests from one address while 10 visitors submit");
  phase = "flood (a BFF of its own)";
  const addressLimit = 20;
  const floodBff = await startBff("bff-flood", simulator, profiles, { env: { RATE_LIMIT_PER_ADDRESS: `${addressLimit}/600s` } });
  children.push(floodBff.child);
  watch(floodBff);
  const floodRequests = quick ? 5000 : 20_000;
  const flood = await measureFlood(floodBff, await offeredSlots(floodBff.url), addressLimit, floodRequests);
  await floodBff.child.stop();
  const refused = flood.flood.statusCodes["429"] ?? 0;
  row({ section: "flood", figure: `flood requests answered 429 (of ${floodRequests}, after ${flood.primed} allowed)`, value: refused, unit: "", budget: "all", ok: refused === floodRequests && flood.flood.errors === 0 });
  row({ section: "flood", figure: "429 path, requests/s", value: flood.flood.requestsPerSecond, unit: "req/s", floor: flood.floor.requestsPerSecond, budget: "≥ 0.5× floor", ok: flood.flood.requestsPerSecond >= 0.5 * flood.floor.requestsPerSecond });
  row({ section: "flood", figure: `visitors' requests that failed (of ${flood.underFlood.requests}, under flood)`, value: flood.underFlood.failed + flood.quiet.failed, unit: "", budget: "0", ok: flood.underFlood.failed + flood.quiet.failed === 0 });
  row({ section: "flood", figure: "visitors' p99 under flood (floor: quiet p99)", value: flood.underFlood.p99Ms, unit: "ms", floor: flood.quiet.p99Ms, budget: "≤ 2× quiet", ok: flood.underFlood.p99Ms <= 2 * flood.quiet.p99Ms });
  row({ section: "flood", figure: "visitors finished while the flood ran", value: flood.visitorsInsideFlood ? 1 : 0, unit: "yes", budget: "yes", ok: flood.visitorsInsideFlood });

  // ---------- memory ----------
  const peak = Math.max(...Object.values(peaks));
  row({ section: "memory", figure: "BFF peak RSS over the runs", value: peak / MB, unit: "MB", budget: "≤ 150 MB", ok: peak <= 150 * MB });
  for (const [name, rss] of Object.entries(phasePeaks)) if (name !== "start") row({ section: "memory", figure: `  highest RSS seen during ${name}`, value: rss / MB, unit: "MB" });

  // ---------- report ----------
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    node: process.version,
    date: new Date().toISOString(),
    loadAverage: { start: Number(loadAtStart.toFixed(1)), end: Number(loadavg()[0]!.toFixed(1)) },
    quick,
  };
  const results = { machine, rows, bundles, tti, throughput, flood, peaks, phasePeaks };
  mkdirSync(path.join(ROOT, "bench", "results"), { recursive: true });
  const json = `${JSON.stringify(results, null, 2)}\n`;
  if (!quick) writeFileSync(path.join(ROOT, "bench", "results", "latest.json"), json);
  writeFileSync(path.join(TMP, "last-run.json"), json);
  process.stdout.write(`${formatTable(rows, machine)}\n`);
  printShares([standalone, embed, floorBundle]);
  const missed = rows.filter((r) => r.ok === false);
  if (missed.length > 0) {
    process.stdout.write(`\n${missed.length} budget(s) missed:\n${missed.map((r) => `  - ${r.section}: ${r.figure}`).join("\n")}\n`);
    if (check) exitCode = 1;
  } else {
    process.stdout.write("\nEvery budget holds.\n");
  }
} catch (error) {
  log(`failed: ${(error as Error).stack ?? error}`);
  exitCode = 2;
} finally {
  for (const timer of samplers) clearInterval(timer);
  for (const child of children.reverse()) await child.stop();
}
process.exit(exitCode);

function fmt(value: number | undefined, unit = ""): string {
  if (value === undefined) return "";
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${unit ? ` ${unit}` : ""}`;
}

export function formatTable(list: Row[], machine: { cpus: number; cpuModel: string; node: string; date: string; loadAverage: { start: number; end: number } }): string {
  const header = ["section", "figure", "value", "floor", "ratio", "budget", ""];
  const body = list.map((r) => [r.section, r.figure, fmt(r.value, r.unit), fmt(r.floor, r.unit), r.ratio === undefined ? "" : `${r.ratio.toFixed(2)}×`, r.budget ?? "", r.ok === undefined ? "" : r.ok ? "ok" : "MISSED"]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [
    `${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, ${machine.date}, load average ${machine.loadAverage.start} at start, ${machine.loadAverage.end} at end`,
    "",
    line(header),
    `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
    ...body.map(line),
  ].join("\n");
}

function printShares(list: Bundle[]) {
  for (const bundle of list) {
    const parts = bundle.libraries.map((l) => `${l.library} ${(l.gzip / KB).toFixed(1)} kB (${Math.round((100 * l.gzip) / bundle.gzip)} %)`);
    process.stdout.write(`\n${bundle.name}, ${(bundle.gzip / KB).toFixed(1)} kB gzip: ${parts.join(", ")}`);
  }
  process.stdout.write("\n");
}
