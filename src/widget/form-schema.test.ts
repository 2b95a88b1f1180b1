import metadata from "libphonenumber-js/metadata.min.json";
import { describe, expect, it } from "vitest";
import { CallbackRequest } from "../shared/schemas";
import { buildFormSchema, toCallbackRequest, type CallbackFormInput, type CallbackFormValues } from "./form-schema";

const schema = buildFormSchema({ allowedCountries: ["FR", "US"], maxWindows: 2 }, metadata);
const valid: CallbackFormValues = { when: "choose", slots: ["2030-03-12T13:00:00.000Z"], name: "", country: "FR", phone: "06 12 34 56 78", consent: true };
const issues = (values: Partial<CallbackFormInput>) =>
  schema.safeParse({ ...valid, ...values }).error?.issues.map((issue) => [issue.path.join("."), issue.message]) ?? [];

describe("the form schema", () => {
  it("accepts a complete form", () => {
    expect(issues({})).toEqual([]);
    expect(issues({ when: "asap", slots: [] })).toEqual([]);
    expect(issues({ name: "Ada Lovelace", phone: "+1 201 555 0123" })).toEqual([]);
  });

  it("refuses with the shared error codes", () => {
    expect(issues({ phone: "06 12" })).toEqual([["phone", "phone_too_short"]]);
    expect(issues({ phone: "" })).toEqual([["phone", "phone_required"]]);
    expect(issues({ phone: "06 12 34 56 78 90 12 34" })).toEqual([["phone", "phone_too_long"]]);
    expect(issues({ consent: false })).toEqual([["consent", "consent_required"]]);
    expect(issues({ slots: [] })).toEqual([["slots", "windows_empty"]]);
    expect(issues({ slots: ["a", "b", "c"] })).toEqual([["slots", "windows_too_many"]]);
    expect(issues({ name: "x".repeat(101) })).toEqual([["name", "name_too_long"]]);
    expect(issues({ country: "DE", phone: "030 901820" })).toEqual([
      ["country", "country_not_allowed"],
      ["phone", "phone_country_not_allowed"],
    ]);
    expect(issues({ phone: "+44 20 7946 0958" })).toEqual([["phone", "phone_country_not_allowed"]]);
    // Martinique's numbers share France's national prefix; only the BFF's full metadata tells them apart.
    expect(issues({ phone: "06 96 68 14 85" })).toEqual([]);
  });

  it("uses the same code as the BFF for the same mistake", () => {
    const server = (phone: string, consent: unknown) =>
      CallbackRequest.safeParse({ profile: "default", phone, timeZone: "UTC", consent }).error?.issues.map((issue) => issue.message) ?? [];
    expect(server("", false)).toEqual(["phone_required", "consent_required"]);
    expect(issues({ phone: "", consent: false }).map(([, code]) => code)).toEqual(["phone_required", "consent_required"]);
  });

  it("reports every problem at once", () => {
    expect(issues({ phone: "06 12", consent: false, slots: [] })).toEqual([
      ["consent", "consent_required"],
      ["slots", "windows_empty"],
      ["phone", "phone_too_short"],
    ]);
  });
});

describe("toCallbackRequest", () => {
  const slots = [
    { start: "2030-03-12T13:00:00.000Z", end: "2030-03-12T13:30:00.000Z", available: true },
    { start: "2030-03-12T13:30:00.000Z", end: "2030-03-12T14:00:00.000Z", available: true },
  ];

  it("sends each chosen slot as its own window, exactly as offered, in time order, and leaves out what is empty", () => {
    const request = toCallbackRequest({ ...valid, name: "  ", slots: [slots[1]!.start, slots[0]!.start] }, { profile: "default", slots, timeZone: "America/New_York" });
    expect(request).toEqual({
      profile: "default",
      phone: "06 12 34 56 78",
      country: "FR",
      timeZone: "America/New_York",
      consent: true,
      windows: [
        { start: "2030-03-12T13:00:00.000Z", end: "2030-03-12T13:30:00.000Z" },
        { start: "2030-03-12T13:30:00.000Z", end: "2030-03-12T14:00:00.000Z" },
      ],
    });
    expect(CallbackRequest.safeParse(request).success).toBe(true);
  });

  it("sends no windows for as soon as possible, and the name and locale when given", () => {
    const request = toCallbackRequest({ ...valid, when: "asap", name: " Ada " }, { profile: "default", slots, timeZone: "UTC", locale: "fr-FR" });
    expect(request).not.toHaveProperty("windows");
    expect(request).toMatchObject({ name: "Ada", locale: "fr-FR" });
  });

  it("passes on only the attributes the profile accepts, so a host's extra prefill cannot sink the request", () => {
    const context = { profile: "default", slots, timeZone: "UTC", attributes: { orderNumber: "ORD-1", secretFlag: "x" } };
    expect(toCallbackRequest({ ...valid, when: "asap" }, { ...context, allowedAttributes: ["orderNumber"] }).attributes).toEqual({ orderNumber: "ORD-1" });
    expect(toCallbackRequest({ ...valid, when: "asap" }, { ...context, allowedAttributes: [] })).not.toHaveProperty("attributes");
  });
});
