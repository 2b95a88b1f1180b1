// Calling-hours compliance, the do-not-call list and slot capacity, over real HTTP. The profile is
// open around the clock in Paris so that only the callee's permitted hours decide; the clock is
// pinned to Tuesday 12 March 2030, 09:00 UTC (10:00 in Paris, 23:00 the day before in Honolulu).
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadOrCreateKeyFile, createVault } from "./personal-data";
import { deriveKey } from "./server";
import { allDay, startHarness, type Harness } from "./test-harness";

const NOW = Date.parse("2030-03-12T09:00:00Z");
const line = {
  name: "Line",
  proactiveEngagementConfigId: "cbbac510-3e66-ef11-a671-6045bd03d9d8",
  timeZone: "Europe/Paris",
  openingHours: allDay,
  slotMinutes: 60,
  horizonDays: 3,
  maxWindows: 3,
  allowedCountries: ["FR", "US"],
  defaultCountry: "FR",
  consent: { version: "1", text: "Call me." },
  limits: { perNumber: { max: 100, windowSeconds: 60 } },
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    now: () => NOW,
    profiles: {
      profiles: {
        line,
        holidays: { ...line, callingHours: { noCallDates: ["2030-03-13"], byCountry: { US: { tue: ["10:00-18:00"] } } } },
        small: { ...line, capacityPerSlot: 2 },
      },
    },
  });
});
afterAll(() => h?.close());

interface Slot {
  start: string;
  end: string;
  available: boolean;
}
async function availability(profile: string, query: Record<string, string> = {}) {
  const response = await request(`${h.bff.url}/api/v1/profiles/${profile}/availability?${new URLSearchParams(query)}`);
  return (await response.body.json()) as { slots: Slot[]; asap: boolean };
}
async function post(body: Record<string, unknown>) {
  const response = await request(`${h.bff.url}/api/v1/callbacks`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ timeZone: "Europe/Paris", consent: true, ...body }),
  });
  return { status: response.statusCode, body: (await response.body.json()) as { errors?: Array<{ field: string; code: string }>; windows?: unknown } };
}
const hours = (slots: Slot[], day: string) => slots.filter((s) => s.start.startsWith(day)).map((s) => s.start.slice(11, 16));

describe("slots offered for a number", () => {
  it("are every opening slot without a number, and only those permitted where the number rings with one", async () => {
    expect(hours((await availability("line")).slots, "2030-03-12")).toHaveLength(15); // 09:00Z to 23:00Z
    // Paris: 08:00-21:00 local is 07:00-20:00 UTC in March.
    expect(hours((await availability("line", { phone: "06 12 34 56 78" })).slots, "2030-03-12")).toEqual(
      ["09", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19"].map((h) => `${h}:00`),
    );
    // Honolulu (UTC-10): 08:00-21:00 local is 18:00-07:00 UTC.
    const hawaii = await availability("line", { phone: "+1 808 555 0123" });
    expect(hours(hawaii.slots, "2030-03-12")).toEqual(["18:00", "19:00", "20:00", "21:00", "22:00", "23:00"]);
    expect(hours(hawaii.slots, "2030-03-13")).toEqual(["00:00", "01:00", "02:00", "03:00", "04:00", "05:00", "06:00", "18:00", "19:00", "20:00", "21:00", "22:00", "23:00"]);
  });

  it("use the visitor's zone for a number without a region, else every zone of its country", async () => {
    const chicago = await availability("line", { phone: "+1 800 555 0123", timeZone: "America/Chicago" });
    expect(hours(chicago.slots, "2030-03-12")).toEqual(["13:00", "14:00", "15:00", "16:00", "17:00", "18:00", "19:00", "20:00", "21:00", "22:00", "23:00"]);
    const anywhere = await availability("line", { phone: "+1 800 555 0123", timeZone: "Europe/Paris" });
    // 08:00 in Honolulu and Adak (UTC-10) to 21:00 in New York (UTC-4, summer time since 10 March).
    expect(hours(anywhere.slots, "2030-03-12")).toEqual(["18:00", "19:00", "20:00", "21:00", "22:00", "23:00"]);
    expect(hours(anywhere.slots, "2030-03-13")).toEqual(["00:00", "18:00", "19:00", "20:00", "21:00", "22:00", "23:00"]);
  });

  it("skip no-call dates and honour a country's own weekday hours", async () => {
    expect(hours((await availability("holidays", { phone: "06 12 34 56 78" })).slots, "2030-03-13")).toEqual([]);
    expect(hours((await availability("holidays", { phone: "+1 212 555 0123" })).slots, "2030-03-12")).toEqual(["14:00", "15:00", "16:00", "17:00", "18:00", "19:00", "20:00", "21:00"]);
  });

  it("offer 'as soon as possible' only while the callee may be called, until their permitted hours end", async () => {
    expect((await availability("line", { phone: "06 12 34 56 78" })).asap).toBe(true);
    expect((await availability("line", { phone: "+1 808 555 0123" })).asap).toBe(false);
    const asap = await post({ profile: "line", phone: "06 12 34 56 70" });
    expect(asap.status).toBe(201);
    expect(asap.body.windows).toEqual([{ start: "2030-03-12T09:00:00.000Z", end: "2030-03-12T20:00:00.000Z" }]);
    const night = await post({ profile: "line", phone: "+1 808 555 0123" });
    expect(night.body.errors).toEqual([expect.objectContaining({ field: "windows", code: "asap_unavailable" })]);
  });

  it("refuses a window outside the callee's permitted hours, saying why", async () => {
    const before = h.simulator.ledger().length;
    const refused = await post({ profile: "line", phone: "+1 808 555 0123", windows: [{ start: "2030-03-12T10:00:00.000Z", end: "2030-03-12T11:00:00.000Z" }] });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: "windows.0", code: "window_outside_calling_hours" })]);
    expect(h.simulator.ledger()).toHaveLength(before);
  });
});

