// What the browser says about the visitor: their time zone and language, checked with the same
// rules the BFF applies, so an odd browser setting cannot get a request refused.
import { LocaleTag, TimeZoneName } from "../shared/profile-schemas";

/** The visitor's IANA zone; UTC when the browser does not say or says something we do not know. */
export function visitorTimeZone(zone = browserTimeZone()): string {
  return TimeZoneName.safeParse(zone).success ? zone : "UTC";
}

/** The visitor's language as a BCP 47 tag the API accepts, or undefined. */
export function visitorLocale(language = typeof navigator === "undefined" ? undefined : navigator.language): string | undefined {
  if (!language) return undefined;
  const parsed = LocaleTag.safeParse(language);
  return parsed.success ? Intl.getCanonicalLocales(language)[0] : undefined;
}

/**
 * The zone the browser is set to. Temporal, where there is one, says it without the locale data
 * that the page's first Intl formatter loads (tens of milliseconds, before the form could show).
 */
function browserTimeZone(): string {
  const temporal = (globalThis as { Temporal?: { Now: { timeZoneId(): string } } }).Temporal;
  return temporal?.Now.timeZoneId() ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
}
