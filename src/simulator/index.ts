// A stand-in for the parts of Microsoft's cloud the BFF uses, faithful to the documented contract
// (see ../shared/docs/dataverse-action.md): an Entra ID token endpoint, the Dataverse Web API's
// contacts and proactive deliveries, and CCaaS_CreateProactiveVoiceDelivery. One HTTPS server:
// its URL is both the authority host and the organisation URL.
import { randomBytes } from "node:crypto";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { FaultInjector, type FaultPlan } from "./faults";
import { createIdentity } from "./identity";
import { odataError } from "./odata";
import { SimulatorState, type DeliveryRecord, type EngagementConfig, type SimulatorStats } from "./state";
import { loadOrCreateTls } from "./tls";
import { createWebApi } from "./web-api";

export type { DeliveryRecord, EngagementConfig } from "./state";
export type { FaultPlan, FaultRule } from "./faults";

export const DEMO_TENANT_ID = "6f1b9a3e-2c4d-4e8f-9a7b-1c2d3e4f5a6b";
export const DEMO_CLIENT_ID = "0b7c5e1d-8f2a-4b3c-9d4e-5f6a7b8c9d0e";
export const DEMO_ENGAGEMENT_CONFIG: EngagementConfig = {
  id: "cbbac510-3e66-ef11-a671-6045bd03d9d8",
  name: "Callbacks (demo)",
  type: "Voice",
  active: true,
  dialMode: "Copilot",
};

export interface SimulatorOptions {
  port?: number;
  host?: string;
  tenantId?: string;
  clientId?: string;
  /** Random when absent: a secret is never committed. */
  clientSecret?: string;
  /** Public certificate registered for certificate (client assertion) credentials. */
  clientCertificatePem?: string;
  /** Security roles of the application user; without an Omnichannel role the action answers 403. */
  appRoles?: string[];
  engagementConfigs?: EngagementConfig[];
  /** Keeps key.pem and cert.pem here across restarts; in memory only when absent. */
  tlsDir?: string;
  /** Contacts the organisation already has (the demo's signed-in customer, say). */
  contacts?: Array<Record<string, string> & { contactid: string }>;
  now?: () => number;
}

export interface RunningSimulator {
  url: string;
  orgUrl: string;
  authorityHost: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  caCertPem: string;
  ledger(): DeliveryRecord[];
  /** msdyn_status of a delivery (Pending, Cancelled…), as the msdyn_proactive_deliveries table holds it. */
  deliveryStatus(deliveryId: string): string | undefined;
  /** Makes every token issued so far invalid: the Web API answers 401 to them. */
  revokeTokens(): void;
  /** Makes chosen calls fail from now on (replacing any earlier plan). */
  setFaults(plan: FaultPlan): void;
  clearFaults(): void;
  stats(): SimulatorStats & { injected: Record<string, number>; received: Record<string, number> };
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const host = options.host ?? "127.0.0.1";
  const tenantId = options.tenantId ?? DEMO_TENANT_ID;
  const clientId = options.clientId ?? DEMO_CLIENT_ID;
  const clientSecret = options.clientSecret ?? randomBytes(24).toString("base64url");
  const now = options.now ?? Date.now;
  const tls = await loadOrCreateTls(options.tlsDir);
  const state = new SimulatorState(options.engagementConfigs ?? [DEMO_ENGAGEMENT_CONFIG], now);
  for (const contact of options.contacts ?? []) state.contacts.set(contact.contactid.toLowerCase(), { ...contact, "@odata.etag": `W/"${state.nextVersion()}"` });

  // The URL embeds the port, which is only known once listening: build the app lazily.
  let handler: Hono | undefined;
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve(
      {
        fetch: (request, env) => handler!.fetch(request, env),
        port: options.port ?? 0,
        hostname: host,
        createServer,
        serverOptions: { key: tls.key, cert: tls.cert },
      },
      () => resolve(s),
    );
  });
  const { port } = server.address() as AddressInfo;
  const url = `https://${host.includes(":") ? `[${host}]` : host}:${port}`;

  const identity = await createIdentity({
    url,
    tenantId,
    clientId,
    clientSecret,
    clientCertificatePem: options.clientCertificatePem,
    now,
    onTokenRequest: () => state.stats.tokenRequests++,
  });
  const faults = new FaultInjector();
  const app = new Hono();
  app.get("/__simulator/health", (c) => c.json({ status: "ok" }));
  app.put("/__simulator/faults", async (c) => {
    faults.set((await c.req.json()) as FaultPlan);
    return c.body(null, 204);
  });
  app.delete("/__simulator/faults", (c) => {
    faults.clear();
    return c.body(null, 204);
  });
  app.get("/__simulator/deliveries", (c) => c.json(state.deliveries));
  app.delete("/__simulator/deliveries", (c) => {
    state.reset();
    return c.body(null, 204);
  });
  // Test-only: seed a contact without going through the token endpoint (for signed-link tests).
  app.post("/__simulator/contacts", async (c) => {
    const { contactid = crypto.randomUUID(), ...fields } = (await c.req.json()) as Record<string, string>;
    state.contacts.set(contactid, { contactid, ...fields, "@odata.etag": `W/"${state.nextVersion()}"` });
    return c.json({ contactid }, 201);
  });
  app.get("/__simulator/operations", (c) => c.json(state.operations));
  app.post("/__simulator/revoke-tokens", (c) => {
    identity.revokeIssuedTokens();
    return c.body(null, 204);
  });
  app.get("/__simulator/stats", (c) => c.json({ ...state.stats, injected: faults.injected, received: faults.received }));
  app.use(faults.middleware());
  app.route("/api/data/v9.2", createWebApi(state, identity, { orgUrl: url, tenantId, appRoles: options.appRoles ?? ["Omnichannel agent"], now }));
  app.route("/", identity.routes);
  app.notFound((c) => odataError(c, 404, "0x80060888", "No such resource on the simulator."));
  handler = app;

  return {
    url,
    orgUrl: url,
    authorityHost: url,
    tenantId,
    clientId,
    clientSecret,
    caCertPem: tls.cert,
    ledger: () => state.deliveries,
    deliveryStatus: (deliveryId) => state.deliveryRows.get(deliveryId.toLowerCase())?.msdyn_status as string | undefined,
    revokeTokens: () => identity.revokeIssuedTokens(),
    setFaults: (plan) => faults.set(plan),
    clearFaults: () => faults.clear(),
    stats: () => ({ ...state.stats, injected: { ...faults.injected }, received: { ...faults.received } }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
