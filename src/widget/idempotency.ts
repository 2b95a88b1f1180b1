// One Idempotency-Key per submission attempt. Resending the very same request after it went
// unanswered (network failure, unreadable reply) is the same attempt, so it keeps its key and the
// BFF can recognise the duplicate; any answer, or any change to the request, starts a new attempt.

export interface AttemptKeys {
  /** The key to send with this request body. */
  keyFor(body: string): string;
  /** The last request got an answer (success or refusal): its key is spent. */
  answered(): void;
}

export function createAttemptKeys(newKey: () => string = () => crypto.randomUUID()): AttemptKeys {
  let pending: { body: string; key: string } | undefined;
  return {
    keyFor(body) {
      if (pending?.body !== body) pending = { body, key: newKey() };
      return pending.key;
    },
    answered() {
      pending = undefined;
    },
  };
}
