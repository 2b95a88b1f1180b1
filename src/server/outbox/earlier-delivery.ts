// Whether a send whose answer was lost (a timeout, a reset after the body left) reached Dataverse
// after all: the delivery it would have created, for the same number, contact and configuration,
// created since our first send and recorded for no other request. The worker asks before sending
// again or closing a request; cancellation asks before saying a request will not be called.
import type { DataverseGateway } from "../dataverse/gateway";
import type { CallbackRecord, Store } from "../store/types";

/** How far back (before our first send) a delivery found in Dataverse may have been created. */
export const DEFAULT_CLOCK_SKEW_MS = 5 * 60_000;

export interface EarlierDeliveryDeps {
  gateway: Pick<DataverseGateway, "findVoiceDeliveries">;
  store: Pick<Store, "hasDeliveryId">;
}

export async function findEarlierDelivery(
  deps: EarlierDeliveryDeps,
  record: Pick<CallbackRecord, "contactId" | "firstSentAt" | "createdAt" | "phoneHash">,
  lookup: { phoneE164: string; proactiveEngagementConfigId: string; clockSkewMs?: number; signal?: AbortSignal },
): Promise<string | undefined> {
  // Nothing is sent before the contact is known: without one, there was no earlier send.
  if (!record.contactId) return undefined;
  const since = (record.firstSentAt ?? record.createdAt) - (lookup.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS);
  const rows = await deps.gateway.findVoiceDeliveries(
    { phoneE164: lookup.phoneE164, contactId: record.contactId, proactiveEngagementConfigId: lookup.proactiveEngagementConfigId },
    { signal: lookup.signal },
  );
  for (const row of rows.filter((r) => r.createdOn >= since).sort((a, b) => a.createdOn - b.createdOn)) {
    if (!(await deps.store.hasDeliveryId(row.id, record.phoneHash))) return row.id;
  }
  return undefined;
}
