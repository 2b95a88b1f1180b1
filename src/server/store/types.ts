// What the BFF keeps, behind one small interface with two implementations: SQLite for the
// embedded default (one instance) and PostgreSQL for several instances sharing one outbox.
// Times are epoch milliseconds. Personal data arrives sealed (see personal-data.ts).
import type { PublicWindow } from "../../shared/windows";

/**
 * queued: waiting for (another) delivery attempt; scheduled: Dataverse accepted it;
 * failed: refused for good or out of attempts; expired: every window passed before it could be sent;
 * cancelled: the customer cancelled it (before it was sent, or in Dataverse afterwards).
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
  | { inserted: false; fullSlot: number };

/** Slots a request takes, counted against a profile's capacity per slot. */
export interface SlotReservation {
  profile: string;
  slotStarts: number[];
  capacity: number;
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
   * Inserts a queued record, taking its slots when a reservation is given, all or nothing; with an
   * idempotency key already used, answers the existing record instead.
   */
  insertCallback(callback: NewCallback, now: number, reservation?: SlotReservation): Promise<InsertResult>;
  /** Cancels a request no instance is sending right now; false if it is not queued or is claimed. */
  cancelQueued(id: string, now: number): Promise<boolean>;
  /** Records that Dataverse cancelled a scheduled request. */
  markCancelled(id: string, now: number): Promise<boolean>;
  /** Gives back the slots a request took (when it failed, expired or was cancelled). */
  releaseSlots(requestId: string): Promise<void>;
  /** How many requests hold each slot of a profile starting in [from, to). */
  slotUsage(profile: string, from: number, to: number): Promise<Map<number, number>>;
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
  /** Claims up to `limit` due records for `worker` until `now + leaseMs`; each claimed by one worker only. */
  claimDue(worker: string, now: number, leaseMs: number, limit: number): Promise<CallbackRecord[]>;
  /** Claims one record if it is queued and not claimed by someone else. */
  claimOne(id: string, worker: string, now: number, leaseMs: number): Promise<CallbackRecord | undefined>;
  /** Applies a patch to a record this worker holds, and releases it. False if the claim was lost. */
  completeClaim(id: string, worker: string, patch: CallbackPatch, now: number): Promise<boolean>;
  /** Persists a patch while keeping the claim (e.g. "in doubt" before sending). */
  updateClaimed(id: string, worker: string, patch: CallbackPatch, now: number): Promise<boolean>;
  /** Hands back every claim of a worker that is shutting down. */
  releaseClaims(worker: string): Promise<number>;
  /** Whether a Dataverse delivery id is already recorded for some request. */
  hasDeliveryId(deliveryId: string): Promise<boolean>;
  /** Accepted requests for a number since `since`, across profiles. */
  countForPhone(phoneHash: string, since: number): Promise<number>;
  outboxStats(): Promise<OutboxStats>;
  /** Counts one hit in the fixed window containing `now`; returns the count so far and when it resets. */
  hitRateLimit(key: string, windowMs: number, now: number): Promise<{ count: number; resetAt: number }>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
