import { describe, expect, it } from "vitest";
import type { CallbackRequest } from "../shared/schemas";
import { toCallbackResult } from "./result";

const request: CallbackRequest = {
  profile: "default",
  phone: "06 12 34 56 78",
  timeZone: "Europe/Paris",
  consent: true,
  windows: [
    { start: "2030-03-12T13:00:00.000Z", end: "2030-03-12T13:30:00.000Z" },
    { start: "2030-03-12T13:30:00.000Z", end: "2030-03-12T14:00:00.000Z" },
    { start: "2030-03-12T15:00:00.000Z", end: "2030-03-12T15:30:00.000Z" },
  ],
};

describe("toCallbackResult", () => {
  it("uses the delivery id as the reference and the BFF's windows once scheduled", () => {
    const windows = [{ start: "2030-03-12T13:00:00.000Z", end: "2030-03-12T14:00:00.000Z" }];
    const body = { requestId: "r1", deliveryId: "761e062f-c734-ef11-8e4f-00224808a166", status: "scheduled" as const, windows };
    expect(toCallbackResult({ kind: "scheduled", body }, request)).toEqual({
      status: "scheduled",
      requestId: "r1",
      deliveryId: body.deliveryId,
      reference: body.deliveryId,
      asap: false,
      windows,
    });
  });

  it("uses the request id and the merged requested windows while queued", () => {
    expect(toCallbackResult({ kind: "queued", body: { requestId: "r2", status: "queued" } }, request)).toEqual({
      status: "queued",
      requestId: "r2",
      reference: "r2",
      asap: false,
      windows: [
        { start: "2030-03-12T13:00:00.000Z", end: "2030-03-12T14:00:00.000Z" },
        { start: "2030-03-12T15:00:00.000Z", end: "2030-03-12T15:30:00.000Z" },
      ],
    });
    const { windows: _none, ...asap } = request;
    expect(toCallbackResult({ kind: "queued", body: { requestId: "r3", status: "queued" } }, asap)).toMatchObject({ asap: true, windows: [] });
  });
});
