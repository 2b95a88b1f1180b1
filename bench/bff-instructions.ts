// `npx tsx bench/bff-instructions.ts`: where the BFF's own instructions go under the callback load,
// counted by valgrind's callgrind rather than timed. Each build's BFF runs under callgrind with
// Node's --single-threaded (the compiler and the garbage collector on the main thread, so nothing
// depends on when a helper thread ran), is warmed with `--warmup` callbacks (V8 is still optimizing
// the path for the first few thousand), has its counters zeroed, gets `--callbacks` more (50
// connections, the bench's bodies), and writes its counts by function to
// bench/tmp/callgrind.<pid>.1 for `callgrind_annotate --threshold=100`. It prints instructions per
// callback. Two runs of one build: 2.25 and 2.22 million (1.2 % apart; that version paused 5 s
// before counting, long enough for the connections to Dataverse to idle out and be opened again
// within the count, now 1.5 s); two builds that differed in the logger only: 1.96 and 2.16
// million, of which garbage collection 0.23 against 0.37 (a mark-compact falls in a run of 2,000
// or does not): read the categories, not the total, for a
// change of a few percent. It does not see the kernel (socket and file writes: a fifth of the BFF's
// CPU in perf), the simulator or the load generator. Needs `npm run build:server` and valgrind
// (`apt-get install -y valgrind`); the BFF runs ~50x slower under it: ~5 minutes per build.
//   npx tsx bench/bff-instructions.ts [--script ../other-checkout/dist/server/main.js] [--node-args=…] [--callbacks 2000] [--warmup 4000] [--repeat 1]
import { execFileSync } from "node:child_process";
import path from "node:path";
import { parseArgs } from "node:util";
import { offeredSlots, PROFILE, runWithSimulator, settleDeliveries } from "./bff";
import { callbackBodies, load } from "./load";
import { benchProfiles, ROOT, startBff } from "./processes";

const { values } = parseArgs({
  options: {
    script: { type: "string" },
    callbacks: { type: "string", default: "2000" },
    warmup: { type: "string", default: "4000" },
    repeat: { type: "string", default: "1" },
    "node-args": { type: "string", default: "" },
  },
});
const callbacks = Number(values.callbacks);
const warmup = Number(values.warmup);
const builds = [{ name: "A", script: undefined as string | undefined, nodeArgs: [] as string[] }];
if (values.script || values["node-args"]) {
  builds.push({ name: "B", script: values.script && path.resolve(values.script), nodeArgs: values["node-args"].split(" ").filter(Boolean) });
}

/** A command to the callgrind the server runs under (see `callgrind_control --help`). */
function callgrindControl(pid: number, ...args: string[]): string {
  // valgrind names its control pipes after $USER and $HOST as the server saw them, and the
  // server's HOST is its listen address (startBff's).
  return execFileSync("callgrind_control", [...args, String(pid)], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], env: { ...process.env, HOST: "127.0.0.1" } });
}

/** Instructions executed (callgrind's Ir) since the counters were last zeroed, all threads together. */
function instructions(pid: number): number {
  const out = callgrindControl(pid, "-e", "Ir");
  // One line per thread ("Th 1  502,949,893"): the main thread's, libuv's pool, Node's platform.
  const threads = [...out.matchAll(/^\s*Th\s*\d+\s+([\d,]+)\s*$/gm)].map((m) => Number(m[1]!.replaceAll(",", "")));
  if (threads.length === 0) throw new Error(`no instruction count in callgrind_control's answer:\n${out}`);
  return threads.reduce((sum, n) => sum + n, 0);
}

await runWithSimulator(async ({ simulator, children }) => {
  const profiles = benchProfiles();
  const results: Record<string, number[]> = {};
  for (let round = 0; round < Number(values.repeat); round++) {
    for (const build of builds) {
      const bff = await startBff(`bff-instructions-${build.name}`, simulator, profiles, {
        env: { RATE_LIMIT_PER_ADDRESS: "1000000000/60s" },
        script: build.script,
        nodeArgs: ["--single-threaded", ...build.nodeArgs],
        wrapper: ["valgrind", "--tool=callgrind", `--callgrind-out-file=${path.join(ROOT, "bench", "tmp", "callgrind.%p")}`, "--dump-line=no"],
        readyTimeoutMs: 600_000,
      });
      children.push(bff.child);
      const pid = bff.child.process.pid!;
      const slots = await offeredSlots(bff.url);
      const body = callbackBodies(PROFILE, slots);
      const url = `${bff.url}/api/v1/callbacks`;
      const send = (amount: number) => load({ url, method: "POST", headers: { "content-type": "application/json" }, body, amount });
      await send(warmup);
      // Not much longer, or the connections to Dataverse idle out and the count includes opening them again.
      await settleDeliveries();
      callgrindControl(pid, "--zero");
      const result = await send(callbacks);
      await settleDeliveries();
      const counted = instructions(pid);
      // The counts by function for this run alone, for callgrind_annotate.
      callgrindControl(pid, `--dump=${build.name} round ${round + 1}`);
      const accepted = (result.statusCodes["201"] ?? 0) + (result.statusCodes["202"] ?? 0);
      if (accepted !== callbacks) throw new Error(`${build.name}: ${accepted} of ${callbacks} callbacks accepted (${JSON.stringify(result.statusCodes)}, ${result.errors} errors)`);
      const perCallback = counted / callbacks;
      (results[build.name] ??= []).push(perCallback);
      console.log(`${build.name} round ${round + 1}: ${(perCallback / 1e6).toFixed(3)} M instructions per callback (${callbacks} callbacks; by function: bench/tmp/callgrind.${pid}.1)`);
      await bff.child.stop();
      children.splice(children.indexOf(bff.child), 1);
    }
  }
  for (const [name, counts] of Object.entries(results)) {
    console.log(`${name}: ${counts.map((c) => (c / 1e6).toFixed(3)).join(", ")} M per callback`);
  }
  if (results.B) {
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(`B/A: ${(mean(results.B) / mean(results.A!)).toFixed(3)}`);
  }
});
