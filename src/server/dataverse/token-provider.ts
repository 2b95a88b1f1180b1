// Service tokens for Dataverse: MSAL's client-credentials flow for `<org>/.default`, with a
// secret or a certificate. One ConfidentialClientApplication is reused so its cache hands out the
// same token until shortly before it expires. Tokens are returned to callers, never logged.
import { X509Certificate } from "node:crypto";
import { ConfidentialClientApplication, type Configuration } from "@azure/msal-node";
import type { Dispatcher } from "undici";
import type { DataverseSettings } from "../config";
import { msalNetworkClient } from "./transport";

export interface TokenProvider {
  /** The cached token while it is good; with `fresh`, a new one from the token endpoint (the old one was refused). */
  getToken(options?: { fresh?: boolean }): Promise<string>;
}

export class TokenError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = "TokenError";
  }
}

export function createTokenProvider(settings: DataverseSettings, dispatcher: Dispatcher): TokenProvider {
  const authorityHost = new URL(settings.authorityHost);
  const config: Configuration = {
    auth: {
      clientId: settings.clientId,
      authority: `${settings.authorityHost}/${settings.tenantId}`,
      // Naming the host as known skips MSAL's instance discovery round trip.
      knownAuthorities: [authorityHost.host],
      ...credentialOptions(settings.credential),
    },
    system: { networkClient: msalNetworkClient(dispatcher) },
  };
  const app = new ConfidentialClientApplication(config);
  const scopes = [`${settings.orgUrl}/.default`];
  // MSAL's cache lookup costs a tenth of a millisecond of CPU, twice per callback request: keep
  // the token it gave until five minutes before it expires, then ask MSAL again (which refreshes
  // it). Concurrent callers share one request.
  let current: { token: string; reuseUntil: number } | undefined;
  let pending: Promise<string> | undefined;

  async function acquire(fresh: boolean): Promise<string> {
    try {
      // skipCache asks the token endpoint and puts the new token in the cache in place of the old.
      const result = await app.acquireTokenByClientCredential({ scopes, skipCache: fresh });
      if (!result?.accessToken) throw new TokenError("the token endpoint returned no access token");
      const expiresAt = result.expiresOn?.getTime() ?? Date.now();
      current = { token: result.accessToken, reuseUntil: expiresAt - 5 * 60_000 };
      return result.accessToken;
    } catch (error) {
      if (error instanceof TokenError) throw error;
      // MSAL's message can include the response body but never the secret or the token.
      throw new TokenError(`could not get a Dataverse token: ${(error as Error).message}`, error);
    }
  }

  // Calls refused together (one revoked token) share one new token rather than asking for one each.
  let renewing: Promise<string> | undefined;
  return {
    async getToken(options = {}) {
      if (options.fresh) {
        current = undefined;
        renewing ??= acquire(true).finally(() => (renewing = undefined));
        return renewing;
      }
      if (current && Date.now() < current.reuseUntil) return current.token;
      pending ??= acquire(false).finally(() => (pending = undefined));
      return pending;
    },
  };
}

function credentialOptions(credential: DataverseSettings["credential"]): Partial<Configuration["auth"]> {
  if (credential.kind === "secret") return { clientSecret: credential.secret };
  const certificate = new X509Certificate(credential.certificatePem);
  const privateKey = /-----BEGIN (?:RSA )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA )?PRIVATE KEY-----/.exec(credential.privateKeyPem)?.[0];
  if (!privateKey) throw new TokenError("the client certificate file holds no unencrypted private key");
  return {
    clientCertificate: {
      thumbprintSha256: certificate.fingerprint256.replaceAll(":", ""),
      privateKey,
      x5c: certificate.toString(),
    },
  };
}
