import { describe, expect, it } from "vitest";
import { retryDelay, type RetryPolicy } from "./retry-policy";

const policy: RetryPolicy = { maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 30_000 };

describe("retryDelay", () => {
  it("waits the full Retry-After when Dataverse gives one", () => {
    expect(retryDelay(1, 7, policy, () => 0)).toBe(7000);
    expect(retryDelay(9, 0.5, policy, () => 0)).toBe(500);
  });

  it("doubles the ceiling with each attempt, between half and all of it", () => {
    expect([1, 2, 3, 4].map((n) => retryDelay(n, undefined, policy, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((n) => retryDelay(n, undefined, policy, () => 1))).toEqual([1000, 2000, 4000, 8000]);
  });

  it("never waits longer than the cap", () => {
    expect(retryDelay(20, undefined, policy, () => 1)).toBe(30_000);
  });
});
