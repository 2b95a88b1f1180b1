// What a profile offers right now, for an optional number: the calendar's future slots, kept only
// where calling is permitted in the callee's zones, marked unavailable once full, and whether
// "as soon as possible" can be offered (open now, permitted now, for long enough).
import { clipToPermitted, isWithin, permittedSpans } from "../shared/calling-hours";
import { currentOpening, currentSlot, generateSlots } from "../shared/slots";
import type { Availability } from "../shared/schemas";
import { toPublicWindow, type TimeSpan } from "../shared/windows";
import type { CalleeZones } from "./callee-zones";
import { SharedBody } from "./content-encoding";
import type { Profile } from "./profiles";
import type { Store } from "./store/types";

const MINUTE = 60_000;
const DAY = 86_400_000;

export interface Offer {
  /** Calendar slots permitted for the callee (all of them without a number), in time order. */
  slots: Array<TimeSpan & { available: boolean }>;
  /** The window an "as soon as possible" request would get, if one can be offered now. */
  asap?: TimeSpan;
  /** Permitted instants for the callee over the horizon; absent without a number. */
  permitted?: TimeSpan[];
}

/**
 * When calls are allowed for the callee, from the start of today (UTC) to beyond the horizon: the
 * same for every request of the day, so kept per profile, country and zones. (Spans reaching back
 * before `now` change nothing: a window must start in the future anyway.)
 */
export function permittedFor(profile: Profile, callee: CalleeZones | undefined, now: number): TimeSpan[] | undefined {
  if (!callee) return undefined;
  const from = Math.floor(now / DAY) * DAY;
  const key = `${profile.id}|${from}|${callee.country ?? ""}|${callee.zones.join(",")}`;
  let spans = permittedCache.get(profile.callingHours)?.get(key);
  if (!spans) {
    spans = permittedSpans(profile.callingHours, callee.country, callee.zones, from, from + (profile.calendar.horizonDays + 2) * DAY);
    let byKey = permittedCache.get(profile.callingHours);
    if (!byKey || byKey.size > 10_000) permittedCache.set(profile.callingHours, (byKey = new Map()));
    byKey.set(key, spans);
  }
  return spans;
}
// Keyed by the rules object first, so a profile loaded again (new rules) never meets old answers.
const permittedCache = new WeakMap<object, Map<string, TimeSpan[]>>();

export function asapWindow(profile: Profile, now: number, permitted?: TimeSpan[]): TimeSpan | undefined {
  const opening = currentOpening(profile.calendar, now);
  let window = opening && { start: now, end: opening.end };
  if (window && permitted) window = clipToPermitted(window, permitted);
  if (!window || window.end - now < profile.asapMinimumMinutes * MINUTE) return undefined;
  return window;
}

export async function offerFor(profile: Profile, now: number, store: Pick<Store, "slotUsage">, callee?: CalleeZones): Promise<Offer> {
  const permitted = permittedFor(profile, callee, now);
  const slots = generateSlots(profile.calendar, now).filter((slot) => !permitted || isWithin(slot, permitted));
  let asap = asapWindow(profile, now, permitted);
  // "As soon as possible" takes a place in the slot under way: not offered once that one is full.
  const asapSlot = asap && currentSlot(profile.calendar, now);
  const from = Math.min(asapSlot?.start ?? Infinity, slots[0]?.start ?? Infinity);
  const usage = profile.capacityPerSlot && Number.isFinite(from) ? await store.slotUsage(profile.id, from, slots.at(-1)?.end ?? asapSlot!.end) : undefined;
  const hasRoom = (start: number) => !usage || (usage.get(start) ?? 0) < profile.capacityPerSlot!;
  if (asapSlot && !hasRoom(asapSlot.start)) asap = undefined;
  return {
    slots: slots.map((slot) => ({ start: slot.start, end: slot.end, available: hasRoom(slot.start) })),
    asap,
    permitted,
  };
}

/** The availability answer as sent. */
export function availabilityBody(profile: Profile, offer: Offer): Availability {
  return {
    timeZone: profile.calendar.timeZone,
    slots: offer.slots.map((slot) => {
      const window = toPublicWindow(slot);
      return { start: window.start, end: window.end, available: slot.available };
    }),
    asap: offer.asap !== undefined,
  };
}

/**
 * The answer without a number, as JSON bytes. It is the same for every visitor until a slot
 * passes, fills or frees, or "as soon as possible" comes or goes: two weeks of 15-minute slots
 * are 100 kB of JSON, so the last answer of each profile is kept and sent again while those agree.
 */
export function sharedAvailability(store: Pick<Store, "slotUsage" | "usageVersion">, reuseUsageMs = 1000) {
  const last = new Map<string, { key: string; answer: SharedBody }>();
  // Reading every slot's usage is the costly part: it is reused while the store says nothing
  // changed, or, where other instances write too, for at most `reuseUsageMs` (a booking still
  // checks capacity atomically, so a slot that filled a moment ago is refused, not double-booked).
  const usages = new Map<string, { version: number | undefined; at: number; from: number; usage: Map<number, number> | undefined; full: string }>();
  const encoder = new TextEncoder();
  return async (profile: Profile, now: number): Promise<SharedBody> => {
    const slots = generateSlots(profile.calendar, now);
    const capacity = profile.capacityPerSlot;
    // The slot under way counts too: "as soon as possible" goes once it is full.
    const asapSlot = currentSlot(profile.calendar, now);
    const from = Math.min(asapSlot?.start ?? Infinity, slots[0]?.start ?? Infinity);
    const version = store.usageVersion?.();
    let reading = usages.get(profile.id);
    // Real time, not the clock the answer is computed for (tests pin that one).
    const at = performance.now();
    const fresh = reading && reading.from === from && (version === undefined ? at - reading.at < reuseUsageMs : reading.version === version);
    if (!fresh) {
      const usage = capacity && Number.isFinite(from) ? await store.slotUsage(profile.id, from, slots.at(-1)?.end ?? asapSlot!.end) : undefined;
      const full = usage ? [...usage].filter(([, used]) => used >= capacity!).map(([start]) => start).sort((a, b) => a - b) : [];
      usages.set(profile.id, (reading = { version, at, from, usage, full: full.join(",") }));
    }
    const usage = reading!.usage;
    const key = `${slots[0]?.start}/${slots.at(-1)?.end}/${slots.length}/${asapWindow(profile, now) !== undefined}/${reading!.full}`;
    const known = last.get(profile.id);
    if (known?.key === key) return known.answer;
    const offer = await offerFor(profile, now, { slotUsage: async () => usage ?? new Map() });
    const answer = new SharedBody(encoder.encode(JSON.stringify(availabilityBody(profile, offer))));
    last.set(profile.id, { key, answer });
    return answer;
  };
}
