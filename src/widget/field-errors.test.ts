import { describe, expect, it } from "vitest";
import { placeFieldErrors } from "./field-errors";

const error = (field: string, code: string) => ({ field, code, message: `server says ${code}` });

describe("placeFieldErrors", () => {
  it("puts each field's first error next to it", () => {
    const placed = placeFieldErrors([error("country", "country_not_allowed"), error("phone", "phone_country_not_allowed"), error("phone", "phone_too_long"), error("consent", "consent_required"), error("name", "name_too_long")], "choose");
    expect(placed).toEqual({
      fields: { country: "country_not_allowed", phone: "phone_country_not_allowed", consent: "consent_required", name: "name_too_long" },
      unplaced: [],
    });
  });

  it("puts window errors on the slot picker, or on the time choice for as soon as possible", () => {
    expect(placeFieldErrors([error("windows.1", "window_not_offered")], "choose").fields).toEqual({ slots: "window_not_offered" });
    expect(placeFieldErrors([error("windows", "window_overlaps")], "choose").fields).toEqual({ slots: "window_overlaps" });
    expect(placeFieldErrors([error("windows.0.start", "window_invalid")], "choose").fields).toEqual({ slots: "window_invalid" });
    expect(placeFieldErrors([error("windows", "asap_unavailable")], "asap").fields).toEqual({ when: "asap_unavailable" });
  });

  it("leaves the whole body and fields the visitor cannot see to the form-level alert", () => {
    const unplaced = [error("", "malformed_json"), error("timeZone", "time_zone_invalid"), error("attributes.type", "attribute_not_allowed"), error("profile", "unknown_profile"), error("phone.number", "invalid"), error("windowsX", "invalid")];
    expect(placeFieldErrors(unplaced, "choose")).toEqual({ fields: {}, unplaced });
  });
});
