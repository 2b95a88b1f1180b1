// `npx tsx bench/tti-only.ts`: only the widget's sizes and time to interactive, as `npm run bench`
// measures them (same builds, same servers, same probe and floors), in about a minute instead of
// three: for working on the widget's speed. Prints the figures and writes bench/tmp/tti-only.json.
// Options: --loads N (15), --throttles 1,4 (both), --no-build (reuse dist/ and bench/tmp/floor),
// --trace SCENARIO (standalone, floor, embed or floor-click): instead, where that page's main
// thread spends the time, from Chromium traces of --loads loads (bench/tti-trace.ts).
// --profile SCENARIO: instead, whose JavaScript runs in that time, by library and by function, from
// Chromium's sampling profiler (bench/tti-profile.ts).
// --compare DIR: instead, this build (A) against the one in DIR (B: another checkout, built with
// npm run build and npm run build:server), each served by its own BFF, loads interleaved, at the
// first of --throttles.
import { loadavg } from "node:os";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "@playwright/test";
import { PROFILE } from "./bff";
import { benchProfiles, freePort, startBff, startSimulator, TMP } from "./processes";
import { buildProductAndFloor, CLIENT, FLOOR, measureBundles } from "./sizes";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../e2e/chromium";
import { clicks, compareTti, FLOOR_OF, measureTti, SCENARIOS, startHostServer, type Scenario } from "./tti";
import { profileTti } from "./tti-profile";
import { traceTti } from "./tti-trace";

const { values } = parseArgs({
  options: {
    loads: { type: "string", default: "15" },
    throttles: { type: "string", default: "1,4" },
    "no-build": { type: "boolean", default: false },
    trace: { type: "string" },
    profile: { type: "string" },
    compare: { type: "string" },
  },
});
const loads = Number(values.loads);
const throttles = values.throttles.split(",").map(Number);
const scenarioToTrace = values.trace as Scenario | undefined;
if (scenarioToTrace !== undefined && !SCENARIOS.includes(scenarioToTrace)) throw new Error(`--trace takes one of ${SCENARIOS.join(", ")}`);
const scenarioToProfile = values.profile as Scenario | undefined;
if (scenarioToProfile !== undefined && !SCENARIOS.includes(scenarioToProfile)) throw new Error(`--profile takes one of ${SCENARIOS.join(", ")}`);

if (!values["no-build"]) buildProductAndFloor();

const KB = 1000;
const bundles = await measureBundles();
for (const bundle of Object.values(bundles)) {
  process.stdout.write(`${bundle.name}: ${(bundle.gzip / KB).toFixed(1)} kB gzip (${bundle.files.map((f) => f.file).join(", ")})\n`);
}

// Other benchmarks on this machine draw ports from the same range: a port taken between the check
// and the listen makes a server exit at once, and a second try takes another.
async function retried<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (attempt === 5) throw error;
    }
  }
}

const loadAtStart = loadavg()[0]!;
const simulator = await retried(startSimulator);
const hostPort = await freePort();
const otherHostPort = await freePort();
const profiles = benchProfiles<{ profiles: Record<string, { allowedOrigins: string[] }> }>();
profiles.profiles[PROFILE]!.allowedOrigins = [`http://127.0.0.1:${hostPort}`, `http://127.0.0.1:${otherHostPort}`];
const pages = (bffUrl: string, hostOrigin: string): Record<Scenario, string> => ({
  standalone: `${bffUrl}/callback/${PROFILE}`,
  floor: `${hostOrigin}/index.html`,
  embed: `${hostOrigin}/host.html`,
  "floor-click": `${hostOrigin}/on-click.html`,
});
const bffEnv = { RATE_LIMIT_PER_ADDRESS: "1000000000/60s" };

/** The figures `npm run bench` takes for the widget, at each CPU rate. */
async function measure(urls: Record<Scenario, string>) {
  const tti = await measureTti(urls, { loads, throttles });
  const counted = new Set([...bundles.standalone.files, ...bundles.embed.files].map((f) => `/${f.file}`));
  const uncounted = new Set(tti.flatMap((t) => [...t.fetchedBeforeReady.standalone, ...t.fetchedBeforeReady.embed]).filter((p) => !counted.has(p) && p !== "/embed.js"));
  for (const t of tti) {
    const line = (name: string, value: number, floor: number) => `${name}, CPU ${t.throttle}x (median of ${t.loads}): ${value.toFixed(0)} ms, floor ${floor.toFixed(0)} ms, ${(value / floor).toFixed(2)}×\n`;
    process.stdout.write(line("standalone page", t.medianMs.standalone, t.medianMs.floor));
    process.stdout.write(line("script tag from click", t.medianMs.embed, t.medianMs["floor-click"]));
  }
  process.stdout.write(`files fetched before ready but not counted: ${uncounted.size}${uncounted.size ? ` (${[...uncounted].join(", ")})` : ""}\n`);
  process.stdout.write(`load average ${loadAtStart.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at end\n`);
  writeFileSync(path.join(TMP, "tti-only.json"), `${JSON.stringify({ bundles, tti, uncounted: [...uncounted] }, null, 2)}\n`);
}

