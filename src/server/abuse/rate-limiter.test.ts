import { describe, expect, it } from "vitest";
import { RateLimiter, spendRate, type RateCost, type RateLimitStore, type RateVerdict } from "./rate-limiter";

/** The stores' rule (spendRate) over a map, as the SQLite store keeps it. */
function memoryStore(): RateLimitStore & { takes: number } {
  const tats = new Map<string, number>();
  return {
    takes: 0,
    async takeRate(key: string, cost: RateCost, now: number): Promise<RateVerdict> {
      this.takes++;
      const verdict = spendRate(tats.get(key), cost, now);
      if (!verdict.allowed) return verdict;
      tats.set(key, verdict.tat);
      return { allowed: true };
    },
  };
}

describe("RateLimiter", () => {
  const limit = { max: 2, windowSeconds: 60 }; // one request refills every 30 s

  it("answers a key known to be over its limit from memory until its next request would be taken", async () => {
    let now = 1_000_000;
    const store = memoryStore();
    const limiter = new RateLimiter(store, () => now);
    expect(await limiter.hit("a", limit)).toEqual({ ok: true });
    expect(await limiter.hit("a", limit)).toEqual({ ok: true });
    expect(await limiter.hit("a", limit)).toEqual({ ok: false, retryAfterSeconds: 30, first: true });
    expect(store.takes).toBe(3);
    now += 10_000;
    expect(limiter.blocked("a")).toEqual({ ok: false, retryAfterSeconds: 20 });
    expect(await limiter.hit("a", limit)).toEqual({ ok: false, retryAfterSeconds: 20 });
    expect(store.takes).toBe(3);
    expect(await limiter.hit("b", limit)).toEqual({ ok: true });
    now += 20_000;
    expect(limiter.blocked("a")).toBeUndefined();
    expect(await limiter.hit("a", limit)).toEqual({ ok: true });
  });

  it("reports a key's refusals once per window, not at every refill", async () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(memoryStore(), () => now);
    const firsts: boolean[] = [];
    // A flood: a request every second for three minutes; one in thirty gets through.
    for (let second = 0; second < 180; second++, now += 1_000) {
      const verdict = await limiter.hit("flood", limit);
      if (!verdict.ok && "first" in verdict && verdict.first !== undefined) firsts.push(verdict.first);
    }
    // Refused afresh once its allowance is spent and after each refill (2 s, 31 s, 61 s, …), but
    // reported only when a minute has passed since the last report.
    expect(firsts).toEqual([true, false, false, true, false, true]);
  });
});
