// Cancelling a callback request: taken out of the outbox if it has not been sent (and no instance
// is sending it right now), or cancelled in Dataverse (CCaaS_CreateOperation) if it has. A queued
// request "in doubt" (an earlier send may have reached Dataverse, its answer lost) is looked for in
// Dataverse first and cancelled there if found; when that cannot be settled now, it is cancelled
// here and stays in doubt, and the worker looks again once Dataverse has certainly finished with
// the lost send. Either way its slots go back to other visitors.
import { randomUUID } from "node:crypto";
import type { DataverseGateway } from "./dataverse/gateway";
import { DataverseError } from "./dataverse/web-api";
import { findEarlierDelivery } from "./outbox/earlier-delivery";
import type { PersonalDataVault } from "./personal-data";
import type { Profiles } from "./profiles";
import type { CallbackRecord, Store } from "./store/types";

export type CancelOutcome =
  | { kind: "cancelled" }
  | { kind: "already-cancelled" }
  /** An instance is sending it at this moment: ask again in a second or two. */
  | { kind: "busy" }
  /** It will not be called anyway (failed, expired), or Dataverse is already calling (InProcess). */
  | { kind: "too-late"; reason: string };

export interface CancelDeps {
  store: Store;
  gateway: Pick<DataverseGateway, "cancelDelivery" | "findVoiceDeliveries">;
  vault: PersonalDataVault;
  profiles: Profiles;
  now(): number;
}

/** How long a cancellation holds an in-doubt request while it looks for it in Dataverse. */
const HOLD_MS = 60_000;

/** `reason` is kept with the request (why it was cancelled, when it was not the visitor). */
export async function cancelCallback(deps: CancelDeps, record: CallbackRecord, reason?: string): Promise<CancelOutcome> {
  const { store } = deps;
  switch (record.status) {
    case "cancelled":
      return { kind: "already-cancelled" };
    case "failed":
    case "expired":
      return {
        kind: "too-late",
        reason: record.inDoubt
          ? `the request is ${record.status}; an earlier send may have reached Dataverse, which could not be checked (${record.lastError ?? "no detail"})`
          : `the request is ${record.status} and will not be called`,
      };
    case "queued": {
      if (record.inDoubt) return cancelInDoubt(deps, record, reason);
      if (!(await store.cancelQueued(record.id, deps.now(), reason))) return { kind: "busy" };
      await store.releaseSlots(record.id);
      return { kind: "cancelled" };
    }
    case "scheduled": {
      const refused = await cancelInDataverse(deps.gateway, record.deliveryId!);
      if (refused) return { kind: "too-late", reason: refused };
      await store.markCancelled(record.id, deps.now(), reason);
      await store.releaseSlots(record.id);
      return { kind: "cancelled" };
    }
  }
}

async function cancelInDoubt(deps: CancelDeps, record: CallbackRecord, reason?: string): Promise<CancelOutcome> {
  const { store } = deps;
  // Held like a worker holds it, so no worker sends it while we look.
  const holder = `cancel-${randomUUID()}`;
  const now = deps.now();
  const held = await store.claimOne(record.id, holder, now, HOLD_MS);
  if (!held) return { kind: "busy" };
  // Like an attempt, what it asks of Dataverse ends well within the hold.
  const signal = AbortSignal.timeout(HOLD_MS / 2);
  let earlier: string | undefined;
  let looked = false;
  try {
    const profile = deps.profiles.get(held.profile);
    if (profile) {
      const { phoneE164 } = deps.vault.open(held.personal);
      earlier = await findEarlierDelivery(deps, held, { phoneE164, proactiveEngagementConfigId: profile.proactiveEngagementConfigId, signal });
      looked = true;
    }
  } catch {
    // Dataverse cannot be asked now: cancelled here all the same, and the worker looks later.
  }
  if (earlier) {
    let refused: string | undefined;
    try {
      refused = await cancelInDataverse(deps.gateway, earlier, signal);
    } catch {
      // No answer: cancelled here, still in doubt, and the worker cancels it in Dataverse later.
      await store.completeClaim(held.id, holder, { status: "cancelled", lastError: reason }, deps.now());
      await store.releaseSlots(held.id);
      return { kind: "cancelled" };
    }
    if (refused) {
      // Dataverse has it and is already calling: it is scheduled, whatever we wish.
      await store.completeClaim(held.id, holder, { status: "scheduled", deliveryId: earlier, inDoubt: false, lastError: undefined }, deps.now());
      return { kind: "too-late", reason: refused };
    }
    await store.completeClaim(held.id, holder, { status: "cancelled", deliveryId: earlier, inDoubt: false, lastError: reason }, deps.now());
  } else {
    // Not found settles it only once Dataverse has certainly finished with the lost send, which
    // the worker marks by not making the request due before then.
    const settled = looked && held.nextAttemptAt <= now;
    await store.completeClaim(held.id, holder, { status: "cancelled", inDoubt: !settled, lastError: reason }, deps.now());
  }
  await store.releaseSlots(held.id);
  return { kind: "cancelled" };
}

/** Cancels a delivery in Dataverse; answers why not when Dataverse refuses (it is calling or has called). */
async function cancelInDataverse(gateway: CancelDeps["gateway"], deliveryId: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    await gateway.cancelDelivery(deliveryId, { signal });
    return undefined;
  } catch (error) {
    if (error instanceof DataverseError && !error.transient) return error.message;
    throw error;
  }
}
