// Properties of what the BFF offers (offerFor, the code behind GET …/availability), over random
// zones, dates, profiles and callees (fast-check). Profiles go through the real profiles-file
// parser, with closed dates, per-country calling hours and no-call dates. The checks read wall
// clocks with date-fns-tz, independently of how the offer was computed: every offered slot is in
// the future, inside opening hours on an open day in the profile's zone, inside the permitted hours
// that apply to the callee's country on a day calls are allowed, in every zone of the callee, never
// overlapping, and survives the trip to the action's windows and back exactly; "as soon as
// possible" starts now, while open and permitted.
import { formatInTimeZone } from "date-fns-tz";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WEEKDAYS } from "../shared/slots";
import { fromActionWindows, mergeAdjacent, toActionWindows, type TimeSpan } from "../shared/windows";
import { offerFor } from "./availability";
import { countryZones } from "./callee-zones";
import { parseProfiles } from "./profiles";

const ZONES = Intl.supportedValuesOf("timeZone");
const MINUTE = 60_000;
const DAY = 86_400_000;
type WeeklyText = Partial<Record<(typeof WEEKDAYS)[number], string[]>>;

const hhmm = (minutes: number) => (minutes === 1440 ? "24:00" : `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`);
const range = fc
  .tuple(fc.integer({ min: 0, max: 95 }), fc.integer({ min: 1, max: 96 }))
  .map(([quarter, length]) => [quarter * 15, Math.min(1440, quarter * 15 + length * 15)] as const);
const dayRanges = fc.array(range, { maxLength: 2 }).map((ranges) =>
  // Ranges of one day must not overlap: keep them sorted and disjoint.
  [...ranges]
    .sort((a, b) => a[0] - b[0])
    .filter((r, i, all) => i === 0 || r[0] >= all[i - 1]![1])
    .map(([open, close]) => `${hhmm(open)}-${hhmm(close)}`),
);
const weekly: fc.Arbitrary<WeeklyText> = fc.tuple(...WEEKDAYS.map(() => dayRanges)).map((days) => Object.fromEntries(WEEKDAYS.map((d, i) => [d, days[i]])));

// Callees: single-zone and multi-zone countries, with all their zones or the few a number names.
const COUNTRIES = ["FR", "GB", "IN", "NP", "US", "AU", "BR", "CA", "RU", "MX", "NZ"];
const callee = fc
  .constantFrom(...COUNTRIES)
  .chain((country) => fc.subarray(countryZones(country), { minLength: 1 }).map((zones) => ({ country, zones, source: "country" as const })));

const now = fc.date({ min: new Date("2020-01-01T00:00:00Z"), max: new Date("2035-12-31T00:00:00Z"), noInvalidDate: true }).map((d) => d.getTime());
/** Local dates a few days either side of `t` (closures and no-call days must fall where they matter). */
const datesNear = (t: number) => fc.uniqueArray(fc.integer({ min: -1, max: 9 }).map((d) => new Date(t + d * DAY).toISOString().slice(0, 10)), { maxLength: 3 });

const scenario = now.chain((t) =>
  fc.record({
    now: fc.constant(t),
    timeZone: fc.constantFrom(...ZONES),
    // Lines open around the clock too, so that "as soon as possible" is often on offer.
    openingHours: fc.oneof(weekly, fc.constant(Object.fromEntries(WEEKDAYS.map((d) => [d, ["00:00-24:00"]])) as WeeklyText)),
    closedDates: datesNear(t),
    slotMinutes: fc.constantFrom(15, 20, 30, 45, 60, 90),
    horizonDays: fc.integer({ min: 1, max: 8 }),
    leadMinutes: fc.integer({ min: 0, max: 180 }),
    callingWeekly: fc.option(weekly, { nil: undefined }),
    countryOverride: fc.option(weekly, { nil: undefined }),
    noCallDates: datesNear(t),
    callee,
  }),
);

const minutesOf = (instant: number, zone: string) => {
  const [h, m, s] = formatInTimeZone(new Date(instant), zone, "HH:mm:ss").split(":").map(Number) as [number, number, number];
  return h * 60 + m + s / 60;
};
const weekdayOf = (instant: number, zone: string) => WEEKDAYS[Number(formatInTimeZone(new Date(instant), zone, "i")) % 7]!;
const dateOf = (instant: number, zone: string) => formatInTimeZone(new Date(instant), zone, "yyyy-MM-dd");
const toMinutes = (text: string) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5));

