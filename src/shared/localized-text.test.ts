import { describe, expect, it } from "vitest";
import { localize, textLanguage } from "./localized-text";

const consent = { en: "I agree.", fr: "J’accepte.", ar: "أوافق." };

describe("localize", () => {
  it("gives the visitor's language by its subtag, whatever the region or separator", () => {
    expect(localize(consent, "fr-CA", "en")).toEqual({ language: "fr", text: "J’accepte." });
    expect(localize(consent, "AR_EG", "en")).toEqual({ language: "ar", text: "أوافق." });
  });

  it("falls back to the profile's own language when the visitor's is missing or unknown", () => {
    expect(textLanguage(consent, "de-DE", "en")).toBe("en");
    expect(textLanguage(consent, undefined, "fr")).toBe("fr");
    expect(textLanguage(consent, "", "en")).toBe("en");
    // Only the texts' own keys count, not what every object inherits.
    expect(textLanguage(consent, "constructor", "en")).toBe("en");
  });
});
