// Random bytes for ids and nonces, from a pool refilled 4 kB at a time: each call into the system's
// random generator costs ~4.5 µs here whatever its size, and a callback request needs two draws
// (its id, its sealing nonce). The bytes are the generator's own; only the calls are fewer.
import { randomFillSync } from "node:crypto";

const pool = new Uint8Array(4096);
let taken = pool.length;

/**
 * `size` fresh random bytes (at most 4096). They are a view into the pool, overwritten once it is
 * refilled: use or copy them before the next call.
 */
export function randomFromPool(size: number): Uint8Array {
  if (taken + size > pool.length) {
    randomFillSync(pool);
    taken = 0;
  }
  return pool.subarray(taken, (taken += size));
}
