// The first-generation proactive voice action, CCaaS_CreateProactiveVoiceDelivery, and the
// msdyn_proactive_deliveries rows it creates. The newer CCaaS_CreateProactiveDelivery would be a
// sibling module with the same shape.
import { ProactiveVoiceDeliveryRequest, ProactiveVoiceDeliveryResponse } from "../../shared/schemas";
import { toActionWindows, type TimeSpan } from "../../shared/windows";
import { DataverseError, odataString, type WebApi } from "./web-api";

export interface VoiceDelivery {
  proactiveEngagementConfigId: string;
  phoneE164: string;
  contactId: string;
  windows: readonly TimeSpan[];
  attributes: Record<string, string>;
}

/**
 * How `Windows` and `InputAttributes` travel: as JSON values, as the documented samples send them
 * (default), or as JSON-encoded strings, which the documentation hints some clients must use.
 */
export type CollectionEncoding = "objects" | "json-strings";

/** The body as sent: the documented shape, or with the two collections as JSON strings. */
export type VoiceDeliveryBody = Omit<ProactiveVoiceDeliveryRequest, "Windows" | "InputAttributes"> & {
  Windows?: ProactiveVoiceDeliveryRequest["Windows"] | string;
  InputAttributes?: ProactiveVoiceDeliveryRequest["InputAttributes"] | string;
};

export function buildVoiceDeliveryRequest(delivery: VoiceDelivery, encoding: CollectionEncoding = "objects"): VoiceDeliveryBody {
  const body: ProactiveVoiceDeliveryRequest = {
    ApiVersion: "1.0",
    ProactiveEngagementConfigId: delivery.proactiveEngagementConfigId,
    DestinationPhoneNumber: delivery.phoneE164,
    ContactId: delivery.contactId,
  };
  if (delivery.windows.length > 0) body.Windows = toActionWindows(delivery.windows);
  if (Object.keys(delivery.attributes).length > 0) body.InputAttributes = delivery.attributes;
  // Our own output must satisfy the documented contract; a failure here is a bug, not bad input.
  ProactiveVoiceDeliveryRequest.parse(body);
  if (encoding === "objects") return body;
  return Object.assign({}, body, {
    Windows: body.Windows && JSON.stringify(body.Windows),
    InputAttributes: body.InputAttributes && JSON.stringify(body.InputAttributes),
  });
}

export async function createProactiveVoiceDelivery(api: WebApi, body: VoiceDeliveryBody, signal?: AbortSignal): Promise<string> {
  const response = await api.post("CCaaS_CreateProactiveVoiceDelivery", body, { signal });
  const parsed = ProactiveVoiceDeliveryResponse.safeParse(response.body);
  if (!parsed.success) throw new DataverseError("Dataverse answered the action without a DeliveryId", response.status, undefined, undefined);
  return parsed.data.DeliveryId;
}

export interface DeliveryRow {
  id: string;
  createdOn: number;
  status?: string;
}

/** Deliveries already created for this number, contact and configuration (to avoid sending twice). */
export async function findProactiveDeliveries(
  api: WebApi,
  query: { phoneE164: string; contactId: string; proactiveEngagementConfigId: string },
  signal?: AbortSignal,
): Promise<DeliveryRow[]> {
  const filter = [
    `msdyn_to_address eq ${odataString(query.phoneE164)}`,
    `msdyn_contact_id eq ${odataString(query.contactId)}`,
    `msdyn_proactive_engagement_config_id eq ${odataString(query.proactiveEngagementConfigId)}`,
  ].join(" and ");
  const response = await api.get(
    `msdyn_proactive_deliveries?$filter=${encodeURIComponent(filter)}&$select=msdyn_proactive_deliveryid,msdyn_status,createdon`,
    { signal },
  );
  const rows = (response.body as { value?: Array<{ msdyn_proactive_deliveryid?: string; msdyn_status?: string; createdon?: string }> }).value ?? [];
  return rows
    .filter((row) => row.msdyn_proactive_deliveryid && row.createdon)
    .map((row) => ({ id: row.msdyn_proactive_deliveryid!, createdOn: Date.parse(row.createdon!), status: row.msdyn_status }));
}
