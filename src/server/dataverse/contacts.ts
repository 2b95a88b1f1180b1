// The Dataverse contact a callback is for: found by its E.164 number in the phone fields, or
// created. Concurrent requests for the same new number share one lookup so they create one contact.
import { DataverseError, odataString, untilAborted, type WebApi } from "./web-api";

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

export interface ContactResolver {
  /** With a signal, the caller stops waiting when it aborts; the shared lookup goes on for the others. */
  resolveContact(e164: string, name?: string, signal?: AbortSignal): Promise<string>;
}

export function createContactResolver(api: WebApi): ContactResolver {
  const inFlight = new Map<string, Promise<string>>();

  async function findOrCreate(e164: string, name?: string): Promise<string> {
    const phone = odataString(e164);
    const filter = encodeURIComponent(`mobilephone eq ${phone} or telephone1 eq ${phone}`);
    const found = await api.get(`contacts?$filter=${filter}&$select=contactid&$top=1`);
    const existing = (found.body as { value?: Array<{ contactid?: string }> }).value?.[0]?.contactid;
    if (existing) return existing;

    const created = await api.post("contacts", { mobilephone: e164, ...splitName(name) });
    const entityId = created.headers["odata-entityid"];
    const id = GUID.exec(String(entityId ?? ""))?.[0] ?? (created.body as { contactid?: string } | undefined)?.contactid;
    if (!id) throw new DataverseError("Dataverse created a contact but did not say its id", created.status, undefined, undefined);
    return id;
  }

  return {
    resolveContact(e164, name, signal) {
      let pending = inFlight.get(e164);
      if (!pending) {
        pending = findOrCreate(e164, name).finally(() => inFlight.delete(e164));
        inFlight.set(e164, pending);
      }
      return untilAborted(pending, signal, (reason) => new DataverseError(`gave up waiting for the contact: ${reason}`, undefined, undefined, undefined));
    },
  };
}

/** "Ada King Lovelace" -> firstname "Ada", lastname "King Lovelace"; one word is a last name. */
export function splitName(name?: string): { firstname?: string; lastname?: string } {
  const words = name?.trim().split(/\s+/).filter(Boolean) ?? [];
  if (words.length === 0) return {};
  if (words.length === 1) return { lastname: words[0]!.slice(0, 50) };
  return { firstname: words[0]!.slice(0, 50), lastname: words.slice(1).join(" ").slice(0, 50) };
}
