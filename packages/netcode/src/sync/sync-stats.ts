/**
 * Figures of the sync layer, for a netgraph and for tests: what was sent and received, how often
 * predictions were corrected and by how much, how deep the interpolation buffer runs, how far the
 * local tick leads the host's. Counters are totals since start; averages are moving averages of
 * recent values (about the last 20).
 */
import type { Timers } from '../util/timers.js';

export interface SyncCounters {
  /** Inputs of other peers received for the first time. */
  inputsReceived: number;
  /** Own inputs sent again because the host had not acknowledged them yet. */
  inputsResent: number;
  /** Host: inputs that arrived after their tick was simulated. */
  inputsLate: number;
  /** Host: ticks a player's input had not arrived in time (the last one was repeated). */
  inputsMissing: number;
  /** Packets that failed to parse or validate (dropped). */
  packetsInvalid: number;
  /** Valid packets from a peer that had no business sending them (a snapshot from a non-host). */
  packetsIgnored: number;
  /** Snapshot parts that could not be applied (bad bytes, no baseline). */
  snapshotsRejected: number;
  /** Events the game's `parseEvent` rejected. */
  eventsRejected: number;
  /** Ticks skipped after a stall longer than `maxCatchUpTicks`. */
  ticksDropped: number;
  /** Times a client's clock jumped instead of steering. */
  clockJumps: number;
  /** Host changes this peer went through. */
  migrations: number;
  /** Client: prediction corrections bigger than `correctionEpsilon`. */
  corrections: number;
}

/**
 * Why the engine dropped what a peer sent (tuning.ts has the limits): `tickWindow`, inputs for
 * ticks outside the window around the local tick; `inputCap`, inputs beyond `maxInputsPerPlayer`;
 * `budget`, packets over the peer's `peerPacketsPerS` budget; `eventRate`, host events over
 * `peerEventsPerS`.
 */
export type SyncDropReason = 'tickWindow' | 'inputCap' | 'budget' | 'eventRate';

/** Inputs (`tickWindow`, `inputCap`), packets (`budget`) or events (`eventRate`) dropped, by reason. */
export type SyncDrops = Record<SyncDropReason, number>;

export interface SyncStats extends SyncCounters {
  /** What peers sent that went over a limit, dropped, by reason (totals since start). */
  dropped: Readonly<SyncDrops>;
  tick: number;
  /** Client: local tick time minus the host's estimated tick time (the lead), ms; host: 0. */
  tickOffsetMs: number;
  /** Host timeline minus local clock, ms. */
  clockOffsetMs: number;
  /** Bound on the clock offset's error, ms. */
  clockErrorMs: number;
  /** Lowest recent round trip to the host, ms; null before the first pong (and on the host). */
  rttMs: number | null;
  /** Client: how far behind the best snapshot arrival remote entities are drawn, ms. */
  interpDelayMs: number;
  /** Client: snapshot arrival jitter (the median delay beyond the best recent arrival, `jitterStatistic`), ms. */
  snapshotJitterMs: number;
  /**
   * Client: how long its inputs waited at the host for their tick, ms (the median of the last 32
   * arrivals, as the host measured and says in each snapshot; negative: they came late). The rest
   * of its lead (`tickOffsetMs`) is the one-way trip. Null before the host said, and on the host.
   */
  inputWaitMs: number | null;
  /** Client: time since the last snapshot from the host, ms (0 on the host and before the first). */
  hostSilentMs: number;
  /** Client: snapshots buffered ahead of the render time (moving average). */
  interpBufferDepth: number;
  /** Client: fraction of recent frames drawn past the newest snapshot (extrapolated). */
  extrapolatedFraction: number;
  /** Snapshots sent (host, one per peer) or complete snapshots' parts received (client). */
  snapshots: number;
  /** Bytes per snapshot sent to one peer (host) or per part received (client), moving average. */
  snapshotBytesAvg: number;
  /** Host: bytes of a full snapshot, moving average. */
  snapshotBytesFullAvg: number;
  /** Host: bytes of a delta snapshot, moving average. */
  snapshotBytesDeltaAvg: number;
  /** Client: prediction corrections in the last second. */
  correctionsPerSec: number;
  /** Client: size of recent corrections (Euclidean over the smoothed fields), moving average. */
  correctionAvg: number;
  /** Client: largest correction so far. */
  correctionMax: number;
}

