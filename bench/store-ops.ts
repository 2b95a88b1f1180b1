// `npx tsx bench/store-ops.ts`: the embedded store's CPU per callback request, and what each of its
// operations adds, without HTTP or Dataverse. 50 callers run the store operations one accepted
// callback makes, in the order the BFF makes them (replay lookup, do-not-call check, insert with
// the number's count, the slot and the claim, the worker's do-not-call check, the in-doubt mark,
// the completion, the do-not-call check after sending), against a fresh SQLite file each.
// "all" does every operation; each other variant leaves one out, so its difference from "all" is
// that operation's cost (with its share of the commits). Variants take turns, `--rounds` times;
// medians are printed. Timing, so noisy here: compare variants of one run, not runs.
//   npx tsx bench/store-ops.ts [--callbacks 30000] [--rounds 3] [--page-size 4096]
import { createHmac, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { SqliteStore } from "../src/server/store/sqlite-store";
import { timeOrderedId } from "../src/server/time-ordered-id";
import { PHONE_POOL } from "./load";
import { median } from "./tti";

const { values } = parseArgs({
  options: { callbacks: { type: "string", default: "30000" }, rounds: { type: "string", default: "3" }, "page-size": { type: "string", default: "4096" } },
});
const CALLBACKS = Number(values.callbacks);
const CALLERS = 50;
const VARIANTS = ["all", "without replay lookup", "without do-not-call checks", "without the number's count", "without the slot", "without the in-doubt mark"] as const;
type Variant = (typeof VARIANTS)[number];

const hash = (text: string) => createHmac("sha256", "bench").update(text).digest("base64url");
// As in the bench's callback load: 500 numbers, one 15-minute slot each, cycling.
const PHONES = PHONE_POOL.map(hash);
const FIRST_SLOT = Date.parse("2030-03-12T08:00:00.000Z");
const SLOT_MS = 15 * 60_000;

async function measure(variant: Variant, count: number): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), "store-ops-"));
  const db = new Database(path.join(dir, "store.sqlite"));
  db.pragma(`page_size = ${Number(values["page-size"])}`);
  const store = new SqliteStore(db);
  const without = (part: string) => variant === `without ${part}`;
  let n = 0;
  const one = async () => {
    const i = n++;
    const now = Date.now();
    const phoneHash = PHONES[i % PHONES.length]!;
    const id = timeOrderedId(now);
    const key = randomUUID();
    const slot = FIRST_SLOT + (i % 1344) * SLOT_MS;
    const dnc = !without("do-not-call checks");
    if (!without("replay lookup")) await store.findByIdempotencyKey(key);
    if (dnc) await store.isDoNotCall(phoneHash);
    const inserted = await store.insertCallback(
      {
        id,
        profile: "bench",
        phoneHash,
        personal: `plain:${JSON.stringify({ phoneE164: "+33612002000", name: "Bench Visitor" })}`,
        windows: [{ start: new Date(slot).toISOString(), end: new Date(slot + SLOT_MS).toISOString() }],
        asap: false,
        attributes: { orderNumber: `ORD-${i}` },
        visitorTimeZone: "Europe/Paris",
        locale: "fr-FR",
        consentVersion: "1",
        consentLanguage: "fr",
        consentTextHash: hash("consent"),
        clientAddressHash: hash("127.0.0.1"),
        userAgent: "node",
        idempotencyKey: key,
        fingerprint: hash(String(i)),
        createdAt: now,
      },
      now,
      {
        slots: without("the slot") ? undefined : { profile: "bench", slotStarts: [slot], capacity: 1_000_000 },
        perNumber: without("the number's count") ? undefined : { since: now - 60_000, max: 1_000_000 },
        claim: { worker: "bench", leaseUntil: now + 60_000 },
      },
    );
    if (!inserted.inserted) throw new Error(`not inserted: ${JSON.stringify(inserted)}`);
    if (dnc) await store.isDoNotCall(phoneHash);
    if (!without("the in-doubt mark")) await store.updateClaimed(id, "bench", { contactId: randomUUID(), inDoubt: true, firstSentAt: Date.now() }, Date.now());
    await store.completeClaim(id, "bench", { status: "scheduled", deliveryId: randomUUID(), inDoubt: false, attempts: 1, lastError: undefined }, Date.now());
    if (dnc) await store.isDoNotCall(phoneHash);
  };
  const run = async (total: number) => {
    let left = total;
    await Promise.all(Array.from({ length: CALLERS }, async () => {
      while (left-- > 0) await one();
    }));
  };
  try {
    await run(Math.min(8000, count / 4));
    const before = process.cpuUsage();
    await run(count);
    const used = process.cpuUsage(before);
    return (used.user + used.system) / count;
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const samples = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
for (let round = 0; round < Number(values.rounds); round++) {
  for (const variant of VARIANTS) samples.get(variant)!.push(await measure(variant, CALLBACKS));
}
const all = median(samples.get("all")!);
process.stdout.write(`store CPU per callback (median of ${values.rounds} runs of ${CALLBACKS}, ${CALLERS} callers, page size ${values["page-size"]}):\n`);
for (const variant of VARIANTS) {
  const us = median(samples.get(variant)!);
  process.stdout.write(`  ${variant.padEnd(28)} ${us.toFixed(1).padStart(6)} µs${variant === "all" ? "" : `  (the part left out: ${(all - us).toFixed(1)} µs)`}   runs: ${samples.get(variant)!.map((x) => x.toFixed(1)).join(", ")}\n`);
}
