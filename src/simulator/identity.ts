// The Microsoft Entra ID part of the simulator: OpenID metadata, signing keys, and the
// client-credentials token endpoint (secret or certificate assertion). Tokens are real RS256
// JWTs, and the Web API verifies them as Dataverse would: signature, issuer, audience, expiry.
import { randomUUID, timingSafeEqual } from "node:crypto";
import { Hono, type Context } from "hono";
import { exportJWK, generateKeyPair, importX509, jwtVerify, SignJWT, type JWK, type CryptoKey } from "jose";

export interface IdentityOptions {
  url: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  clientCertificatePem?: string;
  now: () => number;
  onTokenRequest?: () => void;
}

export interface Identity {
  routes: Hono;
  /** Verifies a bearer token for the Web API; answers the app id it was issued to. */
  verifyAccessToken(token: string): Promise<{ appId: string }>;
  /** Revokes every token issued so far (as an administrator revoking the app's sessions would). */
  revokeIssuedTokens(): void;
}

const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const TOKEN_LIFETIME_SECONDS = 3599;

export async function createIdentity(options: IdentityOptions): Promise<Identity> {
  const { url, tenantId, clientId } = options;
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = randomUUID();
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, use: "sig", alg: "RS256" };
  const orgUrl = url;
  const issuer = `https://sts.windows.net/${tenantId}/`;
  const tokenEndpoint = `${url}/${tenantId}/oauth2/v2.0/token`;
  const seconds = () => Math.floor(options.now() / 1000);
  const routes = new Hono();
  // Tokens carry the generation they were issued in; revoking moves to the next one.
  let generation = 0;

  const openIdConfiguration = {
    issuer: `${url}/${tenantId}/v2.0`,
    authorization_endpoint: `${url}/${tenantId}/oauth2/v2.0/authorize`,
    token_endpoint: tokenEndpoint,
    jwks_uri: `${url}/${tenantId}/discovery/v2.0/keys`,
    end_session_endpoint: `${url}/${tenantId}/oauth2/v2.0/logout`,
    response_types_supported: ["code", "id_token", "code id_token", "token id_token"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    tenant_region_scope: "EU",
  };

  routes.get("/common/discovery/instance", (c) => {
    const host = new URL(url).host;
    return c.json({
      tenant_discovery_endpoint: `${url}/${tenantId}/v2.0/.well-known/openid-configuration`,
      "api-version": "1.1",
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  });

  routes.get("/:tenant/v2.0/.well-known/openid-configuration", (c) =>
    c.req.param("tenant") === tenantId ? c.json(openIdConfiguration) : unknownTenant(c),
  );
  routes.get("/:tenant/discovery/v2.0/keys", (c) => (c.req.param("tenant") === tenantId ? c.json({ keys: [jwk] }) : unknownTenant(c)));

  routes.post("/:tenant/oauth2/v2.0/token", async (c) => {
    options.onTokenRequest?.();
    if (c.req.param("tenant") !== tenantId) return unknownTenant(c);
    if (!(c.req.header("content-type") ?? "").startsWith("application/x-www-form-urlencoded")) {
      return entraError(c, 400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.");
    }
    const form = new URLSearchParams(await c.req.text());
    if (form.get("grant_type") !== "client_credentials") {
      return entraError(c, 400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.");
    }
    if (form.get("client_id") !== clientId) {
      return entraError(c, 400, "unauthorized_client", 700016, `Application with identifier '${form.get("client_id")}' was not found in the directory.`);
    }
    const scope = form.get("scope") ?? "";
    if (scope !== `${orgUrl}/.default`) {
      return entraError(c, 400, "invalid_scope", 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.`);
    }
    const refusal = await checkClientCredential(form);
    if (refusal) return entraError(c, 401, "invalid_client", refusal.code, refusal.message);

    const now = seconds();
    const accessToken = await new SignJWT({ tid: tenantId, appid: clientId, appidacr: form.has("client_secret") ? "1" : "2", oid: randomUUID(), roles: [], sim_gen: generation })
      .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
      .setIssuer(issuer)
      .setAudience(orgUrl)
      .setSubject(clientId)
      .setIssuedAt(now)
      .setNotBefore(now - 300)
      .setExpirationTime(now + TOKEN_LIFETIME_SECONDS)
      .sign(privateKey);
    return c.json({ token_type: "Bearer", expires_in: TOKEN_LIFETIME_SECONDS, ext_expires_in: TOKEN_LIFETIME_SECONDS, access_token: accessToken });
  });

  async function checkClientCredential(form: URLSearchParams): Promise<{ code: number; message: string } | undefined> {
    const secret = form.get("client_secret");
    if (secret !== null) {
      return sameSecret(secret, options.clientSecret)
        ? undefined
        : { code: 7000215, message: "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID." };
    }
    if (form.get("client_assertion_type") === ASSERTION_TYPE && form.get("client_assertion")) {
      if (!options.clientCertificatePem) return { code: 700027, message: "Client assertion contains an invalid signature: no certificate is registered for this application." };
      try {
        const pem = options.clientCertificatePem;
        await jwtVerify(form.get("client_assertion")!, (header) => importX509(pem, header.alg ?? "RS256"), {
          algorithms: ["RS256", "PS256"],
          audience: tokenEndpoint,
          issuer: clientId,
          subject: clientId,
          currentDate: new Date(options.now()),
          clockTolerance: 300, // Entra ID allows five minutes of clock skew
        });
        return undefined;
      } catch (error) {
        return { code: 700027, message: `Client assertion failed signature validation. ${(error as Error).message}` };
      }
    }
    return { code: 7000216, message: "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type." };
  }

  const verified = new Map<string, { appId: string; expiresAt: number; generation: unknown }>();
  return {
    routes,
    async verifyAccessToken(token) {
      // A token whose signature was checked once is known until it expires, as a real service
      // caches validated tokens: an RSA verification per call would make the stand-in, not the
      // product, the slowest part of a benchmark. Expiry and revocation are still checked each time.
      let known = verified.get(token);
      if (!known) {
        const { payload } = await jwtVerify(token, publicKey as CryptoKey, {
          algorithms: ["RS256"],
          issuer,
          audience: orgUrl,
          currentDate: new Date(options.now()),
        });
        known = { appId: String(payload.appid), expiresAt: (payload.exp ?? 0) * 1000, generation: payload.sim_gen };
        if (verified.size > 1000) verified.clear();
        verified.set(token, known);
      }
      if (known.expiresAt <= options.now()) throw new Error('"exp" claim timestamp check failed');
      if (known.generation !== generation) throw new Error("the token has been revoked");
      return { appId: known.appId };
    },
    revokeIssuedTokens() {
      generation++;
    },
  };
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function entraError(c: Context, status: 400 | 401, error: string, code: number, description: string): Response {
  return c.json(
    {
      error,
      error_description: `AADSTS${code}: ${description} Trace ID: ${randomUUID()} Correlation ID: ${randomUUID()} Timestamp: ${new Date().toISOString()}`,
      error_codes: [code],
      timestamp: new Date().toISOString(),
      trace_id: randomUUID(),
      correlation_id: randomUUID(),
    },
    status,
  );
}

function unknownTenant(c: Context): Response {
  return entraError(c, 400, "invalid_tenant", 90002, `Tenant '${c.req.param("tenant")}' not found.`);
}
