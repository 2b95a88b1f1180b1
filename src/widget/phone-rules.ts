// What the form needs from libphonenumber-js (its small `min` metadata, the parser and the
// as-you-type formatter) and the form schema built on it, with react-hook-form's resolver for it:
// a third of the widget's code, so it is a chunk of its own, fetched once the form is on screen
// (use-phone-rules.ts). The phone field takes input before it arrives; formatting and checks start
// when it has, a few milliseconds later.
import { zodResolver } from "@hookform/resolvers/zod";
import { getCountryCallingCode, type CountryCode } from "libphonenumber-js/core";
import type { Resolver } from "react-hook-form";
import metadata from "libphonenumber-js/metadata.min.json";
import { checkPhone, formatAsYouType, isKnownCountry, type PhoneCheck } from "../shared/phone";
import type { PublicProfile } from "../shared/schemas";
import { buildFormSchema, type CallbackFormInput, type CallbackFormValues } from "./form-schema";

export interface PhoneRules {
  check(input: string, country: string | undefined, allowedCountries: readonly string[]): PhoneCheck;
  /** Partial input formatted the way numbers are written in `country`. */
  format(input: string, country: string | undefined): string;
  /** "33" for FR; undefined for a code libphonenumber does not know. */
  callingCode(country: string): string | undefined;
  /** The form's checks for this profile, for react-hook-form. */
  resolver(profile: Pick<PublicProfile, "allowedCountries" | "maxWindows">): Resolver<CallbackFormInput, unknown, CallbackFormValues>;
}

export const phoneRules: PhoneRules = {
  check: (input, country, allowedCountries) => checkPhone(input, country, { allowedCountries }, metadata),
  format: (input, country) => formatAsYouType(input, country, metadata),
  callingCode: (country) => (isKnownCountry(country, metadata) ? getCountryCallingCode(country as CountryCode, metadata) : undefined),
  resolver: (profile) => zodResolver(buildFormSchema(profile, metadata)),
};
