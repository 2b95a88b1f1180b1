// Accepting a callback request. Everything the browser said is checked again here against the
// profile (number, countries, offered slots, attributes), with the abuse defences, and only then is
// the request written to the outbox; delivery to Dataverse is the worker's job (outbox/).
import { hash } from "node:crypto";
import metadata from "libphonenumber-js/metadata.max.json";
import { timeOrderedId } from "./time-ordered-id";
import { checkPhone } from "../shared/phone";
import type { CallbackRequest, FieldError } from "../shared/schemas";
import { isWithin } from "../shared/calling-hours";
import { currentSlot, generateSlots, slotsCovering } from "../shared/slots";
import { fromPublicWindow, hasOverlap, mergeAdjacent, toPublicWindow, type TimeSpan } from "../shared/windows";
import { CaptchaUnavailable, checkFormTiming, type CaptchaVerifier, type FormTokens } from "./abuse/bot-defence";
import type { RateLimiter } from "./abuse/rate-limiter";
import { asapWindow, permittedFor } from "./availability";
import type { SignedInContact } from "./auth/signed-in-contact";
import type { CalleeZones } from "./callee-zones";
import type { PersonalDataVault } from "./personal-data";
import { fieldError } from "./problem";
import { consentFor, type Profile, type Profiles } from "./profiles";
import type { LinkSigner, ManageTokens } from "./signed-links";
import { queuedRecord } from "./store/rows";
import type { CallbackRecord, Claim, Store } from "./store/types";

export interface AcceptDeps {
  links: LinkSigner;
  manageTokens: ManageTokens;
  calleeZones: (e164: string, visitorZone?: string) => Promise<CalleeZones>;
  profiles: Profiles;
  store: Store;
  vault: PersonalDataVault;
  limiter: RateLimiter;
  formTokens: FormTokens;
  captcha: CaptchaVerifier;
  now(): number;
  /** The worker that delivers accepted requests at once: they are inserted already claimed by it. */
  worker?: { claimForNow(): Claim | undefined };
}

export interface RequestContext {
  clientAddress: string;
  userAgent?: string;
  idempotencyKey?: string;
  /** The verified signed-in visitor's contact: the request is for this contact and no other. */
  signedIn?: SignedInContact;
}

export type AcceptOutcome =
  | { kind: "refused"; errors: FieldError[] }
  | { kind: "rate_limited"; retryAfterSeconds: number; errors: FieldError[] }
  | { kind: "key_reused" }
  | { kind: "unavailable"; retryAfterSeconds: number; errors: FieldError[] }
  /** The request tried to act for someone else than the signed-in visitor. */
  | { kind: "forbidden"; code: "contact_mismatch" | "sign_in_required" }
  | { kind: "accepted"; record: CallbackRecord; replay: boolean };

/** Each requested window checked against the offer; with the slots the request would hold. */
export function checkWindows(
  profile: Profile,
  requested: CallbackRequest["windows"],
  now: number,
  permitted: TimeSpan[] | undefined,
): { spans: TimeSpan[]; errors: FieldError[]; slotStarts: number[] } {
  if (requested === undefined) {
    const asap = asapWindow(profile, now, permitted);
    const slot = asap && currentSlot(profile.calendar, now);
    return asap ? { spans: [asap], errors: [], slotStarts: slot ? [slot.start] : [] } : { spans: [], errors: [fieldError("windows", "asap_unavailable")], slotStarts: [] };
  }
  if (requested.length > profile.maxWindows) return { spans: [], errors: [fieldError("windows", "windows_too_many")], slotStarts: [] };

  const offered = generateSlots(profile.calendar, now);
  const errors: FieldError[] = [];
  const slotStarts: number[] = [];
  const spans = requested.map((window, index) => {
    const span = fromPublicWindow(window);
    const field = `windows.${index}`;
    const covering = span.end > span.start && span.start >= now ? slotsCovering(span, offered) : undefined;
    if (!(span.end > span.start)) errors.push(fieldError(field, "window_invalid"));
    else if (span.start < now) errors.push(fieldError(field, "window_in_past"));
    else if (!covering) errors.push(fieldError(field, "window_not_offered"));
    else if (permitted && !isWithin(span, permitted)) errors.push(fieldError(field, "window_outside_calling_hours"));
    else slotStarts.push(...covering.map((slot) => slot.start));
    return span;
  });
  if (errors.length === 0 && hasOverlap(spans)) errors.push(fieldError("windows", "window_overlaps"));
  return { spans, errors, slotStarts };
}

