// The widget's languages. English ships with the widget; the others are separate chunks fetched
// only by visitors who need them. The language comes from the host (attribute, prop), else the
// page's <html lang>, else the browser, and falls back to English.
import { createContext, useContext } from "react";
import { en, type Messages } from "./en";

export type { Messages } from "./en";

export const LANGUAGES = ["en", "fr", "de", "es", "ar"] as const;
export type Language = (typeof LANGUAGES)[number];

const RIGHT_TO_LEFT = new Set<Language>(["ar"]);

export function isRightToLeft(language: Language): boolean {
  return RIGHT_TO_LEFT.has(language);
}

/** The first candidate tag we have a catalogue for, by its language subtag ("fr-CA" gives "fr"). */
export function pickLanguage(candidates: ReadonlyArray<string | undefined | null>): Language {
  for (const tag of candidates) {
    const language = tag?.toLowerCase().split(/[-_]/)[0];
    if (language && (LANGUAGES as readonly string[]).includes(language)) return language as Language;
  }
  return "en";
}

const loaders: Record<Language, () => Promise<Messages>> = {
  en: async () => en,
  fr: async () => (await import("./fr")).fr,
  de: async () => (await import("./de")).de,
  es: async () => (await import("./es")).es,
  ar: async () => (await import("./ar")).ar,
};

export function loadMessages(language: Language): Promise<Messages> {
  return loaders[language]();
}

export interface I18n {
  language: Language;
  /** A full BCP 47 tag for Intl (dates, times, zone and country names). */
  locale: string;
  dir: "ltr" | "rtl";
  t: Messages;
}

export const ENGLISH: I18n = { language: "en", locale: "en", dir: "ltr", t: en };
export const I18nContext = createContext<I18n>(ENGLISH);

export function useI18n(): I18n {
  return useContext(I18nContext);
}
