// Callback slots generated from a profile's business hours in its own IANA zone.
// Each opening range [open, close) on a local date becomes the instants at which the zone's clock
// first reads `open` and `close` (see wallTimeToInstant), and is cut into equal slots stepped in
// real time from the opening instant; a partial slot at the end is dropped. Stepping in real time
// keeps every slot the advertised length even on the night the clocks change.
import type { TimeSpan } from "./windows";
import { addDays, dayOfWeek, localDateAt, wallTimeToInstant, type LocalDate, type WallTime } from "./zoned-time";

export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface OpeningRange {
  open: WallTime;
  close: WallTime;
}

export type WeeklyHours = Partial<Record<Weekday, readonly OpeningRange[]>>;

/** Hours that repeat every week in one zone, minus some dates. */
export interface WeeklySchedule {
  timeZone: string;
  openingHours: WeeklyHours;
  closedDates?: readonly LocalDate[];
}

export interface BusinessCalendar extends WeeklySchedule {
  slotMinutes: number;
  horizonDays: number;
  /** Minimum time between now and the start of the first slot offered. */
  leadMinutes?: number;
}

const MINUTE = 60_000;

/** The opening ranges of a schedule as instants, for the local dates `from` … `from + days - 1`. */
export function openingSpans(calendar: WeeklySchedule, from: LocalDate, days: number): TimeSpan[] {
  const closed = new Set(calendar.closedDates ?? []);
  const spans: TimeSpan[] = [];
  for (let i = 0; i < days; i++) {
    const date = addDays(from, i);
    if (closed.has(date)) continue;
    const ranges = calendar.openingHours[WEEKDAYS[dayOfWeek(date)]!] ?? [];
    for (const range of ranges) {
      const start = wallTimeToInstant(date, range.open, calendar.timeZone);
      const end = wallTimeToInstant(date, range.close, calendar.timeZone);
      if (end > start) spans.push({ start, end });
    }
  }
  return spans.sort((a, b) => a.start - b.start);
}

/** Every slot that starts at or after `now + leadMinutes`, within the calendar's horizon. */
export function generateSlots(calendar: BusinessCalendar, now: number): TimeSpan[] {
  const slotLength = calendar.slotMinutes * MINUTE;
  const earliestStart = now + (calendar.leadMinutes ?? 0) * MINUTE;
  const today = localDateAt(now, calendar.timeZone);
  const slots: TimeSpan[] = [];
  for (const span of openingSpans(calendar, today, calendar.horizonDays)) {
    for (let start = span.start; start + slotLength <= span.end; start += slotLength) {
      if (start >= earliestStart) slots.push({ start, end: start + slotLength });
    }
  }
  return slots;
}

/** The opening range that contains `now`, if the line is open right now. */
export function currentOpening(calendar: BusinessCalendar, now: number): TimeSpan | undefined {
  const yesterday = addDays(localDateAt(now, calendar.timeZone), -1);
  return openingSpans(calendar, yesterday, 3).find((span) => span.start <= now && now < span.end);
}

/**
 * The slot of the calendar's grid that `now` falls in, while open: what an "as soon as possible"
 * request takes from a slot's capacity (the call is placed now, so in this slot).
 */
export function currentSlot(calendar: BusinessCalendar, now: number): TimeSpan | undefined {
  const opening = currentOpening(calendar, now);
  if (!opening) return undefined;
  const slotLength = calendar.slotMinutes * MINUTE;
  const start = opening.start + Math.floor((now - opening.start) / slotLength) * slotLength;
  return { start, end: Math.min(start + slotLength, opening.end) };
}

/**
 * Whether `window` is exactly one offered slot or a run of back-to-back offered slots.
 * `offered` must be sorted by start, as generateSlots returns it.
 */
export function isOfferedWindow(window: TimeSpan, offered: readonly TimeSpan[]): boolean {
  let index = offered.findIndex((slot) => slot.start === window.start);
  if (index < 0) return false;
  let end = offered[index]!.end;
  while (end < window.end) {
    const next = offered[++index];
    if (!next || next.start !== end) return false;
    end = next.end;
  }
  return end === window.end;
}
