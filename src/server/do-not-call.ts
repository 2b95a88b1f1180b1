// The do-not-call list: numbers go in as keyed hashes of their E.164 form, never in clear, so the
// list cannot be read back as numbers; exports hold hashes. Used by the CLI and the admin API.
// A number put on the list also loses the calls already requested for it: queued requests are
// cancelled, scheduled ones cancelled in Dataverse (and the worker checks the list itself before
// and after each send, for requests being sent at that moment).
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import metadata from "libphonenumber-js/metadata.max.json";
import { checkPhone } from "../shared/phone";
import { cancelCallback, type CancelDeps } from "./cancellation";
import { DO_NOT_CALL_REASON } from "./outbox/delivery-worker";
import type { PersonalDataVault } from "./personal-data";
import type { DoNotCallEntry, Store } from "./store/types";

export interface NumberProblem {
  input: string;
  code: string;
}

/** Hashes each number (international, or national in `country`); says which could not be read. */
export function hashNumbers(vault: PersonalDataVault, inputs: string[], country?: string): { hashes: string[]; problems: NumberProblem[] } {
  const hashes: string[] = [];
  const problems: NumberProblem[] = [];
  for (const input of inputs) {
    const phone = checkPhone(input, country, {}, metadata);
    if (phone.ok) hashes.push(vault.hashPhone(phone.e164));
    else problems.push({ input, code: phone.code });
  }
  return { hashes: [...new Set(hashes)], problems };
}

/** What became of the calls already requested for the numbers just listed. */
export interface Withdrawal {
  /** Taken out of the outbox, or cancelled in Dataverse. */
  callsCancelled: number;
  /** Being sent at this moment: the worker cancels them itself once it sees the list. */
  callsBeingSent: number;
  /** Dataverse is already calling, or could not be reached: the reasons are in the logs. */
  callsNotCancelled: number;
}

export async function addNumbers(
  store: Store,
  vault: PersonalDataVault,
  inputs: string[],
  options: { country?: string; source: string; note?: string; now: number; withdraw?: Omit<WithdrawDeps, "store" | "vault"> },
): Promise<{ added: number; alreadyListed: number; invalid: NumberProblem[] } & Partial<Withdrawal>> {
  const { hashes, problems } = hashNumbers(vault, inputs, options.country);
  const added = await store.addDoNotCall(hashes.map((phoneHash) => ({ phoneHash, addedAt: options.now, source: options.source, note: options.note })));
  const listed = { added, alreadyListed: hashes.length - added, invalid: problems };
  return options.withdraw ? { ...listed, ...(await withdrawCalls({ ...options.withdraw, store, vault }, hashes)) } : listed;
}

export type WithdrawDeps = CancelDeps & { onProblem?: (requestId: string, reason: string) => void };

/** Cancels the requests still to be called for these numbers (queued, or scheduled in Dataverse). */
export async function withdrawCalls(deps: WithdrawDeps, phoneHashes: string[]): Promise<Withdrawal> {
  const tally: Withdrawal = { callsCancelled: 0, callsBeingSent: 0, callsNotCancelled: 0 };
  for (const phoneHash of phoneHashes) {
    for (const record of await deps.store.callbacksForPhone(phoneHash, ["queued", "scheduled"])) {
      const outcome = await cancelCallback(deps, record, DO_NOT_CALL_REASON).catch((error: Error) => ({ kind: "error" as const, reason: error.message }));
      if (outcome.kind === "cancelled" || outcome.kind === "already-cancelled") tally.callsCancelled++;
      else if (outcome.kind === "busy") tally.callsBeingSent++;
      else {
        tally.callsNotCancelled++;
        deps.onProblem?.(record.id, outcome.reason);
      }
    }
  }
  return tally;
}

export async function removeNumbers(store: Store, vault: PersonalDataVault, inputs: string[], country?: string): Promise<{ removed: number; invalid: NumberProblem[] }> {
  const { hashes, problems } = hashNumbers(vault, inputs, country);
  let removed = 0;
  for (const hash of hashes) if (await store.removeDoNotCall(hash)) removed++;
  return { removed, invalid: problems };
}

/** Numbers from a CSV: the column named phone, number, mobilephone or telephone, else the first. */
export function numbersFromCsv(text: string): string[] {
  const rows = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: true }) as string[][];
  if (rows.length === 0) return [];
  const header = rows[0]!.map((cell) => cell.toLowerCase());
  const named = header.findIndex((cell) => ["phone", "number", "mobilephone", "telephone", "telephone1", "e164"].includes(cell));
  const column = named >= 0 ? named : 0;
  const looksLikeHeader = named >= 0 || !/\d/.test(rows[0]![0] ?? "");
  return rows.slice(looksLikeHeader ? 1 : 0).map((row) => row[column] ?? "").filter(Boolean);
}

export function doNotCallCsv(entries: DoNotCallEntry[]): string {
  return stringify(
    entries.map((e) => [e.phoneHash, new Date(e.addedAt).toISOString(), e.source, e.note ?? ""]),
    { header: true, escape_formulas: true, columns: ["phone_hash", "added_at", "source", "note"] },
  );
}
