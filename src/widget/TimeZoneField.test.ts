import { describe, expect, it } from "vitest";
import { knownZone } from "./TimeZoneField";

describe("knownZone", () => {
  const zones = Intl.supportedValuesOf("timeZone");

  it("takes a listed zone as it is", () => {
    expect(knownZone("Europe/Paris", zones)).toBe("Europe/Paris");
  });

  it("finds a zone typed by its current name when the list has its old one", () => {
    const kolkata = knownZone("Asia/Kolkata", zones);
    expect(kolkata && zones).toContain(kolkata);
    expect(new Intl.DateTimeFormat("en", { timeZone: kolkata, timeZoneName: "shortOffset" }).format(Date.parse("2030-01-01T00:00:00Z"))).toContain("GMT+5:30");
    expect(knownZone("europe/kyiv", zones)).toMatch(/^Europe\/(Kyiv|Kiev)$/);
  });

  it("refuses what is only on its way to being a zone, or not one at all", () => {
    expect(knownZone("Asia/Kolk", zones)).toBeUndefined();
    expect(knownZone("Mars/Olympus", zones)).toBeUndefined();
    expect(knownZone("", zones)).toBeUndefined();
  });
});
