// `npm run dnc -- <command>`: manage the do-not-call list.
//   add <number>... [--country FR] [--note "asked on the phone"]
//   remove <number>... [--country FR]
//   import <file.csv> [--country FR] [--source crm-export]
//   export [--out list.csv]        (keyed hashes: the list cannot be turned back into numbers)
//   check <number> [--country FR]
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "./config";
import { createDataverseGateway } from "./dataverse/gateway";
import { addNumbers, doNotCallCsv, hashNumbers, numbersFromCsv, removeNumbers, type WithdrawDeps, type Withdrawal } from "./do-not-call";
import { loadProfiles } from "./profiles";
import { openStore, openVault } from "./server";

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { country: { type: "string" }, note: { type: "string" }, source: { type: "string" }, out: { type: "string" } },
  });
  const [command, ...rest] = positionals;
  const config = loadConfig();
  const { vault } = openVault(config);
  const store = await openStore(config);
  const country = values.country?.toUpperCase();
  // Calls already requested for the numbers added are cancelled too: queued ones here, scheduled
  // ones in Dataverse, which this command reaches only when DATAVERSE_URL is set (not the simulator
  // of a running `npm start`: use its admin API then).
  const gateway = config.dataverse ? createDataverseGateway(config.dataverse) : undefined;
  const unreachable = () => Promise.reject(new Error("this command reaches Dataverse only with DATAVERSE_URL set; use the running BFF's admin API"));
  const withdraw: Omit<WithdrawDeps, "store" | "vault"> = {
    gateway: gateway ?? { findVoiceDeliveries: unreachable, cancelDelivery: unreachable },
    profiles: loadProfiles(config.profilesFile),
    now: Date.now,
    onProblem: (requestId, reason) => console.log(`  request ${requestId} could not be cancelled: ${reason}`),
  };
  try {
    switch (command) {
      case "add": {
        const result = await addNumbers(store, vault, rest, { country, source: "cli", note: values.note, now: Date.now(), withdraw });
        report(`added ${result.added}, already listed ${result.alreadyListed}`, result.invalid);
        reportWithdrawal(result);
        break;
      }
      case "remove": {
        const result = await removeNumbers(store, vault, rest, country);
        report(`removed ${result.removed}`, result.invalid);
        break;
      }
      case "import": {
        if (!rest[0]) throw new Error("import needs a CSV file");
        const numbers = numbersFromCsv(readFileSync(rest[0], "utf8"));
        const result = await addNumbers(store, vault, numbers, { country, source: values.source ?? `import:${rest[0]}`, now: Date.now(), withdraw });
        report(`read ${numbers.length} numbers: added ${result.added}, already listed ${result.alreadyListed}`, result.invalid);
        reportWithdrawal(result);
        break;
      }
      case "export": {
        const csv = doNotCallCsv(await store.listDoNotCall());
        if (values.out) writeFileSync(values.out, csv);
        else process.stdout.write(csv);
        break;
      }
      case "check": {
        const { hashes, problems } = hashNumbers(vault, rest, country);
        report(hashes.length === 1 ? ((await store.isDoNotCall(hashes[0]!)) ? "listed" : "not listed") : "give one number", problems);
        break;
      }
      default:
        throw new Error("usage: npm run dnc -- add|remove|import|export|check …");
    }
  } finally {
    await gateway?.close();
    await store.close();
  }
}

function reportWithdrawal(result: Partial<Withdrawal>): void {
  const { callsCancelled = 0, callsBeingSent = 0, callsNotCancelled = 0 } = result;
  if (callsCancelled + callsBeingSent + callsNotCancelled === 0) return;
  console.log(`calls already requested for these numbers: cancelled ${callsCancelled}, being sent ${callsBeingSent} (the BFF cancels them), not cancelled ${callsNotCancelled}`);
  if (callsNotCancelled > 0) process.exitCode = 1;
}

function report(summary: string, invalid: Array<{ input: string; code: string }>): void {
  console.log(summary);
  for (const problem of invalid) console.log(`  not a usable number: ${problem.input} (${problem.code})`);
  if (invalid.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : (error as Error).message);
  process.exit(2);
});
