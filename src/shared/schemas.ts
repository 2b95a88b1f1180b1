// One zod schema per message, shared by the widget (react-hook-form's resolver), the BFF (request
// validation) and the OpenAPI document (z.toJSONSchema). Built with `zod/mini` so the browser
// bundle stays small. Each refusal carries an ErrorCode as its message; see error-codes.ts.
import * as z from "zod/mini";
import type { ErrorCode } from "./error-codes";
import { ACTION_INSTANT } from "./windows";
import { isValidTimeZone } from "./zoned-time";

/** Refuses with `code`; with `required` when the field is missing, `unknown_field` for extra keys. */
function refuse(code: ErrorCode) {
  return {
    error: (issue: { code?: string; input?: unknown }): ErrorCode => {
      if (issue.code === "unrecognized_keys") return "unknown_field";
      return issue.input === undefined ? "required" : code;
    },
  };
}

// Asked on every request, of a handful of tags: the answers are remembered (up to a bound).
const knownLocales = new Map<string, boolean>();

function isLocale(tag: string): boolean {
  let known = knownLocales.get(tag);
  if (known === undefined) {
    try {
      known = Intl.getCanonicalLocales(tag).length === 1;
    } catch {
      known = false;
    }
    if (knownLocales.size < 1000) knownLocales.set(tag, known);
  }
  return known;
}

// ---------- building blocks ----------

export const ProfileName = z
  .string(refuse("invalid_type"))
  .check(z.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, { error: "unknown_profile" }), z.describe("A callback profile's name, such as `default`."));

export const CountryCode = z
  .string(refuse("country_invalid"))
  .check(z.regex(/^[A-Z]{2}$/, { error: "country_invalid" }), z.describe("ISO 3166-1 alpha-2 country code, upper case."));

export const TimeZoneName = z
  .string(refuse("time_zone_invalid"))
  .check(
    z.maxLength(64, { error: "time_zone_invalid" }),
    z.refine(isValidTimeZone, { error: "time_zone_invalid" }),
    z.describe("An IANA time zone name, such as `Europe/Paris`."),
  );

export const LocaleTag = z
  .string(refuse("locale_invalid"))
  .check(z.maxLength(35, { error: "locale_invalid" }), z.refine(isLocale, { error: "locale_invalid" }), z.describe("A BCP 47 language tag."));

/** A UTC instant in ISO 8601 with a `Z` suffix, e.g. `2026-03-10T13:00:00.000Z`. */
export const UtcInstant = z.iso.datetime({ error: "window_invalid" });

export const TimeWindow = z.strictObject(
  {
    start: UtcInstant.check(z.describe("First instant of the window (inclusive), UTC.")),
    end: UtcInstant.check(z.describe("End of the window (exclusive), UTC.")),
  },
  refuse("window_invalid"),
);
export type TimeWindow = z.infer<typeof TimeWindow>;

export const AttributeMap = z.record(
  z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, { error: "attribute_invalid" })),
  z.string(refuse("attribute_invalid")).check(z.maxLength(500, { error: "attribute_invalid" })),
  refuse("attribute_invalid"),
);

export const Guid = z.guid({ error: "invalid" });

export const LanguageCode = z
  .string(refuse("locale_invalid"))
  .check(z.regex(/^[a-z]{2,3}$/, { error: "locale_invalid" }), z.describe("An ISO 639 language code in lower case: `en`, `fr`, `ar`."));

/** One text in several languages, by language code. */
export const LocalizedTexts = z.record(LanguageCode, z.string());

// ---------- public API: callback requests ----------

