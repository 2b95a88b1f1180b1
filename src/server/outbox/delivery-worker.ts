// Delivers accepted callback requests from the outbox to Dataverse, exactly once.
//
// Each attempt holds a lease on its row, so one instance works on it at a time, and the attempt as
// a whole is bounded (attemptTimeoutMs, at most half the lease): calls still out when it runs out are
// given up, so no attempt outlives its lease, and a worker never claims again a row it is still
// working on. Before the action is sent the row is marked "in doubt"; it stays so unless Dataverse
// certainly did not act on it (a 4xx, or a connection that never opened). An in-doubt row is looked
// for in msdyn_proactive_deliveries, once Dataverse has certainly finished with the lost send
// (inDoubtWaitMs), before it is sent again, expired, failed or withdrawn: a timeout or a reset after
// the body left never turns into a second call, nor into a status saying no call will come.
//
// Before each send the number is checked against the do-not-call list, and again once Dataverse
// has accepted (a number listed while the call was being requested): a listed number's request
// ends `cancelled`, and a delivery Dataverse already has for it is cancelled there.
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { maskPhone } from "../../shared/phone";
import { fromPublicWindow, type TimeSpan } from "../../shared/windows";
import type { DataverseGateway } from "../dataverse/gateway";
import { TokenError } from "../dataverse/token-provider";
import { DataverseError } from "../dataverse/web-api";
import type { PersonalData, PersonalDataVault } from "../personal-data";
import type { Profiles } from "../profiles";
import { patchedRecord } from "../store/rows";
import type { CallbackPatch, CallbackRecord, Claim, Store } from "../store/types";
import { DEFAULT_CLOCK_SKEW_MS, findEarlierDelivery } from "./earlier-delivery";
import { retryDelay, type RetryPolicy } from "./retry-policy";

export interface WorkerOptions {
  /** How long a claimed row stays ours; at least twice attemptTimeoutMs. */
  leaseMs: number;
  /** The longest one attempt may take, all its calls to Entra ID and Dataverse together. */
  attemptTimeoutMs: number;
  /**
   * After a send that got no answer (a timeout, a reset), how long Dataverse may still be acting on
   * it: the row is not looked for (nor sent again) before this has passed, so the lookup cannot miss it.
   */
  inDoubtWaitMs: number;
  pollMs: number;
  concurrency: number;
  retry: RetryPolicy;
  /** A window is only sent while at least this much of it is left. */
  minimumWindowMs: number;
  /** How far back (before our first send) a delivery found in Dataverse may have been created. */
  clockSkewMs: number;
}

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = {
  leaseMs: 60_000,
  attemptTimeoutMs: 25_000,
  inDoubtWaitMs: 60_000,
  pollMs: 500,
  concurrency: 8,
  retry: { maxAttempts: 12, baseDelayMs: 2_000, maxDelayMs: 10 * 60_000 },
  minimumWindowMs: 60_000,
  clockSkewMs: DEFAULT_CLOCK_SKEW_MS,
};

/** Why a lease must be longer than the attempt it covers, in words for a configuration error. */
export function leaseProblem(leaseMs: number, attemptTimeoutMs: number): string | undefined {
  if (leaseMs >= 2 * attemptTimeoutMs) return undefined;
  return `the outbox lease (${leaseMs} ms) must be at least twice the longest attempt (${attemptTimeoutMs} ms), so that an attempt always ends before another worker may take its request`;
}

/** scheduled, failed, expired, cancelled: how the request ended; retry: it waits for another attempt; lost-claim: another worker took it; error: the attempt broke off (see the logs). */
export type AttemptResult = "scheduled" | "retry" | "failed" | "expired" | "cancelled" | "lost-claim" | "error";

type AttemptLog = Record<"info" | "warn" | "error", (fields: object, message: string) => void>;

/** How an attempt ended, and the record as it left it in the store (unknown after an error or a lost claim). */
export interface Attempt {
  result: AttemptResult;
  record?: CallbackRecord;
}

/** Why a request was marked failed, for the metrics. */
export type FailureCause = "refused" | "attempts_exhausted" | "undecryptable" | "unknown_profile";

