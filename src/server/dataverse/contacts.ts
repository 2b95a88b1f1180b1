// The Dataverse contact a callback is for: found by its E.164 number in the phone fields, or
// created. Concurrent requests for the same new number share one lookup so they create one contact.
import { DataverseError, odataString, untilAborted, type WebApi } from "./web-api";

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

export interface ContactResolver {
  /** With a signal, the caller stops waiting when it aborts; the shared lookup goes on for the others. */
  resolveContact(e164: string, name?: string, signal?: AbortSignal): Promise<string>;
}

/** What the BFF reads of a contact for a signed-in visitor: who they are and the number to prefill. */
export interface ContactRow {
  contactid: string;
  fullname?: string;
  mobilephone?: string;
  telephone1?: string;
}

const CONTACT_SELECT = "$select=contactid,fullname,mobilephone,telephone1";

/** One contact by its id; undefined when there is none. */
export async function getContact(api: WebApi, contactId: string): Promise<ContactRow | undefined> {
  if (!GUID.test(contactId) || contactId.length !== 36) return undefined;
  try {
    const response = await api.get(`contacts(${contactId})?${CONTACT_SELECT}`);
    return asContact(response.body);
  } catch (error) {
    if (error instanceof DataverseError && error.status === 404) return undefined;
    throw error;
  }
}

/** Up to `top` contacts whose column `field` equals `value` (a column name checked at start-up). */
export async function findContacts(api: WebApi, field: string, value: string, top: number): Promise<ContactRow[]> {
  const filter = encodeURIComponent(`${field} eq ${odataString(value)}`);
  const response = await api.get(`contacts?$filter=${filter}&${CONTACT_SELECT}&$top=${top}`);
  return ((response.body as { value?: unknown[] }).value ?? []).map(asContact).filter((row): row is ContactRow => row !== undefined);
}

function asContact(body: unknown): ContactRow | undefined {
  const row = body as Record<string, unknown> | undefined;
  if (typeof row?.contactid !== "string") return undefined;
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  return { contactid: row.contactid, fullname: text(row.fullname), mobilephone: text(row.mobilephone), telephone1: text(row.telephone1) };
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
