import { formatInTimeZone } from "date-fns-tz";
import { describe, expect, it } from "vitest";
import { clipToPermitted, DEFAULT_CALLING_HOURS, intersectSpans, isWithin, permittedSpans, type CallingHoursRules } from "./calling-hours";

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const day = (date: string, zone: string, rules: CallingHoursRules = DEFAULT_CALLING_HOURS, country?: string, zones = [zone]) =>
  permittedSpans(rules, country, zones, at(`${date}T00:00:00Z`) - 14 * 3600_000, at(`${date}T00:00:00Z`) + 38 * 3600_000)
    .filter((s) => formatInTimeZone(new Date(s.start), zone, "yyyy-MM-dd") === date)
    .map((s) => [iso(s.start), iso(s.end)]);

describe("permitted calling hours, 08:00 to 21:00 where the callee is", () => {
  it("follows Paris across the spring-forward night", () => {
    expect(day("2026-03-28", "Europe/Paris")).toEqual([["2026-03-28T07:00:00.000Z", "2026-03-28T20:00:00.000Z"]]);
    expect(day("2026-03-29", "Europe/Paris")).toEqual([["2026-03-29T06:00:00.000Z", "2026-03-29T19:00:00.000Z"]]);
  });

  it("follows New York across the fall-back night", () => {
    expect(day("2026-10-31", "America/New_York")).toEqual([["2026-10-31T12:00:00.000Z", "2026-11-01T01:00:00.000Z"]]);
    expect(day("2026-11-01", "America/New_York")).toEqual([["2026-11-01T13:00:00.000Z", "2026-11-02T02:00:00.000Z"]]);
  });

  it("follows Lord Howe's 30-minute shift and 45-minute offsets", () => {
    expect(day("2026-10-04", "Australia/Lord_Howe")).toEqual([["2026-10-03T21:00:00.000Z", "2026-10-04T10:00:00.000Z"]]);
    expect(day("2026-03-10", "Asia/Kathmandu")).toEqual([["2026-03-10T02:15:00.000Z", "2026-03-10T15:15:00.000Z"]]);
    expect(day("2026-01-10", "Pacific/Chatham")).toEqual([["2026-01-09T18:15:00.000Z", "2026-01-10T07:15:00.000Z"]]);
  });

  it("applies per-country weekday hours and no-call dates", () => {
    const rules: CallingHoursRules = {
      ...DEFAULT_CALLING_HOURS,
      byCountry: { US: { ...DEFAULT_CALLING_HOURS.weekly, sun: [{ open: "12:00", close: "20:00" }] } },
      noCallDates: ["2026-12-25"],
    };
    expect(day("2026-03-15", "America/Chicago", rules, "US")).toEqual([["2026-03-15T17:00:00.000Z", "2026-03-16T01:00:00.000Z"]]); // a Sunday
    expect(day("2026-03-15", "Europe/Paris", rules, "FR")).toEqual([["2026-03-15T07:00:00.000Z", "2026-03-15T20:00:00.000Z"]]);
    expect(day("2026-12-25", "Europe/Paris", rules, "FR")).toEqual([]);
  });

  it("holds on the clock through a repeated hour: 01:15-02:00 on London's fall-back night is two spans", () => {
    const early: CallingHoursRules = { ...DEFAULT_CALLING_HOURS, weekly: { sun: [{ open: "01:15", close: "02:00" }] } };
    // 25 October 2026: the clock reads 01:00-02:00 twice, first in BST (00:00-01:00 UTC), then in GMT.
    expect(day("2026-10-25", "Europe/London", early)).toEqual([
      ["2026-10-25T00:15:00.000Z", "2026-10-25T01:00:00.000Z"],
      ["2026-10-25T01:15:00.000Z", "2026-10-25T02:00:00.000Z"],
    ]);
    // 29 March 2026: 01:00-02:00 never shows on the clock (it jumps to 02:00 BST): no time at all.
    expect(day("2026-03-29", "Europe/London", early)).toEqual([]);
  });

  it("allows everything when switched off", () => {
    expect(permittedSpans({ ...DEFAULT_CALLING_HOURS, enabled: false }, "FR", ["Europe/Paris"], 0, 1000)).toEqual([{ start: 0, end: 1000 }]);
  });
});

describe("span helpers", () => {
  const a = [{ start: 0, end: 10 }, { start: 20, end: 30 }];
  it("intersects", () => {
    expect(intersectSpans(a, [{ start: 5, end: 25 }])).toEqual([{ start: 5, end: 10 }, { start: 20, end: 25 }]);
    expect(intersectSpans(a, [])).toEqual([]);
  });
  it("tells what lies inside and clips from a start", () => {
    expect(isWithin({ start: 2, end: 10 }, a)).toBe(true);
    expect(isWithin({ start: 8, end: 21 }, a)).toBe(false);
    expect(clipToPermitted({ start: 5, end: 25 }, a)).toEqual({ start: 5, end: 10 });
    expect(clipToPermitted({ start: 15, end: 25 }, a)).toBeUndefined();
  });
});
