import { formatInTimeZone } from "date-fns-tz";
import { describe, expect, it } from "vitest";
import { currentOpening, generateSlots, isOfferedWindow, type BusinessCalendar } from "./slots";

const at = (iso: string) => Date.parse(iso);
const weekdays = (open: string, close: string) =>
  Object.fromEntries(["mon", "tue", "wed", "thu", "fri"].map((d) => [d, [{ open, close }]]));
const everyDay = (open: string, close: string) =>
  Object.fromEntries(["sun", "mon", "tue", "wed", "thu", "fri", "sat"].map((d) => [d, [{ open, close }]]));
const wall = (ms: number, zone: string) => formatInTimeZone(new Date(ms), zone, "yyyy-MM-dd HH:mm");

const paris: BusinessCalendar = {
  timeZone: "Europe/Paris",
  openingHours: weekdays("09:00", "17:00"),
  slotMinutes: 30,
  horizonDays: 7,
};

describe("generateSlots", () => {
  it("cuts business hours into slots in the profile's zone, weekdays only, over the horizon", () => {
    const now = at("2026-03-10T07:00:00Z"); // Tuesday 08:00 in Paris
    const slots = generateSlots(paris, now);
    expect(slots).toHaveLength(5 * 16); // Tue, Wed, Thu, Fri and Mon
    expect(slots[0]).toEqual({ start: at("2026-03-10T08:00:00Z"), end: at("2026-03-10T08:30:00Z") });
    expect(wall(slots.at(-1)!.start, "Europe/Paris")).toBe("2026-03-16 16:30");
    expect(slots.every((s) => s.end - s.start === 30 * 60_000)).toBe(true);
  });

  it("offers only slots that have not started, after the lead time", () => {
    const now = at("2026-03-10T09:10:00Z"); // 10:10 in Paris
    expect(wall(generateSlots(paris, now)[0]!.start, "Europe/Paris")).toBe("2026-03-10 10:30");
    expect(wall(generateSlots({ ...paris, leadMinutes: 60 }, now)[0]!.start, "Europe/Paris")).toBe("2026-03-10 11:30");
  });

  it("skips closed dates", () => {
    const now = at("2026-03-10T07:00:00Z");
    const slots = generateSlots({ ...paris, closedDates: ["2026-03-11"] }, now);
    expect(slots.some((s) => wall(s.start, "Europe/Paris").startsWith("2026-03-11"))).toBe(false);
    expect(slots).toHaveLength(4 * 16);
  });

  it("supports several ranges a day", () => {
    const calendar = { ...paris, openingHours: { tue: [{ open: "09:00", close: "10:00" }, { open: "14:00", close: "15:00" }] } };
    const slots = generateSlots(calendar, at("2026-03-10T07:00:00Z"));
    expect(slots.map((s) => wall(s.start, "Europe/Paris"))).toEqual([
      "2026-03-10 09:00",
      "2026-03-10 09:30",
      "2026-03-10 14:00",
      "2026-03-10 14:30",
    ]);
  });

  it("keeps slots one hour long across the spring-forward night (Paris, 29 March 2026)", () => {
    const night = { timeZone: "Europe/Paris", openingHours: { sun: [{ open: "00:00", close: "06:00" }] }, slotMinutes: 60, horizonDays: 2 };
    const slots = generateSlots(night, at("2026-03-28T22:00:00Z")); // Saturday 23:00 in Paris
    // 00:00 CET to 06:00 CEST lasts five real hours.
    expect(slots.map((s) => wall(s.start, "Europe/Paris"))).toEqual([
      "2026-03-29 00:00",
      "2026-03-29 01:00",
      "2026-03-29 03:00",
      "2026-03-29 04:00",
      "2026-03-29 05:00",
    ]);
  });

  it("offers the repeated hour twice on the fall-back night (Paris, 25 October 2026)", () => {
    const night = { timeZone: "Europe/Paris", openingHours: { sun: [{ open: "00:00", close: "06:00" }] }, slotMinutes: 60, horizonDays: 2 };
    const slots = generateSlots(night, at("2026-10-24T21:00:00Z"));
    expect(slots).toHaveLength(7);
    expect(slots.map((s) => formatInTimeZone(new Date(s.start), "Europe/Paris", "HH:mm xxx"))).toEqual([
      "00:00 +02:00",
      "01:00 +02:00",
      "02:00 +02:00",
      "02:00 +01:00",
      "03:00 +01:00",
      "04:00 +01:00",
      "05:00 +01:00",
    ]);
  });

  it("offers nothing before opening time when the clock goes back to it (Paris, 25 October 2026, open 02:30-03:00)", () => {
    const late = { timeZone: "Europe/Paris", openingHours: { sun: [{ open: "02:30", close: "03:00" }] }, slotMinutes: 15, horizonDays: 2 };
    const slots = generateSlots(late, at("2026-10-24T21:00:00Z"));
    // 02:30-03:00 shows twice on the clock; between the two, it reads 02:00-02:30: closed.
    expect(slots.map((s) => formatInTimeZone(new Date(s.start), "Europe/Paris", "HH:mm xxx"))).toEqual([
      "02:30 +02:00",
      "02:45 +02:00",
      "02:30 +01:00",
      "02:45 +01:00",
    ]);
  });

  it("drops the partial slot left by Lord Howe's 30-minute shift", () => {
    const night = { timeZone: "Australia/Lord_Howe", openingHours: { sun: [{ open: "00:00", close: "06:00" }] }, slotMinutes: 60, horizonDays: 2 };
    const slots = generateSlots(night, at("2026-10-03T13:00:00Z")); // Saturday 23:30 on Lord Howe
    // 00:00 (+10:30) to 06:00 (+11:00) is five and a half real hours: five whole slots.
    expect(slots).toHaveLength(5);
    expect(slots.map((s) => wall(s.start, "Australia/Lord_Howe"))).toEqual([
      "2026-10-04 00:00",
      "2026-10-04 01:00",
      "2026-10-04 02:30",
      "2026-10-04 03:30",
      "2026-10-04 04:30",
    ]);
  });

  it("places slots right in zones with 30- and 45-minute offsets", () => {
    const kathmandu = { timeZone: "Asia/Kathmandu", openingHours: weekdays("09:00", "10:00"), slotMinutes: 30, horizonDays: 1 };
    expect(generateSlots(kathmandu, at("2026-03-10T00:00:00Z"))).toEqual([
      { start: at("2026-03-10T03:15:00Z"), end: at("2026-03-10T03:45:00Z") },
      { start: at("2026-03-10T03:45:00Z"), end: at("2026-03-10T04:15:00Z") },
    ]);
    const kolkata = { ...kathmandu, timeZone: "Asia/Kolkata" };
    expect(generateSlots(kolkata, at("2026-03-10T00:00:00Z"))[0]!.start).toBe(at("2026-03-10T03:30:00Z"));
    const chatham = { ...kathmandu, timeZone: "Pacific/Chatham" };
    expect(generateSlots(chatham, at("2026-01-11T12:00:00Z"))[0]!.start).toBe(at("2026-01-11T19:15:00Z")); // Monday 09:00 +13:45
  });

  it("never returns overlapping or unsorted slots over a whole year of a busy calendar", () => {
    const calendar = { timeZone: "America/New_York", openingHours: everyDay("00:00", "24:00"), slotMinutes: 45, horizonDays: 366 };
    const slots = generateSlots(calendar, at("2026-01-01T05:00:00Z"));
    for (let i = 1; i < slots.length; i++) expect(slots[i]!.start).toBeGreaterThanOrEqual(slots[i - 1]!.end);
  });
});