/** Whether the zone's wall clock at `instant` reads inside one of that weekday's ranges. */
function wallClockInside(hours: WeeklyText, instant: number, zone: string): boolean {
  const minutes = minutesOf(instant, zone);
  return (hours[weekdayOf(instant, zone)] ?? []).some((r) => minutes >= toMinutes(r.slice(0, 5)) && minutes < toMinutes(r.slice(6)));
}

const EIGHT_TO_NINE: WeeklyText = Object.fromEntries(WEEKDAYS.map((d) => [d, ["08:00-21:00"]]));

/** The permitted-hours rule, read the way an auditor would: on each callee zone's own clock and calendar. */
function permittedEverywhere(span: TimeSpan, s: { callingWeekly?: WeeklyText; countryOverride?: WeeklyText; noCallDates: string[]; callee: { country: string; zones: string[] } }) {
  const base = s.callingWeekly ?? EIGHT_TO_NINE;
  // A country's entry replaces only the weekdays it names.
  const hours = s.countryOverride ? { ...base, ...s.countryOverride } : base;
  return s.callee.zones.every((zone) => {
    for (let instant = span.start; instant < span.end; instant += 15 * MINUTE) {
      if (!wallClockInside(hours, instant, zone) || s.noCallDates.includes(dateOf(instant, zone))) return false;
    }
    const last = span.end - 1;
    return wallClockInside(hours, last, zone) && !s.noCallDates.includes(dateOf(last, zone));
  });
}

describe("what the BFF offers", () => {
  it("is future, within opening and permitted hours on allowed days, disjoint, and round-trips to action windows", async () => {
    let runsWithSlots = 0;
    let runsWithAsap = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const profile = parseProfiles({
          profiles: {
            line: {
              name: "Line",
              proactiveEngagementConfigId: "cbbac510-3e66-ef11-a671-6045bd03d9d8",
              timeZone: s.timeZone,
              openingHours: s.openingHours,
              closedDates: s.closedDates,
              slotMinutes: s.slotMinutes,
              horizonDays: s.horizonDays,
              leadMinutes: s.leadMinutes,
              maxWindows: 3,
              allowedCountries: [s.callee.country],
              consent: { version: "1", text: "Call me." },
              callingHours: {
                ...(s.callingWeekly ? { weekly: s.callingWeekly } : {}),
                byCountry: s.countryOverride ? { [s.callee.country]: s.countryOverride } : {},
                noCallDates: s.noCallDates,
              },
            },
          },
        }).get("line")!;
        const offer = await offerFor(profile, s.now, { slotUsage: async () => new Map() }, s.callee);
        if (offer.slots.length > 0) runsWithSlots++;

        for (const [i, slot] of offer.slots.entries()) {
          expect(slot.start).toBeGreaterThanOrEqual(s.now + s.leadMinutes * MINUTE);
          expect(slot.end - slot.start).toBe(s.slotMinutes * MINUTE);
          if (i > 0) expect(slot.start).toBeGreaterThanOrEqual(offer.slots[i - 1]!.end);
          // Opening hours on the profile's wall clock, on a day it is open.
          for (const instant of [slot.start, slot.end - 1]) {
            expect(wallClockInside(s.openingHours, instant, s.timeZone)).toBe(true);
          }
          expect(s.closedDates).not.toContain(dateOf(slot.start, s.timeZone));
          expect(permittedEverywhere(slot, s)).toBe(true);
        }
        const spans = offer.slots.map(({ start, end }) => ({ start, end }));
        expect(fromActionWindows(toActionWindows(spans))).toEqual(mergeAdjacent(spans));

        if (offer.asap) {
          runsWithAsap++;
          expect(offer.asap.start).toBe(s.now);
          expect(offer.asap.end).toBeGreaterThan(s.now);
          expect(wallClockInside(s.openingHours, s.now, s.timeZone)).toBe(true);
          expect(wallClockInside(s.openingHours, offer.asap.end - 1, s.timeZone)).toBe(true);
          expect(permittedEverywhere(offer.asap, s)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
    // The properties must have been exercised, not satisfied by empty offers.
    expect(runsWithSlots).toBeGreaterThan(30);
    expect(runsWithAsap).toBeGreaterThan(3);
  });
});
