import type { JitterStatistic } from './render-clock.js';

/**
 * Every tuning value of the sync layer in one place, with its default and unit. A game passes a
 * `Partial<SyncTuning>`; the demo's defaults are these.
 *
 * The limits at the end bound what one peer can make another do or hold (every peer is a
 * stranger): what goes over them is dropped and counted in `SyncStats.dropped`, never thrown.
 */
export interface SyncTuning {
  /** Simulation rate: fixed ticks per second. Default 60. */
  tickRateHz: number;
  /**
   * Snapshots the host sends each peer per second; a divisor of `tickRateHz`. Default 60: every
   * tick, so remote players are drawn two ticks (33 ms) behind plus jitter, not two 33 ms
   * intervals; 8 players cost the host about 9 KB/s per link (`npm run bench:sync`).
   */
  snapshotRateHz: number;
  /** Ticks an input should reach the host ahead of the tick that needs it, beyond measured jitter. Default 2. */
  inputBufferTicks: number;
  /**
   * The closest call a client steers its inputs toward at the host, ms: while even the
   * latest-arriving of its last 32 inputs waited longer than this for its tick (the host measures
   * and says so in its snapshots), it trims its lead, down to the one-way trip plus a tick; it
   * gives the trim back ten times faster when they come closer. 35 leaves a lost packet's inputs
   * time to come in the next, with room for a second loss. Default 0: no trim. Under a flood that
   * stalls the host's loop (tests/netcode/sync/sync-hostile-mesh-node.test.ts), 35 let 2.1% of
   * honest inputs come late where the test allows 2%: the trim waits for a measurement under
   * load in real browsers before it is on by default.
   */
  inputWaitTargetMs: number;
  /**
   * Input packets per second to peers other than the host (the host gets one every tick). They
   * only need inputs to take over as host, and each packet repeats every unacknowledged input,
   * so a lower rate loses nothing and saves upload. Default 10.
   */
  peerInputRateHz: number;
  /** Most inputs one input packet carries (the newest unacknowledged ones). Default 64. */
  maxInputsPerPacket: number;
  /** Ticks of every player's inputs each peer keeps (replays, host migration). Default 240 (4 s at 60 Hz). */
  inputHistoryTicks: number;
  /** Ticks the host repeats a player's last input when new ones stop coming, before it uses the neutral input. Default 15. */
  maxInputRepeatTicks: number;
  /** Clock pings while the clock estimate is young (first 10 samples), ms apart. Default 50. */
  pingFastIntervalMs: number;
  /** Clock pings after that, ms apart. Default 250. */
  pingIntervalMs: number;
  /** Interpolation delay in snapshot intervals, before jitter is added. Default 2. */
  interpolationSnapshots: number;
  /** Measured snapshot arrival jitter is multiplied by this and added to the interpolation delay. Default 1.5. */
  interpolationJitterFactor: number;
  /**
   * How the delays of snapshot arrivals and clock pings beyond the best recent one are summed up
   * into the jitter that the interpolation delay and the client's lead allow for: their median
   * (`'median'`, the default), or their mean (`'mean'`, the earlier default, kept for
   * comparison: one stall of a busy page raises it, and both delays, for seconds).
   */
  jitterStatistic: JitterStatistic;
  /**
   * How a client draws the other players' entities (`game.localEntities` of each other player):
   * - `'interpolated'`: between two snapshots, an interpolation delay behind the host: smooth and
   *   exactly where the host had them, but a key pressed on one page shows on another after the
   *   presser's lead, one-way delay and the interpolation delay (`npm run bench:feel`).
   * - `'predicted'`: in the client's own prediction, stepped from the newest snapshot with each
   *   player's own inputs, which every peer sends every other peer every tick: a key shows on
   *   another page about one one-way delay after it went down (the mesh's one hop), and a wrong
   *   guess (a player changed direction after its last input arrived) is corrected by a decaying
   *   offset, like the local player's. Costs each peer one input packet per tick to every peer.
   * Other entities (projectiles, pickups) are interpolated either way. Default `'interpolated'`.
   */
  remotePlayers: 'interpolated' | 'predicted';
  /** Longest extrapolation past the newest snapshot when the buffer runs dry, ms. Default 100. */
  maxExtrapolationMs: number;
  /** Half-life of the visual offset that hides a prediction correction, ms. Default 60. */
  correctionHalfLifeMs: number;
  /** A correction smaller than this (in field units, e.g. px) is not counted as one. Default 0.01. */
  correctionEpsilon: number;
  /** Largest speed-up or slow-down of a client's tick rate when steering its clock, as a fraction. Default 0.05. */
  maxTimeDilation: number;
  /**
   * A clock (or render time) off by more than this many ms steers faster, at up to
   * `largeErrorDilation`: a first estimate taken on a busy start is fixed in about a second
   * instead of ten. Default 50.
   */
  largeErrorMs: number;
  /** Largest dilation while the error is over `largeErrorMs`. Default 0.25. */
  largeErrorDilation: number;
  /** Clock samples a client waits for before it starts predicting. Default 3. */
  minClockSamples: number;
  /** The clock error a client removes per second of steering, as a fraction of the error (1/s). Default 2. */
  timeSteeringGain: number;
  /** A client clock off by more than this jumps instead of steering, ms. Default 250. */
  snapThresholdMs: number;
  /** How far back the host keeps states for lag compensation, ms. Default 500. */
  lagCompensationMs: number;
  /** Most ticks run in one update after a stall (a frozen tab); the rest of the time is dropped. Default 15. */
  maxCatchUpTicks: number;
  /** How often the loop's own timer runs, ms. Default 4. */
  updateIntervalMs: number;
  /**
   * Round every simulated state through the snapshot schema (toWorld, quantize, fromWorld), on the
   * host and in predictions alike, so a client replaying the host's inputs from a snapshot gets
   * bit-identical states. Default true.
   */
  quantizeStates: boolean;
  /**
   * Inputs are only taken for ticks from `inputHistoryTicks` behind the local tick to this far
   * ahead of it, ms; the rest are dropped (`dropped.tickWindow`). Default 2000.
   */
  maxInputLeadMs: number;
  /**
   * Most inputs the log keeps per player; beyond it new ones are dropped (`dropped.inputCap`). Must
   * cover the tick window plus a second of history not yet pruned. Default 512.
   */
  maxInputsPerPlayer: number;
  /**
   * Packets of every kind taken from one peer per second, sustained (a token bucket per peer); the
   * excess is dropped (`dropped.budget`). Default 400.
   */
  peerPacketsPerS: number;
  /** Packets taken from one peer at once beyond that rate: its bucket's size. Default 200. */
  peerPacketBurst: number;
  /** Game events taken from the host per second, sustained; the excess is dropped (`dropped.eventRate`). Default 120. */
  peerEventsPerS: number;
  /** Events taken at once beyond that rate (each is a packet too, so at most `peerPacketBurst` count). Default 120. */
  peerEventBurst: number;
  /** A client with no snapshot from the host for this long says so in its status (`hostSilent`), ms. Default 3000. */
  hostSilenceMs: number;
}

