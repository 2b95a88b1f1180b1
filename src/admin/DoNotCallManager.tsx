// The do-not-call list: add numbers (one a line, national ones in the chosen country), see the
// entries (hashes: the list never holds a number in clear) and remove one.
import { useCallback, useEffect, useState, type FormEvent } from "react";
import type { DoNotCallList } from "../shared/schemas";
import type { AdminApi } from "./admin-api";

export function DoNotCallManager({ api }: { api: AdminApi }) {
  const [list, setList] = useState<DoNotCallList | "failed" | undefined>();
  const [message, setMessage] = useState("");
  const [numbers, setNumbers] = useState("");
  const [country, setCountry] = useState("FR");
  const [note, setNote] = useState("");
  const load = useCallback(() => {
    api.doNotCall().then(setList, () => setList("failed"));
  }, [api]);
  useEffect(load, [load]);

  async function add(event: FormEvent) {
    event.preventDefault();
    const entered = numbers.split(/\n|,|;/).map((n) => n.trim()).filter(Boolean);
    if (entered.length === 0) return setMessage("Enter at least one number.");
    try {
      const outcome = await api.addNumbers({ numbers: entered, country: country || undefined, note: note || undefined });
      const invalid = outcome.invalid.map((problem) => problem.input).join(", ");
      setMessage(`Added ${outcome.added ?? 0}, already listed ${outcome.alreadyListed ?? 0}.${invalid ? ` Not numbers: ${invalid}.` : ""}`);
      setNumbers("");
      setNote("");
      load();
    } catch {
      setMessage("The numbers could not be added.");
    }
  }

  async function remove(phoneHash: string) {
    try {
      await api.removeEntry(phoneHash);
      setMessage("Removed one number from the list.");
      load();
    } catch {
      setMessage("The number could not be removed.");
    }
  }

  return (
    <section aria-labelledby="dnc-heading">
      <h2 id="dnc-heading">Do-not-call list</h2>
      <form onSubmit={(event) => void add(event)} className="admin-form">
        <p>
          <label htmlFor="dnc-numbers">Numbers to add, one a line</label>
          <textarea id="dnc-numbers" rows={3} value={numbers} onChange={(e) => setNumbers(e.target.value)} />
        </p>
        <p>
          <label htmlFor="dnc-country">Country of national numbers (two letters)</label>
          <input id="dnc-country" value={country} maxLength={2} onChange={(e) => setCountry(e.target.value.toUpperCase())} />
        </p>
        <p>
          <label htmlFor="dnc-note">Note (optional)</label>
          <input id="dnc-note" value={note} maxLength={200} onChange={(e) => setNote(e.target.value)} />
        </p>
        <p>
          <button type="submit">Add to the list</button>
        </p>
      </form>
      <p role="status" className="admin-message">
        {message}
      </p>
      {list === "failed" && <p role="alert">The list could not be loaded.</p>}
      {typeof list === "object" && (
        <div className="admin-scroll">
          <table>
            <caption>{list.count === 1 ? "1 number" : `${list.count} numbers`} on the list (keyed hashes, never the numbers)</caption>
            <thead>
              <tr>
                <th scope="col">Number (hash)</th>
                <th scope="col">Added</th>
                <th scope="col">Source</th>
                <th scope="col">Note</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.entries.map((entry) => (
                <tr key={entry.phoneHash} data-hash={entry.phoneHash}>
                  <td className="admin-id" title={entry.phoneHash}>
                    {entry.phoneHash.slice(0, 12)}…
                  </td>
                  <td>{new Date(entry.addedAt).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })}</td>
                  <td>{entry.source}</td>
                  <td>{entry.note ?? ""}</td>
                  <td>
                    <button type="button" className="link" aria-label={`Remove the number ${entry.phoneHash.slice(0, 12)}… from the list`} onClick={() => void remove(entry.phoneHash)}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
