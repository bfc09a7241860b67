/**
 * A client's role in the sync engine (engine.ts): a peer that follows the host and predicts.
 *
 *   every tick: step the prediction at once with its own input (the others: their latest known
 *     input), and send the host every own input it has not processed yet (own-inputs.ts)
 *   snapshot intake: the host's parts are assembled (snapshot/receiver.ts); a complete snapshot is
 *     acked, buffered for interpolation, timed by the render clock and, if newer, becomes the base
 *   reconciliation: the prediction is rebuilt from the base by replaying the logged inputs since;
 *     what that moved is drawn where it was plus a decaying offset (corrections.ts)
 *   clock: pings to the host (host-clock.ts); the local tick runs ahead of the host's by the lead,
 *     steered by a few percent of time dilation, and jumps (a full replay) when far off; the lead
 *     is host-clock.ts's formula less a trim, while the host says even our latest recent inputs
 *     waited longer than `inputWaitTargetMs` for their tick
 *   drawing: remote entities interpolated at the render clock's tick (interpolation.ts,
 *     render-clock.ts); the predicted ones (its own, every player's with `remotePlayers:
 *     'predicted'`) blended between the last two ticks, with their corrections
 *   `hostSilent`: no snapshot part from the host for `hostSilenceMs`; false again at the next one
 *   migration: a former host follows from its own authority until the new host's snapshots come;
 *     a new host carries on from `takeOver`, the newest snapshot replayed up to the old host's tick
 *
 * References: Gabriel Gambetta, "Fast-Paced Multiplayer" (parts II and III: prediction,
 * reconciliation, entity interpolation); Timothy Ford, "Overwatch Gameplay Architecture and
 * Netcode" (GDC 2017: clients ahead of the server, time dilation).
 */
import type { Emitter } from '../util/emitter.js';
import type { ClockEstimate } from './clock/clock-estimator.js';
import { addCorrections, copyEntities, createCorrections } from './corrections.js';
import type { SyncEvents, SyncStatus, SyncTransport } from './engine.js';
import type { Entities, GameDefinition } from './game.js';
import { createHostClock } from './host-clock.js';
import type { InputLog } from './input-log.js';
import { createInterpolationBuffer, type InterpolateEntity } from './interpolation.js';
import type { OwnInputs } from './own-inputs.js';
import { encodeInputPacket, encodePing, inputsEqual } from './packets.js';
import { createRenderClock } from './render-clock.js';
import { createSnapshotReceiver } from './snapshot/receiver.js';
import type { SchemaDefinition } from './snapshot/schema.js';
import { dequantizeWorld } from './snapshot/world.js';
import type { Stepper } from './stepper.js';
import type { LiveFigures, SyncStatsRecorder } from './sync-stats.js';
import type { Timeline } from './timeline.js';
import type { SyncTuning } from './tuning.js';

/** Fraction of the spare input wait one host report trims from the lead. */
const TRIM_GAIN = 0.01;

export interface ClientRoleDeps<State, Input, Event, D extends SchemaDefinition> {
  game: Pick<
    GameDefinition<State, Input, Event, D>,
    'schema' | 'initialState' | 'toWorld' | 'localEntities' | 'smoothFields'
  >;
  selfId: string;
  tuning: Readonly<SyncTuning>;
  /** The engine's timeline; the client steers and steps it. */
  timeline: Timeline<State>;
  inputLog: Pick<InputLog<Input>, 'set'>;
  ownInputs: OwnInputs<Input>;
  stepper: Pick<Stepper<State, Input, Event, D>, 'inputsFor' | 'step' | 'replay'>;
  stats: Pick<SyncStatsRecorder, 'count' | 'snapshotReceived' | 'correction' | 'sampleView'>;
  transport: Pick<SyncTransport, 'send'>;
  interpolate: InterpolateEntity<D>;
  now(): number;
  hostId(): string;
  /** The session's players, sorted. */
  players(): readonly string[];
  status(): SyncStatus;
  setStatus(next: SyncStatus): void;
  /** The local player's input for tick `tick`. */
  sampleInput(tick: number): Input;
  /** Forgets logged inputs too old to matter, when due (at once after a jump). */
  pruneInputs(tick: number): void;
  emit: Emitter<SyncEvents<State, Input, Event>>['emit'];
}

/** What a client draws beside the engine's own state and tick. */
export interface ClientDrawing<D extends SchemaDefinition> {
  entities: Entities<D>;
  renderTick: number;
  localEntities: ReadonlySet<number>;
}

