import { afterEach, describe, expect, it, vi } from "vitest";
import { visitorLocale, visitorTimeZone } from "./visitor";

describe("visitorTimeZone", () => {
  it("keeps a zone the API knows and falls back to UTC otherwise", () => {
    expect(visitorTimeZone("Asia/Kathmandu")).toBe("Asia/Kathmandu");
    expect(visitorTimeZone("Mars/Olympus")).toBe("UTC");
    expect(visitorTimeZone("")).toBe("UTC");
    expect(typeof visitorTimeZone()).toBe("string");
  });

  it("asks Temporal for the browser's zone where there is one, building no formatter", () => {
    vi.stubGlobal("Temporal", { Now: { timeZoneId: () => "Asia/Kathmandu" } });
    const formatter = vi.spyOn(Intl, "DateTimeFormat");
    expect(visitorTimeZone()).toBe("Asia/Kathmandu");
    expect(formatter).not.toHaveBeenCalled();
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("visitorLocale", () => {
  it("sends only language tags the API accepts", () => {
    expect(visitorLocale("en-GB")).toBe("en-GB");
    expect(visitorLocale("fr-fr")).toBe("fr-FR");
    expect(visitorLocale("not a tag")).toBeUndefined();
    expect(visitorLocale("x".repeat(40))).toBeUndefined();
    expect(visitorLocale("")).toBeUndefined();
  });
});
