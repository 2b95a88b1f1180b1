import { describe, expect, it } from "vitest";
import { isValidTimeZone } from "./time-zone-names";

describe("time zone names", () => {
  it("recognises IANA zone names, UTC and the aliases a formatter accepts", () => {
    expect(isValidTimeZone("Europe/Paris")).toBe(true);
    expect(isValidTimeZone("Asia/Kathmandu")).toBe(true);
    expect(isValidTimeZone("UTC")).toBe(true);
    expect(isValidTimeZone("Asia/Calcutta")).toBe(true);
    expect(isValidTimeZone("Asia/Kolkata")).toBe(true);
    expect(isValidTimeZone("US/Eastern")).toBe(true);
  });

  it("refuses what is not a zone", () => {
    expect(isValidTimeZone("Mars/Olympus_Mons")).toBe(false);
    expect(isValidTimeZone("")).toBe(false);
    expect(isValidTimeZone(`Europe/${"x".repeat(64)}`)).toBe(false);
  });
});
