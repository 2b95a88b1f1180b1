// Delivers accepted callback requests from the outbox to Dataverse, exactly once.
//
// Each attempt holds a lease on its row, so one instance works on it at a time. Before the action
// is sent the row is marked "in doubt"; it stays so unless Dataverse certainly did not act on it
// (a 4xx, or a connection that never opened). An in-doubt row is only sent again after
// msdyn_proactive_deliveries shows no delivery for it: a timeout or a reset after the body left
// never turns into a second call.
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { maskPhone } from "../../shared/phone";
import { fromPublicWindow, type TimeSpan } from "../../shared/windows";
import type { DataverseGateway } from "../dataverse/gateway";
import { DataverseError } from "../dataverse/web-api";
import type { PersonalDataVault } from "../personal-data";
import type { Profiles } from "../profiles";
import type { CallbackPatch, CallbackRecord, Store } from "../store/types";
import { retryDelay, type RetryPolicy } from "./retry-policy";

export interface WorkerOptions {
  /** How long a claimed row stays ours; longer than the slowest attempt (all its timeouts together). */
  leaseMs: number;
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
  pollMs: 500,
  concurrency: 8,
  retry: { maxAttempts: 12, baseDelayMs: 2_000, maxDelayMs: 10 * 60_000 },
  minimumWindowMs: 60_000,
  clockSkewMs: 5 * 60_000,
};

export type AttemptResult = "scheduled" | "retry" | "failed" | "expired" | "lost-claim";

export interface WorkerDeps {
  store: Store;
  gateway: Pick<DataverseGateway, "resolveContact" | "createVoiceDelivery" | "findVoiceDeliveries" | "pausedUntil">;
  vault: PersonalDataVault;
  profiles: Profiles;
  logger: Logger;
  now?: () => number;
  onAttempt?: (result: AttemptResult, reason?: string) => void;
}

export class DeliveryWorker {
  readonly id = `worker-${randomUUID()}`;
  private readonly options: WorkerOptions;
  private readonly now: () => number;
  private readonly inFlight = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private stopping = false;

