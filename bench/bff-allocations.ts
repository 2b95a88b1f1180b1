// `npx tsx bench/bff-allocations.ts`: what the BFF allocates per callback request under the bench's
// callback load, by function and by package. V8's sampling heap profiler (one sample per 4 kB on
// average, objects already collected included) runs in the BFF for `--seconds` of load after
// `--warmup` seconds to warm up; the profile is written to bench/tmp/allocations.heapprofile (open
// it in Chrome's DevTools, Memory tab). Bytes allocated drive the young generation's collections,
// and what is still referenced when one comes (the requests under way) is copied or promoted.
// Sampling slows the BFF: read the shares, not the requests per second. Needs `npm run build:server`.
//   npx tsx bench/bff-allocations.ts [--seconds 5] [--warmup 8] [--top 30]
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { offeredSlots, PROFILE, runWithSimulator, settleDeliveries } from "./bff";
import { callbackBodies, load } from "./load";
import { benchProfiles, ROOT, startBff, TMP } from "./processes";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "5" }, warmup: { type: "string", default: "8" }, top: { type: "string", default: "30" } } });
const output = path.join(TMP, "allocations.heapprofile");

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

/** The package a script belongs to: node_modules' name, node:…, or ours (the server bundle). */
function owner(url: string): string {
  if (!url) return "(V8 and Node's native code)";
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inPackage) return inPackage[1]!;
  return url.startsWith("node:") ? url : "ours";
}

function report(root: ProfileNode, requests: number, top: number): void {
  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  let total = 0;
  const visit = (node: ProfileNode, caller: string) => {
    const { functionName, url, lineNumber } = node.callFrame;
    // Native frames (a builtin, JSON.parse) count for the script that called them.
    const who = url ? owner(url) : caller;
    total += node.selfSize;
    const name = `${functionName || "(anonymous)"} ${url.replace(/.*node_modules\//, "").replace(/^file:\/\//, "").replace(ROOT, "")}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + node.selfSize);
    byOwner.set(who, (byOwner.get(who) ?? 0) + node.selfSize);
    for (const child of node.children) visit(child, who);
  };
  visit(root, "(V8 and Node's native code)");
  const kb = (bytes: number) => (bytes / requests / 1024).toFixed(1).padStart(6);
  process.stdout.write(`${kb(total)} kB allocated per callback request (${requests} requests)\nby package:\n`);
  for (const [name, bytes] of [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${kb(bytes)} kB  ${name}\n`);
  process.stdout.write("by function:\n");
  for (const [name, bytes] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${kb(bytes)} kB  ${name}\n`);
}

await runWithSimulator(async ({ simulator, children }) => {
  const bff = await startBff("bff-allocations", simulator, benchProfiles(), {
    env: { RATE_LIMIT_PER_ADDRESS: "1000000000/60s", ALLOCATION_PROFILE: output },
    nodeArgs: ["--import", path.join(ROOT, "bench/fixtures/allocation-sampler.mjs")],
  });
  children.push(bff.child);
  const slots = await offeredSlots(bff.url);
  const callbacks = { url: `${bff.url}/api/v1/callbacks`, method: "POST" as const, headers: { "content-type": "application/json" }, body: callbackBodies(PROFILE, slots) };
  await load({ ...callbacks, durationSeconds: Number(values.warmup) });
  await settleDeliveries();
  bff.child.process.kill("SIGUSR2");
  await new Promise((resolve) => setTimeout(resolve, 500));
  const counted = await load({ ...callbacks, durationSeconds: Number(values.seconds) });
  await settleDeliveries();
  bff.child.process.kill("SIGUSR2");
  for (let waited = 0; !readFileSync(path.join(TMP, "bff-allocations.log"), "utf8").includes("allocation profile written"); waited += 100) {
    if (waited > 30_000) throw new Error("the BFF wrote no allocation profile; see bench/tmp/bff-allocations.log");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const { head } = JSON.parse(readFileSync(output, "utf8")) as { head: ProfileNode };
  report(head, counted.total, Number(values.top));
});
