// Signs a person in to an OpenID Connect provider the way a single-page app does (authorization
// code with PKCE), over plain HTTP requests instead of a browser: for the integration tests, which
// need real tokens from the real provider without driving Chromium.
import { createHash, randomBytes } from "node:crypto";
import { Agent, request } from "undici";

export interface SignInOptions {
  issuer: string;
  caCertPem: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  username: string;
  password: string;
}

export interface SignedIn {
  accessToken: string;
  idToken: string;
}

export async function signInWithCode(options: SignInOptions): Promise<SignedIn> {
  const dispatcher = new Agent({ connect: { ca: options.caCertPem } });
  const cookies = new Map<string, string>();
  const remember = (headers: Record<string, string | string[] | undefined>) => {
    for (const line of [headers["set-cookie"] ?? []].flat()) {
      const [pair] = line.split(";");
      const at = pair!.indexOf("=");
      cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
  };
  const go = async (url: string, init: { method?: "GET" | "POST"; form?: Record<string, string> } = {}) => {
    const response = await request(url, {
      method: init.method ?? "GET",
      dispatcher,
      headers: {
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; "),
        ...(init.form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
    });
    remember(response.headers);
    const text = await response.body.text();
    return { status: response.statusCode, location: response.headers.location as string | undefined, text };
  };

  try {
    const verifier = randomBytes(32).toString("base64url");
    const state = randomBytes(16).toString("base64url");
    const authorize = new URL(`${options.issuer}/auth`);
    authorize.search = new URLSearchParams({
      client_id: options.clientId,
      redirect_uri: options.redirectUri,
      response_type: "code",
      scope: options.scopes.join(" "),
      state,
      nonce: randomBytes(16).toString("base64url"),
      code_challenge: createHash("sha256").update(verifier).digest("base64url"),
      code_challenge_method: "S256",
    }).toString();

    // Follow redirects until the provider sends us back to the app with a code.
    let step = await go(authorize.href);
    for (let hops = 0; hops < 10; hops++) {
      if (step.location?.startsWith(options.redirectUri)) break;
      if (step.location) {
        step = await go(new URL(step.location, options.issuer).href);
        continue;
      }
      const action = /<form method="post" action="([^"]+)"/.exec(step.text)?.[1];
      if (!action) throw new Error(`the provider answered ${step.status} without a sign-in form: ${step.text.slice(0, 300)}`);
      step = await go(new URL(action, options.issuer).href, { method: "POST", form: { username: options.username, password: options.password } });
      if (step.status === 401) throw new Error(`the provider refused ${options.username}'s password`);
    }
    const back = new URL(step.location ?? "", options.redirectUri);
    const code = back.searchParams.get("code");
    if (!code) throw new Error(`no code in the redirect: ${back.searchParams.get("error") ?? step.location}`);
    if (back.searchParams.get("state") !== state) throw new Error("the state came back changed");

    const token = await request(`${options.issuer}/token`, {
      method: "POST",
      dispatcher,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: options.redirectUri, client_id: options.clientId, code_verifier: verifier }).toString(),
    });
    const body = (await token.body.json()) as { access_token?: string; id_token?: string; error?: string; error_description?: string };
    if (!body.access_token || !body.id_token) throw new Error(`the token endpoint refused: ${body.error} ${body.error_description}`);
    return { accessToken: body.access_token, idToken: body.id_token };
  } finally {
    await dispatcher.close();
  }
}
