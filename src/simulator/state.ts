// The simulator's memory: Dataverse tables it serves and the ledger of every call it accepted,
// which tests read to prove what reached "Dataverse" and how many times.
import { randomUUID } from "node:crypto";
import type { ProactiveVoiceDeliveryRequest } from "../shared/schemas";

export interface EngagementConfig {
  id: string;
  name: string;
  type: "Voice" | "SMS";
  active: boolean;
  dialMode: "Copilot" | "Progressive" | "Preview" | "Predictive";
}

export interface DeliveryRecord {
  deliveryId: string;
  receivedAt: string;
  appId: string;
  headers: Record<string, string>;
  /** The JSON body exactly as received. */
  body: unknown;
}

export interface SimulatorStats {
  tokenRequests: number;
  actionCalls: number;
  refusedActionCalls: number;
  contactQueries: number;
  contactCreates: number;
}

type Row = Record<string, unknown>;

export class SimulatorState {
  readonly contacts = new Map<string, Row>();
  readonly deliveryRows = new Map<string, Row>();
  readonly engagementConfigs: Map<string, EngagementConfig>;
  readonly deliveries: DeliveryRecord[] = [];
  readonly operations: Array<{ operation: string; deliveryId: string; receivedAt: string }> = [];
  readonly applicationUserId = randomUUID();
  readonly businessUnitId = randomUUID();
  readonly organizationId = randomUUID();
  readonly stats: SimulatorStats = { tokenRequests: 0, actionCalls: 0, refusedActionCalls: 0, contactQueries: 0, contactCreates: 0 };
  private version = 1000;

  constructor(configs: EngagementConfig[], private readonly now: () => number) {
    this.engagementConfigs = new Map(configs.map((config) => [config.id.toLowerCase(), config]));
  }

  nextVersion(): number {
    return ++this.version;
  }

  recordDelivery(entry: { deliveryId: string; appId: string; headers: Record<string, string>; body: unknown; request: ProactiveVoiceDeliveryRequest }): void {
    const receivedAt = new Date(this.now()).toISOString();
    this.deliveries.push({ deliveryId: entry.deliveryId, receivedAt, appId: entry.appId, headers: entry.headers, body: entry.body });
    const windows = entry.request.Windows ?? [];
    this.deliveryRows.set(entry.deliveryId, {
      "@odata.etag": `W/"${this.nextVersion()}"`,
      msdyn_proactive_deliveryid: entry.deliveryId,
      msdyn_to_address: entry.request.DestinationPhoneNumber,
      msdyn_contact_id: entry.request.ContactId,
      msdyn_proactive_engagement_config_id: entry.request.ProactiveEngagementConfigId,
      msdyn_status: "Pending",
      msdyn_result: null,
      msdyn_window_start: windows[0]?.Start ?? receivedAt,
      msdyn_window_end: windows.at(-1)?.End ?? new Date(this.now() + 24 * 3600_000).toISOString(),
      createdon: receivedAt,
    });
  }

  reset(): void {
    this.deliveries.length = 0;
    this.deliveryRows.clear();
    for (const key of Object.keys(this.stats) as (keyof SimulatorStats)[]) this.stats[key] = 0;
  }
}