export interface ClientRole<State, D extends SchemaDefinition> {
  /** The clock estimate toward the host. */
  readonly clock: ClockEstimate;
  /**
   * Pings, notices a silent host, steers the timeline toward the host's plus the lead (a jump when
   * far off) and reconciles when a newer snapshot came. False while there is nothing to predict
   * from yet (no snapshot, no clock sample): no tick is due.
   */
  steer(now: number, elapsed: number): boolean;
  /** Steps the prediction one tick and sends the own inputs the host has not processed. */
  tick(): void;
  /** Takes a snapshot part from the host, and the newest tick of our inputs it has processed. */
  /**
   * Takes a snapshot part from the host, the newest tick of our inputs it has processed, and how
   * long our inputs have waited there for their tick (median and shortest; null: not known yet).
   */
  onSnapshot(part: Uint8Array, lastInputTick: number, inputWait: { medianMs: number; minMs: number } | null): void;
  onPong(id: number, sentAt: number, hostTime: number, now: number): void;
  /** Remote entities interpolated, predicted ones blended from `before` to `after` by `alpha`, smoothed. */
  draw(now: number, before: Entities<D>, after: Entities<D>, alpha: number): ClientDrawing<D>;
  /** The live figures of stats() as a client sees them. */
  figures(now: number): Omit<LiveFigures, 'tick'>;
  /** The state and tick a new host carries on from: the newest snapshot, replayed up to the old host's tick. */
  takeOver(): { state: State; tick: number };
  /** Follows the host now named (after `forgetHost`); `fromAuthority`: this peer was the host. */
  follow(fromAuthority: boolean): void;
  /** A new host (or none): its snapshots and clock samples are its own. */
  forgetHost(keepOffset: boolean): void;
  clearCorrections(): void;
  /** Forgets the session. */
  reset(): void;
}

/**
 * @example
 * ```ts
 * const client = createClientRole({ game, selfId, tuning, timeline, inputLog, ownInputs, stepper, stats, transport,
 *   interpolate, now: timers.now, hostId: () => hostId, players: () => players, status: () => status, setStatus,
 *   sampleInput, pruneInputs, emit: events.emit });
 * if (client.steer(now, elapsed)) client.tick();
 * ```
 */