  constructor(
    private readonly deps: WorkerDeps,
    options: Partial<WorkerOptions> = {},
  ) {
    this.options = { ...DEFAULT_WORKER_OPTIONS, ...options };
    this.now = deps.now ?? Date.now;
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.options.pollMs);
    this.timer.unref();
  }

  /** Stops claiming, lets attempts under way finish (up to `graceMs`), hands back the rest. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    const grace = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.allSettled([...this.inFlight]), grace]);
    await this.deps.store.releaseClaims(this.id);
  }

  /** Resolves once every attempt under way has finished. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Tries one record right away (the request that just arrived); undefined if someone else holds it. */
  async deliverNow(id: string): Promise<AttemptResult | undefined> {
    if (this.stopping || this.deps.gateway.pausedUntil() > 0) return undefined;
    const record = await this.deps.store.claimOne(id, this.id, this.now(), this.options.leaseMs);
    return record ? this.track(this.attempt(record)) : undefined;
  }

  /** One polling round: claims what is due, up to the free concurrency. */
  async tick(): Promise<void> {
    if (this.ticking || this.stopping || this.deps.gateway.pausedUntil() > 0) return;
    const free = this.options.concurrency - this.inFlight.size;
    if (free <= 0) return;
    this.ticking = true;
    try {
      const due = await this.deps.store.claimDue(this.id, this.now(), this.options.leaseMs, free);
      for (const record of due) void this.track(this.attempt(record));
    } catch (error) {
      this.deps.logger.error({ err: (error as Error).message }, "outbox poll failed");
    } finally {
      this.ticking = false;
    }
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  private async attempt(record: CallbackRecord): Promise<AttemptResult> {
    const { store, vault, profiles } = this.deps;
    const personal = vault.open(record.personal);
    const log = this.deps.logger.child({ callbackRequestId: record.id, phoneMasked: maskPhone(personal.phoneE164), attempt: record.attempts + 1 });
    const finish = async (result: AttemptResult, patch: CallbackPatch, reason?: string): Promise<AttemptResult> => {
      const kept = await store.completeClaim(record.id, this.id, patch, this.now());
      const outcome = kept ? result : "lost-claim";
      // A request that will never be called gives its slots back to other visitors.
      if (outcome === "failed" || outcome === "expired") await store.releaseSlots(record.id);
      this.deps.onAttempt?.(outcome, reason);
      if (outcome === "scheduled") log.info({ deliveryId: patch.deliveryId }, "callback scheduled");
      else if (outcome === "retry") log.warn({ reason, nextAttemptAt: new Date(patch.nextAttemptAt!).toISOString() }, "delivery will be retried");
      else log.warn({ reason }, `delivery ${outcome}`);
      return outcome;
    };

    const profile = profiles.get(record.profile);
    if (!profile) return finish("failed", { status: "failed", lastError: `profile ${record.profile} is no longer configured` }, "unknown profile");
    const windows = this.liveWindows(record);
    if (windows.length === 0) return finish("expired", { status: "expired", lastError: "every window passed before the call could be requested" }, "windows passed");

    let { contactId, inDoubt, firstSentAt } = record;
    try {
      if (inDoubt && contactId) {
        const earlier = await this.findEarlierDelivery(record, contactId, personal.phoneE164, profile.proactiveEngagementConfigId);
        if (earlier) return finish("scheduled", { status: "scheduled", deliveryId: earlier, inDoubt: false, lastError: undefined }, "found in Dataverse");
      }
      const resolved = !contactId;
      if (!contactId) contactId = await this.deps.gateway.resolveContact(personal.phoneE164, personal.name);
      firstSentAt ??= this.now();
      inDoubt = true;
      // One write keeps the contact (so a retry need not look it up again) and marks the send in doubt.
      const marked = await store.updateClaimed(record.id, this.id, resolved ? { contactId, inDoubt, firstSentAt } : { inDoubt, firstSentAt }, this.now());
      if (!marked) return finish("lost-claim", {});
      const deliveryId = await this.deps.gateway.createVoiceDelivery({
        proactiveEngagementConfigId: profile.proactiveEngagementConfigId,
        phoneE164: personal.phoneE164,
        contactId,
        windows,
        attributes: record.attributes,
      });
      return finish("scheduled", { status: "scheduled", deliveryId, inDoubt: false, attempts: record.attempts + 1, lastError: undefined });
    } catch (error) {
      const reason = (error as Error).message;
      const dataverse = error instanceof DataverseError ? error : undefined;
      // Only a send that certainly did nothing clears the doubt a previous attempt may have left.
      const stillInDoubt = inDoubt && (dataverse?.mayHaveArrived ?? true);
      // Without a token nothing reached Dataverse: an outage of the token endpoint costs no attempts,
      // so requests wait it out (until their windows pass) rather than fail.
      const attempts = dataverse ? record.attempts + 1 : record.attempts;
      if (dataverse && !dataverse.transient) {
        return finish("failed", { status: "failed", attempts, inDoubt: stillInDoubt, contactId, firstSentAt, lastError: reason }, reason);
      }
      if (attempts >= this.options.retry.maxAttempts) {
        return finish("failed", { status: "failed", attempts, inDoubt: stillInDoubt, contactId, firstSentAt, lastError: `gave up after ${attempts} attempts: ${reason}` }, reason);
      }
      const delay = retryDelay(Math.max(attempts, 1), dataverse?.retryAfterSeconds, this.options.retry);
      return finish("retry", { attempts, nextAttemptAt: this.now() + delay, inDoubt: stillInDoubt, contactId, firstSentAt, lastError: reason }, reason);
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

  private async findEarlierDelivery(record: CallbackRecord, contactId: string, phoneE164: string, configId: string): Promise<string | undefined> {
    const since = (record.firstSentAt ?? record.createdAt) - this.options.clockSkewMs;
    const rows = await this.deps.gateway.findVoiceDeliveries({ phoneE164, contactId, proactiveEngagementConfigId: configId });
    for (const row of rows.filter((r) => r.createdOn >= since).sort((a, b) => a.createdOn - b.createdOn)) {
      if (!(await this.deps.store.hasDeliveryId(row.id))) return row.id;
    }
    return undefined;
  }
}
