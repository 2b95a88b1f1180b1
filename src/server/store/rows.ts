// The callback_requests table's columns, shared by both stores: one mapping between rows and records.
import type { CallbackPatch, CallbackRecord, Claim, ConsentRecord, NewCallback } from "./types";

export interface CallbackRow {
  id: string;
  profile: string;
  phone_hash: string;
  personal: string;
  windows: string;
  asap: boolean | number;
  attributes: string;
  visitor_time_zone: string;
  locale: string | null;
  consent_version: string;
  consent_language: string | null;
  consent_text_hash: string;
  client_address_hash: string | null;
  user_agent: string | null;
  idempotency_key: string | null;
  fingerprint: string;
  created_at: number | string;
  status: CallbackRecord["status"];
  attempts: number;
  next_attempt_at: number | string;
  in_doubt: boolean | number;
  first_sent_at: number | string | null;
  contact_id: string | null;
  delivery_id: string | null;
  last_error: string | null;
  claimed_by: string | null;
  lease_until: number | string | null;
  updated_at: number | string;
}

/** Column values for a new queued record, in the order of INSERT_COLUMNS. */
export const INSERT_COLUMNS = [
  "id", "profile", "phone_hash", "personal", "windows", "asap", "attributes", "visitor_time_zone", "locale",
  "consent_version", "consent_text_hash", "client_address_hash", "user_agent", "idempotency_key", "fingerprint",
  "created_at", "status", "attempts", "next_attempt_at", "in_doubt", "updated_at", "contact_id", "consent_language",
  "claimed_by", "lease_until",
] as const;

export function insertValues(c: NewCallback, now: number, asBoolean: (b: boolean) => unknown, claim?: Claim): unknown[] {
  return [
    c.id, c.profile, c.phoneHash, c.personal, JSON.stringify(c.windows), asBoolean(c.asap), JSON.stringify(c.attributes),
    c.visitorTimeZone, c.locale ?? null, c.consentVersion, c.consentTextHash, c.clientAddressHash ?? null, c.userAgent ?? null,
    c.idempotencyKey ?? null, c.fingerprint, c.createdAt, "queued", 0, now, asBoolean(false), now, c.contactId ?? null, c.consentLanguage ?? null,
    claim?.worker ?? null, claim?.leaseUntil ?? null,
  ];
}

// Records are built field by field. In Node 20's V8, `{ ...record, field }` gives every object a
// hidden class of its own (~2.5 µs and ~1 kB of old-space garbage per property after the spread,
// and megamorphic reads wherever the record goes next), and Object.assign past ~20 properties turns
// the copy into a dictionary: on the callback path, the costliest lines of the request.
type EveryField<T> = { [K in keyof Required<T>]: T[K] };

function recordOf(c: NewCallback, state: Omit<CallbackRecord, keyof NewCallback>): CallbackRecord {
  const record: EveryField<CallbackRecord> = {
    id: c.id,
    profile: c.profile,
    phoneHash: c.phoneHash,
    personal: c.personal,
    windows: c.windows,
    asap: c.asap,
    attributes: c.attributes,
    visitorTimeZone: c.visitorTimeZone,
    locale: c.locale,
    consentVersion: c.consentVersion,
    consentLanguage: c.consentLanguage,
    consentTextHash: c.consentTextHash,
    clientAddressHash: c.clientAddressHash,
    userAgent: c.userAgent,
    idempotencyKey: c.idempotencyKey,
    fingerprint: c.fingerprint,
    createdAt: c.createdAt,
    contactId: c.contactId,
    status: state.status,
    attempts: state.attempts,
    nextAttemptAt: state.nextAttemptAt,
    inDoubt: state.inDoubt,
    firstSentAt: state.firstSentAt,
    deliveryId: state.deliveryId,
    lastError: state.lastError,
    claimedBy: state.claimedBy,
    leaseUntil: state.leaseUntil,
    updatedAt: state.updatedAt,
  };
  return record;
}

/** The record a store holds right after insertCallback(c, now, { claim }) inserted it: no read needed. */
export function queuedRecord(c: NewCallback, now: number, claim?: Claim): CallbackRecord {
  return recordOf(c, { status: "queued", attempts: 0, nextAttemptAt: now, inDoubt: false, claimedBy: claim?.worker, leaseUntil: claim?.leaseUntil, updatedAt: now });
}

