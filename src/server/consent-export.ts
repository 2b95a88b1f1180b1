// Consent records as CSV, for audits: what was agreed to (text version, language and hash), when, for which
// profile, by whom (hashed number and client address, user agent), and what became of the request.
import { stringify } from "csv-stringify/sync";
import type { ConsentRecord } from "./store/types";

export function consentCsv(records: ConsentRecord[]): string {
  return stringify(
    records.map((r) => [
      r.requestId,
      new Date(r.createdAt).toISOString(),
      r.profile,
      r.consentVersion,
      r.consentLanguage ?? "",
      r.consentTextHash,
      r.phoneHash,
      r.clientAddressHash ?? "",
      r.userAgent ?? "",
      r.status,
    ]),
    { header: true, escape_formulas: true, columns: ["request_id", "consented_at", "profile", "consent_version", "consent_language", "consent_text_sha256", "phone_hash", "client_address_hash", "user_agent", "status"] },
  );
}

/** A date (yyyy-MM-dd, UTC midnight) or an ISO instant, as epoch milliseconds. */
export function parseDateArgument(text: string, name: string): number {
  const value = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(value)) throw new Error(`${name} must be a date (2026-01-31) or an ISO instant, not ${text}`);
  return value;
}
