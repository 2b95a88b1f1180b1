// What the visitor sees once the request is accepted: the reference, the times in their zone, the
// status (Dataverse's own once it has the call), a calendar invite, the request's own page, and a
// way to cancel. The heading takes focus so screen readers announce the step.
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
  /** Dataverse's own state of the delivery, when known. */
  deliveryStatus?: string;
  /** A heading other than "Callback requested" (the request page shows its status instead). */
  heading?: string;
  /** Right after submitting: follow the status for a little while (a queued request is sent soon). */
  follow?: boolean;
  /** On the request's own page: no link to itself. */
  onRequestPage?: boolean;
  /** Opened from the cancel link: ask whether to cancel. */
  offerCancel?: boolean;
  onAnother?(): void;
}

type Known = { status: CallbackStatus["status"]; deliveryStatus?: string };
type Busy = "idle" | "cancelling" | "checking";

/** How often, and how many times, a fresh confirmation asks for the status. */
export const FOLLOW_EVERY_MS = 3_000;
export const FOLLOW_ATTEMPTS = 10;

/** Settled for now: no longer waiting to be sent, and Dataverse's own state known if it has the call. */
const settled = (known: Known) => known.status !== "queued" && (known.status !== "scheduled" || known.deliveryStatus !== undefined);

export function Confirmation({ status, reference, asap, windows, format, links, api, deliveryStatus, heading, follow, onRequestPage, offerCancel, onAnother }: ConfirmationProps) {
  const { t } = useI18n();
  const title = useRef<HTMLHeadingElement>(null);
  const [known, setKnown] = useState<Known>({ status, deliveryStatus });
  const [busy, setBusy] = useState<Busy>("idle");
  const [failure, setFailure] = useState<string | undefined>();
  useEffect(() => title.current?.focus(), []);
  const cancellable = links && api && (known.status === "queued" || known.status === "scheduled");
  const statusUrl = api && links?.status;

  // Follow a fresh request until it has reached the contact centre (or for half a minute at most).
  useEffect(() => {
    if (!follow || !statusUrl) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempts = 0;
    const check = async () => {
      attempts += 1;
      const answer = await api.statusAt(statusUrl).catch(() => undefined);
      if (stopped) return;
      const next = answer ? { status: answer.status, deliveryStatus: answer.deliveryStatus } : undefined;
      if (next) setKnown(next);
      if (!(next && settled(next)) && attempts < FOLLOW_ATTEMPTS) timer = setTimeout(() => void check(), FOLLOW_EVERY_MS);
    };
    void check();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [follow, api, statusUrl]);

  async function checkStatus() {
    if (!statusUrl) return;
    setBusy("checking");
    setFailure(undefined);
    const answer = await api.statusAt(statusUrl).catch(() => undefined);
    if (answer) setKnown({ status: answer.status, deliveryStatus: answer.deliveryStatus });
    else setFailure(t.checkConnection);
    setBusy("idle");
  }

  async function cancel() {
    if (!links || !api) return;
    setBusy("cancelling");
    setFailure(undefined);
    const result = await api.cancel(links.cancel);
    setBusy("idle");
    if (!result.ok) {
      setFailure(result.problem?.status === 409 ? t.tooLateToCancel : t.cancelFailed);
      return;
    }
    setKnown({ status: "cancelled" });
    // The Cancel button is gone: focus goes back to the heading rather than nowhere.
    title.current?.focus();
  }

  const asking = offerCancel && cancellable;
  const cancelButton = cancellable && (
    <button
      type="button"
      className={asking ? "cw-primary" : "cw-secondary"}
      disabled={busy === "cancelling"}
      aria-busy={busy === "cancelling" || undefined}
      onClick={() => void cancel()}
    >
      {busy === "cancelling" ? t.cancelling : t.cancelRequest}
    </button>
  );
  return (
    <section className="cw-confirmation" aria-labelledby="cw-confirmation-title">
      <h2 id="cw-confirmation-title" ref={title} tabIndex={-1}>
        {asking ? t.cancelHeading : (heading ?? t.requested)}
      </h2>
      {known.status === "cancelled" ? <p role="status">{t.cancelled}</p> : <p>{summary(known.status, t)}</p>}
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
        {/* Polite: a change found by following or checking is read out without interrupting. */}
        <dd className="cw-request-status" aria-live="polite">
          {t.statusLabels[known.status]}
          {known.deliveryStatus && known.status === "scheduled" ? ` (${known.deliveryStatus})` : ""}
        </dd>
      </dl>
      {failure && (
        <p role="alert" className="cw-alert">
          {failure}
        </p>
      )}
      {asking && <p className="cw-cancel-question">{t.cancelQuestion}</p>}
      <div className="cw-actions">
        {/* Asked to cancel, Cancel comes first; otherwise it comes after what most visitors want. */}
        {asking && cancelButton}
        {links && known.status !== "cancelled" && (
          <a className="cw-secondary cw-button-link" href={links.invite} download>
            {t.addToCalendar}
          </a>
        )}
        {statusUrl && (
          <button type="button" className="cw-secondary" disabled={busy === "checking"} aria-busy={busy === "checking" || undefined} onClick={() => void checkStatus()}>
            {busy === "checking" ? t.checkingStatus : t.checkStatus}
          </button>
        )}
        {links && !onRequestPage && (
          // A new tab: the widget may live in a frame or a host's page, which must stay as it is.
          <a className="cw-secondary cw-button-link" href={links.manage} target="_blank" rel="noopener">
            {t.openRequestPage}
          </a>
        )}
        {!asking && cancelButton}
        {onAnother && (
          <button type="button" className="cw-secondary" onClick={onAnother}>
            {t.anotherRequest}
          </button>
        )}
      </div>
    </section>
  );
}

function summary(status: Exclude<CallbackStatus["status"], "cancelled">, t: ReturnType<typeof useI18n>["t"]): string {
  switch (status) {
    case "queued":
      return t.queuedText;
    case "scheduled":
      return t.scheduledText;
    case "failed":
      return t.errors.request_failed;
    case "expired":
      return t.statusLabels.expired;
  }
}
