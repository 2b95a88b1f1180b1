// `npm start`: the BFF on PORT. Without DATAVERSE_URL it first starts the Dataverse simulator on
// SIMULATOR_PORT and points the BFF at it, so the whole product runs with no configuration.
import path from "node:path";
import type { RunningDevIdp } from "../dev-idp/index";
import type { RunningSimulator } from "../simulator/index";
import { ConfigError, loadConfig, type DataverseSettings } from "./config";
import { simulatorSettings } from "./dataverse/simulator-settings";
import { createLogger } from "./logger";
import { DEMO_CUSTOMER, DEMO_PASSWORD, DEMO_REQUEST_SCOPE, DEMO_USERS, DEMO_WIDGET_CLIENT, DEMO_API, demoAdminAuth, demoClients, demoVisitorAuth, withPortalProfile } from "./demo-sign-in";
import { startDemoHost } from "./demo-host";
import { loadProfiles, withExtraOrigins } from "./profiles";
import { startBff } from "./server";

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  let profiles = loadProfiles(config.profilesFile);

  let simulator: RunningSimulator | undefined;
  let dataverse: DataverseSettings;
  if (config.dataverse) {
    dataverse = config.dataverse;
    logger.info({ orgUrl: dataverse.orgUrl }, "using the Dataverse organisation");
  } else {
    // Loaded only when used: against a real organisation its TLS and token code costs memory for nothing.
    const { startSimulator } = await import("../simulator/index");
    simulator = await startSimulator({
      port: config.simulatorPort,
      tlsDir: path.join(config.dataDir, "simulator"),
      engagementConfigs: [...profiles.values()].map((p) => ({
        id: p.proactiveEngagementConfigId,
        name: p.name,
        type: "Voice" as const,
        active: true,
        dialMode: "Copilot" as const,
      })),
      contacts: [DEMO_CUSTOMER],
    });
    dataverse = simulatorSettings(simulator);
    logger.warn(
      { simulator: simulator.url, deliveries: `${simulator.url}/__simulator/deliveries` },
      "running against the Dataverse SIMULATOR, not a real organisation (set DATAVERSE_URL and the AZURE_* variables to use one; see .env.example)",
    );
  }

  // The demo host pages run with the simulator: a second origin every demo profile allows.
  const demoOrigin = simulator && config.demoPort ? `http://127.0.0.1:${config.demoPort}` : undefined;

  // With the simulator and no sign-in configured, a development tenant for the demo's sign-in flows.
  let idp: RunningDevIdp | undefined;
  if (simulator && config.devIdpPort && (!config.visitorAuth || !config.adminAuth)) {
    const { startDevIdp } = await import("../dev-idp/index");
    const bffOrigin = config.publicUrl ?? `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${config.port}`;
    idp = await startDevIdp({
      port: config.devIdpPort,
      host: config.host,
      tlsDir: path.join(config.dataDir, "dev-idp"),
      users: DEMO_USERS,
      clients: demoClients(bffOrigin, demoOrigin),
      api: { audience: DEMO_API, scopes: [DEMO_REQUEST_SCOPE, `${DEMO_API}/Callback.Manage`] },
      listUsers: { passwordHint: `Password: ${DEMO_PASSWORD}.` },
    });
    config.adminAuth ??= demoAdminAuth(idp, 10_000);
    // The demo's signed-in line only when visitors' tokens come from this provider too.
    if (!config.visitorAuth) {
      config.visitorAuth = demoVisitorAuth(idp, 10_000);
      profiles = withPortalProfile(profiles, idp);
    }
    logger.warn(
      { issuer: idp.issuer, users: DEMO_USERS.map((u) => u.username), password: DEMO_PASSWORD },
      "sign-in runs against a DEVELOPMENT identity provider, not Microsoft Entra ID (set VISITOR_AUTH_* and ADMIN_AUTH_* to use a tenant; see .env.example)",
    );
  }
  if (demoOrigin) profiles = withExtraOrigins(profiles, [demoOrigin]);

  const bff = await startBff({ config, dataverse, profiles, logger });
  logger.info({ url: bff.url, profiles: [...profiles.keys()] }, `callback-widget is serving on ${bff.url}`);
  const demo = demoOrigin
    ? await startDemoHost({
        port: config.demoPort,
        host: config.host,
        bffOrigin: bff.url,
        signIn: idp && { authority: idp.issuer, clientId: DEMO_WIDGET_CLIENT, scope: DEMO_REQUEST_SCOPE },
      })
    : undefined;
  if (demo) logger.info({ demo: `${demo.origin}/` }, `demo host pages (script tag, iframe, single-page app) on ${demo.origin}/`);
  // Where to go, now rather than once the log's first block has filled (logger.ts).
  logger.flush();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    await demo?.close();
    await bff.close();
    await idp?.close();
    await simulator?.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`callback-widget cannot start.\n${error.message}\nSee .env.example for every setting.`);
  } else {
    console.error("callback-widget cannot start:", error);
  }
  process.exit(1);
});
