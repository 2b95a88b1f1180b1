import { validate, version } from "uuid";
import { describe, expect, it } from "vitest";
import { timeOrderedId } from "./time-ordered-id";

describe("timeOrderedId", () => {
  it("gives valid version-7 UUIDs, each one new", () => {
    const ids = Array.from({ length: 2000 }, () => timeOrderedId());
    for (const id of ids) {
      expect(validate(id)).toBe(true);
      expect(version(id)).toBe(7);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("sorts in the order the ids were made, within one millisecond and across several", () => {
    const sameMillisecond = Array.from({ length: 1000 }, () => timeOrderedId(1_800_000_000_000));
    const later = Array.from({ length: 1000 }, (_, i) => timeOrderedId(1_800_000_000_001 + Math.floor(i / 100)));
    const ids = [...sameMillisecond, ...later];
    expect([...ids].sort()).toEqual(ids);
  });

  it("carries the time it was made at", () => {
    // Later than any other test's clock: a clock that went back would keep the last millisecond.
    const made = Date.UTC(2040, 0, 2, 3, 4, 5, 678);
    const id = timeOrderedId(made);
    expect(Number.parseInt(id.replaceAll("-", "").slice(0, 12), 16)).toBe(made);
  });

  it("spends 16 new random bytes on every id (no two ids share their random tail)", () => {
    const tails = Array.from({ length: 600 }, () => timeOrderedId(1_900_000_000_000).slice(-12));
    expect(new Set(tails).size).toBe(tails.length);
  });
});
