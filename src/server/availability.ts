// What a profile offers right now, for an optional number: the calendar's future slots, kept only
// where calling is permitted in the callee's zones, marked unavailable once full, and whether
// "as soon as possible" can be offered (open now, permitted now, for long enough).
import { clipToPermitted, isWithin, permittedSpans } from "../shared/calling-hours";
import { currentOpening, currentSlot, generateSlots } from "../shared/slots";
import type { TimeSpan } from "../shared/windows";
import type { CalleeZones } from "./callee-zones";
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

export function permittedFor(profile: Profile, callee: CalleeZones | undefined, now: number): TimeSpan[] | undefined {
  if (!callee) return undefined;
  return permittedSpans(profile.callingHours, callee.country, callee.zones, now, now + (profile.calendar.horizonDays + 1) * DAY);
}

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
    slots: slots.map((slot) => ({ ...slot, available: hasRoom(slot.start) })),
    asap,
    permitted,
  };
}
