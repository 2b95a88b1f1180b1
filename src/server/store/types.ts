// What the BFF keeps, behind one small interface with two implementations: SQLite for the
// embedded default (one instance) and PostgreSQL for several instances sharing one outbox.
// Times are epoch milliseconds. Personal data arrives sealed (see personal-data.ts).
import type { PublicWindow } from "../../shared/windows";
import type { RateCost, RateVerdict } from "../abuse/rate-limiter";

/**
 * queued: waiting for (another) delivery attempt; scheduled: Dataverse accepted it;
 * failed: refused for good, out of attempts, or unreadable; expired: every window passed before it
 * could be sent; cancelled: the customer cancelled it, or its number was put on the do-not-call
 * list (before it was sent, or in Dataverse afterwards). A cancelled record still `inDoubt` is
 * looked for in Dataverse once more by the worker, and cancelled there if it is found.
 */
export type CallbackStatus = "queued" | "scheduled" | "failed" | "expired" | "cancelled";

export interface NewCallback {
  id: string;
  profile: string;
  /** Keyed hash of the E.164 number, for lookups and limits. */
  phoneHash: string;
  /** Number and name, sealed. */
  personal: string;
  windows: PublicWindow[];
  asap: boolean;
  attributes: Record<string, string>;
  visitorTimeZone: string;
  locale?: string;
  consentVersion: string;
  /** The language of the consent text the visitor was shown (absent on records older than languages). */
  consentLanguage?: string;
  /** SHA-256 of that text. */
  consentTextHash: string;
  clientAddressHash?: string;
  userAgent?: string;
  idempotencyKey?: string;
  /** Hash of the request body, to tell a replay from a different request reusing a key. */
  fingerprint: string;
  createdAt: number;
  /** Known up front for a signed link; otherwise resolved by the worker. */
  contactId?: string;
}

export interface CallbackRecord extends NewCallback {
  status: CallbackStatus;
  attempts: number;
  nextAttemptAt: number;
  /** A send may have reached Dataverse without our knowing the answer: check before sending again. */
  inDoubt: boolean;
  firstSentAt?: number;
  deliveryId?: string;
  lastError?: string;
  claimedBy?: string;
  leaseUntil?: number;
  updatedAt: number;
}

/** What a worker may change on a record it has claimed. */
export type CallbackPatch = Partial<
  Pick<CallbackRecord, "status" | "attempts" | "nextAttemptAt" | "inDoubt" | "firstSentAt" | "contactId" | "deliveryId" | "lastError">
>;

export type InsertResult =
  | { inserted: true }
  | { inserted: false; existing: CallbackRecord }
  /** A slot the request needs is already at capacity; nothing was written. */
  | { inserted: false; fullSlot: number }
  /** The number already has the most requests its limit allows; nothing was written. */
  | { inserted: false; numberLimited: true };

/** A worker's hold on a record until leaseUntil: no other worker may claim it meanwhile. */
export interface Claim {
  worker: string;
  leaseUntil: number;
}

/** Slots a request takes, counted against a profile's capacity per slot. */
export interface SlotReservation {
  profile: string;
  slotStarts: number[];
  capacity: number;
}

/** At most `max` requests for one number (all profiles) created since `since`, this one included. */
export interface NumberLimit {
  since: number;
  max: number;
}

export interface DoNotCallEntry {
  phoneHash: string;
  addedAt: number;
  source: string;
  note?: string;
}

/** What an audit needs to know about each consent given. */
export interface ConsentRecord {
  requestId: string;
  createdAt: number;
  profile: string;
  consentVersion: string;
  /** Which language's text was shown and agreed to. */
  consentLanguage?: string;
  consentTextHash: string;
  phoneHash: string;
  clientAddressHash?: string;
  userAgent?: string;
  status: CallbackStatus;
}

export interface OutboxStats {
  queued: number;
  oldestQueuedAt?: number;
  byStatus: Record<CallbackStatus, number>;
}

