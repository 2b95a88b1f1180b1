// `npx tsx bench/bff-compare.ts`: two BFFs under the bench's callback load, side by side, with the
// floor proxy's runs between theirs: A as `npm start` runs this build, B the same but for what the
// options change (Node flags, environment, another build's server bundle). Prints each one's
// requests/s against the floor, the CPU it and the simulator spent per callback, and its peak
// resident memory. For trying a change to the BFF's speed or memory; `npm run bench` gives the
// figures the README quotes. Needs `npm run build:server`; --script takes another checkout's
// bundle, built there with its own node_modules (a bundle imports its dependencies from beside it).
// On this host one build against itself measured B/A 0.86, 1.02 and 0.92 in CPU per request (B
// seemingly favoured, for a reason not yet found): repeat a run, and compare with such a run.
//   npx tsx bench/bff-compare.ts --node-args="--max-semi-space-size=16" [--rounds 4] [--seconds 5]
//   npx tsx bench/bff-compare.ts --env LOG_LEVEL=warn
//   npx tsx bench/bff-compare.ts --script ../other-checkout/dist/server/main.js
import path from "node:path";
import { parseArgs } from "node:util";
import { combineRuns, costed, offeredSlots, PROFILE, runWithSimulator, settleDeliveries, startFloorProxy, type CostedLoad } from "./bff";
import { callbackBodies, load } from "./load";
import { benchProfiles, freePort, startBff, waitFor } from "./processes";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "4" },
    seconds: { type: "string", default: "5" },
    "node-args": { type: "string", default: "" },
    env: { type: "string", multiple: true, default: [] },
    script: { type: "string" },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const envB = Object.fromEntries(
  values.env.map((pair) => {
    const at = pair.indexOf("=");
    if (at < 1) throw new Error(`--env takes NAME=value, not ${pair}`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);

await runWithSimulator(async ({ simulator, token, contactIds, children }) => {
  const profiles = benchProfiles();
  // As in npm run bench: limits high enough that the load is the point.
  const env = { RATE_LIMIT_PER_ADDRESS: "1000000000/60s" };
  const a = await startBff("bff-a", simulator, profiles, { env, nodeArgs: [] });
  children.push(a.child);
  const b = await startBff("bff-b", simulator, profiles, {
    env: { ...env, ...envB },
    script: values.script && path.resolve(values.script),
    nodeArgs: values["node-args"].split(" ").filter(Boolean),
  });
  children.push(b.child);
  const floorPort = await freePort();
  const floor = startFloorProxy(simulator, token, contactIds[0]!, floorPort);
  children.push(floor);
  const floorUrl = `http://127.0.0.1:${floorPort}`;
  await waitFor(floorUrl, floor);

  const slots = await offeredSlots(a.url);
  const targets = { floor: { url: floorUrl, child: floor }, A: { url: a.url, child: a.child }, B: { url: b.url, child: b.child } };
  const runs: Record<"floor" | "A" | "B", CostedLoad[]> = { floor: [], A: [], B: [] };
  const simulatorPid = simulator.child.process.pid;
  for (let round = 0; round < rounds; round++) {
    // A and B take turns going first: the host's drift within a round falls on both.
    for (const name of round % 2 === 0 ? (["floor", "A", "B"] as const) : (["floor", "B", "A"] as const)) {
      const { url, child } = targets[name];
      const callbacks = { url: `${url}/api/v1/callbacks`, method: "POST" as const, headers: { "content-type": "application/json" }, body: callbackBodies(PROFILE, slots) };
      await load({ ...callbacks, durationSeconds: 1 });
      await settleDeliveries();
      const run = await costed({ server: child.process.pid, simulator: simulatorPid }, async () => {
        const result = await load({ ...callbacks, durationSeconds: seconds });
        await settleDeliveries();
        return result;
      });
      runs[name].push(run);
    }
  }

  const all = { floor: combineRuns(runs.floor), A: combineRuns(runs.A), B: combineRuns(runs.B) };
  process.stdout.write(`B: ${[values["node-args"], ...values.env, values.script].filter(Boolean).join(" ") || "(same as A)"}; ${rounds} rounds of ${seconds} s each\n`);
  for (const name of ["floor", "A", "B"] as const) {
    const { requestsPerSecond, cpuMsPerRequest, statusCodes } = all[name];
    const others = Object.fromEntries(Object.entries(statusCodes).filter(([code]) => code !== "201"));
    const peak = name === "floor" ? undefined : targets[name].child.memory().peak;
    process.stdout.write(
      [
        `${name.padEnd(5)} ${requestsPerSecond.toFixed(0).padStart(5)} req/s (${runs[name].map((r) => r.requestsPerSecond.toFixed(0)).join(", ")})`,
        name === "floor" ? "" : `${(requestsPerSecond / all.floor.requestsPerSecond).toFixed(3)}× the floor`,
        `CPU per request: server ${cpuMsPerRequest.server!.toFixed(3)} ms, simulator ${cpuMsPerRequest.simulator!.toFixed(3)} ms`,
        peak ? `peak RSS ${(peak / 1e6).toFixed(0)} MB` : "",
        Object.keys(others).length ? `not 201: ${JSON.stringify(others)}` : "",
      ]
        .filter(Boolean)
        .join(", ") + "\n",
    );
  }
  process.stdout.write(`B/A: requests/s ${(all.B.requestsPerSecond / all.A.requestsPerSecond).toFixed(3)}, server CPU per request ${(all.B.cpuMsPerRequest.server! / all.A.cpuMsPerRequest.server!).toFixed(3)}\n`);
});