export function createClientRole<State, Input, Event, D extends SchemaDefinition>(
  deps: ClientRoleDeps<State, Input, Event, D>,
): ClientRole<State, D> {
  const { game, selfId, tuning, timeline, inputLog, ownInputs, stepper, stats, transport, interpolate } = deps;
  const schema = game.schema;
  const tickMs = 1000 / tuning.tickRateHz;
  const predictRemote = tuning.remotePlayers === 'predicted';
  const smoothFields = new Map<string, readonly string[]>(
    schema.kinds.map((kind) => [
      kind.name,
      game.smoothFields?.[kind.name] ?? kind.fields.filter((f) => f.spec.type === 'fixed').map((f) => f.name),
    ]),
  );

  // Snapshots in, the newest as the prediction's base, the clock toward the host.
  const receiver = createSnapshotReceiver(schema, { historySize: 64 });
  const buffer = createInterpolationBuffer<D>(interpolate);
  const renderClock = createRenderClock({
    tickMs,
    snapshotIntervalMs: 1000 / tuning.snapshotRateHz,
    interpolationSnapshots: tuning.interpolationSnapshots,
    jitterFactor: tuning.interpolationJitterFactor,
    jitterStatistic: tuning.jitterStatistic,
    maxRate: tuning.maxTimeDilation,
    largeErrorMs: tuning.largeErrorMs,
    largeErrorRate: tuning.largeErrorDilation,
    snapMs: tuning.snapThresholdMs,
  });
  const hostClock = createHostClock(tuning, (id, sentAt) => transport.send(deps.hostId(), encodePing(id, sentAt)));
  const corrections = createCorrections(tuning.correctionHalfLifeMs);
  let base: { tick: number; entities: Entities<D> } | null = null;
  let replayNeeded = false;
  /** The newest complete snapshot held, acked to the host. */
  let ackTick = -1;
  /** The newest tick of our inputs the host has processed. */
  let ownAcked = -1;
  /** How long our inputs recently waited at the host for their tick (median), as its snapshots say; null before. */
  let inputWait: number | null = null;
  /**
   * How much shorter than the host clock's formula the lead runs, ms: trimmed while the host says
   * even our latest-arriving recent input waited longer than `inputWaitTargetMs` for its tick (the
   * formula's jitter term measures round trips, which a busy page's own stalls stretch), given
   * back fast when inputs come closer than that or late.
   */
  let leadTrim = 0;
  /** When the last snapshot part from the host came (or playing began), on `now()`. */
  let lastSnapshotAt = 0;

  function startPlaying(now: number): void {
    lastSnapshotAt = now;
    deps.setStatus({ kind: 'playing', hostId: deps.hostId(), hostSilent: false });
  }

  function tick(): void {
    const t = timeline.tick + 1;
    // `set`, not `put`: after the clock jumped back, a tick seen before gets the new input.
    inputLog.set(selfId, t, deps.sampleInput(t));
    const inputs = stepper.inputsFor(t, deps.players());
    const previous = timeline.state as State;
    timeline.previous = previous;
    const state = stepper.step(previous, t, inputs);
    timeline.state = state;
    timeline.tick = t;
    deps.pruneInputs(t);
    sendOwnInputs(t);
    deps.emit('tick', { tick: t, state, inputs, authoritative: false });
  }

  /** Every own input the host has not processed, to the host; to every peer now and then. */
  function sendOwnInputs(t: number): void {
    const toEveryone = ownInputs.toEveryone(t);
    const { first, inputs } = ownInputs.since(Math.max(ownAcked + 1, 0), t);
    if (inputs.length === 0) return;
    stats.count('inputsResent', inputs.length - 1);
    // The tick the other players were drawn at, for lag compensation: predicted ones at our own.
    const render = predictRemote ? t : renderClock.renderTick(deps.now());
    const viewTick = render === null ? -1 : Math.max(0, Math.floor(render));
    const packet = encodeInputPacket(ackTick, viewTick, first, inputs, inputsEqual);
    transport.send(toEveryone ? 'all' : deps.hostId(), packet);
  }

  /** The entities drawn from the prediction: its own, and with `remotePlayers: 'predicted'` every player's. */
  function predictedEntities(of: State): Set<number> {
    const ids = new Set<number>();
    for (const player of predictRemote ? deps.players() : [selfId])
      for (const id of game.localEntities(of, player)) ids.add(id);
    return ids;
  }

  /** Rebuilds the prediction from the newest snapshot (reconciliation) and smooths what moved. */
  function reconcile(from: { tick: number; entities: Entities<D> }, now: number): void {
    replayNeeded = false;
    const before = timeline.state;
    const replayed = stepper.replay(from.entities, from.tick, timeline.tick, deps.players());
    timeline.state = replayed.state;
    timeline.previous = replayed.previous;
    if (before === null) return;
    const ids = predictedEntities(replayed.state);
    const moved = addCorrections(
      corrections,
      game.toWorld(before),
      game.toWorld(replayed.state),
      ids,
      smoothFields,
      now,
    );
    for (const size of moved) {
      if (size > tuning.correctionEpsilon) stats.correction(size);
    }
  }

  function steer(now: number, elapsed: number): boolean {
    const status = deps.status();
    if (status.kind === 'playing' && !status.hostSilent && now - lastSnapshotAt >= tuning.hostSilenceMs) {
      deps.setStatus({ kind: 'playing', hostId: deps.hostId(), hostSilent: true });
    }
    hostClock.maybePing(now);
    const offset = hostClock.offsetMs();
    const joining = deps.status().kind === 'joining';
    const young = joining && hostClock.estimate.samples < tuning.minClockSamples;
    if (base === null || offset === null || young) return false;
    const target = now + offset + trimmedLead();
    const current = timeline.tick * tickMs + timeline.accumulator;
    if (joining || Math.abs(target - current) > tuning.snapThresholdMs) {
      timeline.tick = Math.max(Math.floor(target / tickMs), base.tick);
      timeline.accumulator = target - timeline.tick * tickMs;
      deps.pruneInputs(timeline.tick);
      if (joining) startPlaying(now);
      else stats.count('clockJumps');
      timeline.state = null;
      replayNeeded = true;
    } else {
      const error = target - current;
      const limit = Math.abs(error) > tuning.largeErrorMs ? tuning.largeErrorDilation : tuning.maxTimeDilation;
      const dilation = Math.max(-limit, Math.min(limit, (error / 1000) * tuning.timeSteeringGain));
      timeline.accumulator += elapsed * (1 + dilation);
    }
    if (replayNeeded) {
      if (base.tick > timeline.tick) {
        timeline.tick = base.tick;
        timeline.accumulator = 0;
      }
      reconcile(base, now);
    }
    return true;
  }

  function forgetHost(keepOffset: boolean): void {
    receiver.reset();
    hostClock.reset(keepOffset);
    ackTick = -1;
    leadTrim = 0;
  }

  /**
   * One report of our inputs' shortest recent wait at the host moves the trim toward what is spare
   * (a small step: 60 reports a second, each over the last 32 inputs), and back ten times faster
   * when there is less than the target to spare.
   */
  function steerTrim(minWaitMs: number): void {
    if (!(tuning.inputWaitTargetMs > 0)) return;
    const spare = minWaitMs - tuning.inputWaitTargetMs;
    leadTrim = Math.max(0, leadTrim + spare * (spare > 0 ? TRIM_GAIN : 10 * TRIM_GAIN));
  }

  /** The formula's lead less the trim, never under the one-way trip plus a tick. */
  function trimmedLead(): number {
    const lead = hostClock.leadMs();
    const floor = (hostClock.estimate.rttMs ?? 0) / 2 + tickMs;
    leadTrim = Math.min(leadTrim, Math.max(0, lead - floor));
    return lead - leadTrim;
  }

  return {
    clock: hostClock.estimate,
    steer,
    tick,
    onSnapshot(part, lastInputTick, wait) {
      const got = receiver.receive(part);
      if (!got.ok) {
        if (got.reason !== 'duplicate') stats.count('snapshotsRejected');
        return;
      }
      stats.snapshotReceived(part.length);
      lastSnapshotAt = deps.now();
      const status = deps.status();
      if (status.kind === 'playing' && status.hostSilent) {
        deps.setStatus({ kind: 'playing', hostId: deps.hostId(), hostSilent: false });
      }
      if (lastInputTick > ownAcked) ownAcked = lastInputTick;
      if (wait !== null) {
        inputWait = wait.medianMs;
        steerTrim(wait.minMs);
      }
      if (!got.complete) return;
      const world = got.world;
      if (world.tick > ackTick) ackTick = world.tick;
      const entities = dequantizeWorld(schema, world).entities;
      buffer.push(world.tick, entities);
      renderClock.onSnapshot(world.tick, deps.now());
      if (base === null || world.tick > base.tick) {
        base = { tick: world.tick, entities };
        replayNeeded = true;
      }
    },
    onPong(id, sentAt, hostTime, now) {
      hostClock.onPong(id, sentAt, hostTime, now);
    },
    draw(now, before, after, alpha) {
      const state = timeline.state as State;
      const render = renderClock.renderTick(now) ?? timeline.tick;
      const entities = copyEntities(buffer.sample(render, tuning.maxExtrapolationMs / tickMs) ?? new Map());
      const local = new Set<number>();
      for (const id of predictedEntities(state)) {
        local.add(id);
        const b = after.get(id);
        const a = before.get(id);
        if (b === undefined) entities.delete(id);
        else entities.set(id, a !== undefined && a.kind === b.kind ? interpolate(a, b, alpha) : b);
      }
      corrections.apply(entities, now);
      stats.sampleView(buffer.depth(render), render > (buffer.newestTick() ?? render));
      return { entities, renderTick: render, localEntities: local };
    },
    figures(now) {
      const offset = hostClock.offsetMs();
      const estimate = hostClock.estimate;
      return {
        tickOffsetMs: offset === null ? 0 : timeline.tick * tickMs + timeline.accumulator - (now + offset),
        interpDelayMs: renderClock.delayMs,
        snapshotJitterMs: renderClock.jitterMs,
        inputWaitMs: inputWait,
        hostSilentMs: deps.status().kind === 'playing' ? Math.max(0, now - lastSnapshotAt) : 0,
        clockOffsetMs: estimate.offsetMs,
        clockErrorMs: estimate.errorMs,
        rttMs: estimate.rttMs,
      };
    },
    takeOver() {
      const offset = hostClock.offsetMs();
      const oldHostTick = offset === null ? timeline.tick : Math.floor((deps.now() + offset) / tickMs);
      const from = base ?? { tick: oldHostTick, entities: game.toWorld(timeline.state ?? game.initialState()) };
      const startTick = Math.max(from.tick, oldHostTick);
      return { state: stepper.replay(from.entities, from.tick, startTick, deps.players()).state, tick: startTick };
    },
    follow(fromAuthority) {
      if (fromAuthority) {
        // Keep playing from our own authority until the new host's snapshots arrive.
        base = { tick: timeline.tick, entities: game.toWorld(timeline.state as State) };
        hostClock.assumeOffset(timeline.tick * tickMs + timeline.accumulator - deps.now());
        ownAcked = timeline.tick;
        replayNeeded = true;
      }
      if (base === null) deps.setStatus({ kind: 'joining', hostId: deps.hostId() });
      else startPlaying(deps.now());
    },
    forgetHost,
    clearCorrections() {
      corrections.clear();
    },
    reset() {
      base = null;
      buffer.clear();
      renderClock.reset();
      corrections.clear();
      forgetHost(false);
      ownAcked = -1;
      inputWait = null;
      leadTrim = 0;
    },
  };
}
