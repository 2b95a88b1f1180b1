// Callback profiles: one per line of business or entry point. The profiles file holds what the
// browser must never choose (the proactive engagement configuration, the attributes it may pass)
// next to what it may see (hours, slot length, consent text). See config/profiles.json.
import { readFileSync } from "node:fs";
import * as z from "zod/mini";
import { localize, type LocalizedTexts } from "../shared/localized-text";
import type { PublicProfile } from "../shared/schemas";
import { CountryCode, Guid, LanguageCode, ProfileName, SignInSettings, TimeZoneName, WidgetTheme } from "../shared/schemas";
import { DEFAULT_CALLING_HOURS, type CallingHoursRules } from "../shared/calling-hours";
import { WEEKDAYS, type BusinessCalendar, type OpeningRange, type Weekday } from "../shared/slots";
import { captchaScriptUrl, type BotDefenceSettings } from "./abuse/bot-defence";
import type { Limit } from "./abuse/rate-limiter";
import { ConfigError } from "./config";

const RANGE = /^([01]\d|2[0-3]):([0-5]\d)-(([01]\d|2[0-3]):([0-5]\d)|24:00)$/;

const OpeningRangeText = z.string().check(
  z.regex(RANGE, "must look like 09:00-17:00"),
  z.refine((text) => text.slice(0, 5) < text.slice(6), "must close after it opens"),
);

const LimitSetting = z.strictObject({ max: z.int().check(z.gte(1)), windowSeconds: z.int().check(z.gte(1)) });
const DEFAULT_LIMITS = {
  perNumber: { max: 3, windowSeconds: 86_400 },
  perProfile: { max: 1000, windowSeconds: 60 },
};

const Origin = z.string().check(
  z.regex(/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i, "must be an origin such as https://www.example.com (no path, no trailing slash)"),
);

const WeeklyHoursText = z.partialRecord(z.enum(WEEKDAYS), z.array(OpeningRangeText));

const CallingHoursFile = z.strictObject({
  enabled: z._default(z.boolean(), true),
  /** Permitted hours in the called person's local time; 08:00-21:00 every day when absent. */
  weekly: z.optional(WeeklyHoursText),
  /** Stricter (or looser) hours for numbers of some countries, e.g. { "US": { "sun": ["12:00-21:00"] } }. */
  byCountry: z._default(z.record(CountryCode, WeeklyHoursText), {}),
  /** Local dates on which no call may be placed at all. */
  noCallDates: z._default(z.array(z.iso.date()), []),
});

/** A text in the profile's language, or in several: { "en": "…", "fr": "…" }. */
const TextFile = z.union([
  z.string().check(z.minLength(1)),
  z.record(LanguageCode, z.string().check(z.minLength(1))).check(z.refine((texts) => Object.keys(texts).length > 0, "give the text in at least one language")),
]);

const ProfileFile = z.strictObject({
  /** The language of texts given as plain strings, and the one shown when the visitor's is not given. */
  language: z._default(LanguageCode, "en"),
  name: TextFile,
  /** Pages allowed to embed this profile (script tag, iframe) and call the API from a browser. */
  allowedOrigins: z._default(z.array(Origin), []),
  proactiveEngagementConfigId: Guid,
  timeZone: TimeZoneName,
  openingHours: WeeklyHoursText,
  closedDates: z._default(z.array(z.iso.date()), []),
  slotMinutes: z.int().check(z.gte(5), z.lte(240)),
  horizonDays: z.int().check(z.gte(1), z.lte(60)),
  leadMinutes: z._default(z.int().check(z.gte(0)), 0),
  /** ASAP is offered only while at least this much of the current opening remains. */
  asapMinimumMinutes: z._default(z.int().check(z.gte(1)), 10),
  maxWindows: z.int().check(z.gte(1), z.lte(24)),
  /** Requests one slot can hold; a full slot is shown unavailable and refused. Unlimited when absent. */
  capacityPerSlot: z.optional(z.int().check(z.gte(1))),
  /** The widget's default look for this line (hosts may override it). */
  theme: z.optional(WidgetTheme),
  /** Signed-in visitors: MSAL settings for the widget, and whether signing in is required. */
  signIn: z.optional(SignInSettings),
  callingHours: z._default(CallingHoursFile, { enabled: true, byCountry: {}, noCallDates: [] }),
  allowedCountries: z.array(CountryCode).check(z.minLength(1)),
  defaultCountry: z.optional(CountryCode),
  /** One version covers the text in every language: a new wording in any language is a new version. */
  consent: z.strictObject({ version: z.string().check(z.minLength(1)), text: TextFile }),
  attributes: z._default(
    z.strictObject({
      /** Keys a request may set (e.g. an order number the host page knows). */
      allowed: z._default(z.array(z.string()), []),
      /** Sent with every call of this profile; the request cannot override them. */
      fixed: z._default(z.record(z.string(), z.string()), {}),
    }),
    { allowed: [], fixed: {} },
  ),
  /** Abuse limits: accepted requests per number, requests per profile (per address: RATE_LIMIT_PER_ADDRESS). */
  limits: z._default(
    z.strictObject({
      perNumber: z._default(LimitSetting, DEFAULT_LIMITS.perNumber),
      perProfile: z._default(LimitSetting, DEFAULT_LIMITS.perProfile),
    }),
    DEFAULT_LIMITS,
  ),
  botDefence: z._default(
    z.strictObject({
      honeypot: z._default(z.boolean(), true),
      minFillSeconds: z._default(z.number().check(z.gte(0), z.lte(600)), 0),
      captcha: z.optional(
        z.strictObject({
          provider: z.enum(["turnstile", "hcaptcha", "recaptcha"]),
          siteKey: z.string().check(z.minLength(1)),
          /** Another siteverify endpoint (a self-hosted or test verifier). */
          verifyUrl: z.optional(z.url()),
          /** Another widget script (a self-hosted or test provider); pages' CSP then allows its origin. */
          scriptUrl: z.optional(z.url()),
        }),
      ),
    }),
    { honeypot: true, minFillSeconds: 0 },
  ),
});

