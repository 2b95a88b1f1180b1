// A request's own page (/requests/:id?token=…), reached from the confirmation, the calendar invite
// or an email: its status (Dataverse's own included), its times, and Cancel. The cancel link
// (&action=cancel) lands here too, asking whether to cancel: opening a link never cancels by itself.
import { useEffect, useMemo, useState } from "react";
import type { CallbackStatus } from "../shared/schemas";
import { createApi } from "./api";
import { Confirmation } from "./Confirmation";
import { ENGLISH, I18nContext, isRightToLeft, loadMessages, pickLanguage, type I18n } from "./i18n";
import { createSlotFormatter } from "./slot-groups";
import { visitorLocale, visitorTimeZone } from "./visitor";

export interface RequestPageProps {
  requestId: string;
  token: string;
  /** Opened from the cancel link: ask whether to cancel. */
  offerCancel?: boolean;
  locale?: string;
}

export function RequestPage({ requestId, token, offerCancel, locale: wanted }: RequestPageProps) {
  const api = useMemo(() => createApi(), []);
  const [i18n, setI18n] = useState<I18n>(ENGLISH);
  const [request, setRequest] = useState<CallbackStatus | "missing" | undefined>();
  const locale = visitorLocale(wanted ?? navigator.language);

  useEffect(() => {
    const language = pickLanguage([locale]);
    void loadMessages(language).then((t) => setI18n({ language, locale: locale ?? language, dir: isRightToLeft(language) ? "rtl" : "ltr", t }));
    api.status(requestId, token).then(setRequest, () => setRequest("missing"));
  }, [api, requestId, token, locale]);

  const format = useMemo(() => createSlotFormatter(i18n.locale, visitorTimeZone(), i18n.t), [i18n]);
  const { t } = i18n;
  return (
    <I18nContext.Provider value={i18n}>
      <div className="cw-root" lang={i18n.locale} dir={i18n.dir}>
        {request === undefined && (
          <p role="status" className="cw-status">
            {t.loading}
          </p>
        )}
        {request === "missing" && (
          <p role="alert" className="cw-alert">
            {t.errors.link_invalid}
          </p>
        )}
        {typeof request === "object" && (
          <Confirmation
            heading={t.yourCallback}
            status={request.status}
            reference={request.deliveryId ?? request.requestId}
            asap={false}
            windows={request.windows}
            format={format}
            links={request.links}
            api={api}
            deliveryStatus={request.deliveryStatus}
            onRequestPage
            offerCancel={offerCancel}
          />
        )}
      </div>
    </I18nContext.Provider>
  );
}
