// Everything the BFF asks of Dataverse, in one place: one connection pool, one token cache, and
// the service-protection pause (a 429 from Dataverse applies to our whole application user, so
// after one, nothing is sent until its Retry-After has passed).
import type { Dispatcher } from "undici";
import type { DataverseSettings } from "../config";
import { createContactResolver, findContacts, getContact, type ContactRow } from "./contacts";
import {
  buildVoiceDeliveryRequest,
  createProactiveVoiceDelivery,
  findProactiveDeliveries,
  type CollectionEncoding,
  type DeliveryRow,
  type VoiceDelivery,
} from "./proactive-voice";
import { createTokenProvider, type TokenProvider } from "./token-provider";
import { createDispatcher } from "./transport";
import { createWebApi, DataverseError, type WebApi } from "./web-api";

const FORMATTED = "OData.Community.Display.V1.FormattedValue";

export interface EngagementConfigInfo {
  id: string;
  name?: string;
  type?: string;
  dialMode?: string;
  active: boolean;
}

/** A delivery attempt's time limit: calls under way are given up (their sockets closed) when it aborts. */
export interface Bounded {
  signal?: AbortSignal;
}

export interface DataverseGateway {
  resolveContact(e164: string, name?: string, options?: Bounded): Promise<string>;
  /** A contact by id (undefined when it does not exist). */
  getContact(contactId: string): Promise<ContactRow | undefined>;
  /** Contacts whose `field` equals `value`, at most `top`. */
  findContacts(field: string, value: string, top: number): Promise<ContactRow[]>;
  createVoiceDelivery(delivery: VoiceDelivery, options?: Bounded): Promise<string>;
  findVoiceDeliveries(query: { phoneE164: string; contactId: string; proactiveEngagementConfigId: string }, options?: Bounded): Promise<DeliveryRow[]>;
  /**
   * Gets a token (from cache when it can): proves the credentials work. Fails too while Dataverse
   * refuses our tokens (401 even with a new one), until a call succeeds again.
   */
  checkToken(): Promise<void>;
  /** Calls WhoAmI: proves Dataverse answers us. */
  whoAmI(): Promise<{ userId: string }>;
  getEngagementConfig(id: string): Promise<EngagementConfigInfo | undefined>;
  /** CCaaS_CreateOperation with Operation "Cancel" (Dataverse answers 202). */
  cancelDelivery(deliveryId: string, options?: Bounded): Promise<void>;
  /** The delivery's msdyn_status (Pending, InProcess, Complete, Expired, Cancelled, Error), if it exists. */
  deliveryStatus(deliveryId: string): Promise<string | undefined>;
  /** When Dataverse last asked us to wait (429), until when; 0 when not paused. */
  pausedUntil(): number;
  close(): Promise<void>;
}

export type Observe = (operation: string, outcome: string, seconds: number) => void;

export function createDataverseGateway(
  settings: DataverseSettings,
  options: { encoding?: CollectionEncoding; observe?: Observe; now?: () => number } = {},
): DataverseGateway {
  const now = options.now ?? Date.now;
  const dispatcher: Dispatcher = createDispatcher({ timeoutMs: settings.timeoutMs, extraCaPem: settings.extraCaPem });
  const tokens: TokenProvider = createTokenProvider(settings, dispatcher);
  const api: WebApi = createWebApi(settings.orgUrl, tokens, dispatcher);
  const contacts = createContactResolver(api);
  let pausedUntil = 0;
  /** Why Dataverse last refused our token, while it does (cleared by the next call it accepts). */
  let tokenRefused: string | undefined;

  async function timed<T>(operation: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await work();
      options.observe?.(operation, "ok", (performance.now() - started) / 1000);
      if (operation !== "token") tokenRefused = undefined;
      return result;
    } catch (error) {
      const outcome = error instanceof DataverseError ? (error.status ? String(error.status) : "network") : "token";
      options.observe?.(operation, outcome, (performance.now() - started) / 1000);
      if (error instanceof DataverseError && error.status === 429) {
        pausedUntil = Math.max(pausedUntil, now() + (error.retryAfterSeconds ?? 5) * 1000);
      }
      if (error instanceof DataverseError && error.tokenRefused) tokenRefused = error.message;
      throw error;
    }
  }

  return {
    resolveContact: (e164, name, bounded) => timed("resolve_contact", () => contacts.resolveContact(e164, name, bounded?.signal)),
    getContact: (contactId) => timed("get_contact", () => getContact(api, contactId)),
    findContacts: (field, value, top) => timed("find_contacts", () => findContacts(api, field, value, top)),
    createVoiceDelivery: (delivery, bounded) =>
      timed("create_voice_delivery", () => createProactiveVoiceDelivery(api, buildVoiceDeliveryRequest(delivery, options.encoding), bounded?.signal)),
    findVoiceDeliveries: (query, bounded) => timed("find_voice_deliveries", () => findProactiveDeliveries(api, query, bounded?.signal)),
    checkToken: () =>
      timed("token", async () => {
        await tokens.getToken();
        if (tokenRefused) throw new Error(`Dataverse refuses our token: ${tokenRefused}`);
      }),
    whoAmI: () =>
      timed("who_am_i", async () => {
        const response = await api.get("WhoAmI()");
        return { userId: String((response.body as { UserId?: string }).UserId) };
      }),
    getEngagementConfig: (id) =>
      timed("get_engagement_config", async () => {
        try {
          // Choice columns come back as numbers; their labels come as formatted-value annotations.
          const response = await api.get(`msdyn_proactive_engagement_configs(${id})?$select=msdyn_name,msdyn_type,msdyn_dialmode_type,statecode`, {
            headers: { prefer: 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"' },
          });
          const row = response.body as Record<string, unknown>;
          const label = (column: string) => String(row[`${column}@${FORMATTED}`] ?? row[column] ?? "") || undefined;
          return { id, name: label("msdyn_name"), type: label("msdyn_type"), dialMode: label("msdyn_dialmode_type"), active: row.statecode === 0 };
        } catch (error) {
          if (error instanceof DataverseError && error.status === 404) return undefined;
          throw error;
        }
      }),
    cancelDelivery: (deliveryId, bounded) =>
      timed("cancel_delivery", async () => void (await api.post("CCaaS_CreateOperation", { ApiVersion: "1.0", Operation: "Cancel", DeliveryId: deliveryId }, { signal: bounded?.signal }))),
    deliveryStatus: (deliveryId) =>
      timed("delivery_status", async () => {
        try {
          const response = await api.get(`msdyn_proactive_deliveries(${deliveryId})?$select=msdyn_status,msdyn_result`, {
            headers: { prefer: 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"' },
          });
          const row = response.body as Record<string, unknown>;
          return String(row[`msdyn_status@${FORMATTED}`] ?? row.msdyn_status ?? "") || undefined;
        } catch (error) {
          if (error instanceof DataverseError && error.status === 404) return undefined;
          throw error;
        }
      }),
    pausedUntil: () => (pausedUntil > now() ? pausedUntil : 0),
    close: () => dispatcher.close(),
  };
}