/** Where one page's main thread spends the time (--trace). */
async function trace(scenario: Scenario, urls: Record<Scenario, string>) {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const traced = await traceTti(browser, scenario, urls, loads).finally(() => browser.close());
  const busy = traced.selfMs.reduce((sum, entry) => sum + entry.ms, 0);
  process.stdout.write(`${scenario}, traced (slower than measured): ${traced.meanMs.toFixed(0)} ms to ready, main thread busy ${busy.toFixed(0)} ms of it (mean of ${loads} loads)\n`);
  for (const { event, ms } of traced.selfMs.slice(0, 30)) process.stdout.write(`${ms.toFixed(1).padStart(8)} ms  ${event}\n`);
  process.stdout.write(`scripts fetched before ready (medians, ms from ${clicks(scenario) ? "the click" : "navigation start"}):\n`);
  for (const { file, askedMs, arrivedMs } of traced.scripts) process.stdout.write(`  asked ${askedMs.toFixed(0).padStart(5)}, arrived ${arrivedMs.toFixed(0).padStart(5)}  ${file}\n`);
}

/** Whose JavaScript runs in that time (--profile): scripts come from the BFF (dist/client) or the floor's server. */
async function profile(scenario: Scenario, urls: Record<Scenario, string>, bffUrl: string) {
  const bffOrigin = new URL(bffUrl).origin;
  const fileOf = (url: string) => {
    const { origin, pathname } = new URL(url);
    return path.join(origin === bffOrigin ? CLIENT : FLOOR, pathname);
  };
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const profiled = await profileTti(browser, scenario, urls, loads, fileOf).finally(() => browser.close());
  const total = profiled.byLibrary.reduce((sum, entry) => sum + entry.ms, 0);
  process.stdout.write(`${scenario}, profiled (slower than measured): ${total.toFixed(0)} ms from ${clicks(scenario) ? "the click" : "navigation start"} to ready (mean of ${loads} loads), self time by library:\n`);
  for (const { library, ms } of profiled.byLibrary.slice(0, 20)) process.stdout.write(`${ms.toFixed(1).padStart(8)} ms  ${library}\n`);
  process.stdout.write("by function:\n");
  for (const { fn, ms } of profiled.byFunction.slice(0, 30)) process.stdout.write(`${ms.toFixed(1).padStart(8)} ms  ${fn}\n`);
  writeFileSync(path.join(TMP, `tti-profile-${scenario}.json`), `${JSON.stringify(profiled, null, 2)}\n`);
}

/** This build against another checkout's, each served by its own BFF (--compare). */
async function compare(otherDir: string, urls: Record<Scenario, string>) {
  const other = await retried(() => startBff("bff-tti-b", simulator, profiles, { env: bffEnv, script: path.resolve(otherDir, "dist/server/main.js") }));
  try {
    const otherHost = await startHostServer(FLOOR, otherHostPort, other.url);
    try {
      const throttle = throttles[0]!;
      const ms = await compareTti({ A: urls, B: pages(other.url, otherHost.origin) }, { loads, throttle });
      process.stdout.write(`A: this build, B: ${otherDir}; CPU ${throttle}x, medians of ${loads} loads each, interleaved\n`);
      for (const [page, floor] of FLOOR_OF) {
        const [a, b, f] = [ms[`A ${page}`]!, ms[`B ${page}`]!, ms[floor]!];
        process.stdout.write(`${page}: A ${a.toFixed(0)} ms (${(a / f).toFixed(2)}× floor), B ${b.toFixed(0)} ms (${(b / f).toFixed(2)}×), B/A ${(b / a).toFixed(3)}; floor ${f.toFixed(0)} ms\n`);
      }
    } finally {
      otherHost.server.close();
    }
  } finally {
    await other.child.stop();
  }
}

let exitCode = 0;
try {
  const bff = await retried(() => startBff("bff-tti", simulator, profiles, { env: bffEnv }));
  try {
    const host = await startHostServer(FLOOR, hostPort, bff.url);
    try {
      const urls = pages(bff.url, host.origin);
      if (values.compare) await compare(values.compare, urls);
      else if (scenarioToTrace) await trace(scenarioToTrace, urls);
      else if (scenarioToProfile) await profile(scenarioToProfile, urls, bff.url);
      else await measure(urls);
    } finally {
      host.server.close();
    }
  } finally {
    await bff.child.stop();
  }
} catch (error) {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  exitCode = 2;
} finally {
  await simulator.child.stop();
}
process.exit(exitCode);