export const syncDefaults: Readonly<SyncTuning> = {
  tickRateHz: 60,
  snapshotRateHz: 60,
  inputBufferTicks: 2,
  inputWaitTargetMs: 0,
  peerInputRateHz: 10,
  maxInputsPerPacket: 64,
  inputHistoryTicks: 240,
  maxInputRepeatTicks: 15,
  pingFastIntervalMs: 50,
  pingIntervalMs: 250,
  interpolationSnapshots: 2,
  interpolationJitterFactor: 1.5,
  jitterStatistic: 'median',
  remotePlayers: 'interpolated',
  maxExtrapolationMs: 100,
  correctionHalfLifeMs: 60,
  correctionEpsilon: 0.01,
  maxTimeDilation: 0.05,
  largeErrorMs: 50,
  largeErrorDilation: 0.25,
  minClockSamples: 3,
  timeSteeringGain: 2,
  snapThresholdMs: 250,
  lagCompensationMs: 500,
  maxCatchUpTicks: 15,
  updateIntervalMs: 4,
  quantizeStates: true,
  maxInputLeadMs: 2000,
  maxInputsPerPlayer: 512,
  peerPacketsPerS: 400,
  peerPacketBurst: 200,
  peerEventsPerS: 120,
  peerEventBurst: 120,
  hostSilenceMs: 3000,
};

/** Ticks ahead of the local tick that inputs are taken for (`maxInputLeadMs`). */
export const inputLeadTicks = (tuning: Readonly<SyncTuning>): number =>
  Math.ceil((tuning.maxInputLeadMs * tuning.tickRateHz) / 1000);

/** Merges a game's overrides with the defaults; throws a RangeError for rates that cannot work. */
export function resolveTuning(overrides: Partial<SyncTuning> = {}): Readonly<SyncTuning> {
  const tuning = { ...syncDefaults, ...overrides };
  const { tickRateHz, snapshotRateHz } = tuning;
  if (!Number.isInteger(tickRateHz) || tickRateHz < 1 || tickRateHz > 240) {
    throw new RangeError(`tickRateHz must be an integer in 1..240, got ${tickRateHz}`);
  }
  if (!Number.isInteger(snapshotRateHz) || snapshotRateHz < 1 || tickRateHz % snapshotRateHz !== 0) {
    throw new RangeError(`snapshotRateHz must divide tickRateHz (${tickRateHz}), got ${snapshotRateHz}`);
  }
  if (!(tuning.peerInputRateHz > 0) || tuning.peerInputRateHz > tickRateHz) {
    throw new RangeError(`peerInputRateHz must be in (0, tickRateHz], got ${tuning.peerInputRateHz}`);
  }
  if (tuning.maxInputsPerPacket < 1 || tuning.inputHistoryTicks < tuning.maxInputsPerPacket) {
    throw new RangeError('needs 1 <= maxInputsPerPacket <= inputHistoryTicks');
  }
  const held = tuning.inputHistoryTicks + tickRateHz + inputLeadTicks(tuning) + 1;
  if (!(tuning.maxInputsPerPlayer >= held)) {
    throw new RangeError(`maxInputsPerPlayer must be at least ${held}, got ${tuning.maxInputsPerPlayer}`);
  }
  for (const key of ['peerPacketsPerS', 'peerEventsPerS', 'hostSilenceMs', 'maxInputLeadMs'] as const) {
    if (!(tuning[key] > 0)) throw new RangeError(`${key} must be positive, got ${tuning[key]}`);
  }
  for (const [key, least] of [
    ['inputWaitTargetMs', 0],
    ['peerPacketBurst', 1],
    ['peerEventBurst', 1],
  ] as const) {
    if (!(tuning[key] >= least)) throw new RangeError(`${key} must be at least ${least}, got ${tuning[key]}`);
  }
  for (const [key, words] of [
    ['remotePlayers', ['interpolated', 'predicted']],
    ['jitterStatistic', ['median', 'mean']],
  ] as const) {
    if (!(words as readonly unknown[]).includes(tuning[key])) {
      throw new RangeError(`${key} must be one of ${words.join(', ')}, got ${String(tuning[key])}`);
    }
  }
  return tuning;
}
