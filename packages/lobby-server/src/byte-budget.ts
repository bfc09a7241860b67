/**
 * A byte budget per peer: a bucket of `capacityBytes` that refills at `bytesPerS`. Two ways to
 * spend it:
 * - `take(n)`: all or nothing, for a cost known in advance (a signal's bytes);
 * - `open()` then `charge(n)`: for a cost known only afterwards (the `room.state` copies a request
 *   causes). A request is let through while the balance is not negative, and its cost is charged
 *   in full, so one large broadcast may overdraw the bucket; the next request then waits until it
 *   has refilled. What a peer makes the server send is bounded by the refill rate over time.
 */
export class ByteBudget {
  private balance: number;
  private lastMs: number;
  private readonly perMs: number;

  constructor(
    bytesPerS: number,
    private readonly capacityBytes: number,
    nowMs: number,
  ) {
    this.perMs = bytesPerS / 1000;
    this.balance = capacityBytes;
    this.lastMs = nowMs;
  }

  private refill(nowMs: number): void {
    const elapsed = nowMs - this.lastMs;
    if (elapsed > 0) {
      this.balance = Math.min(this.capacityBytes, this.balance + elapsed * this.perMs);
      this.lastMs = nowMs;
    }
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
