import { describe, expect, it } from "vitest";
import { ERROR_MESSAGES } from "../shared/error-codes";
import { messageFor } from "./messages";

describe("messageFor", () => {
  it("words a shared code the shared way, whoever found the problem", () => {
    expect(messageFor("phone_too_short")).toBe(ERROR_MESSAGES.phone_too_short);
    expect(messageFor("consent_required", "ignored")).toBe("Please agree to be called.");
  });

  it("falls back to the given words, then to a generic sentence, for codes it does not know", () => {
    expect(messageFor("brand_new_code", "The server's own words.")).toBe("The server's own words.");
    expect(messageFor(undefined)).toBe(ERROR_MESSAGES.invalid);
  });
});
