// After submitting: the request's signed links show its status (Dataverse's own included), give a
// calendar invite, and cancel it: out of the outbox if not sent yet, in Dataverse if it was.
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, supportProfile, type Harness } from "./test-harness";

const NOW = Date.parse("2030-03-12T09:00:00Z");
let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    profiles: { profiles: { support: { ...supportProfile, capacityPerSlot: 1 } } },
    now: () => NOW,
    // Dataverse's clock is ours too: deliveries it creates are dated on the same timeline.
    simulator: { now: () => NOW },
    // The answer waits for the first attempt to end (however slow the machine), never longer.
    env: { SYNC_WAIT_MS: "10000", OUTBOX_RETRY_BASE_MS: "60000" },
  });
});
afterAll(() => h?.close());

let phones = 0;
async function submit(windows = [{ start: "2030-03-12T13:00:00.000Z", end: "2030-03-12T13:30:00.000Z" }, { start: "2030-03-13T09:00:00.000Z", end: "2030-03-13T09:30:00.000Z" }]) {
  const response = await request(`${h.bff.url}/api/v1/callbacks`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ profile: "support", phone: `+3361200${String(++phones).padStart(4, "0")}`, timeZone: "Europe/Paris", locale: "fr-FR", consent: true, windows }),
  });
  return { status: response.statusCode, body: (await response.body.json()) as { requestId: string; deliveryId?: string; links: { manage: string; cancelPage: string; invite: string; cancel: string; status: string } } };
}
const get = async (url: string) => {
  const response = await request(url);
  return { status: response.statusCode, type: String(response.headers["content-type"]), text: await response.body.text() };
};
const post = async (url: string) => {
  const response = await request(url, { method: "POST" });
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
};
const availableAt = async (start: string) => {
  const slots = JSON.parse((await get(`${h.bff.url}/api/v1/profiles/support/availability`)).text).slots as Array<{ start: string; available: boolean }>;
  return slots.find((s) => s.start === start)?.available;
};

describe("a request's own links", () => {
  it("show Dataverse's state of the delivery to whoever holds the token, and only to them", async () => {
    const { body } = await submit();
    const withToken = JSON.parse((await get(`${h.bff.url}/api/v1/callbacks/${body.requestId}?token=${new URL(body.links.manage).searchParams.get("token")}`)).text);
    expect(withToken).toMatchObject({ status: "scheduled", deliveryId: body.deliveryId, deliveryStatus: "Pending", links: body.links });
    const without = JSON.parse((await get(`${h.bff.url}/api/v1/callbacks/${body.requestId}`)).text);
    expect(without).not.toHaveProperty("deliveryStatus");
    expect(without).not.toHaveProperty("links");
  });

  it("give the status at their own signed address", async () => {
    const { body } = await submit([{ start: "2030-03-14T10:00:00.000Z", end: "2030-03-14T10:30:00.000Z" }]);
    expect(JSON.parse((await get(body.links.status)).text)).toMatchObject({ requestId: body.requestId, status: "scheduled", deliveryStatus: "Pending" });
  });

  it("give a calendar invite with one event per window, carrying the cancel link by name", async () => {
    const { body } = await submit([{ start: "2030-03-12T14:00:00.000Z", end: "2030-03-12T14:30:00.000Z" }, { start: "2030-03-13T10:00:00.000Z", end: "2030-03-13T10:30:00.000Z" }]);
    const invite = await get(body.links.invite);
    expect(invite.status).toBe(200);
    expect(invite.type).toContain("text/calendar");
    expect(invite.text.match(/BEGIN:VEVENT/g)).toHaveLength(2);
    expect(invite.text).toContain("DTSTART:20300312T140000Z");
    expect(invite.text).toContain("DTEND:20300313T103000Z");
    expect(invite.text).toContain("SUMMARY:Rappel de Support"); // the visitor asked in French
    const unfolded = invite.text.replace(/\r\n[ \t]/g, "");
    // The cancel link, named in the visitor's language, opens the page that asks (a GET cancels nothing).
    expect(unfolded).toContain(`Pour annuler ce rappel: ${body.links.cancelPage.replace(/[,;]/g, "\\$&")}`);
    expect(body.links.cancelPage).toMatch(/\/requests\/[\w-]+\?token=[\w-]+&action=cancel$/);
    expect(unfolded).toContain(`URL:${body.links.manage}`);
    expect((await h.bff.store.getCallback(body.requestId))!.status).toBe("scheduled");
    expect((await get(body.links.invite.replace(/token=.*/, "token=forged"))).status).toBe(404);
  });
});

