import { afterEach, describe, expect, it, vi } from "vitest";
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

describe("time zone names where the runtime has Temporal (browsers)", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("asks Temporal, and takes no UTC offset for a zone", () => {
    const asked: string[] = [];
    vi.stubGlobal("Temporal", {
      Now: {
        zonedDateTimeISO(zone: string) {
          asked.push(zone);
          // As Temporal does: zone names and UTC offsets.
          if (!/^(?:Pacific\/Chatham|Asia\/Rangoon|[+-]\d\d:\d\d)$/.test(zone)) throw new RangeError(`invalid time zone: ${zone}`);
          return {};
        },
      },
    });
    expect(isValidTimeZone("Pacific/Chatham")).toBe(true);
    expect(isValidTimeZone("Asia/Rangoon")).toBe(true);
    expect(isValidTimeZone("Pacific/Atlantis")).toBe(false);
    expect(isValidTimeZone("+05:30")).toBe(false);
    expect(asked).toEqual(["Pacific/Chatham", "Asia/Rangoon", "Pacific/Atlantis"]);
  });
});
