// Wall-clock time in an IANA zone <-> instants, with daylight-saving gaps and repeats handled
// on purpose. date-fns-tz maps a missing wall time (02:30 on a spring-forward night) backwards
// and a repeated one to its later occurrence; for opening hours we want neither, so this module
// defines one rule: a wall time maps to the first instant at which the zone's clock reads it or later.
// The zone's clock is read with the platform's Intl.DateTimeFormat, one formatter per zone (the
// tests check it against date-fns-tz, which the BFF does not load: it and the date-fns formatting
// it brings cost the server ~13 MB of resident memory to read six numbers). What is read again and
// again (the same wall times, the same ranges, today's date) is remembered, since every
// availability answer and callback request would otherwise read hundreds of them.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A calendar date in some zone, as `yyyy-MM-dd`. */
export type LocalDate = string;
/** A wall-clock time as `HH:mm` (`24:00` means the end of the day). */
export type WallTime = string;

const clocks = new Map<string, Intl.DateTimeFormat>();

function clockIn(zone: string): Intl.DateTimeFormat {
  let clock = clocks.get(zone);
  if (!clock) {
    clock = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    // Zone names come from configuration and validated requests: a few hundred at most.
    if (clocks.size < 1000) clocks.set(zone, clock);
  }
  return clock;
}

/** Where each part of a formatted clock reading goes in clockAt's answer. */
const FIELDS: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = { year: 0, month: 1, day: 2, hour: 3, minute: 4, second: 5 };

/** What the clock in `zone` reads at `instant`: year, month (1-12), day, hour (0-23), minute, second. */
function clockAt(zone: string, instant: number): [number, number, number, number, number, number] {
  const reading = [0, 0, 0, 0, 0, 0] as [number, number, number, number, number, number];
  for (const part of clockIn(zone).formatToParts(instant)) {
    const field = FIELDS[part.type];
    if (field !== undefined) reading[field] = Number(part.value);
  }
  return reading;
}

/**
 * The zone's offset from UTC at an instant, in milliseconds, to the minute. (date-fns-tz's
 * getTimezoneOffset reads its argument as a wall time in the process's own zone, so it is wrong
 * near transitions.)
 */
export function offsetAt(zone: string, instant: number): number {
  const [y, mo, d, h, mi, s] = clockAt(zone, instant);
  const wholeSecond = Math.floor(instant / 1000) * 1000;
  // Historical local mean times had offsets in seconds; offsets are whole minutes ever since.
  return Math.round((Date.UTC(y, mo - 1, d, h, mi, s) - wholeSecond) / MINUTE) * MINUTE;
}

/**
 * A function whose answers are remembered by key, up to `limit` of them (then it starts afresh):
 * the same wall times, ranges and dates are asked for again on every request.
 */
function remembered<A extends unknown[], R>(limit: number, key: (...args: A) => string, compute: (...args: A) => R): (...args: A) => R {
  const answers = new Map<string, R>();
  return (...args) => {
    const k = key(...args);
    let answer = answers.get(k);
    if (answer === undefined) {
      answer = compute(...args);
      if (answers.size >= limit) answers.clear();
      answers.set(k, answer);
    }
    return answer;
  };
}

/**
 * The first instant at which the clock in `zone` reads `date time` or later.
 * - Ordinary times map to their only instant.
 * - Repeated times (autumn fall-back) map to their first occurrence.
 * - Missing times (spring-forward gap) map to the transition instant, where the clock jumps past them.
 */
export const wallTimeToInstant: (date: LocalDate, time: WallTime, zone: string) => number = remembered(
  50_000,
  (date, time, zone) => `${zone} ${date} ${time}`,
  firstInstantReading,
);

/**
 * Every instant at which the clock in `zone` reads a time in [open, close) on `date`, exactly:
 * where the clocks go back inside the range, the repeated stretch before `open` is left out, so
 * the range can come back as two spans: opening hours and calling hours must both hold on the clock
 * at every instant, not only from the first time it reads `open`.
 */
export const instantsReading: (date: LocalDate, open: WallTime, close: WallTime, zone: string) => ReadonlyArray<{ readonly start: number; readonly end: number }> =
  remembered(50_000, (date, open, close, zone) => `${zone} ${date} ${open} ${close}`, spansReading);

function spansReading(date: LocalDate, open: WallTime, close: WallTime, zone: string): ReadonlyArray<{ readonly start: number; readonly end: number }> {
  const start = wallTimeToInstant(date, open, zone);
  const end = wallTimeToInstant(date, close, zone);
  if (end <= start) return [];
  const before = offsetAt(zone, start);
  const after = offsetAt(zone, end - 1);
  const change = before === after ? end : firstInstantWithOffset(zone, start, end - 1, after);
  const pieces = [
    { from: start, to: change, offset: before },
    { from: change, to: end, offset: after },
  ];
  const wallOpen = wallTimeAsUtc(date, open);
  const wallClose = wallTimeAsUtc(date, close);
  return pieces.flatMap(({ from, to, offset }) => {
    const lo = Math.max(from, wallOpen - offset);
    const hi = Math.min(to, wallClose - offset);
    return lo < hi ? [{ start: lo, end: hi }] : [];
  });
}

function firstInstantReading(date: LocalDate, time: WallTime, zone: string): number {
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
export const localDateAt: (instant: number, zone: string) => LocalDate = remembered(
  10_000,
  // Offsets are whole minutes: within a minute, the date cannot change.
  (instant, zone) => `${zone} ${Math.floor(instant / MINUTE)}`,
  (instant, zone) => {
    const [y, m, d] = clockAt(zone, instant);
    return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
  },
);

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