export const CallbackRequest = z.strictObject(
  {
    profile: ProfileName,
    phone: z
      .string(refuse("phone_required"))
      .check(z.minLength(1, { error: "phone_required" }), z.maxLength(40, { error: "phone_too_long" }), z.describe("The number to call: international (+…) or national with `country`.")),
    country: z.optional(CountryCode),
    name: z.optional(z.string(refuse("invalid_type")).check(z.maxLength(100, { error: "name_too_long" }))),
    windows: z.optional(
      z
        .array(TimeWindow, refuse("window_invalid"))
        .check(
          z.minLength(1, { error: "windows_empty" }),
          z.maxLength(24, { error: "windows_too_many" }),
          z.describe("Offered slots (or runs of adjacent slots) the visitor chose. Absent: as soon as possible."),
        ),
    ),
    timeZone: TimeZoneName.check(z.describe("The visitor's time zone, used to show times back to them.")),
    locale: z.optional(LocaleTag),
    consent: z.literal(true, { error: "consent_required" }).check(z.describe("The visitor agreed to be called; must be `true`.")),
    attributes: z.optional(AttributeMap.check(z.describe("Values passed to the agent flow; only keys the profile allows."))),
    formToken: z.optional(z.string(refuse("form_token_missing")).check(z.maxLength(200, { error: "form_token_missing" }), z.describe("The `formToken` of the profile answer, when the profile asks for a minimum fill time."))),
    captchaToken: z.optional(z.string(refuse("captcha_failed")).check(z.maxLength(4096, { error: "captcha_failed" }), z.describe("The CAPTCHA widget's answer, when the profile uses one."))),
    link: z.optional(z.string(refuse("link_invalid")).check(z.maxLength(4096, { error: "link_invalid" }), z.describe("The signed link the page was opened with, if any."))),
    website: z.optional(z.string(refuse("bot_suspected")).check(z.maxLength(200, { error: "bot_suspected" }), z.describe("Leave empty: a field people never see, to catch bots."))),
  },
  refuse("invalid_type"),
);
export type CallbackRequest = z.infer<typeof CallbackRequest>;

/**
 * Where the visitor can follow, add to a calendar, or cancel their request (signed links). Links for
 * people (emails, calendars) only ever open a page: following one never cancels anything by itself.
 */
export const CallbackLinks = z.object({
  manage: z.string().check(z.describe("A page showing the request's status, with a Cancel button.")),
  cancelPage: z.string().check(z.describe("The cancel link for people: the request's page, asking whether to cancel, with the Cancel button.")),
  invite: z.string().check(z.describe("An .ics calendar invite, one event per window, carrying the cancel link.")),
  cancel: z.string().check(z.describe("POST here (no body) to cancel the request.")),
  status: z.string().check(z.describe("GET: the request's status, Dataverse's own state of the delivery included.")),
});
export type CallbackLinks = z.infer<typeof CallbackLinks>;

export const CallbackScheduled = z.object({
  requestId: z.string().check(z.describe("Our reference for this request.")),
  deliveryId: Guid.check(z.describe("Dataverse's proactive delivery id.")),
  status: z.literal("scheduled"),
  windows: z.array(TimeWindow).check(z.describe("When the call may be placed, merged, as half-open UTC windows.")),
  links: z.optional(CallbackLinks),
});
export type CallbackScheduled = z.infer<typeof CallbackScheduled>;

export const CallbackQueued = z.object({
  requestId: z.string().check(z.describe("Poll GET /api/v1/callbacks/{requestId} to follow it.")),
  status: z.literal("queued"),
  windows: z.optional(z.array(TimeWindow)),
  links: z.optional(CallbackLinks),
});
export type CallbackQueued = z.infer<typeof CallbackQueued>;

export const CallbackStatus = z.object({
  requestId: z.string(),
  status: z.enum(["queued", "scheduled", "failed", "expired", "cancelled"]),
  deliveryId: z.optional(Guid),
  windows: z.array(TimeWindow),
  createdAt: UtcInstant,
  profile: z.string(),
  /** msdyn_proactive_deliveries.msdyn_status, with a valid `token` only. */
  deliveryStatus: z.optional(z.string().check(z.describe("Dataverse's own state of the delivery (Pending, InProcess, Complete…); needs ?token="))),
  links: z.optional(CallbackLinks),
});
export type CallbackStatus = z.infer<typeof CallbackStatus>;

export const CallbackCancelled = z.object({
  requestId: z.string(),
  status: z.literal("cancelled"),
});
export type CallbackCancelled = z.infer<typeof CallbackCancelled>;

// ---------- public API: profiles and availability ----------

/** How the widget looks: hosts may also set any --cw-* custom property themselves. */
export const WidgetTheme = z.strictObject({
  mode: z.optional(z.enum(["light", "dark", "auto"])),
  accent: z.optional(z.string().check(z.maxLength(64))),
  accentText: z.optional(z.string().check(z.maxLength(64))),
  radius: z.optional(z.string().check(z.maxLength(32))),
  font: z.optional(z.string().check(z.maxLength(200))),
});
export type WidgetTheme = z.infer<typeof WidgetTheme>;

