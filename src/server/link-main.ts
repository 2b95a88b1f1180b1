// `npm run link -- --profile default --contact <contactid> [--attribute orderNumber=42]…
//                   [--phone +33612345678] [--expires 7d] [--base https://callbacks.example.com]`
// Prints a signed, expiring callback link for one Dataverse contact (for an email, an SMS or a bot).
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "./config";
import { loadOrCreateKeyFile } from "./personal-data";
import { loadProfiles } from "./profiles";
import { deriveKey } from "./server";
import { LinkSigner } from "./signed-links";

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string): number {
  const match = /^(-?\d+)([smhd])$/.exec(text);
  if (!match) throw new Error(`--expires must look like 30m, 12h or 7d, not ${text}`);
  return Number(match[1]) * UNITS[match[2]!]!;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      profile: { type: "string" },
      contact: { type: "string" },
      attribute: { type: "string", multiple: true },
      phone: { type: "string" },
      expires: { type: "string", default: "7d" },
      base: { type: "string" },
    },
  });
  const config = loadConfig();
  const profiles = loadProfiles(config.profilesFile);
  if (!values.profile || !profiles.has(values.profile)) throw new Error(`--profile must be one of: ${[...profiles.keys()].join(", ")}`);
  if (!values.contact || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(values.contact)) throw new Error("--contact must be the contact's GUID (contactid)");
  const attributes = Object.fromEntries(
    (values.attribute ?? []).map((pair) => {
      const at = pair.indexOf("=");
      if (at < 1) throw new Error(`--attribute must look like key=value, not ${pair}`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
  const master = config.secretKey ?? loadOrCreateKeyFile(config.dataDir, "secret.key");
  const token = new LinkSigner(deriveKey(master, "signed-link")).sign({
    profile: values.profile,
    contactId: values.contact,
    attributes,
    phone: values.phone,
    expiresAt: Date.now() + parseDuration(values.expires!),
  });
  const base = values.base ?? config.publicUrl ?? `http://127.0.0.1:${config.port}`;
  console.log(`${base}/callback/${encodeURIComponent(values.profile)}?link=${token}`);
}

try {
  main();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : (error as Error).message);
  process.exit(1);
}
