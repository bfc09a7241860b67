/**
 * A byte budget per peer: a bucket holding `bucketS` seconds of `perS` that refills at `perS`.
 * Two ways to spend it:
 * - `take(n)`: all or nothing, for a cost known in advance (a signal's length, a frame's bytes; one
 *   message, for the message rate limit of rate-limit.ts);
 * - `open()` then `charge(n)`: for a cost known only afterwards (the `room.state` copies a request
 *   causes). A request is let through while the balance is not negative, and its cost is charged
 *   in full, so one large broadcast may overdraw the bucket; the next request then waits until it
 *   has refilled. What a peer makes the server send is bounded by the refill rate over time.
 */
export class ByteBudget {
  private balance: number;
  private lastMs: number;
  private readonly perMs: number;
  private capacity: number;

  /** A full bucket at `nowMs` (monotonic) of `bucketS` seconds of `perS`. */
  constructor(perS: number, bucketS: number, nowMs: number) {
    this.perMs = perS / 1000;
    this.capacity = perS * bucketS;
    this.balance = this.capacity;
    this.lastMs = nowMs;
  }

  /**
   * A full bucket of exactly `capacity` (a burst of messages, say) refilling at `perS`; exact where
   * `perS * (capacity / perS)` would round below it.
   */
  static holding(perS: number, capacity: number, nowMs: number): ByteBudget {
    const budget = new ByteBudget(perS, capacity / perS, nowMs);
    budget.capacity = capacity;
    budget.balance = capacity;
    return budget;
  }

  private refill(nowMs: number): void {
    const elapsed = nowMs - this.lastMs;
    if (elapsed > 0) {
      this.balance = Math.min(this.capacity, this.balance + elapsed * this.perMs);
      this.lastMs = nowMs;
    }
  }

  /** What the bucket holds at `nowMs` (negative while overdrawn). */
  available(nowMs: number): number {
    this.refill(nowMs);
    return this.balance;
  }

  /** Spends `bytes` if the bucket holds them; false (nothing spent) otherwise. */
  take(bytes: number, nowMs: number): boolean {
    this.refill(nowMs);
    if (this.balance < bytes) return false;
    this.balance -= bytes;
    return true;
  }

  /** True while the bucket is not overdrawn: a request may go ahead and be charged afterwards. */
  open(nowMs: number): boolean {
    this.refill(nowMs);
    return this.balance >= 0;
  }

  /** Charges `bytes` already spent, overdrawing if need be. */
  charge(bytes: number, nowMs: number): void {
    this.refill(nowMs);
    this.balance -= bytes;
  }
}
