// `npm run doctor`: checks a deployment end to end and says in plain words what is wrong:
// the configuration, the credentials (a real token), Dataverse's answer, each profile's proactive
// engagement configuration, and the store.
import type { DataverseSettings } from "./config";
import type { DataverseGateway } from "./dataverse/gateway";
import { DataverseError } from "./dataverse/web-api";
import type { Profiles } from "./profiles";
import type { Store } from "./store/types";

export interface Finding {
  ok: boolean;
  subject: string;
  message: string;
}

export interface DoctorInput {
  dataverse: DataverseSettings;
  profiles: Profiles;
  gateway: DataverseGateway;
  openStore(): Promise<Store>;
  storeDescription: string;
}

export async function runDoctor(input: DoctorInput): Promise<Finding[]> {
  const { dataverse, profiles, gateway } = input;
  const findings: Finding[] = [];
  const add = (ok: boolean, subject: string, message: string) => findings.push({ ok, subject, message });

  add(
    true,
    "configuration",
    `organisation ${dataverse.orgUrl}, tenant ${dataverse.tenantId}, application ${dataverse.clientId}, ${dataverse.credential.kind === "certificate" ? "certificate" : "client secret"} at ${dataverse.authorityHost}`,
  );
  add(true, "profiles", `${profiles.size} profile${profiles.size === 1 ? "" : "s"}: ${[...profiles.keys()].join(", ")}`);

  try {
    await gateway.checkToken();
    add(true, "token", `Microsoft Entra ID issued a token for ${dataverse.orgUrl}/.default`);
  } catch (error) {
    add(false, "token", explainTokenFailure((error as Error).message, dataverse));
    return [...findings, ...(await checkStore(input))];
  }

  try {
    const me = await gateway.whoAmI();
    add(true, "Dataverse", `WhoAmI answered: the application user is ${me.userId}`);
  } catch (error) {
    add(false, "Dataverse", explainDataverseFailure(error, dataverse));
  }

  for (const profile of profiles.values()) {
    const id = profile.proactiveEngagementConfigId;
    try {
      const config = await gateway.getEngagementConfig(id);
      if (!config) {
        add(false, `profile ${profile.id}`, `no proactive engagement configuration ${id} exists in this organisation: copy the right id from the Proactive Engagement Configuration table into proactiveEngagementConfigId`);
      } else if (!config.active) {
        add(false, `profile ${profile.id}`, `the proactive engagement configuration ${id} ("${config.name}") is inactive: activate it, or point the profile at an active one`);
      } else if (config.type && config.type !== "Voice") {
        add(false, `profile ${profile.id}`, `the proactive engagement configuration ${id} ("${config.name}") is for ${config.type}, not Voice: callbacks need a Voice configuration`);
      } else {
        add(true, `profile ${profile.id}`, `configuration "${config.name}" (${id}) is active, ${config.type ?? "type unknown"}, dial mode ${config.dialMode ?? "unknown"}`);
      }
    } catch (error) {
      add(false, `profile ${profile.id}`, `could not read configuration ${id}: ${explainDataverseFailure(error, dataverse)}`);
    }
  }
  return [...findings, ...(await checkStore(input))];
}

async function checkStore(input: DoctorInput): Promise<Finding[]> {
  try {
    const store = await input.openStore();
    try {
      await store.ping();
      const stats = await store.outboxStats();
      return [{ ok: true, subject: "store", message: `${input.storeDescription} answers; ${stats.queued} request(s) waiting in the outbox` }];
    } finally {
      await store.close();
    }
  } catch (error) {
    return [{ ok: false, subject: "store", message: `${input.storeDescription} is not usable: ${(error as Error).message}` }];
  }
}

function explainTokenFailure(message: string, dataverse: DataverseSettings): string {
  if (/7000215|invalid_client.*secret/i.test(message)) return `the client secret was refused: set AZURE_CLIENT_SECRET to the secret's value (not its id) from the app registration ${dataverse.clientId}`;
  if (/700027|assertion/i.test(message)) return "the certificate was refused: upload its public part to the app registration, and check AZURE_CLIENT_CERTIFICATE_PATH";
  if (/700016|unauthorized_client/i.test(message)) return `no application ${dataverse.clientId} exists in tenant ${dataverse.tenantId}: check AZURE_CLIENT_ID and AZURE_TENANT_ID`;
  if (/90002|invalid_tenant/i.test(message)) return `tenant ${dataverse.tenantId} was not found: check AZURE_TENANT_ID`;
  if (/invalid_scope|1002012/i.test(message)) return `the scope ${dataverse.orgUrl}/.default was refused: check DATAVERSE_URL`;
  return `no token: ${message}`;
}

function explainDataverseFailure(error: unknown, dataverse: DataverseSettings): string {
  if (!(error instanceof DataverseError)) return (error as Error).message;
  switch (error.status) {
    case 401:
      return `Dataverse refused the token (401): is ${dataverse.orgUrl} in tenant ${dataverse.tenantId}?`;
    case 403:
      return `Dataverse refused the application user (403): add the app registration ${dataverse.clientId} as an application user of the environment and give it the Omnichannel agent (or supervisor) role directly, not through a team`;
    case undefined:
      return `Dataverse is unreachable at ${dataverse.orgUrl}: ${error.message}`;
    default:
      return error.message;
  }
}

export function formatFindings(findings: Finding[]): string {
  return findings.map((f) => `${f.ok ? "✓" : "✗"} ${f.subject}: ${f.message}`).join("\n");
}
