// Consent records for an audit: a CSV of every consent given in a period (hashes, versions,
// times), downloaded with the administrator's token.
import { useState, type FormEvent } from "react";
import type { AdminApi } from "./admin-api";

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

export function ConsentExport({ api }: { api: AdminApi }) {
  const [from, setFrom] = useState(day(-30));
  const [to, setTo] = useState(day(1));
  const [message, setMessage] = useState("");

  async function exportCsv(event: FormEvent) {
    event.preventDefault();
    try {
      const blob = await api.consentCsv(from, to);
      const url = URL.createObjectURL(blob);
      const link = document.createElement("a");
      link.href = url;
      link.download = `consent-${from}-${to}.csv`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setMessage(`Exported the consent records from ${from} to ${to}.`);
    } catch {
      setMessage("The consent records could not be exported.");
    }
  }

  return (
    <section aria-labelledby="consent-heading">
      <h2 id="consent-heading">Consent records</h2>
      <form onSubmit={(event) => void exportCsv(event)} className="admin-form admin-inline">
        <p>
          <label htmlFor="consent-from">From</label>
          <input id="consent-from" type="date" value={from} required onChange={(e) => setFrom(e.target.value)} />
        </p>
        <p>
          <label htmlFor="consent-to">To (not included)</label>
          <input id="consent-to" type="date" value={to} required onChange={(e) => setTo(e.target.value)} />
        </p>
        <p>
          <button type="submit">Export CSV</button>
        </p>
      </form>
      <p role="status" className="admin-message">
        {message}
      </p>
    </section>
  );
}