export interface Store {
  readonly kind: "sqlite" | "postgres";
  /**
   * Inserts a queued record, taking its slots when a reservation is given and counting it against
   * its number's limit, all or nothing and atomically (concurrent requests cannot both take the
   * last place); with an idempotency key already used, answers the existing record instead.
   * With `claim`, the record is inserted already claimed (the worker that will deliver it right away).
   */
  insertCallback(callback: NewCallback, now: number, limits?: { slots?: SlotReservation; perNumber?: NumberLimit; claim?: Claim }): Promise<InsertResult>;
  /**
   * Cancels a request no instance is sending right now; false if it is not queued or is claimed.
   * Its in-doubt flag is kept: the worker then looks for an earlier send in Dataverse.
   */
  cancelQueued(id: string, now: number, reason?: string): Promise<boolean>;
  /** Records that Dataverse cancelled a scheduled request. */
  markCancelled(id: string, now: number, reason?: string): Promise<boolean>;
  /** Gives back the slots a request took (when it failed, expired or was cancelled). */
  releaseSlots(requestId: string): Promise<void>;
  /** How many requests hold each slot of a profile starting in [from, to). */
  slotUsage(profile: string, from: number, to: number): Promise<Map<number, number>>;
  /**
   * A number that changes whenever a slot's usage changes, when the store can tell (one process
   * owns it): answers may be reused while it stays the same. Absent where other instances write too.
   */
  usageVersion?(): number;
  addDoNotCall(entries: DoNotCallEntry[]): Promise<number>;
  removeDoNotCall(phoneHash: string): Promise<boolean>;
  isDoNotCall(phoneHash: string): Promise<boolean>;
  listDoNotCall(): Promise<DoNotCallEntry[]>;
  /** Consent records of requests accepted in [from, to), oldest first. */
  consentRecords(from: number, to: number): Promise<ConsentRecord[]>;
  getCallback(id: string): Promise<CallbackRecord | undefined>;
  /** The most recently created requests, newest first (for administrators). */
  recentCallbacks(limit: number): Promise<CallbackRecord[]>;
  findByIdempotencyKey(key: string): Promise<CallbackRecord | undefined>;
  /**
   * Claims up to `limit` due records for `worker` until `now + leaseMs`; each claimed by one worker
   * only. Due: queued, or cancelled while still in doubt, with `nextAttemptAt` reached and no live
   * lease. `exclude` names records the worker is still working on, whose lease it must not take again.
   */
  claimDue(worker: string, now: number, leaseMs: number, limit: number, exclude?: readonly string[]): Promise<CallbackRecord[]>;
  /** Claims one record if it is queued and not claimed by someone else. */
  claimOne(id: string, worker: string, now: number, leaseMs: number): Promise<CallbackRecord | undefined>;
  /** Applies a patch to a record this worker holds, and releases it. False if the claim was lost. */
  completeClaim(id: string, worker: string, patch: CallbackPatch, now: number): Promise<boolean>;
  /** Persists a patch while keeping the claim (e.g. "in doubt" before sending); false if the claim was lost or its lease has run out. */
  updateClaimed(id: string, worker: string, patch: CallbackPatch, now: number): Promise<boolean>;
  /** Hands back every claim of a worker that is shutting down. */
  releaseClaims(worker: string): Promise<number>;
  /** Whether a Dataverse delivery id is already recorded for some request of this number (a delivery is for one number). */
  hasDeliveryId(deliveryId: string, phoneHash: string): Promise<boolean>;
  /** A number's requests in the given statuses, across profiles, oldest first. */
  callbacksForPhone(phoneHash: string, statuses: readonly CallbackStatus[]): Promise<CallbackRecord[]>;
  outboxStats(): Promise<OutboxStats>;
  /** Takes one request's cost from a key's rate allowance, atomically (see abuse/rate-limiter.ts). */
  takeRate(key: string, cost: RateCost, now: number): Promise<RateVerdict>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
