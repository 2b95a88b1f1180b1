import { describe, expect, it } from "vitest";
import { CallbackRequest, ProactiveVoiceDeliveryRequest } from "./schemas";

const valid = {
  profile: "default",
  phone: "06 12 34 56 78",
  country: "FR",
  timeZone: "Europe/Paris",
  consent: true,
  windows: [{ start: "2030-03-12T13:00:00.000Z", end: "2030-03-12T13:30:00.000Z" }],
};

const codes = (input: unknown) =>
  CallbackRequest.safeParse(input).error?.issues.map((issue) => [issue.path.join("."), issue.message]) ?? [];

describe("CallbackRequest", () => {
  it("accepts a complete request, with or without windows", () => {
    expect(CallbackRequest.safeParse(valid).success).toBe(true);
    expect(CallbackRequest.safeParse({ ...valid, windows: undefined }).success).toBe(true);
  });

  it("refuses each bad field with its code", () => {
    expect(codes({ ...valid, phone: "" })).toEqual([["phone", "phone_required"]]);
    expect(codes({ ...valid, country: "France" })).toEqual([["country", "country_invalid"]]);
    expect(codes({ ...valid, timeZone: "Mars/Olympus" })).toEqual([["timeZone", "time_zone_invalid"]]);
    expect(codes({ ...valid, locale: "not a locale" })).toEqual([["locale", "locale_invalid"]]);
    expect(codes({ ...valid, consent: false })).toEqual([["consent", "consent_required"]]);
    expect(codes({ ...valid, windows: [] })).toEqual([["windows", "windows_empty"]]);
    expect(codes({ ...valid, windows: [{ start: "2030-03-12T13:00:00+01:00", end: "2030-03-12T13:30:00Z" }] })).toEqual([["windows.0.start", "window_invalid"]]);
    expect(codes({ ...valid, name: "x".repeat(101) })).toEqual([["name", "name_too_long"]]);
    expect(codes({ ...valid, attributes: { orderNumber: 42 } })).toEqual([["attributes.orderNumber", "attribute_invalid"]]);
  });

  it("reports a missing field as required", () => {
    const { phone: _phone, ...withoutPhone } = valid;
    expect(codes(withoutPhone)).toEqual([["phone", "required"]]);
  });

  it("refuses keys it does not know, such as ContactId", () => {
    const issues = CallbackRequest.safeParse({ ...valid, ContactId: "x", ProactiveEngagementConfigId: "y" }).error!.issues;
    expect(issues).toEqual([expect.objectContaining({ code: "unrecognized_keys", keys: ["ContactId", "ProactiveEngagementConfigId"], message: "unknown_field" })]);
  });
});

describe("ProactiveVoiceDeliveryRequest", () => {
  const sample = {
    ApiVersion: "1.0",
    ProactiveEngagementConfigId: "cbbac510-3e66-ef11-a671-6045bd03d9d8",
    DestinationPhoneNumber: "+123456798",
    ContactId: "761e062f-c734-ef11-8e4f-00224808a166",
    Windows: [
      { Start: "2024-09-10T13:00:00.000Z", End: "2024-09-10T15:59:59.999Z" },
      { Start: "2024-09-11T13:00:00.000Z", End: "2024-09-11T15:59:59.999Z" },
    ],
    InputAttributes: { orderNumber: "ORD123456789", type: "callback", isFinalAttempt: "false" },
  };

  it("accepts the documented sample", () => {
    expect(ProactiveVoiceDeliveryRequest.safeParse(sample).success).toBe(true);
  });

  it("insists on the exact instant format, E.164 and GUIDs", () => {
    const bad = [
      { ...sample, Windows: [{ Start: "2024-09-10T13:00:00Z", End: "2024-09-10T15:59:59.999Z" }] },
      { ...sample, Windows: [{ Start: "2024-09-10T13:00:00.000+00:00", End: "2024-09-10T15:59:59.999Z" }] },
      { ...sample, DestinationPhoneNumber: "0612345678" },
      { ...sample, ContactId: "not-a-guid" },
      { ...sample, ApiVersion: "2.0" },
      { ...sample, InputAttributes: { isFinalAttempt: false } },
      { ...sample, Extra: 1 },
    ];
    for (const body of bad) expect(ProactiveVoiceDeliveryRequest.safeParse(body).success, JSON.stringify(body)).toBe(false);
  });
});