/** How the widget signs a visitor in with MSAL (all public values of a single-page app registration). */
export const MsalSignIn = z.strictObject({
  authority: z.url({ protocol: /^https$/, error: "must be the https:// authority, e.g. https://login.microsoftonline.com/<tenant-id>" }),
  clientId: z.string().check(z.minLength(1), z.describe("The widget's app registration (single-page application).")),
  scopes: z.array(z.string().check(z.minLength(1))).check(z.minLength(1), z.describe("The API scope(s), e.g. api://<api-app-id>/Callback.Request.")),
  /** AAD for Microsoft Entra ID and Entra External ID; OIDC for any other OpenID Connect provider. */
  protocolMode: z._default(z.enum(["AAD", "OIDC"]), "AAD"),
  knownAuthorities: z._default(z.array(z.string()), []),
  /** A page on the widget's own origin that runs MSAL's redirect bridge; `/auth/redirect` there by default. */
  redirectUri: z.optional(z.string()),
});
export type MsalSignIn = z.infer<typeof MsalSignIn>;

export const SignInSettings = z.strictObject({
  /** Refuse requests from visitors who are not signed in. */
  required: z._default(z.boolean(), false),
  /** Absent: the host page hands the widget its own token (getAuthToken). */
  msal: z.optional(MsalSignIn),
});
export type SignInSettings = z.infer<typeof SignInSettings>;

/** GET /api/v1/profiles/{profile}/me: the signed-in visitor's details, to prefill the form. */
export const SignedInVisitor = z.object({
  name: z.optional(z.string()),
  phone: z.optional(z.string().check(z.describe("The contact's number, E.164."))),
  phoneNational: z.optional(z.string().check(z.describe("The same number as people write it in its country (06 12 34 56 78), for the form."))),
  country: z.optional(CountryCode),
});
export type SignedInVisitor = z.infer<typeof SignedInVisitor>;

export const PublicProfile = z.object({
  id: ProfileName,
  name: z.string().check(z.describe("The line's name, in the language asked for with `?locale=` when the profile has it, else in `language`.")),
  names: LocalizedTexts.check(z.describe("The line's name in every language the profile gives.")),
  language: LanguageCode.check(z.describe("The profile's own language: what a visitor sees when a text is not given in theirs.")),
  timeZone: TimeZoneName,
  slotMinutes: z.number(),
  horizonDays: z.number(),
  maxWindows: z.number(),
  allowedCountries: z.array(CountryCode),
  defaultCountry: z.optional(CountryCode),
  consent: z.object({
    version: z.string().check(z.describe("One version covers the text in every language.")),
    text: z.string().check(z.describe("The text to agree to, in `consent.language`.")),
    language: LanguageCode.check(z.describe("The language of `text`: the one asked for with `?locale=` when the profile has it, else the profile's.")),
    texts: LocalizedTexts.check(
      z.describe("The text in every language the profile gives. The BFF records the one in the request's `locale` (else the profile's language) as the text agreed to."),
    ),
  }),
  attributes: z.array(z.string()).check(z.describe("Attribute keys a request may carry.")),
  formToken: z.string().check(z.describe("Send it back as `formToken` with the request.")),
  minFillSeconds: z.number(),
  allowedOrigins: z.array(z.string()).check(z.describe("Pages that may embed this profile (CORS, frame-ancestors, postMessage).")),
  captcha: z.optional(
    z.object({
      provider: z.enum(["turnstile", "hcaptcha", "recaptcha"]),
      siteKey: z.string(),
      scriptUrl: z.string().check(z.describe("The provider's widget script, to load with explicit rendering.")),
    }),
  ),
  theme: z.optional(WidgetTheme),
  signIn: z.optional(SignInSettings),
});
export type PublicProfile = z.infer<typeof PublicProfile>;

export const ProfileQuery = z.object({
  locale: z.optional(LocaleTag.check(z.describe("The visitor's language: `name` and `consent.text` in it, when the profile has it."))),
});

export const AvailabilityQuery = z.strictObject(
  {
    phone: z.optional(z.string().check(z.maxLength(40, { error: "phone_too_long" }), z.describe("Offer only what is permitted where this number rings."))),
    country: z.optional(CountryCode),
    timeZone: z.optional(TimeZoneName.check(z.describe("The visitor's zone: the callee's zone when the number does not tell."))),
  },
  refuse("invalid_type"),
);

export const Slot = z.object({
  start: UtcInstant,
  end: UtcInstant,
  available: z.boolean(),
});
export type Slot = z.infer<typeof Slot>;

export const Availability = z.object({
  timeZone: TimeZoneName.check(z.describe("The profile's own zone; show times in the visitor's.")),
  slots: z.array(Slot),
  asap: z.boolean().check(z.describe("Whether a call can be requested for right now.")),
});
export type Availability = z.infer<typeof Availability>;

// ---------- problems (RFC 9457) ----------

export const FieldError = z.object({
  field: z.string().check(z.describe("Dotted path of the field, e.g. `windows.0.start`; empty for the whole body.")),
  code: z.string(),
  message: z.string(),
});
export type FieldError = z.infer<typeof FieldError>;

