/**
 * Token buckets, one per key (a peer id): a key may take `ratePerS` tokens a second on average and
 * `burst` at once. A bucket starts full, refills continuously with the time passed (an injected
 * clock's milliseconds, so tests run on a simulated one), and never holds more than `burst`.
 *
 * Reference: the token bucket as in RFC 2697 ("A Single Rate Three Color Marker"), its committed
 * rate and burst size.
 */
export interface TokenBuckets {
  /** Takes one token from `key`'s bucket at `nowMs`; false (nothing taken) when it is empty. */
  take(key: string, nowMs: number): boolean;
  /** Forgets the buckets of every key not in `keys`. */
  retain(keys: readonly string[]): void;
  clear(): void;
}

/**
 * @example
 * ```ts
 * const packets = createTokenBuckets(400, 200);
 * if (!packets.take(from, timers.now())) return stats.drop('budget');
 * ```
 */
export function createTokenBuckets(ratePerS: number, burst: number): TokenBuckets {
  const buckets = new Map<string, { tokens: number; atMs: number }>();
  return {
    take(key, nowMs) {
      let bucket = buckets.get(key);
      if (bucket === undefined) {
        bucket = { tokens: burst, atMs: nowMs };
        buckets.set(key, bucket);
      } else {
        bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, nowMs - bucket.atMs) * ratePerS) / 1000);
        bucket.atMs = nowMs;
      }
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
    retain(keys) {
      const keep = new Set(keys);
      for (const key of buckets.keys()) if (!keep.has(key)) buckets.delete(key);
    },
    clear() {
      buckets.clear();
    },
  };
}
