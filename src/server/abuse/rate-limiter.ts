// Fixed-window rate limits kept by the store (shared between instances on PostgreSQL). A key found
// over its limit is remembered in memory until its window ends, so a flood from one address is
// answered without touching the store at all.

export interface Limit {
  max: number;
  windowSeconds: number;
}

/** `first`: this request is the one that went over the limit (the others are answered from memory). */
export type LimitVerdict = { ok: true } | { ok: false; retryAfterSeconds: number; first?: boolean };

export interface RateLimitStore {
  hitRateLimit(key: string, windowMs: number, now: number): Promise<{ count: number; resetAt: number }>;
}

export class RateLimiter {
  private readonly blockedUntil = new Map<string, number>();

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
    const { count, resetAt } = await this.store.hitRateLimit(key, limit.windowSeconds * 1000, now);
    if (count <= limit.max) return { ok: true };
    if (this.blockedUntil.size > 50_000) this.sweep(now);
    this.blockedUntil.set(key, resetAt);
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((resetAt - now) / 1000)), first: true };
  }

  private sweep(now: number): void {
    for (const [key, until] of this.blockedUntil) if (until <= now) this.blockedUntil.delete(key);
  }
}
