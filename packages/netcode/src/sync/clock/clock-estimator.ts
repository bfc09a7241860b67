/**
 * Clock offset estimation from ping/pong exchanges, NTP style (RFC 5905, section 8; also
 * Cristian's algorithm), with minimum-RTT filtering.
 *
 * A client sends a ping at local time t0; the host stamps its arrival t1 and its reply t2 on the
 * host clock; the reply arrives at local t3. Then
 *
 *   rtt    = (t3 - t0) - (t2 - t1)
 *   offset = ((t1 - t0) + (t2 - t3)) / 2        (host clock minus local clock)
 *
 * The offset is exact when the two legs take equally long; its error is at most rtt / 2. Queueing
 * delay inflates one leg more than the other, so the samples with the lowest RTT are the most
 * trustworthy: the estimate is the median offset of the `bestOf` lowest-RTT samples among the
 * last `windowSize`, and its error bound is half the lowest RTT seen in the window.
 *
 * Pure: no clock is read here; the caller passes the four timestamps.
 *
 * @example
 * const clock = createClockEstimator();
 * clock.addSample({ sentAt: t0, hostReceivedAt: t1, hostSentAt: t2, receivedAt: t3 });
 * const hostNow = localNow + clock.offsetMs;
 */

export interface ClockSample {
  /** Local time the ping left (t0). */
  sentAt: number;
  /** Host time the ping arrived (t1). */
  hostReceivedAt: number;
  /** Host time the pong left (t2). */
  hostSentAt: number;
  /** Local time the pong arrived (t3). */
  receivedAt: number;
}

export interface ClockEstimatorOptions {
  /** Samples kept. Default 32. */
  windowSize?: number;
  /** Lowest-RTT samples the estimate is taken from. Default 8. */
  bestOf?: number;
}

export interface ClockEstimate {
  /** Host clock minus local clock, ms; 0 before the first sample. */
  readonly offsetMs: number;
  /** Lowest round trip in the window, ms; null before the first sample. */
  readonly rttMs: number | null;
  /** Bound on the offset's error (half the lowest RTT), ms; Infinity before the first sample. */
  readonly errorMs: number;
  /** Samples in the window. */
  readonly samples: number;
}

export interface ClockEstimator extends ClockEstimate {
  /** Adds one exchange; returns false (and ignores it) when its timestamps are impossible. */
  addSample(sample: ClockSample): boolean;
  reset(): void;
}

interface Measured {
  rtt: number;
  offset: number;
}

export function createClockEstimator(options: ClockEstimatorOptions = {}): ClockEstimator {
  const windowSize = Math.max(1, options.windowSize ?? 32);
  const bestOf = Math.max(1, Math.min(windowSize, options.bestOf ?? 8));
  let window: Measured[] = [];
  let estimate = { offsetMs: 0, rttMs: null as number | null, errorMs: Number.POSITIVE_INFINITY };

  function recompute(): void {
    const best = [...window].sort((a, b) => a.rtt - b.rtt).slice(0, bestOf);
    const offsets = best.map((m) => m.offset).sort((a, b) => a - b);
    const mid = offsets.length >> 1;
    const median = offsets.length % 2 === 1 ? (offsets[mid] ?? 0) : ((offsets[mid - 1] ?? 0) + (offsets[mid] ?? 0)) / 2;
    const minRtt = best[0]?.rtt ?? null;
    estimate = {
      offsetMs: median,
      rttMs: minRtt,
      errorMs: minRtt === null ? Number.POSITIVE_INFINITY : minRtt / 2,
    };
  }

  return {
    get offsetMs() {
      return estimate.offsetMs;
    },
    get rttMs() {
      return estimate.rttMs;
    },
    get errorMs() {
      return estimate.errorMs;
    },
    get samples() {
      return window.length;
    },
    addSample(sample) {
      const { sentAt: t0, hostReceivedAt: t1, hostSentAt: t2, receivedAt: t3 } = sample;
      const values = [t0, t1, t2, t3];
      if (!values.every(Number.isFinite) || t3 < t0 || t2 < t1) return false;
      const rtt = t3 - t0 - (t2 - t1);
      if (rtt < 0) return false;
      window.push({ rtt, offset: (t1 - t0 + (t2 - t3)) / 2 });
      if (window.length > windowSize) window = window.slice(window.length - windowSize);
      recompute();
      return true;
    },
    reset() {
      window = [];
      estimate = { offsetMs: 0, rttMs: null, errorMs: Number.POSITIVE_INFINITY };
    },
  };
}
