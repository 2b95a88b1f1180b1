// Signed callback links: an organisation sends a customer a link (email, SMS, a bot) that carries
// who they are (the Dataverse contact) and context (attributes), signed with the server's key and
// expiring. The BFF uses that ContactId only after checking the signature and the date; a tampered
// or expired link is refused, never used silently.
import { timingSafeEqual } from "node:crypto";
import * as z from "zod/mini";
import { AttributeMap, Guid, ProfileName } from "../shared/schemas";
import { keyedHash, type KeyedHash } from "./keyed-hash";

const LinkPayload = z.strictObject({
  v: z.literal(1),
  /** profile */
  p: ProfileName,
  /** Dataverse contactid */
  c: Guid,
  /** attributes for the agent flow */
  a: z.optional(AttributeMap),
  /** the number to prefill, if the organisation knows it */
  n: z.optional(z.string().check(z.maxLength(40))),
  /** expiry, epoch seconds */
  e: z.int(),
});

export interface SignedLink {
  profile: string;
  contactId: string;
  attributes: Record<string, string>;
  phone?: string;
  expiresAt: number;
}

export type LinkCheck = { ok: true; link: SignedLink } | { ok: false; reason: "link_invalid" | "link_expired" };

export class LinkSigner {
  private readonly hash: KeyedHash;

  constructor(
    key: Buffer,
    private readonly now: () => number = Date.now,
  ) {
    this.hash = keyedHash(key);
  }

  sign(link: Omit<SignedLink, "attributes"> & { attributes?: Record<string, string> }): string {
    const payload: z.infer<typeof LinkPayload> = { v: 1, p: link.profile, c: link.contactId, e: Math.floor(link.expiresAt / 1000) };
    if (link.attributes && Object.keys(link.attributes).length > 0) payload.a = link.attributes;
    if (link.phone) payload.n = link.phone;
    const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
    return `${body}.${this.mac(body)}`;
  }

  verify(token: string, profile: string): LinkCheck {
    const [body, mac, extra] = token.split(".");
    if (!body || !mac || extra !== undefined) return { ok: false, reason: "link_invalid" };
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: "link_invalid" };
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
    } catch {
      return { ok: false, reason: "link_invalid" };
    }
    const parsed = LinkPayload.safeParse(json);
    if (!parsed.success || parsed.data.p !== profile) return { ok: false, reason: "link_invalid" };
    if (parsed.data.e * 1000 <= this.now()) return { ok: false, reason: "link_expired" };
    return {
      ok: true,
      link: { profile: parsed.data.p, contactId: parsed.data.c, attributes: parsed.data.a ?? {}, phone: parsed.data.n, expiresAt: parsed.data.e * 1000 },
    };
  }

  private mac(body: string): string {
    return this.hash(`signed-link\0${body}`, "base64url");
  }
}

/**
 * The token that lets whoever received a request's confirmation (the visitor, their calendar
 * invite) see its details and cancel it. It names the request; nobody can forge one for another.
 */
export class ManageTokens {
  private readonly hash: KeyedHash;

  constructor(key: Buffer) {
    this.hash = keyedHash(key);
  }

  issue(requestId: string): string {
    return this.hash(`manage\0${requestId}`, "base64url");
  }

  verify(requestId: string, token: string | undefined): boolean {
    if (!token) return false;
    const expected = Buffer.from(this.issue(requestId));
    const given = Buffer.from(token);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}
