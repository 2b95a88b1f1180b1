// `npm run doctor`: checks a deployment end to end and says in plain words what is wrong:
// the configuration, the credentials (a real token), Dataverse's answer, each profile's proactive
// engagement configuration, and the store.
import type { ContactMapping } from "./auth/signed-in-contact";
import type { TokenVerifier } from "./auth/token-verifier";
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
  /** Whose tokens the BFF trusts, for visitors and administrators (absent: not configured). */
  signIn?: {
    visitor?: { verifier: TokenVerifier; audiences: string[]; contact: ContactMapping };
    admin?: { verifier: TokenVerifier; audiences: string[]; role: string; pageClientId?: string };
    adminApiToken: boolean;
  };
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
    return [...findings, ...(await checkSignIn(input)), ...(await checkStore(input))];
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
  return [...findings, ...(await checkSignIn(input)), ...(await checkStore(input))];
}

/** Each trusted issuer publishes signing keys, and the contact column exists in Dataverse. */
async function checkSignIn(input: DoctorInput): Promise<Finding[]> {
  const findings: Finding[] = [];
  const add = (ok: boolean, subject: string, message: string) => findings.push({ ok, subject, message });
  const { visitor, admin, adminApiToken } = input.signIn ?? { adminApiToken: false };
  const keys = async (verifier: TokenVerifier, variables: string) => {
    try {
      const count = await verifier.signingKeys();
      return count > 0 ? `${verifier.issuer} publishes ${count} signing key${count === 1 ? "" : "s"}` : undefined;
    } catch (error) {
      throw new Error(`cannot fetch the signing keys of ${verifier.issuer} (${(error as Error).message}): check ${variables}`);
    }
  };

  if (visitor) {
    try {
      const published = await keys(visitor.verifier, "VISITOR_AUTH_ISSUER and VISITOR_AUTH_JWKS_URI");
      if (!published) throw new Error(`${visitor.verifier.issuer} publishes no signing key`);
      const { claim, field } = visitor.contact;
      if (field !== "contactid") await input.gateway.findContacts(field, "callback-widget doctor", 1);
      add(true, "visitor sign-in", `${published}; tokens for ${visitor.audiences.join(" or ")}; the claim ${claim} names the contact whose ${field} equals it`);
    } catch (error) {
      const message = error instanceof DataverseError && error.status === 400 ? `contacts has no column ${visitor.contact.field}: check VISITOR_AUTH_CONTACT_FIELD (a column's logical name)` : (error as Error).message;
      add(false, "visitor sign-in", message);
    }
  } else {
    const needing = [...input.profiles.values()].filter((p) => p.signIn).map((p) => p.id);
    add(needing.length === 0, "visitor sign-in", needing.length === 0 ? "not configured: visitors are anonymous (or come with signed links)" : `profiles ${needing.join(", ")} ask visitors to sign in, but VISITOR_AUTH_* is not set`);
  }

  if (admin) {
    try {
      const published = await keys(admin.verifier, "ADMIN_AUTH_ISSUER and ADMIN_AUTH_JWKS_URI");
      if (!published) throw new Error(`${admin.verifier.issuer} publishes no signing key`);
      const page = admin.pageClientId ? `the admin page signs in with the app ${admin.pageClientId}` : "no admin page sign-in (set ADMIN_AUTH_CLIENT_ID and ADMIN_AUTH_SCOPES)";
      add(true, "admin sign-in", `${published}; administrators need the app role ${admin.role} in tokens for ${admin.audiences.join(" or ")}; ${page}`);
    } catch (error) {
      add(false, "admin sign-in", (error as Error).message);
    }
  } else {
    add(true, "admin sign-in", adminApiToken ? "not configured: the admin API takes ADMIN_API_TOKEN only, and the admin page cannot sign anyone in" : "not configured: the admin API and page are off");
  }
  return findings;
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
