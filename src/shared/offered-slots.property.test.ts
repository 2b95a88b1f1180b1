// Properties of the slots a visitor is offered, over random zones, dates, calendars and calling
// hours (fast-check). The checks read wall clocks with date-fns-tz, independently of how the slots
// were computed: every offered slot is in the future, inside opening hours in the profile's zone,
// inside permitted hours in every zone of the callee, never overlapping, and survives the trip to
// the action's windows and back exactly.
import { formatInTimeZone } from "date-fns-tz";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_CALLING_HOURS, isWithin, permittedSpans, type CallingHoursRules } from "./calling-hours";
import { generateSlots, WEEKDAYS, type BusinessCalendar, type OpeningRange, type WeeklyHours } from "./slots";
import { fromActionWindows, mergeAdjacent, toActionWindows } from "./windows";

const ZONES = Intl.supportedValuesOf("timeZone");
const MINUTE = 60_000;

const wallTime = fc.integer({ min: 0, max: 95 }).map((quarter) => quarter * 15);
const hhmm = (minutes: number) => (minutes === 1440 ? "24:00" : `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`);
const range: fc.Arbitrary<OpeningRange> = fc
  .tuple(wallTime, fc.integer({ min: 1, max: 96 }))
  .map(([open, length]) => ({ open: hhmm(open), close: hhmm(Math.min(1440, open + length * 15)) }));
const dayRanges = fc.array(range, { maxLength: 2 }).map((ranges) =>
  // Two ranges of one day must not overlap; keep them sorted and disjoint.
  [...ranges].sort((a, b) => a.open.localeCompare(b.open)).filter((r, i, all) => i === 0 || r.open >= all[i - 1]!.close),
);
const weekly: fc.Arbitrary<WeeklyHours> = fc.tuple(...WEEKDAYS.map(() => dayRanges)).map((days) => Object.fromEntries(WEEKDAYS.map((d, i) => [d, days[i]])));

const calendar: fc.Arbitrary<BusinessCalendar> = fc.record({
  timeZone: fc.constantFrom(...ZONES),
  openingHours: weekly,
  slotMinutes: fc.constantFrom(15, 20, 30, 45, 60, 90),
  horizonDays: fc.integer({ min: 1, max: 8 }),
  leadMinutes: fc.integer({ min: 0, max: 180 }),
});
const callingHours: fc.Arbitrary<CallingHoursRules> = fc.oneof(
  fc.constant(DEFAULT_CALLING_HOURS),
  weekly.map((w) => ({ enabled: true, weekly: w, byCountry: {}, noCallDates: [] })),
);
const now = fc.date({ min: new Date("2020-01-01T00:00:00Z"), max: new Date("2035-12-31T00:00:00Z"), noInvalidDate: true }).map((d) => d.getTime());

const minutesOf = (instant: number, zone: string) => {
  const [h, m, s] = formatInTimeZone(new Date(instant), zone, "HH:mm:ss").split(":").map(Number) as [number, number, number];
  return h * 60 + m + s / 60;
};
const weekdayOf = (instant: number, zone: string) => WEEKDAYS[Number(formatInTimeZone(new Date(instant), zone, "i")) % 7]!;

/** Whether the zone's wall clock at `instant` reads inside one of that weekday's ranges. */
function wallClockInside(hours: WeeklyHours, instant: number, zone: string): boolean {
  const minutes = minutesOf(instant, zone);
  return (hours[weekdayOf(instant, zone)] ?? []).some((r) => minutes >= toMinutes(r.open) && minutes < toMinutes(r.close));
}
const toMinutes = (text: string) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5));

describe("offered slots", () => {
  it("are future, within opening and permitted hours, disjoint, and round-trip to action windows", () => {
    let runsWithSlots = 0;
    fc.assert(
      fc.property(calendar, callingHours, fc.uniqueArray(fc.constantFrom(...ZONES), { minLength: 1, maxLength: 3 }), now, (cal, rules, calleeZones, t) => {
        const horizonEnd = t + (cal.horizonDays + 2) * 86_400_000;
        const permitted = permittedSpans(rules, undefined, calleeZones, t, horizonEnd);
        const offered = generateSlots(cal, t).filter((slot) => isWithin(slot, permitted));
        if (offered.length > 0) runsWithSlots++;

        for (const [i, slot] of offered.entries()) {
          expect(slot.start).toBeGreaterThanOrEqual(t + (cal.leadMinutes ?? 0) * MINUTE);
          expect(slot.end - slot.start).toBe(cal.slotMinutes * MINUTE);
          if (i > 0) expect(slot.start).toBeGreaterThanOrEqual(offered[i - 1]!.end);
          // Opening hours, read on the profile's wall clock, at the slot's first and last instants.
          expect(wallClockInside(cal.openingHours, slot.start, cal.timeZone)).toBe(true);
          expect(wallClockInside(cal.openingHours, slot.end - 1, cal.timeZone)).toBe(true);
          // Calling hours in every zone of the callee, every quarter of an hour through the slot.
          for (const zone of calleeZones) {
            for (let instant = slot.start; instant < slot.end; instant += 15 * MINUTE) expect(wallClockInside(rules.weekly, instant, zone)).toBe(true);
            expect(wallClockInside(rules.weekly, slot.end - 1, zone)).toBe(true);
          }
        }
        expect(fromActionWindows(toActionWindows(offered))).toEqual(mergeAdjacent(offered));
      }),
      { numRuns: 150 },
    );
    // The properties must have been exercised, not satisfied by empty lists.
    expect(runsWithSlots).toBeGreaterThan(30);
  });
});
