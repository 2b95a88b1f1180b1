// The CAPTCHA providers' browser widgets (Turnstile, hCaptcha, reCAPTCHA v2), loaded only for
// profiles that use one. All three render explicitly into an element we give them and hand back a
// token through a callback; the BFF checks that token with the provider (siteverify).
import type { PublicProfile } from "../shared/schemas";

export type CaptchaSettings = NonNullable<PublicProfile["captcha"]>;

interface RenderOptions {
  sitekey: string;
  callback(token: string): void;
  "expired-callback"(): void;
  "error-callback"(): void;
}

/** What the three providers have in common. */
export interface CaptchaWidgetApi {
  render(container: HTMLElement, options: RenderOptions): string | number;
  reset(id?: string | number): void;
  remove?(id?: string | number): void;
}

const GLOBALS: Record<CaptchaSettings["provider"], string> = { turnstile: "turnstile", hcaptcha: "hcaptcha", recaptcha: "grecaptcha" };
const loading = new Map<string, Promise<CaptchaWidgetApi>>();

/** Loads the provider's script once per page and resolves with its API when it is ready. */
export function loadCaptcha(settings: CaptchaSettings, timeoutMs = 15_000): Promise<CaptchaWidgetApi> {
  const key = `${settings.provider} ${settings.scriptUrl}`;
  let api = loading.get(key);
  if (!api) {
    api = new Promise<CaptchaWidgetApi>((resolve, reject) => {
      const global = () => (window as unknown as Record<string, (CaptchaWidgetApi & { ready?(done: () => void): void }) | undefined>)[GLOBALS[settings.provider]];
      const started = Date.now();
      const waitForGlobal = () => {
        const found = global();
        if (found?.render) return found.ready ? found.ready(() => resolve(found)) : resolve(found);
        if (Date.now() - started > timeoutMs) return reject(new Error("the CAPTCHA did not load"));
        setTimeout(waitForGlobal, 50);
      };
      if (global()?.render) return waitForGlobal();
      const script = document.createElement("script");
      script.src = settings.scriptUrl;
      script.async = true;
      script.addEventListener("load", waitForGlobal);
      script.addEventListener("error", () => reject(new Error("the CAPTCHA did not load")));
      document.head.append(script);
    });
    // A failed load may be retried later (a flaky network), not remembered forever.
    api.catch(() => loading.delete(key));
    loading.set(key, api);
  }
  return api;
}
