import { describe, expect, it } from "vitest";
import { en, type Messages } from "./en";
import { isRightToLeft, LANGUAGES, loadMessages, pickLanguage } from "./index";

// The type check (npm test runs tsc) is what keeps catalogues complete: these must not compile.
const { title: _title, ...withoutTitle } = en;
// @ts-expect-error: a catalogue missing a key is refused
const missing: Messages = withoutTitle;
// @ts-expect-error: a catalogue with a key English does not have is refused
const extra = { ...en, unheardOf: "?" } satisfies Messages;
// @ts-expect-error: a message taking other arguments is refused
const wrongArguments = { ...en, chooseTimes: (max: string) => max } satisfies Messages;
void [missing, extra, wrongArguments];

describe("catalogues", () => {
  it("exist for every language, with every error code", async () => {
    for (const language of LANGUAGES) {
      const t = await loadMessages(language);
      expect(Object.keys(t).sort()).toEqual(Object.keys(en).sort());
      expect(Object.keys(t.errors).sort()).toEqual(Object.keys(en.errors).sort());
      expect(t.chooseTimes(3)).toContain("3");
    }
  });

  it("picks the visitor's language by its subtag, English otherwise; Arabic runs right to left", () => {
    expect(pickLanguage(["fr-CA"])).toBe("fr");
    expect(pickLanguage([undefined, "de_AT"])).toBe("de");
    expect(pickLanguage(["ja-JP", "es-MX"])).toBe("es");
    expect(pickLanguage(["ja"])).toBe("en");
    expect(isRightToLeft("ar")).toBe(true);
    expect(isRightToLeft("fr")).toBe(false);
  });
});