/** The record after a patch a store accepted (undefined values leave a field as it was, as in the stores). */
export function patchedRecord(record: CallbackRecord, patch: CallbackPatch, now: number, release: boolean): CallbackRecord {
  const next = recordOf(record, record);
  next.updatedAt = now;
  const fields = next as unknown as Record<string, unknown>;
  for (const key of Object.keys(patch) as (keyof CallbackPatch)[]) {
    if (patch[key] !== undefined) fields[key] = patch[key];
  }
  if (release) {
    next.claimedBy = undefined;
    next.leaseUntil = undefined;
  }
  return next;
}

const PATCH_COLUMNS: Record<keyof CallbackPatch, string> = {
  status: "status",
  attempts: "attempts",
  nextAttemptAt: "next_attempt_at",
  inDoubt: "in_doubt",
  firstSentAt: "first_sent_at",
  contactId: "contact_id",
  deliveryId: "delivery_id",
  lastError: "last_error",
};

/** `[column, value]` pairs for a patch; booleans converted for the dialect. */
export function patchColumns(patch: CallbackPatch, asBoolean: (b: boolean) => unknown): Array<[string, unknown]> {
  return (Object.keys(patch) as (keyof CallbackPatch)[])
    .filter((key) => patch[key] !== undefined)
    .map((key) => [PATCH_COLUMNS[key], typeof patch[key] === "boolean" ? asBoolean(patch[key] as boolean) : patch[key]]);
}

const num = (value: number | string | null): number | undefined => (value === null ? undefined : Number(value));

export function fromRow(row: CallbackRow): CallbackRecord {
  return {
    id: row.id,
    profile: row.profile,
    phoneHash: row.phone_hash,
    personal: row.personal,
    windows: JSON.parse(row.windows),
    asap: Boolean(row.asap),
    attributes: JSON.parse(row.attributes),
    visitorTimeZone: row.visitor_time_zone,
    locale: row.locale ?? undefined,
    consentVersion: row.consent_version,
    consentLanguage: row.consent_language ?? undefined,
    consentTextHash: row.consent_text_hash,
    clientAddressHash: row.client_address_hash ?? undefined,
    userAgent: row.user_agent ?? undefined,
    idempotencyKey: row.idempotency_key ?? undefined,
    fingerprint: row.fingerprint,
    createdAt: Number(row.created_at),
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: Number(row.next_attempt_at),
    inDoubt: Boolean(row.in_doubt),
    firstSentAt: num(row.first_sent_at),
    contactId: row.contact_id ?? undefined,
    deliveryId: row.delivery_id ?? undefined,
    lastError: row.last_error ?? undefined,
    claimedBy: row.claimed_by ?? undefined,
    leaseUntil: num(row.lease_until),
    updatedAt: Number(row.updated_at),
  };
}

export const STATUSES: CallbackRecord["status"][] = ["queued", "scheduled", "failed", "expired", "cancelled"];

/** Thrown inside an insert's transaction to roll it back when the number is over its limit. */
export class NumberLimited extends Error {
  constructor() {
    super("the number has reached its limit of requests");
  }
}

/** Thrown inside an insert's transaction to roll it back when a slot is full. */
export class SlotFull extends Error {
  constructor(readonly slot: number) {
    super(`slot ${new Date(slot).toISOString()} is full`);
  }
}

export interface ConsentRow {
  id: string;
  created_at: number | string;
  profile: string;
  consent_version: string;
  consent_language: string | null;
  consent_text_hash: string;
  phone_hash: string;
  client_address_hash: string | null;
  user_agent: string | null;
  status: CallbackRecord["status"];
}

export function fromConsentRow(row: ConsentRow): ConsentRecord {
  return {
    requestId: row.id,
    createdAt: Number(row.created_at),
    profile: row.profile,
    consentVersion: row.consent_version,
    consentLanguage: row.consent_language ?? undefined,
    consentTextHash: row.consent_text_hash,
    phoneHash: row.phone_hash,
    clientAddressHash: row.client_address_hash ?? undefined,
    userAgent: row.user_agent ?? undefined,
    status: row.status,
  };
}
