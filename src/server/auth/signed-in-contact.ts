// Who a signed-in visitor is in Dataverse: one configured claim of their verified token, mapped to
// exactly one contact (by its id, or by a column holding the claim's value). That contact is the
// ContactId of their callbacks, whatever the browser says, and its number prefills the form.
import type { JWTPayload } from "jose";
import metadata from "libphonenumber-js/metadata.max.json";
import { checkPhone } from "../../shared/phone";
import type { ContactRow } from "../dataverse/contacts";
import type { DataverseGateway } from "../dataverse/gateway";

export interface ContactMapping {
  /** The token claim naming the customer, e.g. `oid`, `sub`, `email` or a custom claim. */
  claim: string;
  /** The contacts column the claim's value is matched against; `contactid` when it is the id itself. */
  field: string;
}

export interface SignedInContact {
  contactId: string;
  /** The token's subject, for logs and records (never the token). */
  subject: string;
  name?: string;
  /** The contact's number (mobile first), E.164, when it has a valid one. */
  phoneE164?: string;
  country?: string;
}

export type ContactOutcome = { ok: true; contact: SignedInContact } | { ok: false; reason: "contact_not_found" };

export type ContactMapper = (claims: JWTPayload) => Promise<ContactOutcome>;

const CACHE_MS = 60_000;

export function createContactMapper(mapping: ContactMapping, gateway: Pick<DataverseGateway, "getContact" | "findContacts">, now: () => number = Date.now): ContactMapper {
  // A visitor's page asks for their details, then submits: one Dataverse lookup for both.
  const cache = new Map<string, { at: number; row: ContactRow | undefined }>();

  async function lookup(value: string): Promise<ContactRow | undefined> {
    const hit = cache.get(value);
    if (hit && now() - hit.at < CACHE_MS) return hit.row;
    let row: ContactRow | undefined;
    if (mapping.field === "contactid") {
      row = await gateway.getContact(value);
    } else {
      // Two, to tell "exactly one" from "several": an ambiguous match is no match.
      const rows = await gateway.findContacts(mapping.field, value, 2);
      row = rows.length === 1 ? rows[0] : undefined;
    }
    if (cache.size > 10_000) cache.clear();
    cache.set(value, { at: now(), row });
    return row;
  }

  return async (claims) => {
    const value = claims[mapping.claim];
    if (typeof value !== "string" || value === "" || value.length > 320) return { ok: false, reason: "contact_not_found" };
    const row = await lookup(value);
    if (!row) return { ok: false, reason: "contact_not_found" };
    const phone = [row.mobilephone, row.telephone1].map((raw) => (raw ? checkPhone(raw, undefined, {}, metadata) : undefined)).find((check) => check?.ok);
    return {
      ok: true,
      contact: {
        contactId: row.contactid.toLowerCase(),
        subject: String(claims.sub),
        name: row.fullname,
        phoneE164: phone?.ok ? phone.e164 : undefined,
        country: phone?.ok ? phone.country : undefined,
      },
    };
  };
}
