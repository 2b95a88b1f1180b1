// Time to interactive in Chromium: from navigation start (standalone page) or from the launcher's
// click (script-tag embed) until the phone field is in the page and the main thread is free to
// take a keystroke, against the same figures for a bare React page. A fresh browser context for
// every load (nothing cached), loads of each page interleaved so that noise hits them alike.
import { createServer, type Server } from "node:http";
import { readFileSync, existsSync, statSync } from "node:fs";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { chromium, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../e2e/chromium";
import { preferredEncoding } from "../src/server/content-encoding";

export type Scenario = "standalone" | "floor" | "embed" | "floor-click";
export const SCENARIOS: Scenario[] = ["floor", "standalone", "floor-click", "embed"];
/** Each measured page with the floor it is compared to. */
export const FLOOR_OF = [["standalone", "floor"], ["embed", "floor-click"]] as const;

export interface TtiRun {
  throttle: number;
  loads: number;
  medianMs: Record<Scenario, number>;
  samplesMs: Record<Scenario, number[]>;
  /** Scripts and stylesheets each page asked for before its phone field (or button) showed (first load), as paths. */
  fetchedBeforeReady: Record<Scenario, string[]>;
}

// Marks the moment the target control exists and, after it, the first task the main thread gets
// to (an input event would be handled no earlier). Observes shadow roots too (the embed's). The
// marks reach the bench through a CDP binding (`__benchReport`, native: no script of Playwright's
// runs in the page while it loads; waitForFunction would compile Playwright's injected script on
// the page's main thread, tens of milliseconds, in the middle of what is measured).
const PROBE = `(() => {
  const w = window;
  const roots = [document];
  let seen = false;
  let click;
  const check = () => {
    if (seen) return;
    for (const root of roots) {
      if (root.querySelector("#cw-phone:not([disabled]), #ready")) {
        seen = true;
        const seenAt = performance.now();
        observer.disconnect();
        const channel = new MessageChannel();
        channel.port1.onmessage = () => w.__benchReport(JSON.stringify({ click, seen: seenAt, ready: performance.now() }));
        channel.port2.postMessage(0);
        return;
      }
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { childList: true, subtree: true, attributes: true });
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, init);
    roots.push(root);
    observer.observe(root, { childList: true, subtree: true, attributes: true });
    return root;
  };
  addEventListener("click", () => { if (click === undefined) click = performance.now(); }, true);
})();`;

interface ProbeReport {
  /** performance.now() at the first click (undefined on a page loaded without one). */
  click?: number;
  seen: number;
  ready: number;
}

const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".map": "application/json" };

