// The profile's CAPTCHA, when it has one: the provider's own widget rendered into the form, its
// token handed to the form, and its error (required, failed, unavailable) shown next to it.
import { useEffect, useRef, useState } from "react";
import { loadCaptcha, type CaptchaSettings } from "./captcha";
import { useI18n } from "./i18n";

export const CAPTCHA_ERROR_ID = "cw-captcha-error";

export interface CaptchaFieldProps {
  settings: CaptchaSettings;
  /** A token once the visitor passed the check; undefined when it expired or was reset. */
  onToken(token: string | undefined): void;
  /** Changing it renders a fresh check (tokens are good for one request). */
  generation: number;
  error?: string;
  focusRef?: React.Ref<HTMLDivElement>;
}

export function CaptchaField({ settings, onToken, generation, error, focusRef }: CaptchaFieldProps) {
  const { t } = useI18n();
  const container = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  const tokenRef = useRef(onToken);
  tokenRef.current = onToken;

  useEffect(() => {
    let current = true;
    let widget: { id: string | number; remove(): void } | undefined;
    setFailed(false);
    tokenRef.current(undefined);
    loadCaptcha(settings).then(
      (api) => {
        if (!current || !container.current) return;
        container.current.replaceChildren();
        const id = api.render(container.current, {
          sitekey: settings.siteKey,
          callback: (token) => tokenRef.current(token),
          "expired-callback": () => tokenRef.current(undefined),
          "error-callback": () => setFailed(true),
        });
        widget = { id, remove: () => (api.remove ? api.remove(id) : api.reset(id)) };
      },
      () => current && setFailed(true),
    );
    return () => {
      current = false;
      widget?.remove();
    };
  }, [settings, generation]);

  const shown = error ?? (failed ? t.errors.captcha_unavailable : undefined);
  return (
    <div className="cw-field cw-captcha" ref={focusRef} tabIndex={-1} aria-describedby={shown ? CAPTCHA_ERROR_ID : undefined}>
      <div ref={container} />
      {shown && (
        <p id={CAPTCHA_ERROR_ID} className="cw-error">
          {shown}
        </p>
      )}
    </div>
  );
}
