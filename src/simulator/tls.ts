// The simulator serves HTTPS like Microsoft's endpoints do (MSAL refuses a non-HTTPS authority),
// with a self-signed certificate for localhost that clients are told to trust explicitly.
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { generate } from "selfsigned";

export interface TlsMaterial {
  key: string;
  cert: string;
}

/** `name` goes into the certificate's subject, so a client trusting several can tell them apart. */
export async function loadOrCreateTls(dir?: string, name = "callback-widget simulator"): Promise<TlsMaterial> {
  const keyFile = dir && path.join(dir, "key.pem");
  const certFile = dir && path.join(dir, "cert.pem");
  if (keyFile && certFile && existsSync(keyFile) && existsSync(certFile)) {
    return { key: readFileSync(keyFile, "utf8"), cert: readFileSync(certFile, "utf8") };
  }
  const notBeforeDate = new Date(Date.now() - 60_000);
  // A unique subject, so a client trusting two simulators' certificates can tell them apart.
  const pems = await generate([{ name: "commonName", value: `${name} ${randomUUID()}` }], {
    keySize: 2048,
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 365 * 24 * 3600_000),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
        ],
      },
    ],
  });
  const material = { key: pems.private, cert: pems.cert };
  if (dir && keyFile && certFile) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(keyFile, material.key, { mode: 0o600 });
    writeFileSync(certFile, material.cert);
  }
  return material;
}
