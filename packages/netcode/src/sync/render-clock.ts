/**
 * The render clock of interpolation: which tick remote entities are drawn at, now.
 *
 * Each complete snapshot gives a sample of "host timeline minus local arrival time"
 * (`tick * tickMs - arrivedAt`). The largest sample in a recent window is the least delayed
 * arrival; the others fall short of it by their queueing delay, whose median is the jitter (the
 * median, not the mean: a page that stalls for 100 ms once delays a few snapshots by up to 100 ms,
 * which would raise the mean, and with it the delay, for as long as they stay in the window; the
 * median moves only when most arrivals are later). Remote entities are drawn `delay` behind that
 * best arrival, where
 *
 *   delay = interpolationSnapshots × snapshot interval + jitterFactor × jitter
 *
 * so the snapshot after the render time has almost always arrived. One-way latency needs no
 * estimate of its own: it is folded into the arrival samples. The delay adapts as jitter changes,
 * but the render time never jumps: it moves toward its target at most `maxRate` faster or slower
 * than real time (a change of pace nobody sees), `largeErrorRate` while it is off by more than
 * `largeErrorMs` (a first estimate on a busy start), and jumps only when off by more than `snapMs`.
 *
 * References: Valve, "Source Multiplayer Networking" (cl_interp, interpolation delay);
 * RFC 3550, section 6.4.1 (interarrival jitter).
 */
export interface RenderClockOptions {
  tickMs: number;
  snapshotIntervalMs: number;
  /** Delay in snapshot intervals before jitter. */
  interpolationSnapshots: number;
  /** Jitter multiplier. */
  jitterFactor: number;
  /** How the queueing delays of the window are summed up into the jitter. Default `'median'`. */
  jitterStatistic?: JitterStatistic;
  /** Arrival samples kept. Default 64. */
  windowSize?: number;
  /** Largest change of pace while adapting, as a fraction. Default 0.05. */
  maxRate?: number;
  /** Off by more than this, ms, the pace may change by up to `largeErrorRate`. Default 50. */
  largeErrorMs?: number;
  /** Default 0.25. */
  largeErrorRate?: number;
  /** A render time off by more than this jumps. Default 250. */
  snapMs?: number;
}

/** How a window of delays beyond the best one is summed up: their median, or their mean (one outlier moves it). */
export type JitterStatistic = 'median' | 'mean';

/** The jitter of `excess` (each sample's delay beyond the best one), by `statistic`. */
export function jitterOf(excess: readonly number[], statistic: JitterStatistic): number {
  if (excess.length === 0) return 0;
  if (statistic === 'mean') return excess.reduce((sum, e) => sum + e, 0) / excess.length;
  const sorted = [...excess].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export interface RenderClock {
  /** Records the arrival of a complete snapshot. */
  onSnapshot(tick: number, arrivedAt: number): void;
  /** The fractional tick to draw remote entities at; null before the first snapshot. */
  renderTick(now: number): number | null;
  /** The current interpolation delay behind the best arrival, ms. */
  readonly delayMs: number;
  /** Snapshot arrival jitter (the statistic of the queueing delays), ms. */
  readonly jitterMs: number;
  reset(): void;
}

export function createRenderClock(options: RenderClockOptions): RenderClock {
  const windowSize = options.windowSize ?? 64;
  const maxRate = options.maxRate ?? 0.05;
  const snapMs = options.snapMs ?? 250;
  const largeErrorMs = options.largeErrorMs ?? 50;
  const largeErrorRate = options.largeErrorRate ?? 0.25;
  const statistic = options.jitterStatistic ?? 'median';
  let samples: number[] = [];
  let best = 0;
  let jitter = 0;
  let offset: number | null = null; // render time minus local time, ms
  let lastNow = 0;

  const targetDelay = () => options.interpolationSnapshots * options.snapshotIntervalMs + options.jitterFactor * jitter;

  return {
    onSnapshot(tick, arrivedAt) {
      samples.push(tick * options.tickMs - arrivedAt);
      if (samples.length > windowSize) samples = samples.slice(samples.length - windowSize);
      best = Math.max(...samples);
      jitter = jitterOf(
        samples.map((s) => best - s),
        statistic,
      );
    },
    renderTick(now) {
      if (samples.length === 0) return null;
      const target = best - targetDelay();
      if (offset === null || Math.abs(target - offset) > snapMs) {
        offset = target;
      } else {
        const rate = Math.abs(target - offset) > largeErrorMs ? largeErrorRate : maxRate;
        const step = Math.max(0, now - lastNow) * rate;
        offset += Math.max(-step, Math.min(step, target - offset));
      }
      lastNow = now;
      return (now + offset) / options.tickMs;
    },
    get delayMs() {
      return offset === null ? targetDelay() : best - offset;
    },
    get jitterMs() {
      return jitter;
    },
    reset() {
      samples = [];
      best = 0;
      jitter = 0;
      offset = null;
    },
  };
}
