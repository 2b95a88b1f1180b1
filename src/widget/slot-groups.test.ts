import { describe, expect, it } from "vitest";
import { createSlotFormatter, groupSlotsByDay } from "./slot-groups";

// Tuesday 10 March 2026, 09:00-10:00 and 22:30-23:30 UTC in 30-minute slots, plus one at 23:45-00:15.
const slots = ["09:00", "09:30", "22:30", "23:00", "23:45"].map((time) => {
  const start = Date.parse(`2026-03-10T${time}:00Z`);
  return { start: new Date(start).toISOString(), end: new Date(start + 30 * 60_000).toISOString(), available: time !== "09:30" };
});

const days = (zone: string) => groupSlotsByDay(slots, createSlotFormatter("en-GB", zone)).map((d) => [d.date, d.slots.map((s) => s.timeLabel)]);

describe("groupSlotsByDay", () => {
  it("groups by the visitor's calendar day, in their zone", () => {
    expect(days("UTC")).toEqual([["2026-03-10", ["09:00 – 09:30", "09:30 – 10:00", "22:30 – 23:00", "23:00 – 23:30", "23:45 – 00:15"]]]);
    // New York is UTC-4 on 10 March 2026 (daylight saving began on the 8th).
    expect(days("America/New_York")).toEqual([["2026-03-10", ["05:00 – 05:30", "05:30 – 06:00", "18:30 – 19:00", "19:00 – 19:30", "19:45 – 20:15"]]]);
  });

  it("moves late-evening UTC slots to the next day east of UTC, including 45-minute offsets", () => {
    expect(days("Asia/Kathmandu")).toEqual([
      ["2026-03-10", ["14:45 – 15:15", "15:15 – 15:45"]],
      ["2026-03-11", ["04:15 – 04:45", "04:45 – 05:15", "05:30 – 06:00"]],
    ]);
    // Auckland is UTC+13 in March (summer time).
    expect(days("Pacific/Auckland")).toEqual([
      ["2026-03-10", ["22:00 – 22:30", "22:30 – 23:00"]],
      ["2026-03-11", ["11:30 – 12:00", "12:00 – 12:30", "12:45 – 13:15"]],
    ]);
  });

  it("moves early-morning UTC slots to the previous day west of UTC", () => {
    const early = [{ start: "2026-03-11T02:00:00.000Z", end: "2026-03-11T02:30:00.000Z", available: true }];
    const [day] = groupSlotsByDay(early, createSlotFormatter("en-GB", "America/New_York"));
    expect([day!.date, day!.label, day!.slots[0]!.timeLabel]).toEqual(["2026-03-10", "Tuesday 10 March", "22:00 – 22:30"]);
  });

  it("keeps a slot that crosses the visitor's midnight on the day it starts", () => {
    // 23:45 UTC is 23:45 in London (GMT in March): the slot ends on the 11th but belongs to the 10th.
    const groups = groupSlotsByDay(slots, createSlotFormatter("en-GB", "Europe/London"));
    expect(groups.map((g) => g.date)).toEqual(["2026-03-10"]);
    const last = groups[0]!.slots.at(-1)!;
    expect(last.timeLabel).toBe("23:45 – 00:15");
    expect(last.accessibleName).toBe("Tuesday 10 March, 23:45 to Wednesday 11 March, 00:15, available");
    // In Kathmandu the 22:30 UTC slot runs 04:15-04:45 on the 11th, and the 23:45 one 05:30-06:00: no crossing.
    expect(groupSlotsByDay(slots, createSlotFormatter("en-GB", "Asia/Kathmandu"))[1]!.slots.at(-1)!.accessibleName).toBe("Wednesday 11 March, 05:30 to 06:00, available");
  });

  it("names each slot as a sentence a screen reader can read, in the visitor's locale", () => {
    const [day] = groupSlotsByDay(slots, createSlotFormatter("en-GB", "Europe/Paris"));
    expect(day!.label).toBe("Tuesday 10 March");
    expect(day!.slots[0]!.accessibleName).toBe("Tuesday 10 March, 10:00 to 10:30, available");
    const [us] = groupSlotsByDay(slots, createSlotFormatter("en-US", "America/New_York"));
    expect(us!.label).toBe("Tuesday, March 10");
    expect(us!.slots[0]!.accessibleName).toBe("Tuesday, March 10, 05:00 AM to 05:30 AM, available");
  });

  it("keeps whether each slot can be chosen", () => {
    expect(groupSlotsByDay(slots, createSlotFormatter("en-GB", "UTC"))[0]!.slots.map((s) => s.available)).toEqual([true, false, true, true, true]);
  });
});

describe("the slot formatter's windows", () => {
  const format = createSlotFormatter("en-GB", "Europe/London");
  it("says a window that ends at midnight ends on its own day", () => {
    expect(format.window("2026-03-10T23:30:00.000Z", "2026-03-11T00:00:00.000Z")).toBe("Tuesday 10 March, 23:30 to 00:00");
  });
  it("names both days for a merged window that runs past midnight", () => {
    expect(format.window("2026-03-10T22:00:00.000Z", "2026-03-11T01:00:00.000Z")).toBe("Tuesday 10 March, 22:00 to Wednesday 11 March, 01:00");
  });
});
