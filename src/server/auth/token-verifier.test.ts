// The verifier on its own: discovery from the issuer, the keys it trusts, and the difference between
// a token that does not verify (the caller's fault: 401) and keys that cannot be fetched (503).
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevIdp, type RunningDevIdp } from "../../dev-idp/index";
import { createTokenVerifier, TokenRefused, type TokenTrust } from "./token-verifier";

let idp: RunningDevIdp;
beforeAll(async () => {
  idp = await startDevIdp({ users: [], clients: [], api: { audience: "api://callbacks", scopes: ["api://callbacks/x"] } });
});
afterAll(() => idp?.close());

const trust = (overrides: Partial<TokenTrust> = {}): TokenTrust => ({
  issuer: idp.issuer,
  audiences: ["api://callbacks"],
  algorithms: ["RS256"],
  extraCaPem: idp.caCertPem,
  clockToleranceSeconds: 60,
  timeoutMs: 3_000,
  ...overrides,
});

const token = (claims: Record<string, unknown> = {}) =>
  new SignJWT({ sub: "ada", ...claims })
    .setProtectedHeader({ alg: "RS256", kid: idp.signingKey.kid })
    .setIssuer(idp.issuer)
    .setAudience("api://callbacks")
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(idp.signingKey.privateKey);

async function refusal(verify: Promise<unknown>): Promise<string> {
  try {
    await verify;
    return "accepted";
  } catch (error) {
    expect(error).toBeInstanceOf(TokenRefused);
    return (error as TokenRefused).reason;
  }
}

describe("createTokenVerifier", () => {
  it("finds the keys through the issuer's OpenID configuration, or at the given JWKS URI", async () => {
    for (const verifier of [createTokenVerifier(trust()), createTokenVerifier(trust({ jwksUri: idp.jwksUri }))]) {
      expect(await verifier.verify(await token())).toMatchObject({ sub: "ada", iss: idp.issuer });
      expect(await verifier.signingKeys()).toBe(1);
      await verifier.close();
    }
  });

  it("requires a subject", async () => {
    const verifier = createTokenVerifier(trust());
    expect(await refusal(verifier.verify(await token({ sub: undefined })))).toBe("invalid");
    await verifier.close();
  });

  it("does not trust a provider whose configuration names another issuer, nor an untrusted certificate", async () => {
    const impostor = createTokenVerifier(trust({ issuer: `${idp.issuer}/tenant` }));
    expect(await refusal(impostor.verify(await token()))).toBe("unavailable");
    const untrusted = createTokenVerifier(trust({ extraCaPem: undefined }));
    expect(await refusal(untrusted.verify(await token()))).toBe("unavailable");
    await impostor.close();
    await untrusted.close();
  });

  it("tells keys it cannot fetch (503) from a token that does not verify (401), and recovers", async () => {
    const down = createTokenVerifier(trust({ jwksUri: "https://127.0.0.1:9/keys", timeoutMs: 1_000 }));
    expect(await refusal(down.verify(await token()))).toBe("unavailable");
    await down.close();
    const verifier = createTokenVerifier(trust());
    expect(await refusal(verifier.verify("a.b.c"))).toBe("invalid");
    expect(await refusal(verifier.verify(await token()))).toBe("accepted");
    await verifier.close();
  });
});
