// What the visitor sees once the request is accepted: the reference, the times in their zone, a
// calendar invite, and a way to cancel. The heading takes focus so screen readers announce the step.
import { useEffect, useRef, useState } from "react";
import type { CallbackLinks, CallbackStatus, TimeWindow } from "../shared/schemas";
import type { CallbackApi } from "./api";
import { useI18n } from "./i18n";
import type { SlotFormatter } from "./slot-groups";

export interface ConfirmationProps {
  status: CallbackStatus["status"];
  reference: string;
  asap: boolean;
  windows: readonly TimeWindow[];
  format: SlotFormatter;
  links?: CallbackLinks;
  api?: CallbackApi;
  /** Dataverse's own state of the delivery, when known (the request page). */
  deliveryStatus?: string;
  /** A heading other than "Callback requested" (the request page shows its status instead). */
  heading?: string;
  onAnother?(): void;
}

type Cancelling = { state: "idle" } | { state: "busy" } | { state: "done" } | { state: "failed"; message: string };

export function Confirmation({ status, reference, asap, windows, format, links, api, deliveryStatus, heading, onAnother }: ConfirmationProps) {
  const { t } = useI18n();
  const title = useRef<HTMLHeadingElement>(null);
  const [cancelling, setCancelling] = useState<Cancelling>({ state: "idle" });
  useEffect(() => title.current?.focus(), []);
  const shownStatus = cancelling.state === "done" ? "cancelled" : status;
  const cancellable = links && api && (shownStatus === "queued" || shownStatus === "scheduled");

  async function cancel() {
    if (!links || !api) return;
    setCancelling({ state: "busy" });
    const result = await api.cancel(links.cancel);
    if (result.ok) setCancelling({ state: "done" });
    else setCancelling({ state: "failed", message: result.problem?.status === 409 ? t.tooLateToCancel : t.cancelFailed });
  }

  return (
    <section className="cw-confirmation" aria-labelledby="cw-confirmation-title">
      <h2 id="cw-confirmation-title" ref={title} tabIndex={-1}>
        {heading ?? t.requested}
      </h2>
      {shownStatus === "cancelled" ? (
        <p role="status">{t.cancelled}</p>
      ) : (
        <p>{status === "queued" ? t.queuedText : t.scheduledText}</p>
      )}
      {asap ? (
        <p className="cw-when-summary">
          <strong>{t.asap}</strong>
          {windows.length > 0 && <span> ({windows.map((window) => format.window(window.start, window.end)).join("; ")})</span>}
        </p>
      ) : (
        windows.length > 0 && (
          <>
            <p className="cw-when-summary">{t.atOneOf}</p>
            <ul className="cw-windows">
              {windows.map((window) => (
                <li key={window.start}>{format.window(window.start, window.end)}</li>
              ))}
            </ul>
          </>
        )
      )}
      <dl className="cw-reference">
        <dt>{t.reference}</dt>
        <dd>{reference}</dd>
        <dt>{t.status}</dt>
        <dd>
          {t.statusLabels[shownStatus]}
          {deliveryStatus && shownStatus === "scheduled" ? ` (${deliveryStatus})` : ""}
        </dd>
      </dl>
      {cancelling.state === "failed" && (
        <p role="alert" className="cw-alert">
          {cancelling.message}
        </p>
      )}
      <div className="cw-actions">
        {links && shownStatus !== "cancelled" && (
          <a className="cw-secondary cw-button-link" href={links.invite} download>
            {t.addToCalendar}
          </a>
        )}
        {cancellable && (
          <button type="button" className="cw-secondary" disabled={cancelling.state === "busy"} aria-busy={cancelling.state === "busy" || undefined} onClick={() => void cancel()}>
            {cancelling.state === "busy" ? t.cancelling : t.cancelRequest}
          </button>
        )}
        {onAnother && (
          <button type="button" className="cw-secondary" onClick={onAnother}>
            {t.anotherRequest}
          </button>
        )}
      </div>
    </section>
  );
}
