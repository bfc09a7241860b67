/**
 * Per-connection token bucket (docs/lobby-protocol.md, "Limits and errors"): every message costs
 * one token; tokens refill at `ratePerS` up to `burst`. Over the limit a message is dropped, the
 * client is told at most once per second, and a connection that stays over the limit for
 * `closeAfterMs` without a pause of `streakGapMs` is closed.
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
  /** A pause in drops this long ends an excess streak. Default 1000. */
  streakGapMs?: number;
}

export class RateLimiter {
  private tokens: number;
  private lastRefillMs: number;
  private streakStartMs = -1;
  private lastDropMs = Number.NEGATIVE_INFINITY;
  private lastNotifyMs = Number.NEGATIVE_INFINITY;
  private readonly perMs: number;
  private readonly burst: number;
  private readonly closeAfterMs: number;
  private readonly notifyEveryMs: number;
  private readonly streakGapMs: number;

  constructor(options: RateLimiterOptions, nowMs: number) {
    this.perMs = options.ratePerS / 1000;
    this.burst = options.burst;
    this.tokens = options.burst;
    this.lastRefillMs = nowMs;
    this.closeAfterMs = options.closeAfterMs ?? 10_000;
    this.notifyEveryMs = options.notifyEveryMs ?? 1_000;
    this.streakGapMs = options.streakGapMs ?? 1_000;
  }

  /** Charges one message arriving at `nowMs` (monotonic). */
  take(nowMs: number): RateVerdict {
    const elapsed = nowMs - this.lastRefillMs;
    if (elapsed > 0) {
      this.tokens = Math.min(this.burst, this.tokens + elapsed * this.perMs);
      this.lastRefillMs = nowMs;
    }
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 'accept';
    }
    if (nowMs - this.lastDropMs > this.streakGapMs) this.streakStartMs = nowMs;
    this.lastDropMs = nowMs;
    if (nowMs - this.streakStartMs >= this.closeAfterMs) return 'close';
    if (nowMs - this.lastNotifyMs >= this.notifyEveryMs) {
      this.lastNotifyMs = nowMs;
      return 'drop-and-notify';
    }
    return 'drop';
  }
}
