// Wall-clock time in an IANA zone <-> instants, with daylight-saving gaps and repeats handled
// on purpose. date-fns-tz maps a missing wall time (02:30 on a spring-forward night) backwards
// and a repeated one to its later occurrence; for opening hours we want neither, so this module
// defines one rule: a wall time maps to the first instant at which the zone's clock reads it or later.
import { formatInTimeZone } from "date-fns-tz";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const validZones = new Map<string, boolean>();

export function isValidTimeZone(zone: string): boolean {
  let known = validZones.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: zone });
      known = zone.length <= 64;
    } catch {
      known = false;
    }
    if (validZones.size < 1000) validZones.set(zone, known);
  }
  return known;
}

/** A calendar date in some zone, as `yyyy-MM-dd`. */
export type LocalDate = string;
/** A wall-clock time as `HH:mm` (`24:00` means the end of the day). */
export type WallTime = string;

/**
 * The zone's offset from UTC at an instant, in milliseconds. (date-fns-tz's getTimezoneOffset reads
 * its argument as a wall time in the process's own zone, so it is wrong near transitions.)
 */
export function offsetAt(zone: string, instant: number): number {
  const offset = formatInTimeZone(new Date(instant), zone, "xxx"); // "+05:45", "-10:00"
  const sign = offset.startsWith("-") ? -1 : 1;
  return sign * (Number(offset.slice(1, 3)) * HOUR + Number(offset.slice(4, 6)) * MINUTE);
}

/**
 * The first instant at which the clock in `zone` reads `date time` or later.
 * - Ordinary times map to their only instant.
 * - Repeated times (autumn fall-back) map to their first occurrence.
 * - Missing times (spring-forward gap) map to the transition instant, where the clock jumps past them.
 */
export function wallTimeToInstant(date: LocalDate, time: WallTime, zone: string): number {
  const wall = wallTimeAsUtc(date, time);
  // Any instant showing this wall time lies within [wall - 14h, wall + 12h]; the offsets in force
  // at both ends of that range cover both sides of at most one transition.
  const before = offsetAt(zone, wall - 14 * HOUR);
  const after = offsetAt(zone, wall + 12 * HOUR);
  const candidates = [wall - before, wall - after].filter((t) => t + offsetAt(zone, t) === wall);
  if (candidates.length > 0) return Math.min(...candidates);
  return firstInstantWithOffset(zone, wall - after, wall - before, after);
}

/** Binary search for the transition instant in [low, high] where the offset becomes `target`. */
function firstInstantWithOffset(zone: string, low: number, high: number, target: number): number {
  let lo = Math.min(low, high);
  let hi = Math.max(low, high);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(zone, mid) === target) hi = mid;
    else lo = mid;
  }
  return hi;
}

function wallTimeAsUtc(date: LocalDate, time: WallTime): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const [hh, mm] = time.split(":").map(Number) as [number, number];
  return Date.UTC(y, m - 1, d, hh, mm);
}

/** The calendar date that the clock in `zone` shows at `instant`. */
export function localDateAt(instant: number, zone: string): LocalDate {
  return formatInTimeZone(new Date(instant), zone, "yyyy-MM-dd");
}

/** `date` plus `days` calendar days (pure calendar arithmetic, no zone involved). */
export function addDays(date: LocalDate, days: number): LocalDate {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Day of the week of a calendar date: 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: LocalDate): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}