export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.optional(z.string()),
  requestId: z.optional(z.string()),
  errors: z.optional(z.array(FieldError)),
});
export type Problem = z.infer<typeof Problem>;

// ---------- Dataverse: CCaaS_CreateProactiveVoiceDelivery ----------

export const ActionInstant = z.string().check(
  z.regex(ACTION_INSTANT, { error: "must be yyyy-MM-ddTHH:mm:ss.fffZ" }),
  // The pattern alone lets month 13 or 25:61 through: the instant must also exist.
  z.refine((text) => !Number.isNaN(Date.parse(text)) && new Date(text).toISOString() === text, { error: "must be a real instant" }),
);

export const ActionWindow = z.strictObject({ Start: ActionInstant, End: ActionInstant });

export const E164 = z.string().check(z.regex(/^\+[1-9]\d{1,14}$/, { error: "must be an E.164 number" }));

export const ProactiveVoiceDeliveryRequest = z.strictObject({
  ApiVersion: z.literal("1.0"),
  ProactiveEngagementConfigId: Guid,
  DestinationPhoneNumber: E164,
  ContactId: Guid,
  Windows: z.optional(z.array(ActionWindow)),
  InputAttributes: z.optional(z.record(z.string(), z.string())),
});
export type ProactiveVoiceDeliveryRequest = z.infer<typeof ProactiveVoiceDeliveryRequest>;

export const ProactiveVoiceDeliveryResponse = z.object({
  "@odata.context": z.string(),
  DeliveryId: Guid,
});

/** The shape of every Dataverse Web API error body. */
export const ODataError = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});
export type ODataError = z.infer<typeof ODataError>;

// ---------- admin API ----------

export const DoNotCallChange = z.strictObject(
  {
    numbers: z
      .array(z.string().check(z.maxLength(40, { error: "phone_too_long" })), refuse("invalid_type"))
      .check(z.minLength(1, { error: "required" }), z.maxLength(10_000, { error: "too_long" }), z.describe("Numbers, international or national in `country`.")),
    country: z.optional(CountryCode),
    note: z.optional(z.string().check(z.maxLength(200, { error: "too_long" }))),
  },
  refuse("invalid_type"),
);

export const DoNotCallOutcome = z.object({
  added: z.optional(z.number()),
  alreadyListed: z.optional(z.number()),
  /** Calls already requested for the numbers added: cancelled, being sent (the worker cancels them), or not cancelled. */
  callsCancelled: z.optional(z.number()),
  callsBeingSent: z.optional(z.number()),
  callsNotCancelled: z.optional(z.number()),
  removed: z.optional(z.number()),
  invalid: z.array(z.object({ input: z.string(), code: z.string() })),
});

export const DoNotCallList = z.object({
  count: z.number(),
  entries: z.array(z.object({ phoneHash: z.string(), addedAt: UtcInstant, source: z.string(), note: z.optional(z.string()) })),
});
export type DoNotCallList = z.infer<typeof DoNotCallList>;

export const AdminCallback = z.object({
  requestId: z.string(),
  createdAt: UtcInstant,
  profile: z.string(),
  status: z.enum(["queued", "retrying", "scheduled", "failed", "expired", "cancelled"]).check(z.describe("`retrying`: queued after a failed attempt.")),
  attempts: z.number(),
  nextAttemptAt: z.optional(UtcInstant),
  windows: z.array(TimeWindow),
  phone: z.string().check(z.describe("Masked: all but the last two digits hidden.")),
  contactId: z.optional(z.string()),
  deliveryId: z.optional(z.string()),
  lastError: z.optional(z.string()),
});
export type AdminCallback = z.infer<typeof AdminCallback>;

export const AdminCallbacks = z.object({
  outbox: z.object({
    depth: z.number().check(z.describe("Requests waiting in the outbox (queued or retrying).")),
    oldestQueuedAt: z.optional(UtcInstant),
    byStatus: z.record(z.string(), z.number()),
  }),
  callbacks: z.array(AdminCallback),
});
export type AdminCallbacks = z.infer<typeof AdminCallbacks>;

/** GET /admin/settings.json: what the admin page's MSAL needs, and the role the BFF requires. */
export const AdminSignIn = z.object({
  authority: z.string(),
  clientId: z.string(),
  scopes: z.array(z.string()),
  protocolMode: z.enum(["AAD", "OIDC"]),
  knownAuthorities: z.array(z.string()),
  redirectUri: z.string(),
  role: z.string(),
});
export type AdminSignIn = z.infer<typeof AdminSignIn>;