/** Serves the floor's build and the embed's host page (another origin than the BFF, as in real life). */
export async function startHostServer(floorDir: string, port: number, bffUrl: string): Promise<{ server: Server; origin: string }> {
  const hostPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host page</title>
<script src="${bffUrl}/embed.js" data-profile="bench" data-label="Call me back" async></script></head>
<body><main><h1>A host page</h1><p>With the script-tag embed.</p></main></body></html>`;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/host.html") return void res.writeHead(200, { "content-type": TYPES[".html"]! }).end(hostPage);
    const file = path.join(floorDir, path.normalize(url.pathname).replace(/^(\.\.[/\\])+/, ""));
    if (!file.startsWith(floorDir) || !existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end();
    const type = TYPES[path.extname(file)] ?? "application/octet-stream";
    // The build's brotli copy where the browser takes it, as the BFF sends the widget's.
    if (preferredEncoding(req.headers["accept-encoding"], { br: existsSync(`${file}.br`), gzip: false }) === "br") {
      return void res.writeHead(200, { "content-type": type, "content-encoding": "br", vary: "Accept-Encoding" }).end(readFileSync(`${file}.br`));
    }
    res.writeHead(200, { "content-type": type, vary: "Accept-Encoding" }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * A page in `context` with the probe installed, and its report: the marks arrive through the CDP
 * binding once the page (after `openScenario`) shows its field.
 */
export async function probedPage(context: BrowserContext, scenario: Scenario) {
  const page = await context.newPage();
  await page.addInitScript(PROBE);
  const cdp = await context.newCDPSession(page);
  // Bindings added here are installed in every context the page creates later, before its scripts.
  await cdp.send("Runtime.enable");
  await cdp.send("Runtime.addBinding", { name: "__benchReport" });
  let timer: NodeJS.Timeout | undefined;
  const reported = new Promise<ProbeReport>((resolve, reject) => {
    // unref: a load that fails first (navigation, click) must not keep the bench alive for it.
    timer = setTimeout(() => reject(new Error(`${scenario}: the phone field did not show within 60 s`)), 60_000).unref();
    cdp.on("Runtime.bindingCalled", (event) => {
      if (event.name === "__benchReport") resolve(JSON.parse(event.payload) as ProbeReport);
    });
  }).finally(() => clearTimeout(timer));
  // Awaited by the caller; should the navigation or the click fail first, this must not go unhandled.
  reported.catch(() => undefined);
  return { page, cdp, reported };
}

export const clicks = (scenario: Scenario) => scenario === "embed" || scenario === "floor-click";

/** Loads the scenario's page and, for the two that open on a click, clicks its launcher. */
export async function openScenario(page: Page, scenario: Scenario, urls: Record<Scenario, string>): Promise<void> {
  await page.goto(urls[scenario], { waitUntil: "commit" });
  if (clicks(scenario)) {
    const launcher = scenario === "embed" ? page.getByRole("button", { name: "Call me back" }) : page.locator("#launcher");
    await launcher.click();
  }
}

async function loadOnce(browser: Browser, scenario: Scenario, urls: Record<Scenario, string>, throttle: number, verify: boolean) {
  const context = await browser.newContext();
  try {
    const { page, cdp, reported } = await probedPage(context, scenario);
    if (throttle > 1) await cdp.send("Emulation.setCPUThrottlingRate", { rate: throttle });
    await openScenario(page, scenario, urls);
    const report = await reported;
    if (clicks(scenario) && report.click === undefined) throw new Error(`${scenario}: the click was not seen`);
    let fetched: string[] = [];
    if (verify) {
      // What the page asked for before the field showed; the form's own effects ask for the phone
      // rules right after it has, in a task that may come before the "ready" mark.
      fetched = await page.evaluate(
        (before) =>
          performance
            .getEntriesByType("resource")
            .filter((entry) => entry.startTime < before && /\.(?:js|css)(?:\?|$)/.test(entry.name))
            .map((entry) => new URL(entry.name).pathname),
        report.seen,
      );
      // The phone field really takes input.
      if (scenario === "standalone" || scenario === "embed") {
        const phone = page.locator("#cw-phone");
        await phone.pressSequentially("0612");
        const value = await phone.inputValue();
        if (!value.replace(/\D/g, "").startsWith("0612")) throw new Error(`the phone field did not take input (${scenario}: "${value}")`);
      }
    }
    return { ms: report.ready - (clicks(scenario) ? report.click! : 0), fetched };
  } finally {
    await context.close();
  }
}

export async function measureTti(urls: Record<Scenario, string>, options: { loads: number; throttles: number[] }): Promise<TtiRun[]> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const runs: TtiRun[] = [];
  try {
    for (const throttle of options.throttles) {
      const samples = Object.fromEntries(SCENARIOS.map((s) => [s, [] as number[]])) as Record<Scenario, number[]>;
      const fetched = {} as Record<Scenario, string[]>;
      // One unmeasured round warms the servers (and the OS's file cache) alike for every page.
      for (const scenario of SCENARIOS) fetched[scenario] = (await loadOnce(browser, scenario, urls, throttle, true)).fetched;
      for (let i = 0; i < options.loads; i++) {
        for (const scenario of SCENARIOS) samples[scenario].push((await loadOnce(browser, scenario, urls, throttle, false)).ms);
      }
      const medianMs = Object.fromEntries(SCENARIOS.map((s) => [s, median(samples[s])])) as Record<Scenario, number>;
      runs.push({ throttle, loads: options.loads, medianMs, samplesMs: samples, fetchedBeforeReady: fetched });
    }
  } finally {
    await browser.close();
  }
  return runs;
}

/**
 * Two builds' pages side by side, for telling whether a change helps on a host whose speed drifts:
 * each load of the standalone page and of the script tag from build A, then from build B, then the
 * floor's, interleaved (the order turned each round). Medians of `loads` loads each, in ms.
 */
export async function compareTti(builds: { A: Record<Scenario, string>; B: Record<Scenario, string> }, options: { loads: number; throttle: number }) {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const turns: Array<[string, Scenario, Record<Scenario, string>]> = [];
  for (const [page, floor] of FLOOR_OF) {
    turns.push([`A ${page}`, page, builds.A], [`B ${page}`, page, builds.B], [floor, floor, builds.A]);
  }
  const samples = new Map<string, number[]>(turns.map(([name]) => [name, []]));
  try {
    for (let round = 0; round <= options.loads; round++) {
      for (const [name, scenario, urls] of round % 2 ? turns : [...turns].reverse()) {
        // The first round checks each page and warms the servers; it is not counted.
        const { ms } = await loadOnce(browser, scenario, urls, options.throttle, round === 0);
        if (round > 0) samples.get(name)!.push(ms);
      }
    }
  } finally {
    await browser.close();
  }
  return Object.fromEntries([...samples].map(([name, values]) => [name, median(values)]));
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
