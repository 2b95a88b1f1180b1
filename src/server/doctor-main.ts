// `npm run doctor`. Without DATAVERSE_URL it checks the product against a throwaway simulator,
// which shows what a healthy run looks like; set the real settings to check a deployment.
import { createTokenVerifier } from "./auth/token-verifier";
import { ConfigError, loadConfig, type DataverseSettings } from "./config";
import { createDataverseGateway } from "./dataverse/gateway";
import { simulatorSettings } from "./dataverse/simulator-settings";
import { formatFindings, runDoctor } from "./doctor";
import { loadProfiles } from "./profiles";
import { openStore } from "./server";
import { startSimulator, type RunningSimulator } from "../simulator/index";

async function main(): Promise<number> {
  const config = loadConfig();
  const profiles = loadProfiles(config.profilesFile);
  let simulator: RunningSimulator | undefined;
  let dataverse: DataverseSettings;
  if (config.dataverse) {
    dataverse = config.dataverse;
  } else {
    console.log("DATAVERSE_URL is not set: checking against a temporary Dataverse simulator.\n");
    simulator = await startSimulator({
      engagementConfigs: [...profiles.values()].map((p) => ({ id: p.proactiveEngagementConfigId, name: p.name, type: "Voice", active: true, dialMode: "Copilot" })),
    });
    dataverse = simulatorSettings(simulator);
  }
  const gateway = createDataverseGateway(dataverse);
  const visitor = config.visitorAuth && { verifier: createTokenVerifier(config.visitorAuth), audiences: config.visitorAuth.audiences, contact: config.visitorAuth.contact };
  const admin = config.adminAuth && { verifier: createTokenVerifier(config.adminAuth), audiences: config.adminAuth.audiences, role: config.adminAuth.role, pageClientId: config.adminAuth.page?.clientId };
  try {
    const findings = await runDoctor({
      dataverse,
      profiles,
      gateway,
      openStore: () => openStore(config),
      storeDescription: config.databaseUrl ? "PostgreSQL (DATABASE_URL)" : `SQLite in ${config.dataDir}`,
      signIn: { visitor, admin, adminApiToken: config.adminApiToken !== undefined },
    });
    console.log(formatFindings(findings));
    const failing = findings.filter((f) => !f.ok).length;
    console.log(failing === 0 ? "\nEverything the BFF needs is in order." : `\n${failing} problem${failing === 1 ? "" : "s"} to fix.`);
    return failing === 0 ? 0 : 1;
  } finally {
    await gateway.close();
    await visitor?.verifier.close();
    await admin?.verifier.close();
    await simulator?.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? `The configuration is not usable.\n${error.message}` : error);
    process.exit(2);
  },
);