export function checkAttributes(profile: Profile, attributes: Record<string, string> = {}): FieldError[] {
  return Object.keys(attributes)
    .filter((key) => !profile.allowedAttributes.includes(key))
    .map((key) => fieldError(`attributes.${key}`, "attribute_not_allowed"));
}

/** Same request, same fingerprint, whatever the key order; the one-use tokens do not count. */
export function fingerprint(request: CallbackRequest): string {
  const { formToken: _f, captchaToken: _c, ...rest } = request;
  // Keys in code-unit order: a locale's collation would load ICU's collation data (~2 MB) for this.
  const canonical = JSON.stringify(rest, (_key, value) =>
    value && typeof value === "object" && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1))) : value,
  );
  return hash("sha256", canonical, "hex");
}

export async function acceptCallback(deps: AcceptDeps, request: CallbackRequest, context: RequestContext): Promise<AcceptOutcome> {
  // A replay first: the widget resends a submission that got no answer, and must get the answer
  // the first one got, even once its slot has started, its profile's limit is reached or its form
  // token is spent. Answering anything else would have the visitor book again: two calls.
  const existing = context.idempotencyKey ? await replayOf(deps.store, context.idempotencyKey, request) : undefined;
  if (existing) return existing;

  const profile = deps.profiles.get(request.profile);
  if (!profile) return { kind: "refused", errors: [fieldError("profile", "unknown_profile")] };
  const now = deps.now();

  const profileLimit = await deps.limiter.hit(`profile:${profile.id}`, profile.limits.perProfile);
  if (!profileLimit.ok) return { kind: "rate_limited", retryAfterSeconds: profileLimit.retryAfterSeconds, errors: [fieldError("", "rate_limited")] };

  const defence = profile.botDefence;
  if (defence.honeypot && request.website) return { kind: "refused", errors: [fieldError("website", "bot_suspected")] };
  const timing = checkFormTiming(deps.formTokens, defence, profile.id, request.formToken);
  if (timing) return { kind: "refused", errors: [fieldError("formToken", timing)] };
  if (defence.captcha && !request.captchaToken) return { kind: "refused", errors: [fieldError("captchaToken", "captcha_required")] };

  if (profile.signIn?.required && !context.signedIn) return { kind: "forbidden", code: "sign_in_required" };
  // A signed link names the contact and brings attributes the organisation vouches for.
  const link = request.link === undefined ? undefined : deps.links.verify(request.link, profile.id);
  if (link && !link.ok) return { kind: "refused", errors: [fieldError("link", link.reason)] };
  const signed = link?.ok ? link.link : undefined;
  // A signed-in visitor acts for their own contact only, whatever a link says.
  if (context.signedIn && signed && signed.contactId.toLowerCase() !== context.signedIn.contactId) return { kind: "forbidden", code: "contact_mismatch" };

  const errors: FieldError[] = [];
  if (request.country && !profile.allowedCountries.includes(request.country)) errors.push(fieldError("country", "country_not_allowed"));
  const phone = checkPhone(request.phone, request.country ?? profile.defaultCountry, { allowedCountries: profile.allowedCountries }, metadata);
  if (!phone.ok) errors.push(fieldError(phone.code === "country_invalid" ? "country" : "phone", phone.code));
  // A link that names a number books calls to that number only: a forwarded link cannot call a stranger.
  if (phone.ok && signed?.phone && !sameNumber(signed.phone, phone.e164, profile.defaultCountry)) errors.push(fieldError("phone", "link_phone_mismatch"));
  const phoneHash = phone.ok ? deps.vault.hashPhone(phone.e164) : undefined;
  // The do-not-call list answers like any other refusal of the number: it reveals nothing more.
  if (phoneHash && (await deps.store.isDoNotCall(phoneHash))) errors.push(fieldError("phone", "phone_not_callable"));
  const callee = phone.ok ? await deps.calleeZones(phone.e164, request.timeZone) : undefined;
  const windows = checkWindows(profile, request.windows, now, permittedFor(profile, callee, now));
  errors.push(...windows.errors, ...checkAttributes(profile, request.attributes));
  if (errors.length > 0 || !phone.ok || !phoneHash) return { kind: "refused", errors };

  if (defence.captcha) {
    const human = await deps.captcha.verify(defence.captcha, request.captchaToken!, context.clientAddress).catch((error: unknown) => {
      if (error instanceof CaptchaUnavailable) return undefined;
      throw error;
    });
    if (human === undefined) return { kind: "unavailable", retryAfterSeconds: 5, errors: [fieldError("captchaToken", "captcha_unavailable")] };
    if (!human) return { kind: "refused", errors: [fieldError("captchaToken", "captcha_failed")] };
  }

  // The text the visitor was shown, in their language when the profile has it: that is what they agreed to.
  const consent = consentFor(profile, request.locale);
  const record = {
    // Time-ordered (UUIDv7): new requests go to the end of the id indexes, the same few pages for
    // every request of a commit, rather than to a random page each.
    id: timeOrderedId(),
    profile: profile.id,
    phoneHash,
    personal: deps.vault.seal({ phoneE164: phone.e164, name: request.name }),
    windows: mergeAdjacent(windows.spans).map(toPublicWindow),
    asap: request.windows === undefined,
    attributes: Object.assign({}, request.attributes, signed?.attributes, profile.fixedAttributes),
    visitorTimeZone: request.timeZone,
    locale: request.locale,
    consentVersion: profile.consent.version,
    consentLanguage: consent.language,
    consentTextHash: textHash(consent.text),
    clientAddressHash: deps.vault.hash(context.clientAddress),
    userAgent: context.userAgent?.slice(0, 300),
    idempotencyKey: context.idempotencyKey,
    fingerprint: fingerprint(request),
    createdAt: now,
    contactId: context.signedIn?.contactId ?? signed?.contactId,
  };
  const perNumber = profile.limits.perNumber;
  const claim = deps.worker?.claimForNow();
  // The number's limit is counted in the same transaction as the insert: parallel requests for one
  // number cannot all see room for one more.
  const inserted = await deps.store.insertCallback(record, now, {
    slots: profile.capacityPerSlot ? { profile: profile.id, slotStarts: windows.slotStarts, capacity: profile.capacityPerSlot } : undefined,
    perNumber: { since: now - perNumber.windowSeconds * 1000, max: perNumber.max },
    claim,
  });
  if (!inserted.inserted && "numberLimited" in inserted) {
    return { kind: "rate_limited", retryAfterSeconds: perNumber.windowSeconds, errors: [fieldError("phone", "phone_rate_limited")] };
  }
  if (!inserted.inserted && "fullSlot" in inserted) {
    if (request.windows === undefined) return { kind: "refused", errors: [fieldError("windows", "asap_unavailable")] };
    const index = windows.spans.findIndex((span) => span.start <= inserted.fullSlot && inserted.fullSlot < span.end);
    return { kind: "refused", errors: [fieldError(`windows.${index}`, "slot_full")] };
  }
  if (!inserted.inserted) return sameRequest(inserted.existing, request);
  return { kind: "accepted", record: queuedRecord(record, now, claim), replay: false };
}

// The profiles' consent texts, hashed once each (they change only with the configuration).
const textHashes = new Map<string, string>();
function textHash(text: string): string {
  let digest = textHashes.get(text);
  if (digest === undefined) {
    digest = hash("sha256", text, "hex");
    if (textHashes.size < 1000) textHashes.set(text, digest);
  }
  return digest;
}

function sameNumber(linked: string, e164: string, defaultCountry: string | undefined): boolean {
  const parsed = checkPhone(linked, defaultCountry, {}, metadata);
  return parsed.ok && parsed.e164 === e164;
}

async function replayOf(store: Store, key: string, request: CallbackRequest): Promise<AcceptOutcome | undefined> {
  const byKey = await store.findByIdempotencyKey(key);
  return byKey && sameRequest(byKey, request);
}

function sameRequest(existing: CallbackRecord, request: CallbackRequest): AcceptOutcome {
  return existing.fingerprint === fingerprint(request) ? { kind: "accepted", record: existing, replay: true } : { kind: "key_reused" };
}
