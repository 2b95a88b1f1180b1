import { formatInTimeZone } from "date-fns-tz";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays, dayOfWeek, localDateAt, offsetAt, wallTimeToInstant } from "./zoned-time";

const iso = (ms: number) => new Date(ms).toISOString();

describe("wallTimeToInstant", () => {
  it("maps an ordinary wall time to its only instant", () => {
    expect(iso(wallTimeToInstant("2026-03-10", "13:00", "Europe/Paris"))).toBe("2026-03-10T12:00:00.000Z");
    expect(iso(wallTimeToInstant("2026-07-10", "13:00", "Europe/Paris"))).toBe("2026-07-10T11:00:00.000Z");
    expect(iso(wallTimeToInstant("2026-07-10", "09:00", "America/New_York"))).toBe("2026-07-10T13:00:00.000Z");
  });

  it("maps a time inside the spring-forward gap to the instant the clock jumps (Paris, 02:30 on 29 March 2026)", () => {
    // At 01:00Z clocks go from 02:00 CET to 03:00 CEST: 02:30 never shows.
    expect(iso(wallTimeToInstant("2026-03-29", "02:30", "Europe/Paris"))).toBe("2026-03-29T01:00:00.000Z");
    expect(iso(wallTimeToInstant("2026-03-29", "02:00", "Europe/Paris"))).toBe("2026-03-29T01:00:00.000Z");
    expect(iso(wallTimeToInstant("2026-03-29", "03:00", "Europe/Paris"))).toBe("2026-03-29T01:00:00.000Z");
    expect(iso(wallTimeToInstant("2026-03-29", "03:30", "Europe/Paris"))).toBe("2026-03-29T01:30:00.000Z");
  });

  it("maps a repeated time to its first occurrence (Paris, 02:30 on 25 October 2026)", () => {
    // 02:30 CEST is 00:30Z; 02:30 CET (the repeat) is 01:30Z.
    expect(iso(wallTimeToInstant("2026-10-25", "02:30", "Europe/Paris"))).toBe("2026-10-25T00:30:00.000Z");
    expect(iso(wallTimeToInstant("2026-10-25", "03:00", "Europe/Paris"))).toBe("2026-10-25T02:00:00.000Z");
  });

  it("handles New York's gap and repeat", () => {
    expect(iso(wallTimeToInstant("2026-03-08", "02:15", "America/New_York"))).toBe("2026-03-08T07:00:00.000Z");
    expect(iso(wallTimeToInstant("2026-11-01", "01:30", "America/New_York"))).toBe("2026-11-01T05:30:00.000Z");
  });

  it("handles Lord Howe's 30-minute daylight-saving shift", () => {
    // Australia/Lord_Howe: +10:30 standard, +11:00 summer; clocks go 02:00 -> 02:30 on 4 October 2026.
    expect(iso(wallTimeToInstant("2026-10-04", "02:15", "Australia/Lord_Howe"))).toBe("2026-10-03T15:30:00.000Z");
    expect(iso(wallTimeToInstant("2026-10-04", "02:30", "Australia/Lord_Howe"))).toBe("2026-10-03T15:30:00.000Z");
    // Back from 02:00 to 01:30 on 5 April 2026: 01:45 happens twice, first at 14:45Z (+11:00).
    expect(iso(wallTimeToInstant("2026-04-05", "01:45", "Australia/Lord_Howe"))).toBe("2026-04-04T14:45:00.000Z");
  });

  it("handles fixed 30- and 45-minute offsets", () => {
    expect(iso(wallTimeToInstant("2026-03-10", "09:00", "Asia/Kolkata"))).toBe("2026-03-10T03:30:00.000Z");
    expect(iso(wallTimeToInstant("2026-03-10", "09:00", "Asia/Kathmandu"))).toBe("2026-03-10T03:15:00.000Z");
    expect(iso(wallTimeToInstant("2026-03-10", "09:00", "Australia/Eucla"))).toBe("2026-03-10T00:15:00.000Z");
  });

  it("handles the Chatham Islands' 45-minute offset with daylight saving (+12:45 / +13:45)", () => {
    expect(iso(wallTimeToInstant("2026-07-10", "09:00", "Pacific/Chatham"))).toBe("2026-07-09T20:15:00.000Z");
    expect(iso(wallTimeToInstant("2026-01-10", "09:00", "Pacific/Chatham"))).toBe("2026-01-09T19:15:00.000Z");
  });

  it("treats 24:00 as the start of the next day", () => {
    expect(iso(wallTimeToInstant("2026-03-10", "24:00", "UTC"))).toBe("2026-03-11T00:00:00.000Z");
  });

  it("survives a whole skipped day (Samoa, 30 December 2011)", () => {
    expect(iso(wallTimeToInstant("2011-12-30", "12:00", "Pacific/Apia"))).toBe("2011-12-30T10:00:00.000Z");
  });
});

describe("offsetAt", () => {
  // date-fns-tz, an implementation of its own, is the oracle: the zone's clock read two ways.
  const zones = Intl.supportedValuesOf("timeZone");
  // The oracle's offset, rounded to the minute as offsetAt's are (local mean times had seconds).
  const oracleOffset = (instant: number, zone: string) => {
    const [y, mo, d, h, mi, s] = formatInTimeZone(instant, zone, "yyyy M d H m s").split(" ").map(Number) as number[];
    return Math.round((Date.UTC(y!, mo! - 1, d, h, mi, s) - instant) / 60_000) * 60_000;
  };

  it("agrees with date-fns-tz in every zone, at any second from 1900 to 2100", () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.integer({ min: Date.UTC(1900, 0, 1) / 1000, max: Date.UTC(2100, 0, 1) / 1000 }), (zone, seconds) => {
        expect(offsetAt(zone, seconds * 1000)).toBe(oracleOffset(seconds * 1000, zone));
      }),
      { numRuns: 3000 },
    );
  });

  it("changes at the very second the clocks change (Paris, 29 March 2026 01:00 UTC)", () => {
    const change = Date.parse("2026-03-29T01:00:00Z");
    expect(offsetAt("Europe/Paris", change - 1000)).toBe(60 * 60_000);
    expect(offsetAt("Europe/Paris", change)).toBe(2 * 60 * 60_000);
  });
});

describe("calendar helpers", () => {
  it("gives the local date at an instant", () => {
    expect(localDateAt(Date.parse("2026-03-10T23:30:00Z"), "Europe/Paris")).toBe("2026-03-11");
    expect(localDateAt(Date.parse("2026-03-10T23:30:00Z"), "America/New_York")).toBe("2026-03-10");
  });

  it("adds days across month and year ends", () => {
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
  });

  it("knows the weekday", () => {
    expect(dayOfWeek("2026-03-10")).toBe(2); // a Tuesday
    expect(dayOfWeek("2026-03-15")).toBe(0); // a Sunday
  });
});

describe("independence from the process's own time zone", () => {
  it("gives the same answers whatever TZ the server runs in", () => {
    const saved = process.env.TZ;
    try {
      const answers = ["UTC", "America/New_York", "Asia/Kathmandu"].map((tz) => {
        process.env.TZ = tz;
        return [
          wallTimeToInstant("2026-03-29", "02:30", "Europe/Paris"),
          wallTimeToInstant("2026-11-01", "01:30", "America/New_York"),
          localDateAt(Date.parse("2026-03-10T23:30:00Z"), "Europe/Paris"),
        ];
      });
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
    } finally {
      process.env.TZ = saved;
    }
  });
});
