// Verifies the bearer tokens browsers bring (a signed-in visitor's, an administrator's): a JWT
// signed by a key of the issuer's JWKS, with one of the allowed algorithms, from exactly that
// issuer, for our audience, not expired. jose does the work; this module only decides what to
// trust and turns jose's errors into the few reasons the API answers with. Nothing is trusted
// before the signature is: there is no path that decodes a token without verifying it.
import type { JWTPayload, RemoteJWKSet } from "jose";
import { Agent } from "../outbound-http";

export interface TokenTrust {
  /** The exact `iss` tokens must carry, e.g. https://login.microsoftonline.com/<tenant>/v2.0 */
  issuer: string;
  /** Accepted `aud` values: the API's application (client) id and/or its App ID URI. */
  audiences: string[];
  /** Where the signing keys are; discovered from the issuer's OpenID configuration when absent. */
  jwksUri?: string;
  /** Asymmetric JWS algorithms only (RS256 for Entra ID). */
  algorithms: string[];
  /** Extra certificate authorities to trust for the issuer's HTTPS (a test or development provider). */
  extraCaPem?: string;
  clockToleranceSeconds: number;
  timeoutMs: number;
}

/** Why a token was refused: each becomes a 401 (or 503 for `unavailable`) with its own code. */
export type TokenRefusal = "invalid" | "expired" | "unavailable";

export class TokenRefused extends Error {
  constructor(
    readonly reason: TokenRefusal,
    /** jose's error code or our own explanation: for logs, never shown to the caller. */
    readonly detail: string,
  ) {
    super(`token refused (${reason}): ${detail}`);
    this.name = "TokenRefused";
  }
}

export interface TokenVerifier {
  readonly issuer: string;
  /** The token's claims once everything checks out; throws TokenRefused otherwise. */
  verify(token: string): Promise<JWTPayload>;
  /** Fetches the issuer's signing keys now and says how many there are (for `npm run doctor`). */
  signingKeys(): Promise<number>;
  close(): Promise<void>;
}

// jose (and undici's fetch, below) load with the first token to verify: a server whose visitors and
// administrators do not sign in never loads them.
let jose: Promise<typeof import("jose")> | undefined;
const loadJose = () => (jose ??= import("jose"));

export function createTokenVerifier(trust: TokenTrust): TokenVerifier {
  const dispatcher = new Agent({ connect: trust.extraCaPem ? { ca: trust.extraCaPem } : {}, headersTimeout: trust.timeoutMs, bodyTimeout: trust.timeoutMs });
  // jose fetches the JWKS (and refetches it when a token names an unknown `kid`, at most every
  // 30 s); through undici so that the extra certificate authorities apply.
  const undiciFetch: typeof import("undici").fetch = async (...args) => (await import("undici")).fetch(...args);
  const fetchWithTrust = ((url: string, init: Record<string, unknown>) => undiciFetch(url, { ...init, dispatcher })) as never;
  let keys: Promise<RemoteJWKSet> | undefined;
  const remoteKeys = () =>
    (keys ??= discover().catch((error: unknown) => {
      keys = undefined; // try again on the next token
      throw error;
    }));

  async function discover(): Promise<RemoteJWKSet> {
    let jwksUri = trust.jwksUri;
    if (!jwksUri) {
      const response = await undiciFetch(`${trust.issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`, { dispatcher, signal: AbortSignal.timeout(trust.timeoutMs) });
      if (!response.ok) throw new Error(`the issuer's OpenID configuration answered ${response.status}`);
      const metadata = (await response.json()) as { issuer?: string; jwks_uri?: string };
      // OpenID Connect Discovery: the document must name the very issuer it was fetched for.
      if (metadata.issuer !== trust.issuer) throw new Error(`the OpenID configuration names issuer ${metadata.issuer}, not ${trust.issuer}`);
      if (!metadata.jwks_uri?.startsWith("https://")) throw new Error("the OpenID configuration has no https jwks_uri");
      jwksUri = metadata.jwks_uri;
    }
    const { createRemoteJWKSet, customFetch } = await loadJose();
    return createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: trust.timeoutMs, [customFetch]: fetchWithTrust });
  }

  return {
    issuer: trust.issuer,
    async signingKeys() {
      const jwks = await remoteKeys();
      await jwks.reload();
      return jwks.jwks()?.keys.length ?? 0;
    },
    async verify(token) {
      let getKey: RemoteJWKSet;
      try {
        getKey = await remoteKeys();
      } catch (error) {
        throw new TokenRefused("unavailable", (error as Error).message);
      }
      const { jwtVerify, errors } = await loadJose();
      try {
        const { payload } = await jwtVerify(token, getKey, {
          issuer: trust.issuer,
          audience: trust.audiences,
          algorithms: trust.algorithms,
          clockTolerance: trust.clockToleranceSeconds,
          requiredClaims: ["exp", "iat", "sub"],
        });
        return payload;
      } catch (error) {
        throw refusal(error, errors);
      }
    },
    close: () => dispatcher.close(),
  };
}

function refusal(error: unknown, errors: typeof import("jose").errors): TokenRefused {
  if (error instanceof errors.JWTExpired) return new TokenRefused("expired", error.code);
  // The keys could not be fetched (the issuer is down): not the caller's fault.
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || (error instanceof Error && !(error instanceof errors.JOSEError))) {
    return new TokenRefused("unavailable", error instanceof Error ? error.message : String(error));
  }
  if (error instanceof errors.JOSEError) return new TokenRefused("invalid", `${error.code}: ${error.message}`);
  return new TokenRefused("invalid", String(error));
}
