// Slots as the visitor sees them: grouped by the calendar day in the visitor's own zone, with
// labels in their locale. A slot that crosses the visitor's midnight belongs to the day it starts.
import type { Slot } from "../shared/schemas";
import type { Messages } from "./i18n";
import { en } from "./i18n/en";

export interface SlotView {
  start: string;
  end: string;
  available: boolean;
  /** "13:00 – 13:30": the visible text */
  timeLabel: string;
  /** "Tuesday 10 March, 13:00 to 13:30, available": the checkbox's accessible name */
  accessibleName: string;
}

export interface DayGroup {
  /** yyyy-MM-dd in the visitor's zone */
  date: string;
  label: string;
  slots: SlotView[];
}

export interface SlotFormatter {
  /** The locale dates are written in. */
  locale: string;
  /** The words around the dates ("to", "available"). */
  t: Messages;
  day(instant: string | number): string;
  time(instant: string | number): string;
  dateKey(instant: string | number): string;
  /** "Tuesday 10 March, 13:00 to 14:00"; names the end's day too when the window runs past midnight. */
  window(start: string | number, end: string | number): string;
}

/**
 * Formats instants in the visitor's zone and locale; `dateKey` is locale-independent, for grouping.
 * The Intl formats are made on first use: a form offering "as soon as possible" shows no time at
 * first, and building them would delay it.
 */
export function createSlotFormatter(locale: string | undefined, timeZone: string, t: Messages = en): SlotFormatter {
  const once = <T>(make: () => T) => {
    let made: T | undefined;
    return () => (made ??= make());
  };
  const day = once(() => new Intl.DateTimeFormat(locale, { weekday: "long", day: "numeric", month: "long", timeZone }));
  const time = once(() => new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", timeZone }));
  const key = once(() => new Intl.DateTimeFormat("en-US", { year: "numeric", month: "2-digit", day: "2-digit", timeZone }));
  const at = (instant: string | number) => new Date(instant);
  const dateKey = (instant: string | number) => {
    const parts = Object.fromEntries(key().formatToParts(at(instant)).map((part) => [part.type, part.value]));
    return `${parts.year}-${parts.month}-${parts.day}`;
  };
  return {
    get locale() {
      return day().resolvedOptions().locale;
    },
    t,
    day: (instant) => day().format(at(instant)),
    time: (instant) => time().format(at(instant)),
    dateKey,
    window(start, end) {
      // Half-open: a window ending at midnight ends on its own day; one running past it names both days.
      const sameDay = dateKey(start) === dateKey(new Date(end).getTime() - 1);
      return `${day().format(at(start))}, ${t.range(time().format(at(start)), `${sameDay ? "" : `${day().format(at(end))}, `}${time().format(at(end))}`)}`;
    },
  };
}

/** Slots are sorted by start (the API sends them so), hence days come out in order. */
export function groupSlotsByDay(slots: readonly Slot[], format: SlotFormatter): DayGroup[] {
  const groups = new Map<string, DayGroup>();
  for (const slot of slots) {
    const date = format.dateKey(slot.start);
    let group = groups.get(date);
    if (!group) {
      group = { date, label: format.day(slot.start), slots: [] };
      groups.set(date, group);
    }
    group.slots.push({
      start: slot.start,
      end: slot.end,
      available: slot.available,
      timeLabel: `${format.time(slot.start)} – ${format.time(slot.end)}`,
      accessibleName: `${format.window(slot.start, slot.end)}, ${slot.available ? format.t.available : format.t.fullyBooked}`,
    });
  }
  return [...groups.values()];
}