describe("currentOpening", () => {
  it("finds the range the line is open in right now", () => {
    expect(currentOpening(paris, at("2026-03-10T10:00:00Z"))).toEqual({ start: at("2026-03-10T08:00:00Z"), end: at("2026-03-10T16:00:00Z") });
    expect(currentOpening(paris, at("2026-03-10T16:00:00Z"))).toBeUndefined(); // 17:00 is closing time
    expect(currentOpening(paris, at("2026-03-14T10:00:00Z"))).toBeUndefined(); // Saturday
  });
});

describe("isOfferedWindow", () => {
  const slots = generateSlots(paris, at("2026-03-10T07:00:00Z"));
  const first = slots[0]!;

  it("accepts one offered slot and a run of adjacent offered slots", () => {
    expect(isOfferedWindow(first, slots)).toBe(true);
    expect(isOfferedWindow({ start: first.start, end: slots[3]!.end }, slots)).toBe(true);
  });

  it("refuses windows that are misaligned, partial or run over a closed period", () => {
    expect(isOfferedWindow({ start: first.start + 60_000, end: first.end }, slots)).toBe(false);
    expect(isOfferedWindow({ start: first.start, end: first.end - 60_000 }, slots)).toBe(false);
    const lastOfTuesday = slots[15]!;
    expect(isOfferedWindow({ start: lastOfTuesday.start, end: slots[16]!.end }, slots)).toBe(false); // across the night
    expect(isOfferedWindow({ start: at("2026-03-14T09:00:00Z"), end: at("2026-03-14T09:30:00Z") }, slots)).toBe(false); // Saturday
  });
});
