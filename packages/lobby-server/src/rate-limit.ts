/**
 * Per-connection limits (docs/lobby-protocol.md, "Limits and errors"), on two token buckets
 * (byte-budget.ts): every message costs one token of a bucket of `burst` refilling at `ratePerS`,
 * and, with `bytesPerS`, its bytes cost as many of a bucket of `bytesBucketS` seconds of
 * `bytesPerS`. Over either limit a message is dropped, and the client is told at most once per
 * `notifyEveryMs` whichever limit dropped it; a connection that stays in excess of the message rate
 * for `closeAfterMs` is closed.
 *
 * "In excess" starts with the first message the rate drops and lasts until the client has backed
 * off enough to earn a full second of headroom again (the bucket holds `min(ratePerS, burst)`
 * tokens). So a client sending only slightly faster than the rate, whose bucket never recovers,
 * is closed too, while one that floods briefly and then slows down starts afresh. Bytes over their
 * limit are dropped without counting towards a close: the frame size limit bounds each one.
 */
import { ByteBudget } from './byte-budget.js';

/** What to do with one message. */
export type RateVerdict = 'accept' | 'drop' | 'drop-and-notify' | 'close';
/** The limit that refused a message: the message rate or the bytes in. */
export type RateLimit = 'messages' | 'bytes';

/** A message not accepted: what to do with it, and the limit that refused it. */
export interface RateRefusal {
  readonly verdict: Exclude<RateVerdict, 'accept'>;
  readonly limit: RateLimit;
}

export interface RateLimiterOptions {
  ratePerS: number;
  burst: number;
  /** Bytes per second the connection may send. Default: bytes are not limited. */
  bytesPerS?: number;
  /** Seconds of `bytesPerS` the connection may send at once. Default 4. */
  bytesBucketS?: number;
  /** Continuous excess this long closes the connection. Default 10000. */
  closeAfterMs?: number;
  /** Minimum gap between two RATE_LIMITED errors. Default 1000. */
  notifyEveryMs?: number;
}

const refusal = (verdict: RateRefusal['verdict'], limit: RateLimit): RateRefusal => Object.freeze({ verdict, limit });
/** Every refusal, made once: the hot path allocates nothing. */
const DROP = { messages: refusal('drop', 'messages'), bytes: refusal('drop', 'bytes') };
const NOTIFY = { messages: refusal('drop-and-notify', 'messages'), bytes: refusal('drop-and-notify', 'bytes') };
const CLOSE = refusal('close', 'messages');

export class RateLimiter {
  private readonly messages: ByteBudget;
  private readonly bytes: ByteBudget | null;
  /** When the current excess began; null while not in excess. */
  private excessSinceMs: number | null = null;
  private lastNotifyMs = Number.NEGATIVE_INFINITY;
  private readonly closeAfterMs: number;
  private readonly notifyEveryMs: number;
  /** Tokens that end an excess: one second of headroom. */
  private readonly recoveredTokens: number;

  constructor(options: RateLimiterOptions, nowMs: number) {
    this.messages = ByteBudget.holding(options.ratePerS, options.burst, nowMs);
    this.bytes =
      options.bytesPerS === undefined ? null : new ByteBudget(options.bytesPerS, options.bytesBucketS ?? 4, nowMs);
    this.closeAfterMs = options.closeAfterMs ?? 10_000;
    this.notifyEveryMs = options.notifyEveryMs ?? 1_000;
    this.recoveredTokens = Math.min(options.ratePerS, options.burst);
  }

  /** Charges one message arriving at `nowMs` (monotonic). */
  take(nowMs: number): RateVerdict {
    return this.admit(0, nowMs)?.verdict ?? 'accept';
  }

  /** Charges one message of `bytes` arriving at `nowMs` (monotonic): null when accepted. */
  admit(bytes: number, nowMs: number): RateRefusal | null {
    if (this.bytes && !this.bytes.take(bytes, nowMs)) return this.drop('bytes', nowMs);
    const tokens = this.messages.available(nowMs);
    if (this.excessSinceMs !== null && tokens >= this.recoveredTokens) this.excessSinceMs = null;
    if (this.messages.take(1, nowMs)) return null;
    this.excessSinceMs ??= nowMs;
    if (nowMs - this.excessSinceMs >= this.closeAfterMs) return CLOSE;
    return this.drop('messages', nowMs);
  }

  /** A drop, with a notice if none went out in the last `notifyEveryMs`. */
  private drop(limit: RateLimit, nowMs: number): RateRefusal {
    if (nowMs - this.lastNotifyMs < this.notifyEveryMs) return DROP[limit];
    this.lastNotifyMs = nowMs;
    return NOTIFY[limit];
  }
}