const ProfilesFile = z.strictObject({ profiles: z.record(ProfileName, ProfileFile) });

export interface Profile {
  id: string;
  /** The line's name in the profile's own language. */
  name: string;
  /** The name in every language given (the profile's own included). */
  names: LocalizedTexts;
  /** The profile's own language: texts are shown in it when not given in the visitor's. */
  language: string;
  proactiveEngagementConfigId: string;
  calendar: BusinessCalendar;
  asapMinimumMinutes: number;
  maxWindows: number;
  allowedCountries: string[];
  defaultCountry?: string;
  consent: { version: string; texts: LocalizedTexts };
  allowedAttributes: string[];
  fixedAttributes: Record<string, string>;
  limits: { perNumber: Limit; perProfile: Limit };
  botDefence: BotDefenceSettings;
  allowedOrigins: string[];
  capacityPerSlot?: number;
  callingHours: CallingHoursRules;
  theme?: WidgetTheme;
  signIn?: SignInSettings;
}

export type Profiles = ReadonlyMap<string, Profile>;

export function loadProfiles(file: string): Profiles {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigError([`PROFILES_FILE: cannot read ${file} as JSON (${(error as Error).message})`]);
  }
  return parseProfiles(json, file);
}

export function parseProfiles(json: unknown, source = "profiles"): Profiles {
  const parsed = ProfilesFile.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${source}: ${issue.path.join(".")}: ${issue.message}`));
  }
  const problems: string[] = [];
  const profiles = new Map<string, Profile>();
  for (const [id, p] of Object.entries(parsed.data.profiles)) {
    if (p.defaultCountry && !p.allowedCountries.includes(p.defaultCountry)) {
      problems.push(`${source}: profiles.${id}.defaultCountry: ${p.defaultCountry} is not in allowedCountries`);
    }
    const names = textsOf(p.name, p.language);
    const consentTexts = textsOf(p.consent.text, p.language);
    for (const [field, texts] of [["name", names], ["consent.text", consentTexts]] as const) {
      if (texts[p.language] === undefined) problems.push(`${source}: profiles.${id}.${field}: give it in the profile's language "${p.language}" too (the one shown when the visitor's is missing)`);
    }
    profiles.set(id, {
      id,
      name: names[p.language] ?? "",
      names,
      language: p.language,
      proactiveEngagementConfigId: p.proactiveEngagementConfigId,
      calendar: {
        timeZone: p.timeZone,
        openingHours: parseOpeningHours(p.openingHours),
        closedDates: p.closedDates,
        slotMinutes: p.slotMinutes,
        horizonDays: p.horizonDays,
        leadMinutes: p.leadMinutes,
      },
      asapMinimumMinutes: p.asapMinimumMinutes,
      maxWindows: p.maxWindows,
      allowedCountries: p.allowedCountries,
      defaultCountry: p.defaultCountry,
      consent: { version: p.consent.version, texts: consentTexts },
      allowedAttributes: p.attributes.allowed,
      fixedAttributes: p.attributes.fixed,
      limits: p.limits,
      botDefence: p.botDefence,
      allowedOrigins: p.allowedOrigins.map((origin) => origin.toLowerCase()),
      capacityPerSlot: p.capacityPerSlot,
      callingHours: callingHours(p.callingHours),
      theme: p.theme,
      signIn: p.signIn && withKnownAuthority(p.signIn),
    });
  }
  if (profiles.size === 0) problems.push(`${source}: profiles: define at least one profile`);
  if (problems.length > 0) throw new ConfigError(problems);
  return profiles;
}

function textsOf(text: string | Record<string, string>, language: string): LocalizedTexts {
  return typeof text === "string" ? { [language]: text } : text;
}

/** The consent text a visitor speaking `locale` is shown (and agrees to), with its language. */
export function consentFor(profile: Profile, locale: string | undefined): { language: string; text: string } {
  return localize(profile.consent.texts, locale, profile.language);
}

/** The line's name for a visitor speaking `locale`. */
export function nameFor(profile: Profile, locale: string | undefined): string {
  return localize(profile.names, locale, profile.language).text;
}

function parseOpeningHours(hours: Partial<Record<Weekday, readonly string[]>>): BusinessCalendar["openingHours"] {
  const result: Partial<Record<Weekday, OpeningRange[]>> = {};
  for (const [day, ranges] of Object.entries(hours) as [Weekday, string[]][]) {
    result[day] = ranges.map((range) => ({ open: range.slice(0, 5), close: range.slice(6) }));
  }
  return result;
}

function callingHours(file: z.infer<typeof CallingHoursFile>): CallingHoursRules {
  const weekly = file.weekly ? parseOpeningHours(file.weekly) : DEFAULT_CALLING_HOURS.weekly;
  return {
    enabled: file.enabled,
    weekly,
    // A country's entry replaces only the weekdays it names.
    byCountry: Object.fromEntries(Object.entries(file.byCountry).map(([country, days]) => [country, { ...weekly, ...parseOpeningHours(days) }])),
    noCallDates: file.noCallDates,
  };
}

/** MSAL trusts a non-Microsoft (OIDC) authority only when it is listed as known. */
function withKnownAuthority(signIn: SignInSettings): SignInSettings {
  const msal = signIn.msal;
  if (!msal || msal.protocolMode !== "OIDC" || msal.knownAuthorities.length > 0) return signIn;
  return { ...signIn, msal: { ...msal, knownAuthorities: [new URL(msal.authority).host] } };
}

/** The origins a page using this profile's sign-in must be allowed to connect to (its CSP). */
export function signInOrigins(profile: Profile | undefined): string[] {
  return profile?.signIn?.msal ? [new URL(profile.signIn.msal.authority).origin] : [];
}

/** Every profile also accepting pages from these origins (the demo host, when it runs). */
export function withExtraOrigins(profiles: Profiles, origins: string[]): Profiles {
  return new Map([...profiles].map(([id, profile]) => [id, { ...profile, allowedOrigins: [...new Set([...profile.allowedOrigins, ...origins])] }]));
}

/**
 * What a browser may know about a profile; `formToken` starts its minimum fill time. Texts come in
 * the visitor's language (`locale`) when the profile has it, and in every language besides.
 */
export function toPublicProfile(profile: Profile, formToken: string, locale?: string): PublicProfile {
  const captcha = profile.botDefence.captcha;
  const consent = consentFor(profile, locale);
  return {
    id: profile.id,
    name: nameFor(profile, locale),
    names: profile.names,
    language: profile.language,
    timeZone: profile.calendar.timeZone,
    slotMinutes: profile.calendar.slotMinutes,
    horizonDays: profile.calendar.horizonDays,
    maxWindows: profile.maxWindows,
    allowedCountries: profile.allowedCountries,
    defaultCountry: profile.defaultCountry,
    consent: { version: profile.consent.version, text: consent.text, language: consent.language, texts: profile.consent.texts },
    attributes: profile.allowedAttributes,
    formToken,
    minFillSeconds: profile.botDefence.minFillSeconds,
    allowedOrigins: profile.allowedOrigins,
    ...(captcha ? { captcha: { provider: captcha.provider, siteKey: captcha.siteKey, scriptUrl: captchaScriptUrl(captcha) } } : {}),
    ...(profile.theme ? { theme: profile.theme } : {}),
    ...(profile.signIn ? { signIn: profile.signIn } : {}),
  };
}