describe("do-not-call list", () => {
  it("refuses a listed number without saying more, and places no call", async () => {
    const vault = createVault({ hashKey: deriveKey(loadOrCreateKeyFile(h.dataDir, "secret.key"), "phone-hash") });
    await h.bff.store.addDoNotCall([{ phoneHash: vault.hashPhone("+33612000001"), addedAt: NOW, source: "test" }]);
    const before = h.simulator.ledger().length;
    const refused = await post({ profile: "line", phone: "06 12 00 00 01", windows: [{ start: "2030-03-12T10:00:00.000Z", end: "2030-03-12T11:00:00.000Z" }] });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([{ field: "phone", code: "phone_not_callable", message: "We cannot call this number." }]);
    expect(h.simulator.ledger()).toHaveLength(before);
    expect((await post({ profile: "line", phone: "06 12 00 00 02", windows: [{ start: "2030-03-12T10:00:00.000Z", end: "2030-03-12T11:00:00.000Z" }] })).status).toBe(201);
  });
});

describe("capacity per slot", () => {
  const slot = { start: "2030-03-12T12:00:00.000Z", end: "2030-03-12T13:00:00.000Z" };

  it("shows a full slot as unavailable and refuses it", async () => {
    expect((await post({ profile: "small", phone: "06 12 00 01 01", windows: [slot] })).status).toBe(201);
    expect((await post({ profile: "small", phone: "06 12 00 01 02", windows: [slot] })).status).toBe(201);
    const third = await post({ profile: "small", phone: "06 12 00 01 03", windows: [slot] });
    expect(third.status).toBe(422);
    expect(third.body.errors).toEqual([expect.objectContaining({ field: "windows.0", code: "slot_full" })]);
    const offered = (await availability("small")).slots;
    expect(offered.find((s) => s.start === slot.start)!.available).toBe(false);
    expect(offered.find((s) => s.start === "2030-03-12T13:00:00.000Z")!.available).toBe(true);
  });

  it("counts 'as soon as possible' in the slot under way, and stops offering it when that slot is full", async () => {
    // 09:00 UTC: the 09:00-10:00 slot is under way; two requests fill it.
    expect((await availability("small")).asap).toBe(true);
    expect((await post({ profile: "small", phone: "06 12 00 02 01" })).status).toBe(201);
    expect((await post({ profile: "small", phone: "06 12 00 02 02" })).status).toBe(201);
    expect((await availability("small")).asap).toBe(false);
    const before = h.simulator.stats().actionCalls;
    const third = await post({ profile: "small", phone: "06 12 00 02 03" });
    expect(third.status).toBe(422);
    expect(third.body.errors).toEqual([expect.objectContaining({ field: "windows", code: "asap_unavailable" })]);
    expect(h.simulator.stats().actionCalls).toBe(before);
    // The next hour is untouched by them.
    expect((await availability("small")).slots.find((s) => s.start === "2030-03-12T10:00:00.000Z")!.available).toBe(true);
  });
});
