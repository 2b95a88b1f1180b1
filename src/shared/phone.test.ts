import fc from "fast-check";
import { getCountries, parsePhoneNumberFromString, validatePhoneNumberLength, type CountryCode } from "libphonenumber-js/core";
import max from "libphonenumber-js/metadata.max.json";
import min from "libphonenumber-js/metadata.min.json";
import { describe, expect, it } from "vitest";
import { checkPhone, formatAsYouType, maskPhone } from "./phone";

describe.each([
  ["max (BFF)", max],
  ["min (browser)", min],
])("checkPhone with %s metadata", (_name, metadata) => {
  const check = (input: string, country?: string, allowedCountries?: string[]) =>
    checkPhone(input, country, { allowedCountries }, metadata);

  it("normalises national input with a country to E.164", () => {
    expect(check("06 12 34 56 78", "FR")).toEqual({ ok: true, e164: "+33612345678", country: "FR" });
    expect(check("(201) 555-0123", "US")).toEqual({ ok: true, e164: "+12015550123", country: "US" });
  });

  it("takes international input as written, whatever country is picked", () => {
    expect(check("+33 6 12 34 56 78", "US")).toEqual({ ok: true, e164: "+33612345678", country: "FR" });
    expect(check("+44 20 7946 0958")).toEqual({ ok: true, e164: "+442079460958", country: "GB" });
  });

  it("says why a number is refused", () => {
    expect(check("", "FR")).toEqual({ ok: false, code: "phone_required" });
    expect(check("0612", "FR")).toEqual({ ok: false, code: "phone_too_short" });
    expect(check("06 12 34 56 78 90 12", "FR")).toEqual({ ok: false, code: "phone_too_long" });
    expect(check("(555) 123-4567", "US")).toEqual({ ok: false, code: "phone_invalid_for_country" });
    expect(check("abc", "FR")).toEqual({ ok: false, code: "phone_not_a_number" });
    expect(check("020 7946 0958")).toEqual({ ok: false, code: "phone_country_required" });
    expect(check("06 12 34 56 78", "XX")).toEqual({ ok: false, code: "country_invalid" });
    expect(check("06 12 34 56 78", "fr")).toEqual({ ok: false, code: "country_invalid" });
  });

  it("refuses countries the profile does not allow, including non-geographic numbers", () => {
    expect(check("+44 20 7946 0958", "FR", ["FR", "DE"])).toEqual({ ok: false, code: "phone_country_not_allowed" });
    expect(check("+800 1234 5678", undefined, ["FR"])).toEqual({ ok: false, code: "phone_country_not_allowed" });
    expect(check("06 12 34 56 78", "FR", ["FR", "DE"])).toMatchObject({ ok: true });
  });
});

describe("the two metadata sets", () => {
  it("differ only in precision: the BFF's max set refuses what the browser's min set lets through", () => {
    // A Martinique mobile typed as a French national number: right length, wrong region.
    expect(checkPhone("06 96 68 14 85", "FR", {}, min)).toMatchObject({ ok: true });
    expect(checkPhone("06 96 68 14 85", "FR", {}, max)).toEqual({ ok: false, code: "phone_invalid_for_country" });
  });
});

describe("formatAsYouType", () => {
  it("formats partial national and international input", () => {
    expect(formatAsYouType("0612345", "FR", min)).toBe("06 12 34 5");
    expect(formatAsYouType("+1201555", undefined, min)).toBe("+1 201 555");
  });

  it("ignores a country it does not know", () => {
    expect(formatAsYouType("+3361", "ZZ", min)).toBe("+33 6 1");
  });
});

// checkPhone asks for the length check only when a number is not valid: that relies on every
// number libphonenumber calls valid having a possible length.
describe.each([
  ["max", max],
  ["min", min],
])("libphonenumber-js with %s metadata", (_name, metadata) => {
  it("finds no length problem in any number it calls valid", () => {
    const countries = [undefined, ...getCountries(metadata)];
    const input = fc.tuple(fc.constantFrom("", "+", "0", "00"), fc.stringMatching(/^[0-9]{1,17}$/), fc.constantFrom(...countries));
    let valid = 0;
    fc.assert(
      fc.property(input, ([prefix, digits, country]) => {
        const text = prefix + digits;
        const defaultCountry = country as CountryCode | undefined;
        if (!parsePhoneNumberFromString(text, { defaultCountry }, metadata)?.isValid()) return;
        valid++;
        expect(validatePhoneNumberLength(text, { defaultCountry }, metadata)).toBeUndefined();
      }),
      { numRuns: 20_000 },
    );
    // The property says something only if some of the inputs were valid numbers.
    expect(valid).toBeGreaterThan(100);
  });
});

describe("maskPhone", () => {
  it("keeps only the prefix and the last two digits", () => {
    expect(maskPhone("+33612345678")).toBe("+33•••••••78");
    expect(maskPhone("+331")).toBe("••••");
  });
});