export const DO_NOT_CALL_REASON = "the number is on the do-not-call list";

export interface WorkerDeps {
  store: Store;
  gateway: Pick<DataverseGateway, "resolveContact" | "createVoiceDelivery" | "findVoiceDeliveries" | "cancelDelivery" | "pausedUntil">;
  vault: PersonalDataVault;
  profiles: Profiles;
  logger: Logger;
  now?: () => number;
  onAttempt?: (result: AttemptResult, reason?: string, cause?: FailureCause) => void;
}

export class DeliveryWorker {
  readonly id = `worker-${randomUUID()}`;
  private readonly options: WorkerOptions;
  private readonly now: () => number;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Rows this worker is working on: never claimed again while it is, whatever their lease says. */
  private readonly working = new Set<string>();
  /** The time limits of the attempts under way, to cut them short at shutdown. */
  private readonly limits = new Set<AbortController>();
  private timer: NodeJS.Timeout | undefined;
  /** The polling round under way, if one is. */
  private round: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly deps: WorkerDeps,
    options: Partial<WorkerOptions> = {},
  ) {
    this.options = { ...DEFAULT_WORKER_OPTIONS, ...options };
    const problem = leaseProblem(this.options.leaseMs, this.options.attemptTimeoutMs);
    if (problem) throw new Error(problem);
    this.now = deps.now ?? Date.now;
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.options.pollMs);
    this.timer.unref();
  }

  /**
   * Stops claiming, lets attempts under way finish (up to `graceMs`), then gives up the calls still
   * out, so that those attempts record what they know (a send left unanswered stays in doubt, and
   * is not looked for before inDoubtWaitMs), and hands back the rest.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    // A round under way may still launch what it claimed: those attempts are waited for too.
    await this.round;
    const grace = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.allSettled([...this.inFlight]), grace]);
    for (const limit of this.limits) limit.abort(new Error("the BFF is shutting down"));
    await Promise.allSettled([...this.inFlight]);
    await this.deps.store.releaseClaims(this.id);
  }

  /** Resolves once every attempt under way has finished. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * A claim to insert a new request with, when this worker can deliver it right away (it saves
   * claiming the row afterwards); undefined while it is stopping or Dataverse asked us to wait.
   */
  claimForNow(): Claim | undefined {
    if (this.stopping || this.deps.gateway.pausedUntil() > 0) return undefined;
    return { worker: this.id, leaseUntil: this.now() + this.options.leaseMs };
  }

  /**
   * Tries one record right away (the request that just arrived), claimed at insert by this worker
   * or claimed now; undefined if it cannot start (someone else holds it, or we may not send now).
   */
  async deliverNow(record: CallbackRecord): Promise<Attempt | undefined> {
    const mine = record.claimedBy === this.id;
    if (this.stopping || this.working.has(record.id) || this.deps.gateway.pausedUntil() > 0) {
      // Handed back at once, rather than left to its lease, so the poller can take it when it may.
      if (mine) await this.deps.store.completeClaim(record.id, this.id, {}, this.now());
      return undefined;
    }
    const claimed = mine ? record : await this.deps.store.claimOne(record.id, this.id, this.now(), this.options.leaseMs);
    return claimed ? this.launch(claimed) : undefined;
  }

  /**
   * One polling round: claims what is due, up to the free concurrency. While a round is under way
   * (the poll timer's, say), resolves when that one has ended rather than starting another: a
   * caller that awaits tick() always awaits a real claim, and one that calls it in a loop cannot
   * spin on answers that never wait for the store.
   */
  tick(): Promise<void> {
    if (this.round) return this.round;
    if (this.stopping || this.deps.gateway.pausedUntil() > 0) return Promise.resolve();
    const free = this.options.concurrency - this.inFlight.size;
    if (free <= 0) return Promise.resolve();
    this.round = this.claimDue(free).finally(() => (this.round = undefined));
    return this.round;
  }

  private async claimDue(free: number): Promise<void> {
    try {
      const due = await this.deps.store.claimDue(this.id, this.now(), this.options.leaseMs, free, [...this.working]);
      for (const record of due) void this.launch(record);
    } catch (error) {
      this.deps.logger.error({ err: (error as Error).message }, "outbox poll failed");
    }
  }

  /** Runs one attempt within its time limit, tracked so that shutdown and drain can wait for it. */
  private launch(record: CallbackRecord): Promise<Attempt> {
    this.working.add(record.id);
    const limit = new AbortController();
    this.limits.add(limit);
    const timer = setTimeout(() => limit.abort(new Error(`the attempt took longer than ${this.options.attemptTimeoutMs} ms`)), this.options.attemptTimeoutMs);
    const work = this.attempt(record, limit.signal)
      .catch((error: Error) => {
        // The store failed, most likely: the row goes back to the outbox when its lease ends.
        this.deps.logger.error({ callbackRequestId: record.id, err: error.message }, "delivery attempt broke off");
        this.deps.onAttempt?.("error", error.message);
        return { result: "error" as const };
      })
      .finally(() => {
        clearTimeout(timer);
        this.limits.delete(limit);
        this.working.delete(record.id);
      });
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
    return work;
  }

  private async attempt(record: CallbackRecord, signal: AbortSignal): Promise<Attempt> {
    const { store, profiles, gateway } = this.deps;
    // Bindings on each line rather than a child logger: a child costs more than the lines it writes.
    // (Object.assign, not spreads: see store/rows.ts.)
    const context: Record<string, unknown> = { callbackRequestId: record.id, attempt: record.attempts + 1 };
    const log: AttemptLog = {
      info: (fields: object, message: string) => this.deps.logger.info(Object.assign({}, context, fields), message),
      warn: (fields: object, message: string) => this.deps.logger.warn(Object.assign({}, context, fields), message),
      error: (fields: object, message: string) => this.deps.logger.error(Object.assign({}, context, fields), message),
    };
    /** The record as this attempt has left it in the store so far. */
    let current = record;
    const finish = async (result: AttemptResult, patch: CallbackPatch, reason?: string, cause?: FailureCause): Promise<Attempt> => {
      const now = this.now();
      const kept = await store.completeClaim(record.id, this.id, patch, now);
      const outcome = kept ? result : "lost-claim";
      current = patchedRecord(current, patch, now, true);
      // A request that will never be called gives its slots back to other visitors; one that
      // Dataverse may still have (in doubt, unchecked) keeps them.
      if ((outcome === "failed" || outcome === "expired" || (outcome === "cancelled" && record.status === "queued")) && !(patch.inDoubt ?? record.inDoubt)) {
        await store.releaseSlots(record.id);
      }
      this.deps.onAttempt?.(outcome, reason, outcome === "failed" ? cause : undefined);
      if (outcome === "scheduled") log.info({ deliveryId: patch.deliveryId ?? record.deliveryId }, "callback scheduled");
      else if (outcome === "retry") log.warn({ reason, nextAttemptAt: new Date(patch.nextAttemptAt!).toISOString() }, "delivery will be retried");
      else if (outcome === "failed") log.error({ reason, cause }, "delivery failed");
      else log.warn({ reason }, `delivery ${outcome}`);
      return { result: outcome, record: kept ? current : undefined };
    };

    // What can never be sent is said once, rather than left queued to be claimed again every lease.
    // (A cancelled row left in doubt stays cancelled: it only can no longer be checked.)
    const unreadable = (reason: string, cause: FailureCause) =>
      record.status === "cancelled"
        ? finish("cancelled", { inDoubt: false, lastError: `${record.lastError ?? "cancelled"}; whether Dataverse had it cannot be checked: ${reason}` }, reason)
        : finish("failed", { status: "failed", lastError: reason }, reason, cause);
    let personal: PersonalData;
    try {
      personal = this.deps.vault.open(record.personal);
    } catch (error) {
      return unreadable(`the request's phone number cannot be decrypted (was PERSONAL_DATA_KEY changed?): ${(error as Error).message}`, "undecryptable");
    }
    context.phoneMasked = maskPhone(personal.phoneE164);
    const profile = profiles.get(record.profile);
    if (!profile) return unreadable(`profile ${record.profile} is no longer configured`, "unknown_profile");
    const configId = profile.proactiveEngagementConfigId;

    let { contactId, inDoubt, firstSentAt } = record;
    let sending = false;
    try {
      // An earlier send whose answer was lost: what did it create? (The row only comes due once
      // Dataverse has certainly finished with that send.)
      let earlier: string | undefined;
      if (inDoubt) {
        earlier = await findEarlierDelivery({ gateway, store }, record, { phoneE164: personal.phoneE164, proactiveEngagementConfigId: configId, clockSkewMs: this.options.clockSkewMs, signal });
        if (!earlier) inDoubt = false;
      }

      if (record.status === "cancelled") {
        // Cancelled while in doubt: make sure Dataverse does not call after all.
        if (earlier && !(await this.cancelInDataverse(earlier, signal))) {
          return finish("scheduled", { status: "scheduled", deliveryId: earlier, inDoubt: false, lastError: "cancelled too late: Dataverse was already calling" }, "cancelled too late");
        }
        return finish("cancelled", { inDoubt: false, deliveryId: earlier }, earlier ? "cancelled in Dataverse too" : "no earlier send reached Dataverse");
      }
      if (await store.isDoNotCall(record.phoneHash)) {
        if (earlier && !(await this.cancelInDataverse(earlier, signal))) {
          return finish("scheduled", { status: "scheduled", deliveryId: earlier, inDoubt: false, lastError: `${DO_NOT_CALL_REASON}, but Dataverse was already calling` }, DO_NOT_CALL_REASON);
        }
        return finish("cancelled", { status: "cancelled", inDoubt: false, deliveryId: earlier, lastError: DO_NOT_CALL_REASON }, DO_NOT_CALL_REASON);
      }
      if (earlier) return finish("scheduled", { status: "scheduled", deliveryId: earlier, inDoubt: false, lastError: undefined }, "found in Dataverse");

      const windows = this.liveWindows(record);
      if (windows.length === 0) return finish("expired", { status: "expired", inDoubt: false, lastError: "every window passed before the call could be requested" }, "windows passed");
      if (record.attempts >= this.options.retry.maxAttempts) {
        const reason = `gave up after ${record.attempts} attempts: ${record.lastError ?? "no answer"}`;
        return finish("failed", { status: "failed", inDoubt: false, lastError: reason }, reason, "attempts_exhausted");
      }

      const resolved = !contactId;
      if (!contactId) {
        contactId = await gateway.resolveContact(personal.phoneE164, personal.name, { signal });
      }
      firstSentAt ??= this.now();
      // Only sent on a live lease: no one else can be sending this row meanwhile. One write keeps the
      // contact (so a retry need not look it up again) and marks the send in doubt.
      const marking: CallbackPatch = resolved ? { contactId, inDoubt: true, firstSentAt } : { inDoubt: true, firstSentAt };
      const markedAt = this.now();
      const marked = await store.updateClaimed(record.id, this.id, marking, markedAt);
      if (!marked) return finish("lost-claim", {});
      current = patchedRecord(current, marking, markedAt, false);
      inDoubt = true;
      sending = true;
      const deliveryId = await gateway.createVoiceDelivery({ proactiveEngagementConfigId: configId, phoneE164: personal.phoneE164, contactId, windows, attributes: record.attributes }, { signal });
      sending = false;
      const outcome = await finish("scheduled", { status: "scheduled", deliveryId, inDoubt: false, attempts: record.attempts + 1, lastError: undefined });
      if (outcome.result === "scheduled" && (await store.isDoNotCall(record.phoneHash))) {
        // The store says what became of it (cancelled, or scheduled if Dataverse would not cancel).
        await this.withdraw(record, deliveryId, log);
        return { result: outcome.result };
      }
      return outcome;
    } catch (error) {
      const reason = (error as Error).message;
      const dataverse = error instanceof DataverseError ? error : undefined;
      // Only a send that certainly did nothing (refused, never connected, no token to send it with)
      // clears the doubt it raised; a failed lookup settles nothing.
      const stillInDoubt = sending ? (error instanceof TokenError ? false : (dataverse?.mayHaveArrived ?? true)) : inDoubt;
      // A token problem (none to be had, or Dataverse refusing ours) costs no attempt: nothing was done.
      const attempts = dataverse && !dataverse.tokenRefused ? record.attempts + 1 : record.attempts;
      const retryAt = () => {
        const delay = retryDelay(Math.max(attempts, 1), dataverse?.retryAfterSeconds, this.options.retry);
        // Without an answer (a timeout, a reset), Dataverse may still be acting on the send: do not
        // look for it too early. (An answer, even a 5xx, means it is done with it.)
        const unanswered = sending && stillInDoubt && dataverse?.status === undefined;
        return this.now() + (unanswered ? Math.max(delay, this.options.inDoubtWaitMs) : delay);
      };
      const everyWindowEnded = record.windows.every((window) => Date.parse(window.end) <= this.now());

      if (record.status === "cancelled") {
        // Once its windows have ended, Dataverse will not call: nothing is left to make sure of.
        if (everyWindowEnded) return finish("cancelled", { inDoubt: false, lastError: `${record.lastError ?? "cancelled"}; whether Dataverse had it could not be checked before its windows ended: ${reason}` }, reason);
        return finish("retry", { nextAttemptAt: retryAt() }, `cancelled; still to make sure Dataverse will not call: ${reason}`);
      }
      if (dataverse && !dataverse.transient) {
        const lastError = stillInDoubt ? `${reason}; whether an earlier send reached Dataverse could not be checked` : reason;
        return finish("failed", { status: "failed", attempts, inDoubt: stillInDoubt, contactId, firstSentAt, lastError }, reason, "refused");
      }
      if (stillInDoubt && !sending && everyWindowEnded) {
        return finish("expired", { status: "expired", attempts, inDoubt: true, lastError: `every window passed; whether an earlier send reached Dataverse could not be checked: ${reason}` }, reason);
      }
      if (attempts >= this.options.retry.maxAttempts && !stillInDoubt) {
        return finish("failed", { status: "failed", attempts, inDoubt: false, contactId, firstSentAt, lastError: `gave up after ${attempts} attempts: ${reason}` }, reason, "attempts_exhausted");
      }
      // Out of attempts but in doubt: one more round, only to look for it, before giving up.
      return finish("retry", { attempts, nextAttemptAt: retryAt(), inDoubt: stillInDoubt, contactId, firstSentAt, lastError: reason }, reason);
    }
  }

  /** CCaaS_CreateOperation Cancel; false when Dataverse refuses, as it does once it is calling. */
  private async cancelInDataverse(deliveryId: string, signal: AbortSignal): Promise<boolean> {
    try {
      await this.deps.gateway.cancelDelivery(deliveryId, { signal });
      return true;
    } catch (error) {
      if (error instanceof DataverseError && !error.transient) return false;
      throw error;
    }
  }

  /** Cancels in Dataverse the call just scheduled for a number put on the do-not-call list meanwhile. */
  private async withdraw(record: CallbackRecord, deliveryId: string, log: AttemptLog): Promise<void> {
    try {
      await this.deps.gateway.cancelDelivery(deliveryId);
      await this.deps.store.markCancelled(record.id, this.now(), DO_NOT_CALL_REASON);
      await this.deps.store.releaseSlots(record.id);
      this.deps.onAttempt?.("cancelled", DO_NOT_CALL_REASON);
      log.warn({ deliveryId }, "number put on the do-not-call list while its call was being requested: cancelled in Dataverse");
    } catch (error) {
      log.error({ deliveryId, err: (error as Error).message }, "number on the do-not-call list, but its scheduled call could not be cancelled in Dataverse");
    }
  }

  /** Windows with enough time left, starting no earlier than now. */
  private liveWindows(record: CallbackRecord): TimeSpan[] {
    const now = this.now();
    return record.windows
      .map(fromPublicWindow)
      .filter((span) => span.end - Math.max(span.start, now) >= this.options.minimumWindowMs)
      .map((span) => ({ start: Math.max(span.start, Math.ceil(now / 1000) * 1000), end: span.end }));
  }
}
