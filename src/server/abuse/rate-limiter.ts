// Rate limits kept by the store (shared between instances on PostgreSQL), as the generic cell rate
// algorithm: a limit of `max` per `windowSeconds` lets a key spend `max` requests at once, then one
// more each `windowSeconds / max` as its allowance refills. Its only state is one time per key, and
// nothing resets at a clock boundary (fixed windows give an address its whole allowance again at
// every boundary: twice the limit in a moment for a flood that straddles one). A key found over
// its limit is remembered in memory until its next request would be allowed, so a flood from one
// address is answered without touching the store at all.

export interface Limit {
  max: number;
  windowSeconds: number;
}

/**
 * `first`: the key's first refusal within its window, to report (the others are only counted): a
 * flood refused every refill, one request each `windowSeconds / max`, is reported once a window.
 */
export type LimitVerdict = { ok: true } | { ok: false; retryAfterSeconds: number; first?: boolean };

/** What one request costs a key's allowance: `costMs`, of at most `capacityMs` that may be spent ahead. */
export interface RateCost {
  costMs: number;
  capacityMs: number;
}

/** Allowed: the request's cost is taken. Refused: nothing is taken, and `retryAt` says when it would be allowed. */
export type RateVerdict = { allowed: true } | { allowed: false; retryAt: number };

export interface RateLimitStore {
  takeRate(key: string, cost: RateCost, now: number): Promise<RateVerdict>;
}

/**
 * The rule every store applies to a key's "theoretical arrival time" (`tat`, when its allowance
 * will be whole again; none stored means whole now): the request is allowed when spending its cost
 * leaves the allowance no more than `capacityMs` ahead of now.
 */
export function spendRate(tat: number | undefined, cost: RateCost, now: number): { allowed: true; tat: number } | { allowed: false; retryAt: number } {
  const next = Math.max(tat ?? now, now) + cost.costMs;
  return next - now <= cost.capacityMs ? { allowed: true, tat: next } : { allowed: false, retryAt: next - cost.capacityMs };
}

export const rateCost = (limit: Limit): RateCost => ({ costMs: (limit.windowSeconds * 1000) / limit.max, capacityMs: limit.windowSeconds * 1000 });

export class RateLimiter {
  private readonly blockedUntil = new Map<string, number>();
  /** When each key's refusals were last reported, until its window has passed. */
  private readonly reported = new Map<string, { at: number; windowMs: number }>();

  constructor(
    private readonly store: RateLimitStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Answers from memory alone when the key is already known to be over its limit. */
  blocked(key: string): { ok: false; retryAfterSeconds: number } | undefined {
    const until = this.blockedUntil.get(key);
    if (until === undefined) return undefined;
    const now = this.now();
    if (until <= now) {
      this.blockedUntil.delete(key);
      return undefined;
    }
    return { ok: false, retryAfterSeconds: Math.ceil((until - now) / 1000) };
  }

  async hit(key: string, limit: Limit): Promise<LimitVerdict> {
    const known = this.blocked(key);
    if (known) return known;
    const now = this.now();
    const verdict = await this.store.takeRate(key, rateCost(limit), now);
    if (verdict.allowed) return { ok: true };
    if (this.blockedUntil.size > 50_000 || this.reported.size > 50_000) this.sweep(now);
    this.blockedUntil.set(key, verdict.retryAt);
    const last = this.reported.get(key);
    const first = !last || last.at + last.windowMs <= now;
    if (first) this.reported.set(key, { at: now, windowMs: limit.windowSeconds * 1000 });
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((verdict.retryAt - now) / 1000)), first };
  }

  private sweep(now: number): void {
    for (const [key, until] of this.blockedUntil) if (until <= now) this.blockedUntil.delete(key);
    for (const [key, last] of this.reported) if (last.at + last.windowMs <= now) this.reported.delete(key);
  }
}
