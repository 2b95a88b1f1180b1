// The schemas a widget needs first, to check the profile and its times before it shows the form:
// apart from the others (schemas.ts, which re-exports them), so that the browser builds only these
// before the form is on screen and the rest once it is. Each refusal carries an ErrorCode as its
// message; see error-codes.ts.
import * as z from "zod/mini";
import type { ErrorCode } from "./error-codes";
import { isValidTimeZone } from "./time-zone-names";

/** Refuses with `code`; with `required` when the field is missing, `unknown_field` for extra keys. */
export function refuse(code: ErrorCode) {
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

export const LanguageCode = z
  .string(refuse("locale_invalid"))
  .check(z.regex(/^[a-z]{2,3}$/, { error: "locale_invalid" }), z.describe("An ISO 639 language code in lower case: `en`, `fr`, `ar`."));

/** One text in several languages, by language code. */
export const LocalizedTexts = z.record(LanguageCode, z.string());

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
