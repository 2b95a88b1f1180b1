// Cheap defences against scripted submissions: a honeypot field people never see, a minimum time
// between loading the form and sending it (a signed, timestamped form token), and an optional
// CAPTCHA (Turnstile, hCaptcha or reCAPTCHA: all three answer the same siteverify protocol).
import { timingSafeEqual } from "node:crypto";
import type { Dispatcher } from "undici";
import { request } from "../outbound-http";
import { keyedHash, type KeyedHash } from "../keyed-hash";

export interface BotDefenceSettings {
  honeypot: boolean;
  minFillSeconds: number;
  captcha?: { provider: CaptchaProvider; siteKey: string; verifyUrl?: string; scriptUrl?: string };
}

export type CaptchaProvider = "turnstile" | "hcaptcha" | "recaptcha";

export const CAPTCHA_VERIFY_URLS: Record<CaptchaProvider, string> = {
  turnstile: "https://challenges.cloudflare.com/turnstile/v0/siteverify",
  hcaptcha: "https://api.hcaptcha.com/siteverify",
  recaptcha: "https://www.google.com/recaptcha/api/siteverify",
};

/** The provider's widget script, loaded by the browser with explicit rendering. */
export const CAPTCHA_SCRIPT_URLS: Record<CaptchaProvider, string> = {
  turnstile: "https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit",
  hcaptcha: "https://js.hcaptcha.com/1/api.js?render=explicit",
  recaptcha: "https://www.google.com/recaptcha/api.js?render=explicit",
};

/** Where each provider's widget loads scripts and frames from: what a page's CSP must allow. */
export const CAPTCHA_ORIGINS: Record<CaptchaProvider, string[]> = {
  turnstile: ["https://challenges.cloudflare.com"],
  hcaptcha: ["https://hcaptcha.com", "https://*.hcaptcha.com"],
  recaptcha: ["https://www.google.com", "https://www.gstatic.com"],
};

export function captchaScriptUrl(settings: NonNullable<BotDefenceSettings["captcha"]>): string {
  return settings.scriptUrl ?? CAPTCHA_SCRIPT_URLS[settings.provider];
}

export function captchaOrigins(settings: NonNullable<BotDefenceSettings["captcha"]>): string[] {
  return settings.scriptUrl ? [new URL(settings.scriptUrl).origin] : CAPTCHA_ORIGINS[settings.provider];
}

/** The provider could not be asked (down, slow, misconfigured): the visitor may try again shortly. */
export class CaptchaUnavailable extends Error {}

export class FormTokens {
  private readonly hash: KeyedHash;

  constructor(
    key: Buffer,
    private readonly now: () => number = Date.now,
  ) {
    this.hash = keyedHash(key);
  }

  issue(profile: string): string {
    const issuedAt = this.now();
    return `v1.${issuedAt}.${this.sign(profile, issuedAt)}`;
  }

  /** How long ago the token was issued for this profile, in ms; undefined if it is not ours. */
  age(token: string, profile: string): number | undefined {
    const [version, issued, signature] = token.split(".");
    const issuedAt = Number(issued);
    if (version !== "v1" || !Number.isSafeInteger(issuedAt) || !signature) return undefined;
    const expected = Buffer.from(this.sign(profile, issuedAt));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    return this.now() - issuedAt;
  }

  private sign(profile: string, issuedAt: number): string {
    return this.hash(`form-token\0${profile}\0${issuedAt}`, "base64url");
  }
}

const DAY = 24 * 3600_000;

/** The reason to refuse, or undefined. Form tokens are good for a day after the minimum time. */
export function checkFormTiming(tokens: FormTokens, settings: BotDefenceSettings, profile: string, token: string | undefined): "form_token_missing" | "form_too_fast" | undefined {
  if (settings.minFillSeconds <= 0) return undefined;
  if (!token) return "form_token_missing";
  const age = tokens.age(token, profile);
  if (age === undefined || age > DAY) return "form_token_missing";
  return age < settings.minFillSeconds * 1000 ? "form_too_fast" : undefined;
}

export interface CaptchaVerifier {
  verify(settings: NonNullable<BotDefenceSettings["captcha"]>, token: string, remoteIp: string): Promise<boolean>;
}

export function createCaptchaVerifier(secret: string | undefined, dispatcher?: Dispatcher): CaptchaVerifier {
  return {
    async verify(settings, token, remoteIp) {
      if (!secret) throw new CaptchaUnavailable("a profile uses a CAPTCHA but CAPTCHA_SECRET is not set");
      let response: Dispatcher.ResponseData;
      try {
        response = await request(settings.verifyUrl ?? CAPTCHA_VERIFY_URLS[settings.provider], {
          method: "POST",
          dispatcher,
          signal: AbortSignal.timeout(5_000),
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ secret, response: token, remoteip: remoteIp }).toString(),
        });
      } catch (error) {
        throw new CaptchaUnavailable(`the CAPTCHA provider did not answer: ${(error as Error).message}`);
      }
      const body = (await response.body.json().catch(() => ({}))) as { success?: unknown };
      if (response.statusCode >= 500) throw new CaptchaUnavailable(`the CAPTCHA provider answered ${response.statusCode}`);
      return response.statusCode === 200 && body.success === true;
    },
  };
}
