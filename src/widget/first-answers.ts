// The profile and its times a widget shows first, fetched and checked before the widget's own code
// has arrived. The pages build this module (with the API client, zod and the shared schemas) as a
// small file of its own that the page or the loader runs as soon as it is here, so checking the
// answers overlaps the download of React and the form instead of following it; the widget then
// finds them checked and shows the form in its first rendering.
import type { Availability, PublicProfile } from "../shared/schemas";
import { checkSlots, createApi, type UncheckedAvailability } from "./api";

export interface FirstAnswers {
  profile: PublicProfile;
  availability: Availability;
  /**
   * When the form first offers "as soon as possible" it shows no slot until the visitor asks for
   * them: `availability` (`shown`) then has none, and the widget checks the slots (`outline`) just
   * after the form has been painted. Checking 1,344 of them would delay it.
   */
  slotsLater?: { shown: Availability; outline: UncheckedAvailability };
}

interface Pending {
  answers: Promise<FirstAnswers>;
  /** Set once the answers have arrived and passed their checks. */
  value?: FirstAnswers;
}

const pending = new Map<string, Pending>();
const keyOf = (apiBase: string, profile: string) => `${apiBase.replace(/\/+$/, "")} ${profile}`;

/** Fetches (or takes the prefetched) profile and times for `profile` and checks them, once. */
export function checkFirstAnswers(apiBase: string, profile: string): void {
  const key = keyOf(apiBase, profile);
  if (pending.has(key)) return;
  const api = createApi(apiBase);
  const entry: Pending = {
    answers: Promise.all([api.profile(profile), api.availabilityOutline(profile)]).then(([loaded, outline]) => {
      const shown = outline.asap ? { ...outline, slots: [] } : checkSlots(outline);
      return (entry.value = { profile: loaded, availability: shown, slotsLater: outline.asap ? { shown, outline } : undefined });
    }),
  };
  // A failure is the widget's to show, when it takes these answers.
  entry.answers.catch(() => undefined);
  pending.set(key, entry);
}

/** The checked answers if they are already here, without taking them. */
export function readyFirstAnswers(apiBase: string, profile: string): FirstAnswers | undefined {
  return pending.get(keyOf(apiBase, profile))?.value;
}

/** The answers once (a widget loading again asks the BFF afresh). */
export function takeFirstAnswers(apiBase: string, profile: string): Promise<FirstAnswers> | undefined {
  const key = keyOf(apiBase, profile);
  const entry = pending.get(key);
  pending.delete(key);
  return entry?.answers;
}
