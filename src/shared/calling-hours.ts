// Permitted calling hours in the called person's local time. A number may belong to several
// zones (a country spanning them, a number without a region): a time is permitted only if it is
// permitted in every one of them, so the permitted instants are the intersection over the zones.
import { WEEKDAYS, type WeeklyHours } from "./slots";
import { mergeAdjacent, type TimeSpan } from "./windows";
import { addDays, dayOfWeek, instantsReading, localDateAt, type LocalDate } from "./zoned-time";

export interface CallingHoursRules {
  enabled: boolean;
  /** Every country not listed in byCountry. */
  weekly: WeeklyHours;
  byCountry: Record<string, WeeklyHours>;
  /** Local dates (in the called person's zone) on which no call may be placed. */
  noCallDates: LocalDate[];
}

/** US telephone-solicitation hours, as a safe default everywhere: 08:00–21:00, every day. */
export const DEFAULT_CALLING_HOURS: CallingHoursRules = {
  enabled: true,
  weekly: Object.fromEntries(WEEKDAYS.map((day) => [day, [{ open: "08:00", close: "21:00" }]])),
  byCountry: {},
  noCallDates: [],
};

const DAY = 86_400_000;

/**
 * The permitted instants within [from, to) for a number in `country` reachable in `zones`.
 * No zone at all means we cannot tell what time it is there: nothing is permitted (fail closed).
 */
export function permittedSpans(rules: CallingHoursRules, country: string | undefined, zones: readonly string[], from: number, to: number): TimeSpan[] {
  if (!rules.enabled) return [{ start: from, end: to }];
  if (zones.length === 0) return [];
  const weekly = (country && rules.byCountry[country]) || rules.weekly;
  return zones
    .map((zone) => {
      const first = addDays(localDateAt(from, zone), -1);
      const days = Math.ceil((to - from) / DAY) + 3;
      const spans = permittedOnClock(zone, weekly, rules.noCallDates, first, days);
      return clip(mergeAdjacent(spans), from, to);
    })
    .reduce(intersectSpans);
}

/** The instants at which the zone's clock reads inside the weekly hours, date by date, on allowed days. */
function permittedOnClock(zone: string, weekly: WeeklyHours, noCallDates: readonly LocalDate[], from: LocalDate, days: number): TimeSpan[] {
  const spans: TimeSpan[] = [];
  for (let i = 0; i < days; i++) {
    const date = addDays(from, i);
    if (noCallDates.includes(date)) continue;
    for (const range of weekly[WEEKDAYS[dayOfWeek(date)]!] ?? []) spans.push(...instantsReading(date, range.open, range.close, zone));
  }
  return spans.sort((a, b) => a.start - b.start);
}

/** Instants present in both lists (each sorted and non-overlapping). */
export function intersectSpans(a: readonly TimeSpan[], b: readonly TimeSpan[]): TimeSpan[] {
  const result: TimeSpan[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const start = Math.max(a[i]!.start, b[j]!.start);
    const end = Math.min(a[i]!.end, b[j]!.end);
    if (start < end) result.push({ start, end });
    if (a[i]!.end < b[j]!.end) i++;
    else j++;
  }
  return result;
}

/** Whether `span` lies entirely inside one of `spans`. */
export function isWithin(span: TimeSpan, spans: readonly TimeSpan[]): boolean {
  return spans.some((s) => s.start <= span.start && span.end <= s.end);
}

/** The part of `span` from its start until permission ends; undefined if its start is not permitted. */
export function clipToPermitted(span: TimeSpan, spans: readonly TimeSpan[]): TimeSpan | undefined {
  const around = spans.find((s) => s.start <= span.start && span.start < s.end);
  return around && { start: span.start, end: Math.min(span.end, around.end) };
}

function clip(spans: TimeSpan[], from: number, to: number): TimeSpan[] {
  return spans.map((s) => ({ start: Math.max(s.start, from), end: Math.min(s.end, to) })).filter((s) => s.start < s.end);
}
