// When to try a delivery again. Dataverse's Retry-After is honoured in full (its service protection
// lengthens the wait for clients that retry early); otherwise exponential backoff with jitter, so a
// fleet of instances recovering from the same outage does not retry in lockstep.

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 12, baseDelayMs: 2_000, maxDelayMs: 10 * 60_000 };

/** Delay before attempt `attemptsSoFar + 1`: Retry-After when given, else "equal jitter" backoff. */
export function retryDelay(attemptsSoFar: number, retryAfterSeconds: number | undefined, policy: RetryPolicy, random = Math.random): number {
  if (retryAfterSeconds !== undefined) return Math.ceil(retryAfterSeconds * 1000);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attemptsSoFar - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
