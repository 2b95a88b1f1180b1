// Where a page's main thread spends the time `measureTti` counts: a Chromium trace of each load,
// from navigation start (or the launcher's click) to the probe's ready mark, as self time per
// trace event (V8's parsing and compiling, script evaluation, React's tasks, style, layout, and the
// font lookups inside layout), and when each script was asked for and had arrived (Resource
// Timing). For explaining a figure, not for quoting one: tracing slows the page.
//   npx tsx bench/tti-only.ts --trace embed --loads 5 --no-build
import type { Browser } from "@playwright/test";
import { clicks, median, openScenario, probedPage, type Scenario } from "./tti";

const CATEGORIES = [
  "devtools.timeline",
  "disabled-by-default-devtools.timeline",
  "v8",
  "disabled-by-default-v8.compile",
  "blink.user_timing",
  "fonts",
].join(",");

// User timing marks at the click and at the probe's report, for the trace's window.
export const MARKS = `(() => {
  const report = window.__benchReport;
  window.__benchReport = (payload) => { performance.mark("bench-ready"); report(payload); };
  addEventListener("click", () => performance.mark("bench-click"), { capture: true, once: true });
})();`;

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  args?: { name?: string; data?: { url?: string } };
}

export interface TtiTrace {
  scenario: Scenario;
  loads: number;
  /** The probe's figure, averaged over the traced loads. */
  meanMs: number;
  /** Main-thread time per event, its nested events' time taken out, averaged per load, largest first. */
  selfMs: Array<{ event: string; ms: number }>;
  /** Each script the page fetched before its ready mark: medians of when it was asked for and had arrived, from the click or navigation start. */
  scripts: Array<{ file: string; askedMs: number; arrivedMs: number }>;
}

export async function traceTti(browser: Browser, scenario: Scenario, urls: Record<Scenario, string>, loads: number): Promise<TtiTrace> {
  const self = new Map<string, number>();
  const scripts = new Map<string, { asked: number[]; arrived: number[] }>();
  let sum = 0;
  // One unmeasured load first, as measureTti does.
  for (let load = 0; load <= loads; load++) {
    const context = await browser.newContext();
    try {
      const { page, cdp, reported } = await probedPage(context, scenario);
      await page.addInitScript(MARKS);
      const events: TraceEvent[] = [];
      cdp.on("Tracing.dataCollected", (event) => events.push(...(event.value as unknown as TraceEvent[])));
      const complete = new Promise<void>((resolve) => cdp.once("Tracing.tracingComplete", () => resolve()));
      await cdp.send("Tracing.start", { categories: CATEGORIES, transferMode: "ReportEvents" });
      await openScenario(page, scenario, urls);
      const report = await reported;
      await cdp.send("Tracing.end");
      await complete;
      if (load === 0) continue;
      const from = clicks(scenario) ? report.click! : 0;
      sum += report.ready - from;
      const fetched = await page.evaluate(
        (ready) =>
          performance
            .getEntriesByType("resource")
            .filter((entry) => entry.startTime < ready && /\.js(?:\?|$)/.test(entry.name))
            .map((entry) => ({ file: new URL(entry.name).pathname, asked: entry.startTime, arrived: (entry as PerformanceResourceTiming).responseEnd })),
        report.ready,
      );
      for (const { file, asked, arrived } of fetched) {
        const times = scripts.get(file) ?? { asked: [], arrived: [] };
        times.asked.push(asked - from);
        times.arrived.push(arrived - from);
        scripts.set(file, times);
      }
      for (const [event, us] of mainThreadSelfTime(events, clicks(scenario))) self.set(event, (self.get(event) ?? 0) + us / 1000);
    } finally {
      await context.close();
    }
  }
  const selfMs = [...self].map(([event, ms]) => ({ event, ms: ms / loads })).sort((a, b) => b.ms - a.ms);
  const fetched = [...scripts].map(([file, times]) => ({ file, askedMs: median(times.asked), arrivedMs: median(times.arrived) })).sort((a, b) => a.arrivedMs - b.arrivedMs);
  return { scenario, loads, meanMs: sum / loads, selfMs, scripts: fetched };
}

/** Self time (µs) of the renderer main thread's complete events inside [click or first event, ready]. */
function mainThreadSelfTime(events: TraceEvent[], fromClick: boolean): Map<string, number> {
  const ready = events.find((e) => e.name === "bench-ready");
  if (!ready) throw new Error("the trace holds no ready mark");
  const thread = events.find((e) => e.name === "thread_name" && e.pid === ready.pid && e.args?.name === "CrRendererMain");
  const onMain = events.filter((e) => e.pid === ready.pid && e.tid === thread?.tid && e.ts > 0);
  const start = fromClick ? events.find((e) => e.name === "bench-click")?.ts : Math.min(...onMain.map((e) => e.ts));
  if (start === undefined) throw new Error("the trace holds no click mark");
  const end = ready.ts;
  const complete = onMain
    .filter((e) => e.ph === "X" && e.dur !== undefined && e.ts + e.dur > start && e.ts < end)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const self = new Map<TraceEvent, number>();
  const open: TraceEvent[] = [];
  for (const event of complete) {
    const inside = Math.min(event.ts + event.dur!, end) - Math.max(event.ts, start);
    while (open.length > 0 && open.at(-1)!.ts + open.at(-1)!.dur! <= event.ts) open.pop();
    const parent = open.at(-1);
    if (parent) self.set(parent, self.get(parent)! - inside);
    self.set(event, inside);
    open.push(event);
  }
  const byName = new Map<string, number>();
  for (const [event, us] of self) {
    // Script work is named after its file: which script costs what.
    const file = /^(?:EvaluateScript|v8\.evaluateModule|v8\.compileModule|FunctionCall)$/.test(event.name) ? event.args?.data?.url?.split("/").pop() : undefined;
    const name = file ? `${event.name} ${file}` : event.name;
    byName.set(name, (byName.get(name) ?? 0) + us);
  }
  return byName;
}
