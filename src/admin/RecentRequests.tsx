// Recent callback requests and the outbox: what happened to each request (scheduled, queued,
// retrying, expired, failed, cancelled). Numbers are masked; one can be shown on demand (the BFF
// logs who asked).
import { useCallback, useEffect, useState } from "react";
import type { AdminCallback, AdminCallbacks } from "../shared/schemas";
import type { AdminApi } from "./admin-api";

const STATUS_LABELS: Record<AdminCallback["status"], string> = {
  scheduled: "Scheduled",
  queued: "Queued",
  retrying: "Retrying",
  expired: "Expired",
  failed: "Failed",
  cancelled: "Cancelled",
};

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });

export function RecentRequests({ api }: { api: AdminApi }) {
  const [data, setData] = useState<AdminCallbacks | "failed" | undefined>();
  const [revealed, setRevealed] = useState<Record<string, string>>({});
  const load = useCallback(() => {
    api.callbacks(100).then(setData, () => setData("failed"));
  }, [api]);
  useEffect(load, [load]);

  async function toggle(requestId: string) {
    if (revealed[requestId]) {
      setRevealed(({ [requestId]: _hidden, ...rest }) => rest);
      return;
    }
    const { phone } = await api.revealPhone(requestId);
    setRevealed((current) => ({ ...current, [requestId]: phone }));
  }

  return (
    <section aria-labelledby="requests-heading">
      <h2 id="requests-heading">Requests</h2>
      {data === undefined && <p role="status">Loading…</p>}
      {data === "failed" && <p role="alert">The requests could not be loaded.</p>}
      {typeof data === "object" && (
        <>
          <dl className="admin-outbox" aria-label="Outbox">
            <div>
              <dt>Outbox depth</dt>
              <dd data-testid="outbox-depth">{data.outbox.depth}</dd>
            </div>
            <div>
              <dt>Oldest waiting since</dt>
              <dd>{data.outbox.oldestQueuedAt ? when(data.outbox.oldestQueuedAt) : "—"}</dd>
            </div>
            {Object.entries(data.outbox.byStatus).map(([status, count]) => (
              <div key={status}>
                <dt>{STATUS_LABELS[status as AdminCallback["status"]] ?? status}</dt>
                <dd>{count}</dd>
              </div>
            ))}
          </dl>
          <p>
            <button type="button" onClick={load}>
              Refresh
            </button>
          </p>
          <div className="admin-scroll">
            <table>
              <caption>The {data.callbacks.length} most recent requests, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">Line</th>
                  <th scope="col">Status</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Number</th>
                  <th scope="col">Contact</th>
                  <th scope="col">Delivery</th>
                  <th scope="col">Last error</th>
                </tr>
              </thead>
              <tbody>
                {data.callbacks.map((request) => (
                  <tr key={request.requestId} data-request={request.requestId}>
                    <td>{when(request.createdAt)}</td>
                    <td>{request.profile}</td>
                    <td>
                      <span className={`admin-status admin-status-${request.status}`}>{STATUS_LABELS[request.status]}</span>
                    </td>
                    <td>{request.attempts}</td>
                    <td>
                      <span className="admin-phone">{revealed[request.requestId] ?? request.phone}</span>{" "}
                      <button type="button" className="link" aria-label={`${revealed[request.requestId] ? "Hide" : "Show"} the number of the request received ${when(request.createdAt)}`} onClick={() => void toggle(request.requestId)}>
                        {revealed[request.requestId] ? "Hide" : "Show"}
                      </button>
                    </td>
                    <td className="admin-id">{request.contactId ?? "—"}</td>
                    <td className="admin-id">{request.deliveryId ?? "—"}</td>
                    <td>{request.lastError ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
