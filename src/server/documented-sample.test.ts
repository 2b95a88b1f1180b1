// The documented sample (../shared/docs/dataverse-action.md) must reach the action as documented:
// same field names, order and values, Windows 13:00:00.000Z to 15:59:59.999Z on 10 and 11
// September 2024. The clocks of both servers are pinned to that morning.
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./test-harness";

const NOW = Date.parse("2024-09-10T06:00:00Z");
const weekdays = (range: string) => Object.fromEntries(["mon", "tue", "wed", "thu", "fri"].map((d) => [d, [range]]));

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    now: () => NOW,
    simulator: { now: () => NOW },
    profiles: {
      profiles: {
        orders: {
          name: "Orders",
          proactiveEngagementConfigId: "cbbac510-3e66-ef11-a671-6045bd03d9d8",
          timeZone: "UTC",
          openingHours: weekdays("13:00-16:00"),
          slotMinutes: 60,
          horizonDays: 3,
          maxWindows: 2,
          allowedCountries: ["US"],
          consent: { version: "1", text: "Call me." },
          attributes: { allowed: ["orderNumber"], fixed: { type: "callback", isFinalAttempt: "false" } },
        },
      },
    },
  });
});
afterAll(() => h?.close());

describe("the documented sample request", () => {
  it("reaches CCaaS_CreateProactiveVoiceDelivery byte for byte in the fields that matter", async () => {
    const response = await request(`${h.bff.url}/api/v1/callbacks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        profile: "orders",
        phone: "+1 201 555 0123",
        timeZone: "UTC",
        consent: true,
        windows: [
          { start: "2024-09-10T13:00:00.000Z", end: "2024-09-10T16:00:00.000Z" },
          { start: "2024-09-11T13:00:00.000Z", end: "2024-09-11T16:00:00.000Z" },
        ],
        attributes: { orderNumber: "ORD123456789" },
      }),
    });
    expect(response.statusCode).toBe(201);
    const answer = (await response.body.json()) as { deliveryId: string };

    const [sent] = await h.deliveries();
    expect(sent!.deliveryId).toBe(answer.deliveryId);
    const contactId = sent!.body.ContactId as string;
    expect(contactId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    // Serialised in the documented field order, with our number and the contact the BFF resolved.
    expect(JSON.stringify(sent!.body)).toBe(
      JSON.stringify({
        ApiVersion: "1.0",
        ProactiveEngagementConfigId: "cbbac510-3e66-ef11-a671-6045bd03d9d8",
        DestinationPhoneNumber: "+12015550123",
        ContactId: contactId,
        Windows: [
          { Start: "2024-09-10T13:00:00.000Z", End: "2024-09-10T15:59:59.999Z" },
          { Start: "2024-09-11T13:00:00.000Z", End: "2024-09-11T15:59:59.999Z" },
        ],
        InputAttributes: { orderNumber: "ORD123456789", type: "callback", isFinalAttempt: "false" },
      }),
    );
  });
});