export type LiveFigures = Pick<
  SyncStats,
  | 'tick'
  | 'tickOffsetMs'
  | 'clockOffsetMs'
  | 'clockErrorMs'
  | 'rttMs'
  | 'interpDelayMs'
  | 'snapshotJitterMs'
  | 'inputWaitMs'
  | 'hostSilentMs'
>;

export interface SyncStatsRecorder {
  count(counter: keyof SyncCounters, by?: number): void;
  drop(reason: SyncDropReason, by?: number): void;
  snapshotSent(bytes: number, full: boolean): void;
  snapshotReceived(bytes: number): void;
  correction(size: number): void;
  sampleView(depth: number, extrapolated: boolean): void;
  read(live: LiveFigures): SyncStats;
}

const EMA = 0.05;

export function createSyncStats(timers: Timers): SyncStatsRecorder {
  const counters: SyncCounters = {
    inputsReceived: 0,
    inputsResent: 0,
    inputsLate: 0,
    inputsMissing: 0,
    packetsInvalid: 0,
    packetsIgnored: 0,
    snapshotsRejected: 0,
    eventsRejected: 0,
    ticksDropped: 0,
    clockJumps: 0,
    migrations: 0,
    corrections: 0,
  };
  const dropped: SyncDrops = { tickWindow: 0, inputCap: 0, budget: 0, eventRate: 0 };
  let snapshots = 0;
  let bytesAvg = 0;
  let fullAvg = 0;
  let deltaAvg = 0;
  let correctionTimes: number[] = [];
  let correctionAvg = 0;
  let correctionMax = 0;
  let depthAvg = 0;
  let extrapolatedAvg = 0;
  const ema = (avg: number, value: number, first: boolean) => (first ? value : avg + (value - avg) * EMA);

  return {
    count(counter, by = 1) {
      counters[counter] += by;
    },
    drop(reason, by = 1) {
      dropped[reason] += by;
    },
    snapshotSent(bytes, full) {
      bytesAvg = ema(bytesAvg, bytes, snapshots === 0);
      if (full) fullAvg = ema(fullAvg, bytes, fullAvg === 0);
      else deltaAvg = ema(deltaAvg, bytes, deltaAvg === 0);
      snapshots++;
    },
    snapshotReceived(bytes) {
      bytesAvg = ema(bytesAvg, bytes, snapshots === 0);
      snapshots++;
    },
    correction(size) {
      const now = timers.now();
      counters.corrections++;
      correctionTimes.push(now);
      if (correctionTimes.length > 256) correctionTimes = correctionTimes.slice(-256);
      correctionAvg = ema(correctionAvg, size, correctionMax === 0);
      correctionMax = Math.max(correctionMax, size);
    },
    sampleView(depth, extrapolated) {
      depthAvg = ema(depthAvg, depth, false);
      extrapolatedAvg = ema(extrapolatedAvg, extrapolated ? 1 : 0, false);
    },
    read(live) {
      const now = timers.now();
      correctionTimes = correctionTimes.filter((at) => now - at <= 1000);
      return {
        ...counters,
        dropped: { ...dropped },
        ...live,
        interpBufferDepth: depthAvg,
        extrapolatedFraction: extrapolatedAvg,
        snapshots,
        snapshotBytesAvg: bytesAvg,
        snapshotBytesFullAvg: fullAvg,
        snapshotBytesDeltaAvg: deltaAvg,
        correctionsPerSec: correctionTimes.length,
        correctionAvg,
        correctionMax,
      };
    },
  };
}
