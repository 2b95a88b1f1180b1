import { describe, expect, it } from "vitest";
import {
  formatActionInstant,
  fromActionWindows,
  hasOverlap,
  mergeAdjacent,
  toActionWindows,
  toPublicWindow,
} from "./windows";

const at = (iso: string) => Date.parse(iso);
const span = (start: string, end: string) => ({ start: at(start), end: at(end) });

describe("toActionWindows", () => {
  it("produces the documented sample from two three-hour windows", () => {
    const windows = toActionWindows([
      span("2024-09-10T13:00:00Z", "2024-09-10T16:00:00Z"),
      span("2024-09-11T13:00:00Z", "2024-09-11T16:00:00Z"),
    ]);
    expect(windows).toEqual([
      { Start: "2024-09-10T13:00:00.000Z", End: "2024-09-10T15:59:59.999Z" },
      { Start: "2024-09-11T13:00:00.000Z", End: "2024-09-11T15:59:59.999Z" },
    ]);
  });

  it("merges adjacent slots into one window and keeps separate ones apart, in time order", () => {
    const windows = toActionWindows([
      span("2026-03-10T15:00:00Z", "2026-03-10T15:30:00Z"),
      span("2026-03-10T13:30:00Z", "2026-03-10T14:00:00Z"),
      span("2026-03-10T13:00:00Z", "2026-03-10T13:30:00Z"),
    ]);
    expect(windows).toEqual([
      { Start: "2026-03-10T13:00:00.000Z", End: "2026-03-10T13:59:59.999Z" },
      { Start: "2026-03-10T15:00:00.000Z", End: "2026-03-10T15:29:59.999Z" },
    ]);
  });

  it("round-trips through the action's format exactly", () => {
    const spans = [span("2026-03-10T13:00:00Z", "2026-03-10T14:00:00Z"), span("2026-03-11T08:15:00Z", "2026-03-11T08:30:00Z")];
    expect(fromActionWindows(toActionWindows(spans))).toEqual(spans);
  });

  it("always writes three fractional digits and a Z", () => {
    expect(formatActionInstant(at("2026-01-01T00:00:00Z"))).toBe("2026-01-01T00:00:00.000Z");
    expect(() => formatActionInstant(Date.UTC(10000, 0, 1))).toThrow(RangeError);
  });
});

describe("window helpers", () => {
  it("merges overlapping spans as well as touching ones", () => {
    expect(mergeAdjacent([span("2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z"), span("2026-01-01T10:30:00Z", "2026-01-01T12:00:00Z")])).toEqual([
      span("2026-01-01T10:00:00Z", "2026-01-01T12:00:00Z"),
    ]);
  });

  it("detects overlap but not touching", () => {
    const a = span("2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z");
    expect(hasOverlap([a, span("2026-01-01T11:00:00Z", "2026-01-01T12:00:00Z")])).toBe(false);
    expect(hasOverlap([span("2026-01-01T10:59:00Z", "2026-01-01T12:00:00Z"), a])).toBe(true);
  });

  it("writes public windows as ISO instants", () => {
    expect(toPublicWindow(span("2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z"))).toEqual({
      start: "2026-01-01T10:00:00.000Z",
      end: "2026-01-01T11:00:00.000Z",
    });
  });
});
