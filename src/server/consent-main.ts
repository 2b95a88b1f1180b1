// `npm run consent -- export --from 2026-01-01 --to 2026-02-01 [--out consent.csv]`
// Writes the consent records of the requests accepted in [from, to) as CSV, for audits.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "./config";
import { consentCsv, parseDateArgument } from "./consent-export";
import { openStore } from "./server";

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { from: { type: "string" }, to: { type: "string" }, out: { type: "string" } },
  });
  if (positionals[0] !== "export" || !values.from || !values.to) throw new Error("usage: npm run consent -- export --from <date> --to <date> [--out file.csv]");
  const from = parseDateArgument(values.from, "--from");
  const to = parseDateArgument(values.to, "--to");
  const store = await openStore(loadConfig());
  try {
    const csv = consentCsv(await store.consentRecords(from, to));
    if (values.out) writeFileSync(values.out, csv);
    else process.stdout.write(csv);
  } finally {
    await store.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : (error as Error).message);
  process.exit(2);
});