describe("cancelling", () => {
  it("cancels a scheduled call in Dataverse and gives its slot back", async () => {
    const slot = "2030-03-12T15:00:00.000Z";
    const { body } = await submit([{ start: slot, end: "2030-03-12T15:30:00.000Z" }]);
    expect(await availableAt(slot)).toBe(false);

    expect((await post(body.links.cancel.replace(/token=.*/, "token=forged"))).status).toBe(404);
    const cancelled = await post(body.links.cancel);
    expect(cancelled).toEqual({ status: 200, body: { requestId: body.requestId, status: "cancelled" } });

    const operations = await h.simulatorJson("/__simulator/operations");
    expect(operations).toEqual([expect.objectContaining({ operation: "Cancel", deliveryId: body.deliveryId })]);
    expect((await h.bff.store.getCallback(body.requestId))!.status).toBe("cancelled");
    expect(await availableAt(slot)).toBe(true);
    // Twice is the same answer.
    expect((await post(body.links.cancel)).body).toEqual({ requestId: body.requestId, status: "cancelled" });
  });

  it("cancels in Dataverse a request whose send reached it but whose answer was lost", async () => {
    const slot = "2030-03-12T14:30:00.000Z";
    h.simulator.setFaults({ rules: [{ target: "action", kind: "reset-after", times: 1 }] });
    const { status, body } = await submit([{ start: slot, end: "2030-03-12T15:00:00.000Z" }]);
    h.simulator.clearFaults();
    expect(status).toBe(202);
    expect(await h.bff.store.getCallback(body.requestId)).toMatchObject({ status: "queued", inDoubt: true });
    // Dataverse has it all the same: the connection dropped after the delivery was made.
    const created = h.simulator.ledger().at(-1)!;
    expect((created.body as { DestinationPhoneNumber: string }).DestinationPhoneNumber).toBe(`+3361200${String(phones).padStart(4, "0")}`);
    expect(h.simulator.deliveryStatus(created.deliveryId)).toBe("Pending");

    expect(await post(body.links.cancel)).toEqual({ status: 200, body: { requestId: body.requestId, status: "cancelled" } });
    expect(h.simulator.deliveryStatus(created.deliveryId)).toBe("Cancelled");
    expect(await h.bff.store.getCallback(body.requestId)).toMatchObject({ status: "cancelled", inDoubt: false, deliveryId: created.deliveryId });
    expect(await availableAt(slot)).toBe(true);
  });

  it("takes a request that was not sent yet out of the outbox, so it is never sent", async () => {
    h.simulator.setFaults({ rules: [{ target: "action", kind: "status", status: 503 }] });
    const { status, body } = await submit([{ start: "2030-03-12T15:30:00.000Z", end: "2030-03-12T16:00:00.000Z" }]);
    expect(status).toBe(202);
    expect((await post(body.links.cancel)).body).toEqual({ requestId: body.requestId, status: "cancelled" });
    h.simulator.clearFaults();
    await h.bff.worker.tick();
    await h.bff.worker.drain();
    expect(h.simulator.ledger().some((entry) => (entry.body as { DestinationPhoneNumber: string }).DestinationPhoneNumber === `+3361200${String(phones).padStart(4, "0")}`)).toBe(false);
    expect((await h.bff.store.getCallback(body.requestId))!.status).toBe("cancelled");
  });
});
