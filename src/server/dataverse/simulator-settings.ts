// What points the BFF (or `npm run doctor`) at a running Dataverse simulator instead of a real
// organisation: the same settings a real one takes, with the simulator's own CA to trust.
import type { RunningSimulator } from "../../simulator/index";
import type { DataverseSettings } from "../config";

export function simulatorSettings(
  simulator: RunningSimulator,
  options: { credential?: DataverseSettings["credential"]; timeoutMs?: number } = {},
): DataverseSettings {
  return {
    orgUrl: simulator.orgUrl,
    tenantId: simulator.tenantId,
    clientId: simulator.clientId,
    credential: options.credential ?? { kind: "secret", secret: simulator.clientSecret },
    authorityHost: simulator.authorityHost,
    extraCaPem: simulator.caCertPem,
    timeoutMs: options.timeoutMs ?? 10_000,
  };
}
