// One zod schema per message, shared by the widget (react-hook-form's resolver), the BFF (request
// validation) and the OpenAPI document (z.toJSONSchema). Built with `zod/mini` so the browser
// bundle stays small. Each refusal carries an ErrorCode as its message; see error-codes.ts.
import * as z from "zod/mini";
import {
  Availability,
  CountryCode,
  LanguageCode,
  LocaleTag,
  LocalizedTexts,
  MsalSignIn,
  ProfileName,
  PublicProfile,
  refuse,
  SignInSettings,
  Slot,
  TimeZoneName,
  UtcInstant,
  WidgetTheme,
} from "./profile-schemas";
import { ACTION_INSTANT } from "./windows";

// The profile's and the times' schemas (and their building blocks) live in profile-schemas.ts.
export { Availability, CountryCode, LanguageCode, LocaleTag, LocalizedTexts, MsalSignIn, ProfileName, PublicProfile, SignInSettings, Slot, TimeZoneName, UtcInstant, WidgetTheme };

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

/** GET /api/v1/profiles/{profile}/me: the signed-in visitor's details, to prefill the form. */
export const SignedInVisitor = z.object({
  name: z.optional(z.string()),
  phone: z.optional(z.string().check(z.describe("The contact's number, E.164."))),
  phoneNational: z.optional(z.string().check(z.describe("The same number as people write it in its country (06 12 34 56 78), for the form."))),
  country: z.optional(CountryCode),
});
export type SignedInVisitor = z.infer<typeof SignedInVisitor>;

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
