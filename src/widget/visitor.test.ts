import { describe, expect, it } from "vitest";
import { visitorLocale, visitorTimeZone } from "./visitor";

describe("visitorTimeZone", () => {
  it("keeps a zone the API knows and falls back to UTC otherwise", () => {
    expect(visitorTimeZone("Asia/Kathmandu")).toBe("Asia/Kathmandu");
    expect(visitorTimeZone("Mars/Olympus")).toBe("UTC");
    expect(visitorTimeZone("")).toBe("UTC");
    expect(typeof visitorTimeZone()).toBe("string");
  });
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
