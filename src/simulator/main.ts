// `npm run simulator`: the Dataverse simulator alone, for a BFF started separately.
// The generated client secret goes to <SIMULATOR_TLS_DIR>/client-secret (mode 0600), never stdout.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startSimulator } from "./index";

const tlsDir = path.resolve(process.env.SIMULATOR_TLS_DIR ?? "./data/simulator");
const simulator = await startSimulator({
  port: Number(process.env.SIMULATOR_PORT ?? 3001),
  host: process.env.SIMULATOR_HOST ?? "127.0.0.1",
  tenantId: process.env.SIMULATOR_TENANT_ID,
  clientId: process.env.SIMULATOR_CLIENT_ID,
  clientSecret: process.env.SIMULATOR_CLIENT_SECRET,
  tlsDir,
});
if (!process.env.SIMULATOR_CLIENT_SECRET) {
  mkdirSync(tlsDir, { recursive: true });
  writeFileSync(path.join(tlsDir, "client-secret"), simulator.clientSecret, { mode: 0o600 });
}
console.log(
  JSON.stringify({
    msg: "Dataverse simulator listening",
    url: simulator.url,
    tenantId: simulator.tenantId,
    clientId: simulator.clientId,
    caFile: path.join(tlsDir, "cert.pem"),
  }),
);
const stop = () => void simulator.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
