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
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { offeredSlots, PHONE_POOL, PROFILE, simulatorClient, startFloorProxy } from "./bff";
import { callbackBodies, load } from "./load";
import { cpuMs, freePort, ROOT, startBff, startSimulator, waitFor, type Child } from "./processes";

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

interface Tally {
  requests: number;
  seconds: number;
  serverCpuMs: number;
  simulatorCpuMs: number;
  perRound: number[];
  others: Record<string, number>;
}

const simulator = await startSimulator();
const children: Child[] = [simulator.child];
let exitCode = 0;
try {
  const client = await simulatorClient(simulator);
  const contactIds = await client.seedContacts(PHONE_POOL);
  const token = client.token;
  await client.close();
  const profiles = JSON.parse(readFileSync(path.join(ROOT, "bench", "profiles.json"), "utf8")) as unknown;
  // As in npm run bench: limits high enough that the load is the point.
  const env = { RATE_LIMIT_PER_ADDRESS: "1000000000/60s" };
  const a = await startBff("bff-a", simulator, profiles, env, undefined, []);
  children.push(a.child);
  const b = await startBff("bff-b", simulator, profiles, { ...env, ...envB }, values.script && path.resolve(values.script), values["node-args"].split(" ").filter(Boolean));
  children.push(b.child);
  const floorPort = await freePort();
  const floor = startFloorProxy(simulator, token, contactIds[0]!, floorPort);
  children.push(floor);
  const floorUrl = `http://127.0.0.1:${floorPort}`;
  await waitFor(floorUrl, floor);

  const slots = await offeredSlots(a.url);
  const targets = { floor: { url: floorUrl, child: floor }, A: { url: a.url, child: a.child }, B: { url: b.url, child: b.child } };
  const tallies: Record<string, Tally> = {};
  const simulatorPid = simulator.child.process.pid;
  for (let round = 0; round < rounds; round++) {
    // A and B take turns going first: the host's drift within a round falls on both.
    for (const name of round % 2 === 0 ? (["floor", "A", "B"] as const) : (["floor", "B", "A"] as const)) {
      const { url, child } = targets[name];
      const callbacks = { url: `${url}/api/v1/callbacks`, method: "POST" as const, headers: { "content-type": "application/json" }, body: callbackBodies(PROFILE, slots) };
      await load({ ...callbacks, durationSeconds: 1 });
      await settle();
      const [server, sim] = [cpuMs(child.process.pid), cpuMs(simulatorPid)];
      const result = await load({ ...callbacks, durationSeconds: seconds });
      // The deliveries still under way when the load stops belong to this run's CPU.
      await settle();
      const tally = (tallies[name] ??= { requests: 0, seconds: 0, serverCpuMs: 0, simulatorCpuMs: 0, perRound: [], others: {} });
      tally.requests += result.total;
      tally.seconds += result.durationSeconds;
      tally.serverCpuMs += cpuMs(child.process.pid) - server;
      tally.simulatorCpuMs += cpuMs(simulatorPid) - sim;
      tally.perRound.push(result.requestsPerSecond);
      for (const [code, count] of Object.entries(result.statusCodes)) if (code !== "201") tally.others[code] = (tally.others[code] ?? 0) + count;
    }
  }

  const rate = (t: Tally) => t.requests / t.seconds;
  const floorRate = rate(tallies.floor!);
  process.stdout.write(`B: ${[values["node-args"], ...values.env, values.script].filter(Boolean).join(" ") || "(same as A)"}; ${rounds} rounds of ${seconds} s each\n`);
  for (const [name, tally] of Object.entries(tallies)) {
    const peak = name === "floor" ? undefined : targets[name as "A" | "B"].child.memory().peak;
    process.stdout.write(
      [
        `${name.padEnd(5)} ${rate(tally).toFixed(0).padStart(5)} req/s (${tally.perRound.map((r) => r.toFixed(0)).join(", ")})`,
        name === "floor" ? "" : `${(rate(tally) / floorRate).toFixed(3)}× the floor`,
        `CPU per request: server ${(tally.serverCpuMs / tally.requests).toFixed(3)} ms, simulator ${(tally.simulatorCpuMs / tally.requests).toFixed(3)} ms`,
        peak ? `peak RSS ${(peak / 1e6).toFixed(0)} MB` : "",
        Object.keys(tally.others).length ? `not 201: ${JSON.stringify(tally.others)}` : "",
      ]
        .filter(Boolean)
        .join(", ") + "\n",
    );
  }
  const [ta, tb] = [tallies.A!, tallies.B!];
  process.stdout.write(`B/A: requests/s ${(rate(tb) / rate(ta)).toFixed(3)}, server CPU per request ${(tb.serverCpuMs / tb.requests / (ta.serverCpuMs / ta.requests)).toFixed(3)}\n`);
} catch (error) {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  exitCode = 2;
} finally {
  for (const child of children.reverse()) await child.stop();
}
process.exit(exitCode);

function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1500));
}
