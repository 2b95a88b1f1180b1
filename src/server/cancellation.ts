// Cancelling a callback request: taken out of the outbox if it has not been sent (and no instance
// is sending it right now), or cancelled in Dataverse (CCaaS_CreateOperation) if it has. Either way
// its slots go back to other visitors.
import type { DataverseGateway } from "./dataverse/gateway";
import { DataverseError } from "./dataverse/web-api";
import type { CallbackRecord, Store } from "./store/types";

export type CancelOutcome =
  | { kind: "cancelled" }
  | { kind: "already-cancelled" }
  /** An instance is sending it at this moment: ask again in a second or two. */
  | { kind: "busy" }
  /** It will not be called anyway (failed, expired), or Dataverse is already calling (InProcess). */
  | { kind: "too-late"; reason: string };

export async function cancelCallback(deps: { store: Store; gateway: Pick<DataverseGateway, "cancelDelivery">; now(): number }, record: CallbackRecord): Promise<CancelOutcome> {
  const { store, gateway } = deps;
  switch (record.status) {
    case "cancelled":
      return { kind: "already-cancelled" };
    case "failed":
    case "expired":
      return { kind: "too-late", reason: `the request is ${record.status} and will not be called` };
    case "queued": {
      if (!(await store.cancelQueued(record.id, deps.now()))) return { kind: "busy" };
      await store.releaseSlots(record.id);
      return { kind: "cancelled" };
    }
    case "scheduled": {
      try {
        await gateway.cancelDelivery(record.deliveryId!);
      } catch (error) {
        // Dataverse refuses to cancel what it is already calling or has called.
        if (error instanceof DataverseError && error.status !== undefined && error.status >= 400 && error.status < 500 && error.status !== 429) {
          return { kind: "too-late", reason: error.message };
        }
        throw error;
      }
      await store.markCancelled(record.id, deps.now());
      await store.releaseSlots(record.id);
      return { kind: "cancelled" };
    }
  }
}
