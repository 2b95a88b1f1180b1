// Phone numbers: parse international or national input, normalise to E.164, say why a number is
// refused. The metadata is passed in so the browser can use libphonenumber-js's small `min` set
// (length checks) and the BFF the `max` set (exact digit patterns), with one rule in one place.
import {
  AsYouType,
  isSupportedCountry,
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
  type CountryCode,
  type MetadataJson,
} from "libphonenumber-js/core";
import type { ErrorCode } from "./error-codes";

export type PhoneRefusal = Extract<
  ErrorCode,
  | "phone_required"
  | "phone_not_a_number"
  | "phone_too_short"
  | "phone_too_long"
  | "phone_invalid_length"
  | "phone_invalid_for_country"
  | "phone_country_required"
  | "phone_country_not_allowed"
  | "country_invalid"
>;

export interface PhoneRules {
  /** ISO 3166-1 alpha-2 codes a profile accepts; empty or absent means any country. */
  allowedCountries?: readonly string[];
}

export type PhoneCheck =
  | { ok: true; e164: string; country: CountryCode | undefined }
  | { ok: false; code: PhoneRefusal };

const LENGTH_REFUSALS: Record<string, PhoneRefusal> = {
  NOT_A_NUMBER: "phone_not_a_number",
  TOO_SHORT: "phone_too_short",
  TOO_LONG: "phone_too_long",
  INVALID_LENGTH: "phone_invalid_length",
  INVALID_COUNTRY: "phone_country_required",
};

export function isKnownCountry(country: string, metadata: MetadataJson): country is CountryCode {
  return /^[A-Z]{2}$/.test(country) && isSupportedCountry(country as CountryCode, metadata);
}

/**
 * Checks a phone number as a visitor typed it. `country` is the country picked next to the field;
 * it is used for national input and ignored when the number starts with its international prefix.
 */
export function checkPhone(
  input: string,
  country: string | undefined,
  rules: PhoneRules,
  metadata: MetadataJson,
): PhoneCheck {
  const text = input.trim();
  if (text === "") return { ok: false, code: "phone_required" };
  if (country !== undefined && !isKnownCountry(country, metadata)) return { ok: false, code: "country_invalid" };
  const defaultCountry = country as CountryCode | undefined;

  // A valid number has a possible length: the length check (a second parse) only runs to say why
  // a number is refused, not on every accepted request.
  const parsed = parsePhoneNumberFromString(text, { defaultCountry }, metadata);
  if (!parsed?.isValid()) {
    const lengthProblem = validatePhoneNumberLength(text, { defaultCountry }, metadata);
    if (lengthProblem) return { ok: false, code: LENGTH_REFUSALS[lengthProblem] ?? "phone_not_a_number" };
    return { ok: false, code: parsed ? "phone_invalid_for_country" : "phone_not_a_number" };
  }

  const allowed = rules.allowedCountries ?? [];
  if (allowed.length > 0 && (!parsed.country || !allowed.includes(parsed.country))) {
    return { ok: false, code: "phone_country_not_allowed" };
  }
  return { ok: true, e164: parsed.number, country: parsed.country };
}

/** Formats partial input the way the number is written in its country, for display while typing. */
export function formatAsYouType(input: string, country: string | undefined, metadata: MetadataJson): string {
  const defaultCountry = country && isKnownCountry(country, metadata) ? country : undefined;
  return new AsYouType(defaultCountry, metadata).input(input);
}

/** An E.164 number written as people write it in its own country, to prefill a form with. */
export function nationalFormat(e164: string, metadata: MetadataJson): string {
  return parsePhoneNumberFromString(e164, {}, metadata)?.formatNational() ?? e164;
}

/** Masks all but the last two digits, for logs and admin screens: +3361234567 -> +33•••••••67 */
export function maskPhone(e164: string): string {
  if (e164.length <= 5) return "•".repeat(e164.length);
  return e164.slice(0, 3) + "•".repeat(e164.length - 5) + e164.slice(-2);
}
