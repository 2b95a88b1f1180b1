// Callback slots generated from a profile's business hours in its own IANA zone.
// Each opening range [open, close) on a local date becomes the instants at which the zone's clock
// reads a time inside it (see instantsReading: a spring-forward gap shortens it, a repeated hour
// before `open` is left out), and is cut into equal slots stepped in real time from the opening
// instant; a partial slot at the end is dropped. Stepping in real time keeps every slot the
// advertised length even on the night the clocks change.
import type { TimeSpan } from "./windows";
import { addDays, dayOfWeek, instantsReading, localDateAt, type LocalDate, type WallTime } from "./zoned-time";

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

// Both functions below answer every availability and callback request, with the same profile and
// the same local dates all day long: their answers are kept (frozen, so no caller can change them),
// keyed by the profile's own hours objects, for the dates asked.
const spansCache = new WeakMap<WeeklyHours, Map<string, { closedDates: WeeklySchedule["closedDates"]; spans: readonly TimeSpan[] }>>();
// Per calendar: the slots of the horizon from today, and the last list handed out (from its first slot on).
const slotsCache = new WeakMap<BusinessCalendar, { today: LocalDate; slots: readonly TimeSpan[]; sorted: boolean; fromIndex?: number; from?: readonly TimeSpan[] }>();

/** The opening ranges of a schedule as instants, for the local dates `from` … `from + days - 1`. */
export function openingSpans(calendar: WeeklySchedule, from: LocalDate, days: number): readonly TimeSpan[] {
  let byDates = spansCache.get(calendar.openingHours);
  if (!byDates) spansCache.set(calendar.openingHours, (byDates = new Map()));
  const key = `${calendar.timeZone} ${from} ${days}`;
  const known = byDates.get(key);
  if (known && known.closedDates === calendar.closedDates) return known.spans;
  const spans = Object.freeze(computeOpeningSpans(calendar, from, days).map((span) => Object.freeze(span)));
  if (byDates.size >= 1000) byDates.clear();
  byDates.set(key, { closedDates: calendar.closedDates, spans });
  return spans;
}

function computeOpeningSpans(calendar: WeeklySchedule, from: LocalDate, days: number): TimeSpan[] {
  const closed = new Set(calendar.closedDates ?? []);
  const spans: TimeSpan[] = [];
  for (let i = 0; i < days; i++) {
    const date = addDays(from, i);
    if (closed.has(date)) continue;
    const ranges = calendar.openingHours[WEEKDAYS[dayOfWeek(date)]!] ?? [];
    for (const range of ranges) spans.push(...instantsReading(date, range.open, range.close, calendar.timeZone));
  }
  return spans.sort((a, b) => a.start - b.start);
}

/** Every slot that starts at or after `now + leadMinutes`, within the calendar's horizon. */
export function generateSlots(calendar: BusinessCalendar, now: number): readonly TimeSpan[] {
  const earliestStart = now + (calendar.leadMinutes ?? 0) * MINUTE;
  const today = localDateAt(now, calendar.timeZone);
  let day = slotsCache.get(calendar);
  if (!day || day.today !== today) {
    const slotLength = calendar.slotMinutes * MINUTE;
    const slots: TimeSpan[] = [];
    for (const span of openingSpans(calendar, today, calendar.horizonDays)) {
      for (let start = span.start; start + slotLength <= span.end; start += slotLength) slots.push(Object.freeze({ start, end: start + slotLength }));
    }
    const sorted = slots.every((slot, i) => i === 0 || slots[i - 1]!.start <= slot.start);
    slotsCache.set(calendar, (day = { today, slots: Object.freeze(slots), sorted }));
  }
  if (!day.sorted) return day.slots.filter((slot) => slot.start >= earliestStart);
  // The day's slots are in time order: skip those starting too soon.
  let low = 0;
  let high = day.slots.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (day.slots[mid]!.start < earliestStart) low = mid + 1;
    else high = mid;
  }
  // The same list until the next slot starts: asked for on every request, it is made once.
  if (day.fromIndex !== low) day.from = Object.freeze(day.slots.slice((day.fromIndex = low)));
  return day.from!;
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
 * The offered slots that make up `window` exactly, first to last (one slot, or a run of adjacent
 * ones), or undefined when it is no such run.
 */
export function slotsCovering(window: TimeSpan, offered: readonly TimeSpan[]): TimeSpan[] | undefined {
  let index = offered.findIndex((slot) => slot.start === window.start);
  if (index < 0) return undefined;
  const covering = [offered[index]!];
  let end = covering[0]!.end;
  while (end < window.end) {
    const next = offered[++index];
    if (!next || next.start !== end) return undefined;
    covering.push(next);
    end = next.end;
  }
  return end === window.end ? covering : undefined;
}

/**
 * Whether `window` is exactly one offered slot or a run of back-to-back offered slots.
 * `offered` must be sorted by start, as generateSlots returns it.
 */
export function isOfferedWindow(window: TimeSpan, offered: readonly TimeSpan[]): boolean {
  return slotsCovering(window, offered) !== undefined;
}
