// A development identity provider: a real OpenID Connect provider (oidc-provider) standing in for
// a Microsoft Entra tenant on machines with no Microsoft account. `npm start` runs it for the
// demo's sign-in flows, and the tests use it as the tenant MSAL signs in against and whose JWKS
// the BFF verifies tokens with. It serves HTTPS (MSAL refuses any other authority) with a
// certificate made at start, issues RS256 JWT access tokens for one API (audience, scopes, and
// Entra-like `roles` and `oid` claims), and signs people in from a small fixed directory.
// It is for development only: its users and their passwords are in its configuration.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from "jose";
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from "oidc-provider";
import { loadOrCreateTls } from "../simulator/tls";

export interface DevUser {
  /** What the person types to sign in; also the token's `sub`. */
  username: string;
  password: string;
  name: string;
  email: string;
  /** App roles, as Entra puts them in the access token's `roles` claim (e.g. "Callback.Admin"). */
  roles?: string[];
  /** Any other claims for the access token (a contact id, say). */
  claims?: Record<string, string>;
}

export interface DevClient {
  clientId: string;
  /** Where MSAL may be sent back to; browsers on these origins may also call the token endpoint. */
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
}

export interface DevIdpOptions {
  port?: number;
  host?: string;
  /** Keeps the TLS key and certificate here across restarts; in memory only when absent. */
  tlsDir?: string;
  users: DevUser[];
  clients: DevClient[];
  /** The API tokens are for: its audience (`aud`) and the scopes a client may ask for. */
  api: { audience: string; scopes: string[] };
  accessTokenTtlSeconds?: number;
  /** Lists the users on the sign-in page, with this hint about their password: for the demo. */
  listUsers?: { passwordHint: string };
}

export interface RunningDevIdp {
  /** The issuer (`iss`), which is also the authority MSAL is given. */
  issuer: string;
  jwksUri: string;
  /** The certificate to trust for this provider's HTTPS. */
  caCertPem: string;
  /** The key the provider signs with, so tests can make tokens it would have made (and forgeries). */
  signingKey: { privateKey: CryptoKey; publicJwk: JWK; kid: string };
  close(): Promise<void>;
}

const OIDC_SCOPES = ["openid", "profile", "email", "offline_access"];

