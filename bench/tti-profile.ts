// Whose JavaScript runs in what `measureTti` counts: Chromium's sampling profiler (every 100 µs) on
// the page's main thread, from navigation start (or the launcher's click) to the probe's ready
// mark, as self time by library (from the built files' sourcemaps; `app` for our code) and by
// function, next to the browser's own work ("(program)") and garbage collection. For explaining a
// figure, not for quoting one: the profiler slows the page, JavaScript with many small calls most.
//   npx tsx bench/tti-only.ts --profile embed --loads 7 --no-build
import { existsSync, readFileSync } from "node:fs";
import type { Browser } from "@playwright/test";
import { decode, type SourceMapSegment } from "@jridgewell/sourcemap-codec";
import { libraryOf } from "./sizes";
import { clicks, openScenario, probedPage, type Scenario } from "./tti";
import { MARKS } from "./tti-trace";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: CallFrame }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface TtiProfile {
  scenario: Scenario;
  loads: number;
  /** Milliseconds per load in the window, by library (or the profiler's own categories), largest first. */
  byLibrary: Array<{ library: string; ms: number }>;
  /** The same by function: library, name, and where it starts in the source. */
  byFunction: Array<{ fn: string; ms: number }>;
}

/** `fileOf` names the built file (with its .map beside it) a script URL was served from. */
export async function profileTti(
  browser: Browser,
  scenario: Scenario,
  urls: Record<Scenario, string>,
  loads: number,
  fileOf: (url: string) => string | undefined,
): Promise<TtiProfile> {
  const sources = new SourceLookup(fileOf);
  const byLibrary = new Map<string, number>();
  const byFunction = new Map<string, number>();
  // One unmeasured load first, as measureTti does.
  for (let load = 0; load <= loads; load++) {
    const context = await browser.newContext();
    try {
      const { page, cdp, reported } = await probedPage(context, scenario);
      await page.addInitScript(MARKS);
      // The marks only, for the window: the profile's and the trace's clocks are the same.
      const marks: Array<{ name: string; ts: number }> = [];
      cdp.on("Tracing.dataCollected", (event) => marks.push(...(event.value as unknown as Array<{ name: string; ts: number }>)));
      const complete = new Promise<void>((resolve) => cdp.once("Tracing.tracingComplete", () => resolve()));
      await cdp.send("Tracing.start", { categories: "blink.user_timing", transferMode: "ReportEvents" });
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
      await cdp.send("Profiler.start");
      await openScenario(page, scenario, urls);
      await reported;
      const { profile } = (await cdp.send("Profiler.stop")) as unknown as { profile: CpuProfile };
      await cdp.send("Tracing.end");
      await complete;
      if (load === 0) continue;
      const at = (name: string) => marks.find((mark) => mark.name === name)?.ts;
      const from = clicks(scenario) ? at("bench-click") : at("navigationStart");
      const to = at("bench-ready");
      if (from === undefined || to === undefined) throw new Error(`${scenario}: the profile's window has no marks`);
      const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
      let time = profile.startTime;
      profile.samples.forEach((id, i) => {
        time += profile.timeDeltas[i]!;
        if (time < from || time > to) return;
        const span = (profile.timeDeltas[i + 1] ?? 0) / 1000;
        const frame = frames.get(id)!;
        const { library, source } = sources.of(frame);
        byLibrary.set(library, (byLibrary.get(library) ?? 0) + span);
        const fn = `${library} :: ${frame.functionName || "(anonymous)"}${source ? ` (${source})` : ""}`;
        byFunction.set(fn, (byFunction.get(fn) ?? 0) + span);
      });
    } finally {
      await context.close();
    }
  }
  const perLoad = <K extends string>(map: Map<string, number>, key: K) =>
    [...map].map(([name, ms]) => ({ [key]: name, ms: ms / loads }) as { [P in K]: string } & { ms: number }).sort((a, b) => b.ms - a.ms);
  return { scenario, loads, byLibrary: perLoad(byLibrary, "library"), byFunction: perLoad(byFunction, "fn") };
}

/** Which library, and which original source line, a function of a built file comes from. */
class SourceLookup {
  private readonly maps = new Map<string, { sources: string[]; lines: SourceMapSegment[][] } | undefined>();

  constructor(private readonly fileOf: (url: string) => string | undefined) {}

  of(frame: CallFrame): { library: string; source?: string } {
    // The profiler's own nodes ("(program)", "(garbage collector)", "(idle)") and native functions.
    if (!frame.url) return { library: frame.functionName || "(native)" };
    const map = this.mapFor(frame.url);
    const segments = map?.lines[frame.lineNumber] ?? [];
    let found: SourceMapSegment | undefined;
    for (const segment of segments) {
      if (segment[0] > frame.columnNumber) break;
      found = segment;
    }
    if (!map || !found || found.length < 4) return { library: new URL(frame.url).pathname };
    const source = map.sources[found[1]!]!;
    return { library: libraryOf(source), source: `${source.replace(/^(\.\.\/)+/, "")}:${found[2]! + 1}` };
  }

  /** The sourcemap beside the built file `url` was served from; none for a file without one (or no file). */
  private mapFor(url: string) {
    if (!this.maps.has(url)) {
      const file = this.fileOf(url);
      let map: { sources: string[]; lines: SourceMapSegment[][] } | undefined;
      if (file && existsSync(`${file}.map`)) {
        const json = JSON.parse(readFileSync(`${file}.map`, "utf8")) as { sources: string[]; mappings: string };
        map = { sources: json.sources, lines: decode(json.mappings) };
      }
      this.maps.set(url, map);
    }
    return this.maps.get(url);
  }
}
