// Texts a profile gives in several languages (its name, its consent wording) and which of them a
// visitor is shown: the one in their language when the profile has it, else the profile's own.
// The widget and the BFF apply this one rule, so the consent record names the text that was shown.

/** Texts by language code (`en`, `fr`, `ar`…). */
export type LocalizedTexts = Readonly<Record<string, string>>;

/** The language of `texts` shown to a visitor speaking `locale` (a BCP 47 tag); `fallback` otherwise. */
export function textLanguage(texts: LocalizedTexts, locale: string | undefined, fallback: string): string {
  const wanted = locale?.toLowerCase().split(/[-_]/)[0];
  return wanted && Object.hasOwn(texts, wanted) ? wanted : fallback;
}

/** The text shown to a visitor speaking `locale`, with its language (for `lang` and the records). */
export function localize(texts: LocalizedTexts, locale: string | undefined, fallback: string): { language: string; text: string } {
  const language = textLanguage(texts, locale, fallback);
  return { language, text: texts[language] ?? "" };
}