export async function startDevIdp(options: DevIdpOptions): Promise<RunningDevIdp> {
  const host = options.host ?? "127.0.0.1";
  const tls = await loadOrCreateTls(options.tlsDir, "callback-widget dev identity provider");
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = randomUUID();
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg: "RS256", use: "sig" };
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  const users = new Map(options.users.map((user) => [user.username, user]));
  const apiScope = options.api.scopes.join(" ");

  // The issuer embeds the port, only known once listening: the provider is made just after.
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => handle!(req, res));
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `https://${host.includes(":") ? `[${host}]` : host}:${port}`;

  const configuration: Configuration = {
    clients: options.clients.map((client) => ({
      client_id: client.clientId,
      redirect_uris: client.redirectUris,
      post_logout_redirect_uris: client.postLogoutRedirectUris ?? [],
      // A single-page app: a public client, authorization code with PKCE.
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
    })),
    jwks: { keys: [privateJwk] },
    scopes: OIDC_SCOPES,
    claims: { openid: ["sub"], profile: ["name", "preferred_username"], email: ["email", "email_verified"] },
    // ID tokens carry the profile and email claims, as Entra's do.
    conformIdTokenClaims: false,
    async findAccount(_ctx, id) {
      const user = users.get(id);
      if (!user) return undefined;
      return {
        accountId: id,
        claims: async () => ({ sub: id, name: user.name, preferred_username: user.email, email: user.email, email_verified: true }),
      };
    },
    async extraTokenClaims(_ctx, token) {
      const user = "accountId" in token && token.accountId ? users.get(token.accountId) : undefined;
      if (!user) return undefined;
      // What Entra puts in an access token for an API: the object id, app roles, name and email.
      return { oid: objectId(user.username), roles: user.roles ?? [], name: user.name, email: user.email, ...user.claims };
    },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: false },
      resourceIndicators: {
        enabled: true,
        // MSAL names the API by its scopes, as with Entra, never by a `resource` parameter.
        defaultResource: () => options.api.audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (indicator !== options.api.audience) throw new errors.InvalidTarget();
          return {
            scope: apiScope,
            audience: options.api.audience,
            accessTokenTTL: options.accessTokenTtlSeconds ?? 3600,
            accessTokenFormat: "jwt",
            jwt: { sign: { alg: "RS256" } },
          };
        },
      },
    },
    pkce: { required: () => true },
    // First-party applications of the organisation: no consent screen, as an admin-consented app.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { Grant } = ctx.oidc.provider;
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      const grant = (grantId && (await Grant.find(grantId))) || new Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId });
      grant.addOIDCScope(OIDC_SCOPES.join(" "));
      grant.addOIDCClaims(["name", "preferred_username", "email", "email_verified"]);
      grant.addResourceScope(options.api.audience, apiScope);
      await grant.save();
      return grant;
    },
    // A browser on a client's own origin may call the token endpoint (PKCE, no secret).
    clientBasedCORS: (_ctx, origin, client) => (client.redirectUris ?? []).some((uri) => new URL(uri).origin === origin),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    ttl: { AccessToken: options.accessTokenTtlSeconds ?? 3600, IdToken: 3600, Session: 8 * 3600, Interaction: 600, Grant: 8 * 3600 },
    renderError: async (ctx, out) => {
      ctx.type = "html";
      ctx.body = page("Sign-in failed", `<p>${escape(String(out.error))}: ${escape(String(out.error_description ?? ""))}</p>`);
    },
  };
  const provider = new Provider(issuer, configuration);
  const oidc = provider.callback();

  handle = (req, res) => {
    const url = new URL(req.url ?? "/", issuer);
    const match = /^\/interaction\/([\w-]+)(\/login|\/abort)?$/.exec(url.pathname);
    if (!match) return void oidc(req, res);
    interaction(req, res, match[2] ?? "").catch((error: Error) => {
      res.writeHead(400, { "content-type": "text/html; charset=utf-8" });
      res.end(page("Sign-in failed", `<p>${escape(error.message)}</p>`));
    });
  };

  /** The sign-in page: a username and a password from the directory. */
  async function interaction(req: IncomingMessage, res: ServerResponse, action: string): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (action === "/abort") {
      await provider.interactionFinished(req, res, { error: "access_denied", error_description: "The person cancelled signing in" }, { mergeWithLastSubmission: false });
      return;
    }
    if (details.prompt.name !== "login") {
      // Consent is never asked (see loadExistingGrant): finish with what was already granted.
      await provider.interactionFinished(req, res, { consent: {} }, { mergeWithLastSubmission: true });
      return;
    }
    let failed = false;
    if (action === "/login" && req.method === "POST") {
      const form = new URLSearchParams(await readBody(req));
      const user = users.get(form.get("username") ?? "");
      if (user && safeEqual(user.password, form.get("password") ?? "")) {
        await provider.interactionFinished(req, res, { login: { accountId: user.username } }, { mergeWithLastSubmission: false });
        return;
      }
      failed = true;
    }
    const hint = typeof details.params.login_hint === "string" ? details.params.login_hint : "";
    const directory = options.listUsers
      ? `<p>Demo accounts: ${options.users.map((u) => `<code>${escape(u.username)}</code>${u.roles?.length ? ` (${escape(u.roles.join(", "))})` : ""}`).join(", ")}. ${escape(options.listUsers.passwordHint)}</p>`
      : "";
    res.writeHead(failed ? 401 : 200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end(
      page(
        "Sign in",
        `<form method="post" action="/interaction/${details.uid}/login">
          ${failed ? `<p role="alert">That username and password do not match.</p>` : ""}
          <p><label>Username <input name="username" autocomplete="username" value="${escape(hint)}" required></label></p>
          <p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p>
          <p><button type="submit">Sign in</button> <a href="/interaction/${details.uid}/abort">Cancel</a></p>
        </form>${directory}`,
      ),
    );
  }

  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    caCertPem: tls.cert,
    signingKey: { privateKey, publicJwk, kid },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A stable, GUID-shaped object id per user, as Entra's `oid`. */
function objectId(username: string): string {
  const hex = createHash("sha256").update(username).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function safeEqual(a: string, b: string): boolean {
  return a.length === b.length && Buffer.from(a).equals(Buffer.from(b));
}

async function readBody(req: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > 10_000) throw new Error("The form is too large");
  }
  return text;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)} · Contoso (development tenant)</title></head><body><main><h1>${escape(title)}</h1><p>Contoso development tenant: not Microsoft Entra ID.</p>${body}</main></body></html>`;
}
