/**
 * Per-connection token bucket (docs/lobby-protocol.md, "Limits and errors"): every message costs
 * one token; tokens refill at `ratePerS` up to `burst`. Over the limit a message is dropped, the
 * client is told at most once per second, and a connection that stays in excess for
 * `closeAfterMs` is closed.
 *
 * "In excess" starts with the first dropped message and lasts until the client has backed off
 * enough to earn a full second of headroom again (the bucket holds `min(ratePerS, burst)`
 * tokens). So a client sending only slightly faster than the rate, whose bucket never recovers,
 * is closed too, while one that floods briefly and then slows down starts afresh.
 */
/** What to do with one message. */
export type RateVerdict = 'accept' | 'drop' | 'drop-and-notify' | 'close';

export interface RateLimiterOptions {
  ratePerS: number;
  burst: number;
  /** Continuous excess this long closes the connection. Default 10000. */
  closeAfterMs?: number;
  /** Minimum gap between two RATE_LIMITED errors. Default 1000. */
  notifyEveryMs?: number;
}

export class RateLimiter {
  private tokens: number;
  private lastRefillMs: number;
  /** When the current excess began; null while not in excess. */
  private excessSinceMs: number | null = null;
  private lastNotifyMs = Number.NEGATIVE_INFINITY;
  private readonly perMs: number;
  private readonly burst: number;
  private readonly closeAfterMs: number;
  private readonly notifyEveryMs: number;
  /** Tokens that end an excess: one second of headroom. */
  private readonly recoveredTokens: number;

  constructor(options: RateLimiterOptions, nowMs: number) {
    this.perMs = options.ratePerS / 1000;
    this.burst = options.burst;
    this.tokens = options.burst;
    this.lastRefillMs = nowMs;
    this.closeAfterMs = options.closeAfterMs ?? 10_000;
    this.notifyEveryMs = options.notifyEveryMs ?? 1_000;
    this.recoveredTokens = Math.min(options.ratePerS, options.burst);
  }

  /** Charges one message arriving at `nowMs` (monotonic). */
  take(nowMs: number): RateVerdict {
    const elapsed = nowMs - this.lastRefillMs;
    if (elapsed > 0) {
      this.tokens = Math.min(this.burst, this.tokens + elapsed * this.perMs);
      this.lastRefillMs = nowMs;
    }
    if (this.excessSinceMs !== null && this.tokens >= this.recoveredTokens) this.excessSinceMs = null;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 'accept';
    }
    this.excessSinceMs ??= nowMs;
    if (nowMs - this.excessSinceMs >= this.closeAfterMs) return 'close';
    if (nowMs - this.lastNotifyMs >= this.notifyEveryMs) {
      this.lastNotifyMs = nowMs;
      return 'drop-and-notify';
    }
    return 'drop';
  }
}
