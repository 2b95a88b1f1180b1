import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startDevIdp } from "../dev-idp/index";
import { startSimulator, type RunningSimulator, type SimulatorOptions } from "../simulator/index";
import { createTokenVerifier } from "./auth/token-verifier";
import { createDataverseGateway } from "./dataverse/gateway";
import { simulatorSettings } from "./dataverse/simulator-settings";
import { formatFindings, runDoctor } from "./doctor";
import { parseProfiles } from "./profiles";
import { openSqliteStore } from "./store/sqlite-store";
import { supportProfile } from "./test-harness";

let simulator: RunningSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

async function doctor(options: SimulatorOptions, secret?: string, signIn?: Parameters<typeof runDoctor>[0]["signIn"]) {
  simulator = await startSimulator(options);
  const dataverse = simulatorSettings(simulator, { credential: { kind: "secret", secret: secret ?? simulator.clientSecret }, timeoutMs: 5_000 });
  const gateway = createDataverseGateway(dataverse);
  const profiles = parseProfiles({
    profiles: {
      support: supportProfile,
      sales: { ...supportProfile, proactiveEngagementConfigId: "aaaaaaaa-3e66-ef11-a671-6045bd03d9d8" },
      sms: { ...supportProfile, proactiveEngagementConfigId: "bbbbbbbb-3e66-ef11-a671-6045bd03d9d8" },
    },
  });
  const dataDir = mkdtempSync(path.join(tmpdir(), "cw-doctor-"));
  try {
    return await runDoctor({ dataverse, profiles, gateway, openStore: async () => openSqliteStore(dataDir), storeDescription: "SQLite", signIn });
  } finally {
    await gateway.close();
  }
}

const configs: SimulatorOptions["engagementConfigs"] = [
  { id: "cbbac510-3e66-ef11-a671-6045bd03d9d8", name: "Callbacks", type: "Voice", active: true, dialMode: "Copilot" },
  { id: "bbbbbbbb-3e66-ef11-a671-6045bd03d9d8", name: "Texts", type: "SMS", active: true, dialMode: "Preview" },
];

describe("doctor", () => {
  it("says what is in order and, in plain words, what is not", async () => {
    const findings = await doctor({ engagementConfigs: configs });
    const text = formatFindings(findings);
    expect(text).toMatch(/✓ token: Microsoft Entra ID issued a token/);
    expect(text).toMatch(/✓ Dataverse: WhoAmI answered/);
    expect(text).toMatch(/✓ profile support: configuration "Callbacks" .* is active, Voice, dial mode Copilot/);
    expect(text).toMatch(/✗ profile sales: no proactive engagement configuration aaaaaaaa-.* exists in this organisation/);
    expect(text).toMatch(/✗ profile sms: .* is for SMS, not Voice/);
    expect(text).toMatch(/✓ store: SQLite answers/);
  });

  it("checks that each trusted issuer publishes its keys and that the contact column exists", async () => {
    const idp = await startDevIdp({ users: [], clients: [], api: { audience: "api://callbacks", scopes: ["api://callbacks/Callback.Request"] } });
    const trust = (issuer: string) => createTokenVerifier({ issuer, audiences: ["api://callbacks"], algorithms: ["RS256"], extraCaPem: idp.caCertPem, clockToleranceSeconds: 60, timeoutMs: 5_000 });
    const verifiers = [trust(idp.issuer), trust(idp.issuer), trust(idp.issuer), trust(`${idp.issuer}/not-the-issuer`)];
    try {
      const healthy = formatFindings(
        await doctor({ engagementConfigs: configs }, undefined, {
          visitor: { verifier: verifiers[0]!, audiences: ["api://callbacks"], contact: { claim: "email", field: "emailaddress1" } },
          admin: { verifier: verifiers[1]!, audiences: ["api://callbacks"], role: "Callback.Admin" },
          adminApiToken: false,
        }),
      );
      expect(healthy).toMatch(/✓ visitor sign-in: https:\/\/127\.0\.0\.1:\d+ publishes 1 signing key; tokens for api:\/\/callbacks; the claim email names the contact whose emailaddress1 equals it/);
      expect(healthy).toMatch(/✓ admin sign-in: .* app role Callback\.Admin .* no admin page sign-in/);

      const broken = formatFindings(
        await doctor({ engagementConfigs: configs }, undefined, {
          visitor: { verifier: verifiers[2]!, audiences: ["api://callbacks"], contact: { claim: "oid", field: "adx_no_such_column" } },
          admin: { verifier: verifiers[3]!, audiences: ["api://callbacks"], role: "Callback.Admin" },
          adminApiToken: false,
        }),
      );
      expect(broken).toMatch(/✗ visitor sign-in: contacts has no column adx_no_such_column: check VISITOR_AUTH_CONTACT_FIELD/);
      expect(broken).toMatch(/✗ admin sign-in: cannot fetch the signing keys of .*\/not-the-issuer .*check ADMIN_AUTH_ISSUER/);
    } finally {
      for (const verifier of verifiers) await verifier.close();
      await idp.close();
    }
  });

  it("explains a refused secret", async () => {
    const text = formatFindings(await doctor({ engagementConfigs: configs }, "wrong"));
    expect(text).toMatch(/✗ token: the client secret was refused: set AZURE_CLIENT_SECRET to the secret's value/);
  });

  it("explains a 403 as a missing role of the application user", async () => {
    const text = formatFindings(await doctor({ engagementConfigs: configs, appRoles: ["Basic User"] }));
    expect(text).toMatch(/✓ Dataverse: WhoAmI answered/);
    expect(text).toMatch(/✗ profile support: could not read configuration .*\(403\): add the app registration .* Omnichannel agent \(or supervisor\) role directly/);
  });
});
