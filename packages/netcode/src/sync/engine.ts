/**
 * The sync engine: runs a game (game.ts) on every peer of a room, the host as the authority.
 *
 *   every peer, every tick (fixed rate, accumulator):
 *     sample the local input ─► log it ─► send it, with every input not yet acked, to the host
 *     (and, `peerInputRateHz` times a second, to every other peer, for a host migration; every
 *     tick with `remotePlayers: 'predicted'`, so that every peer predicts every player)
 *   host:   inputs by player and tick (a missing one repeats the last) ─► step ─► quantize
 *           ─► every snapshot interval, to each peer: a delta against that peer's last ack,
 *              with the last input tick processed for it; events on the reliable channel
 *   client: step its prediction at once with its own input (others: their latest known input)
 *           on a complete snapshot: ack it, rebuild the prediction from it and replay the inputs
 *           since (reconciliation), hide the difference with a decaying offset (corrections.ts);
 *           remote entities are drawn interpolated (interpolation.ts, render-clock.ts); with
 *           `remotePlayers: 'predicted'`, the other players' entities come from the prediction
 *           too, stepped with their own inputs, and are smoothed like the local player's
 *           clock: pings to the host (clock-estimator.ts); the client's tick runs ahead of the
 *           host's by RTT/2 plus jitter plus `inputBufferTicks`, steered by a few percent of time
 *           dilation so its inputs arrive just before the host needs them
 *   host migration: a new host rebuilds its state from its newest snapshot by replaying every
 *           player's logged inputs up to the old host's tick, and carries on from there with the
 *           same links; the others forget their baselines and take a full snapshot
 *   every peer is a stranger: each peer's packets and the host's events pass a token bucket;
 *           inputs are taken only for ticks in a window around the local tick, and the log
 *           keeps a bounded number per player (input-intake.ts); tuning.ts has the limits,
 *           SyncStats.dropped the refusals
 *   a client that hears no snapshot from the host for `hostSilenceMs` says so in its status
 *
 * References: Gabriel Gambetta, "Fast-Paced Multiplayer" (parts I-IV: prediction, reconciliation,
 * entity interpolation, lag compensation); Glenn Fiedler, "Fix Your Timestep!", "Snapshot
 * Compression", "State Synchronization"; Valve, "Source Multiplayer Networking" and "Latency
 * Compensating Methods in Client/Server In-game Protocol Design"; Timothy Ford, "Overwatch
 * Gameplay Architecture and Netcode" (GDC 2017: clients ahead of the server, time dilation).
 */
import { createEmitter } from '../util/emitter.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { realTimers, type Timers } from '../util/timers.js';
import type { ClockEstimate } from './clock/clock-estimator.js';
import { addCorrections, copyEntities, createCorrections } from './corrections.js';
import type { Entities, GameDefinition } from './game.js';
import { createHostClock } from './host-clock.js';
import { createInputIntake } from './input-intake.js';
import { createInputLog } from './input-log.js';
import { blendEntities, createInterpolationBuffer, defaultInterpolate } from './interpolation.js';
import { createLagHistory } from './lag-history.js';
import {
  encodeEvent,
  encodeInputPacket,
  encodePing,
  encodePong,
  encodeSnapshotPacket,
  type InputPacket,
  inputsEqual,
  parsePacket,
} from './packets.js';
import { createRenderClock } from './render-clock.js';
import { encodeSnapshot } from './snapshot/encode.js';
import { createSnapshotHistory } from './snapshot/history.js';
import { createSnapshotReceiver } from './snapshot/receiver.js';
import type { QuantizedEntity, SchemaDefinition } from './snapshot/schema.js';
import { dequantizeWorld, fromQuantized } from './snapshot/world.js';
import { createStepper } from './stepper.js';
import { createSyncStats, type SyncStats } from './sync-stats.js';
import { createTokenBuckets } from './token-bucket.js';
import { resolveTuning, type SyncTuning } from './tuning.js';

/** What the engine needs of a transport; the mesh, the memory transport and the conditioner fit. */
export interface SyncTransport {
  peers(): string[];
  send(to: string | 'all', payload: unknown, options?: { reliable?: boolean }): number;
  on(type: 'message', listener: (message: { from: string; payload: unknown; reliable: boolean }) => void): () => void;
}

export type SyncStatus =
  | { readonly kind: 'idle' }
  /** This peer is the authority. */
  | { readonly kind: 'hosting'; readonly hostId: string }
  /** Waiting for the host's first snapshot and clock sample. */
  | { readonly kind: 'joining'; readonly hostId: string }
  /**
   * Predicting and interpolating from the host's snapshots. `hostSilent`: no snapshot has come from
   * the host for `hostSilenceMs` or more (it may be gone or stalled); false again at the next one.
   * `stats().hostSilentMs` says for how long.
   */
  | { readonly kind: 'playing'; readonly hostId: string; readonly hostSilent: boolean };

/** What the renderer draws. */
export interface SyncView<State, D extends SchemaDefinition> {
  /** Entities to draw: the local player's predicted (and smoothed), the others interpolated. */
  readonly entities: Entities<D>;
  /** The local peer's newest state: the host's authority, or a client's prediction. */
  readonly state: State;
  /** The local tick. */
  readonly tick: number;
  /** The fractional tick remote entities are drawn at (the host: its own tick). */
  readonly renderTick: number;
  /** Ids of the entities drawn from the prediction. */
  readonly localEntities: ReadonlySet<number>;
}

export interface SyncEvents<State, Input, Event> {
  status: SyncStatus;
  /** A game event from the host (on the host: as its step emits it). */
  event: { tick: number; event: Event };
  /** A tick was simulated: the host's authoritative state, or a client's prediction, and the inputs stepped. */
  tick: { tick: number; state: State; inputs: ReadonlyMap<string, Input>; authoritative: boolean };
}

export interface SyncStartOptions {
  hostId: string;
  /** Ids of the players in the session (the room's members). */
  players: readonly string[];
}

export interface SyncEngineOptions<State, Input, Event, D extends SchemaDefinition> {
  game: GameDefinition<State, Input, Event, D>;
  transport: SyncTransport;
  /** This peer's id, as the other peers' transports know it. */
  selfId: string;
  /** The local player's input for local tick `tick`; called once per tick, when it is simulated. */
  sampleInput(tick: number): Input;
  tuning?: Partial<SyncTuning>;
  timers?: Timers;
  logger?: Logger;
}

export interface SyncEngine<State, Input, Event, D extends SchemaDefinition> {
  readonly status: SyncStatus;
  readonly tuning: Readonly<SyncTuning>;
  /** The clock estimate toward the host (offset is host timeline minus local clock). */
  readonly clock: ClockEstimate;
  /** Starts a session: the host starts from `game.initialState()`, the others wait for snapshots. */
  start(options: SyncStartOptions): void;
  /** The room named a new host: migrate without a reset. */
  setHost(hostId: string): void;
  /** The room's members changed. */
  setPlayers(players: readonly string[]): void;
  /** Runs the ticks that are due now (the engine's own timer does this every `updateIntervalMs`). */
  update(): void;
  /** What to draw now; null until there is a state. */
  view(): SyncView<State, D> | null;
  stats(): SyncStats;
  on<K extends keyof SyncEvents<State, Input, Event>>(
    type: K,
    listener: (event: SyncEvents<State, Input, Event>[K]) => void,
  ): () => void;
  /** Stops the loop and forgets the session (status `idle`). */
  stop(): void;
  /** Stops and stops listening to the transport for good. */
  close(): void;
  /** The host's game input log, for tests: the input `player` had at `tick`, if known. */
  inputAt(player: string, tick: number): Input | undefined;
}

/**
 * @example
 * ```ts
 * const sync = createSyncEngine({ game: arena, transport: mesh, selfId: lobby.peerId, sampleInput: () => keys });
 * sync.start({ hostId: room.hostId, players: room.peers.map((p) => p.id) });
 * function frame() {
 *   const view = sync.view();
 *   if (view) for (const [id, entity] of view.entities) draw(id, entity);
 *   requestAnimationFrame(frame);
 * }
 * ```
 */
export function createSyncEngine<State, Input, Event, D extends SchemaDefinition>(
  options: SyncEngineOptions<State, Input, Event, D>,
): SyncEngine<State, Input, Event, D> {
  const { game, transport, selfId } = options;
  const tuning = resolveTuning(options.tuning);
  const timers = options.timers ?? realTimers;
  const logger = options.logger ?? silentLogger;
  const schema = game.schema;
  const tickMs = 1000 / tuning.tickRateHz;
  const ticksPerSnapshot = tuning.tickRateHz / tuning.snapshotRateHz;
  const predictRemote = tuning.remotePlayers === 'predicted';
  // Predicted remote players need every player's inputs at every peer as soon as they are sampled.
  const ticksPerPeerInput = predictRemote ? 1 : Math.max(1, Math.round(tuning.tickRateHz / tuning.peerInputRateHz));
  const interpolate = game.interpolate?.bind(game) ?? defaultInterpolate(schema);
  const smoothFields = new Map<string, readonly string[]>(
    schema.kinds.map((kind) => [
      kind.name,
      game.smoothFields?.[kind.name] ?? kind.fields.filter((f) => f.spec.type === 'fixed').map((f) => f.name),
    ]),
  );

  const events = createEmitter<SyncEvents<State, Input, Event>>((error) =>
    logger.error('sync listener threw', { error }),
  );
  const stats = createSyncStats(timers);
  const inputLog = createInputLog<Input>(tuning.maxInputsPerPlayer);
  const intake = createInputIntake(inputLog, tuning, stats);
  const packetBudget = createTokenBuckets(tuning.peerPacketsPerS, tuning.peerPacketBurst);
  const eventBudget = createTokenBuckets(tuning.peerEventsPerS, tuning.peerEventBurst);
  const stepper = createStepper(game, tuning, inputLog);

  // The loop, either role.
  let status: SyncStatus = { kind: 'idle' };
  let hostId = '';
  let players: string[] = [];
  let loop: unknown = null;
  let lastUpdate = 0;
  let accumulator = 0;
  let tick = 0;
  let state: State | null = null;
  let previous: State | null = null;

  // Host: what it sent (the baselines of deltas), what each peer acked, the last input stepped per player.
  const sent = createSnapshotHistory(64);
  const ackOf = new Map<string, number>();
  const lastInputOf = new Map<string, number>();
  const lagHistory = createLagHistory<State>(Math.ceil(tuning.lagCompensationMs / tickMs));
  let pendingEvents: { tick: number; event: Event }[] = [];

  // Client: snapshots in, the newest as the prediction's base, the clock toward the host.
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
  const hostClock = createHostClock(tuning, (id, sentAt) => transport.send(hostId, encodePing(id, sentAt)));
  const corrections = createCorrections(tuning.correctionHalfLifeMs);
  let base: { tick: number; entities: Entities<D> } | null = null;
  let replayNeeded = false;
  let ackTick = -1;
  let ownAcked = -1;
  /** When the last snapshot part from the host came (or playing began), on `timers`. */
  let lastSnapshotAt = 0;
  /** The input log is pruned again at this tick, or at once when the tick went back before the last prune. */
  let nextPruneTick = 0;

  const isHost = () => status.kind === 'hosting';
  const guarded =
    <T>(parse: ((raw: unknown) => T | null) | undefined, what: string) =>
    (raw: unknown): T | null => {
      try {
        return parse?.call(game, raw) ?? null;
      } catch (error) {
        logger.warn(`${what} threw; dropped`, { error });
        return null;
      }
    };
  const parseInput = guarded(game.parseInput, 'parseInput');
  const parseEvent = guarded(game.parseEvent, 'parseEvent');

  function setStatus(next: SyncStatus): void {
    status = next;
    events.emit('status', next);
  }

  /**
   * Forgets logged inputs older than the history, once per second of ticks. Keyed on the ticks
   * passed since the last prune, not on `t` being a multiple of the rate, so a tick that jumps
   * (either way) prunes at once: `maxInputsPerPlayer` covers the input window plus one second not
   * yet pruned, and a peer's inputs beyond it are refused, not made room for.
   */
  function maybePrune(t: number): void {
    if (t < nextPruneTick && t >= nextPruneTick - tuning.tickRateHz) return;
    inputLog.prune(t - tuning.inputHistoryTicks);
    nextPruneTick = t + tuning.tickRateHz;
  }

  // ---- host ---------------------------------------------------------------------------------

  function becomeHost(startState: State, startTick: number): void {
    state = startState;
    previous = startState;
    tick = startTick;
    accumulator = 0;
    lastUpdate = timers.now();
    lagHistory.clear();
    sent.clear();
    ackOf.clear();
    lastInputOf.clear();
    corrections.clear();
    maybePrune(startTick);
    setStatus({ kind: 'hosting', hostId });
  }

  function hostTick(): void {
    const t = tick + 1;
    if (inputLog.get(selfId, t) === undefined) inputLog.set(selfId, t, options.sampleInput(t));
    for (const player of players) {
      if (inputLog.get(player, t) !== undefined) lastInputOf.set(player, t);
      else if (inputLog.firstTick(player) >= 0 && inputLog.firstTick(player) < t) stats.count('inputsMissing');
    }
    const inputs = stepper.inputsFor(t, players);
    previous = state as State;
    state = stepper.step(previous, t, inputs, {
      emit: (event) => pendingEvents.push({ tick: t, event }),
      seenBy: (player, current) => lagHistory.seenBy(player, t, current),
    });
    tick = t;
    lagHistory.record(t, state);
    for (const { tick: at, event } of pendingEvents) {
      transport.send('all', encodeEvent(at, event), { reliable: true });
      events.emit('event', { tick: at, event });
    }
    pendingEvents = [];
    maybePrune(t);
    sendOwnInputs(Math.max(0, t - 2 * ticksPerPeerInput));
    if (t % ticksPerSnapshot === 0) sendSnapshots(t);
    events.emit('tick', { tick: t, state, inputs, authoritative: true });
  }

  function sendSnapshots(t: number): void {
    const world = stepper.quantize(state as State, t);
    sent.put(world);
    for (const peer of transport.peers()) {
      const acked = ackOf.get(peer);
      const baseline = acked === undefined ? null : (sent.get(acked) ?? null);
      let bytes = 0;
      const rank = game.snapshotPriority;
      const order =
        rank === undefined
          ? {}
          : {
              priority: (id: number, q: QuantizedEntity) =>
                rank.call(game, id, fromQuantized(schema, q), peer, state as State),
            };
      for (const part of encodeSnapshot(schema, baseline, world, order)) {
        bytes += part.length;
        transport.send(peer, encodeSnapshotPacket(lastInputOf.get(peer) ?? -1, part));
      }
      stats.snapshotSent(bytes, baseline === null);
    }
  }

  /** Logs a peer's inputs of ticks in the window around the local tick (the rest are dropped); acks, view lag. */
  function onInputPacket(from: string, packet: InputPacket<Input>): void {
    const { taken, late } = intake.take(from, packet, tick);
    if (!isHost() || taken === 0) return;
    if (late > 0) stats.count('inputsLate', late);
    const last = packet.firstTick + packet.inputs.length - 1;
    if (packet.viewTick >= 0) lagHistory.setViewLag(from, last - packet.viewTick);
    if (packet.ackTick > (ackOf.get(from) ?? -1) && packet.ackTick <= tick) ackOf.set(from, packet.ackTick);
  }

  // ---- client -------------------------------------------------------------------------------

  function clientTick(): void {
    const t = tick + 1;
    // `set`, not `put`: after the clock jumped back, a tick seen before gets the new input.
    inputLog.set(selfId, t, options.sampleInput(t));
    const inputs = stepper.inputsFor(t, players);
    previous = state as State;
    state = stepper.step(previous, t, inputs);
    tick = t;
    maybePrune(t);
    sendOwnInputs(Math.max(ownAcked + 1, 0));
    events.emit('tick', { tick: t, state, inputs, authoritative: false });
  }

  /** Every own input from `fromTick` (unacked) to now, to the host; to every peer now and then. */
  function sendOwnInputs(fromTick: number): void {
    const toEveryone = tick % ticksPerPeerInput === 0;
    if (isHost() && !toEveryone) return; // the host's own inputs only matter to a future host
    let first = Math.max(fromTick, tick - tuning.maxInputsPerPacket + 1, 0);
    // Only ticks this peer sampled: not the ones before it joined or jumped its clock forward.
    while (first <= tick && inputLog.get(selfId, first) === undefined) first++;
    const inputs: Input[] = [];
    for (let t = first; t <= tick; t++) {
      inputs.push(inputLog.get(selfId, t) ?? inputLog.latest(selfId, t, tick) ?? game.neutralInput);
    }
    if (inputs.length === 0) return;
    if (!isHost()) stats.count('inputsResent', inputs.length - 1);
    // The tick the other players were drawn at, for lag compensation: predicted ones at our own.
    const render = isHost() || predictRemote ? tick : renderClock.renderTick(timers.now());
    const viewTick = render === null ? -1 : Math.max(0, Math.floor(render));
    const packet = encodeInputPacket(isHost() ? -1 : ackTick, viewTick, first, inputs, inputsEqual);
    transport.send(toEveryone ? 'all' : hostId, packet);
  }

  function onSnapshotPacket(from: string, part: Uint8Array, lastInputTick: number): void {
    if (from !== hostId || isHost()) {
      stats.count('packetsIgnored');
      return;
    }
    const got = receiver.receive(part);
    if (!got.ok) {
      if (got.reason !== 'duplicate') stats.count('snapshotsRejected');
      return;
    }
    stats.snapshotReceived(part.length);
    lastSnapshotAt = timers.now();
    if (status.kind === 'playing' && status.hostSilent) setStatus({ kind: 'playing', hostId, hostSilent: false });
    if (lastInputTick > ownAcked) ownAcked = lastInputTick;
    if (!got.complete) return;
    const world = got.world;
    if (world.tick > ackTick) ackTick = world.tick;
    const entities = dequantizeWorld(schema, world).entities;
    buffer.push(world.tick, entities);
    renderClock.onSnapshot(world.tick, timers.now());
    if (base === null || world.tick > base.tick) {
      base = { tick: world.tick, entities };
      replayNeeded = true;
    }
  }

  /** The entities a client draws from its prediction: its own, and with `remotePlayers: 'predicted'` every player's. */
  function predictedEntities(of: State): Set<number> {
    const ids = new Set<number>();
    for (const player of predictRemote ? players : [selfId])
      for (const id of game.localEntities(of, player)) ids.add(id);
    return ids;
  }

  /** Rebuilds the prediction from the newest snapshot (reconciliation) and smooths what moved. */
  function reconcile(from: { tick: number; entities: Entities<D> }, now: number): void {
    replayNeeded = false;
    const before = state;
    const replayed = stepper.replay(from.entities, from.tick, tick, players);
    state = replayed.state;
    previous = replayed.previous;
    if (before === null) return;
    const ids = predictedEntities(state);
    for (const size of addCorrections(corrections, game.toWorld(before), game.toWorld(state), ids, smoothFields, now)) {
      if (size > tuning.correctionEpsilon) stats.correction(size);
    }
  }

  /** Steers the local tick toward the host's plus the lead (a jump when far off), then runs it. */
  function clientUpdate(now: number, elapsed: number): void {
    if (status.kind === 'playing' && !status.hostSilent && now - lastSnapshotAt >= tuning.hostSilenceMs) {
      setStatus({ kind: 'playing', hostId, hostSilent: true });
    }
    hostClock.maybePing(now);
    const offset = hostClock.offsetMs();
    const young = status.kind === 'joining' && hostClock.estimate.samples < tuning.minClockSamples;
    if (base === null || offset === null || young) return;
    const target = now + offset + hostClock.leadMs();
    const current = tick * tickMs + accumulator;
    if (status.kind === 'joining' || Math.abs(target - current) > tuning.snapThresholdMs) {
      tick = Math.max(Math.floor(target / tickMs), base.tick);
      accumulator = target - tick * tickMs;
      maybePrune(tick);
      if (status.kind === 'joining') startPlaying(now);
      else stats.count('clockJumps');
      state = null;
      replayNeeded = true;
    } else {
      const error = target - current;
      const limit = Math.abs(error) > tuning.largeErrorMs ? tuning.largeErrorDilation : tuning.maxTimeDilation;
      const dilation = Math.max(-limit, Math.min(limit, (error / 1000) * tuning.timeSteeringGain));
      accumulator += elapsed * (1 + dilation);
    }
    if (replayNeeded) {
      if (base.tick > tick) {
        tick = base.tick;
        accumulator = 0;
      }
      reconcile(base, now);
    }
    runTicks(clientTick);
  }

  function startPlaying(now: number): void {
    lastSnapshotAt = now;
    setStatus({ kind: 'playing', hostId, hostSilent: false });
  }

  // ---- loop and roles -----------------------------------------------------------------------

  function runTicks(once: () => void): void {
    let due = Math.floor(accumulator / tickMs);
    if (due > tuning.maxCatchUpTicks) {
      stats.count('ticksDropped', due - tuning.maxCatchUpTicks);
      accumulator -= (due - tuning.maxCatchUpTicks) * tickMs;
      due = tuning.maxCatchUpTicks;
    }
    for (let i = 0; i < due; i++) {
      accumulator -= tickMs;
      once();
    }
  }

  function update(): void {
    if (status.kind === 'idle') return;
    const now = timers.now();
    const elapsed = Math.max(0, now - lastUpdate);
    lastUpdate = now;
    if (isHost()) {
      accumulator += elapsed;
      runTicks(hostTick);
    } else {
      clientUpdate(now, elapsed);
    }
  }

  function onMessage(message: { from: string; payload: unknown; reliable: boolean }): void {
    if (status.kind === 'idle') return;
    const { from } = message;
    if (!packetBudget.take(from, timers.now())) {
      stats.drop('budget');
      return;
    }
    const packet = parsePacket(message.payload, parseInput, tuning.maxInputsPerPacket);
    if (packet === null) {
      stats.count('packetsInvalid');
      return;
    }
    switch (packet.type) {
      case 'input':
        return onInputPacket(from, packet);
      case 'snapshot':
        return onSnapshotPacket(from, packet.part, packet.lastInputTick);
      case 'ping': {
        if (!isHost()) return;
        const hostTime = tick * tickMs + accumulator + (timers.now() - lastUpdate);
        transport.send(from, encodePong(packet.id, packet.sentAt, hostTime));
        return;
      }
      case 'pong':
        if (from === hostId) hostClock.onPong(packet.id, packet.sentAt, packet.hostTime, timers.now());
        return;
      case 'event': {
        if (from !== hostId || isHost()) {
          stats.count('packetsIgnored');
          return;
        }
        if (!eventBudget.take(from, timers.now())) {
          stats.drop('eventRate');
          return;
        }
        const event = parseEvent(packet.event);
        if (event === null) stats.count('eventsRejected');
        else events.emit('event', { tick: packet.tick, event });
        return;
      }
      default:
        return assertNever(packet);
    }
  }

  /** A new host (or none): its snapshots and clock samples are its own. */
  function forgetHost(keepOffset: boolean): void {
    receiver.reset();
    hostClock.reset(keepOffset);
    ackTick = -1;
  }

  /** The room named another host. */
  function migrate(next: string): void {
    const wasHost = isHost();
    hostId = next;
    stats.count('migrations');
    if (next === selfId) {
      // Carry on from the newest snapshot, replayed with every logged input up to the old host's tick.
      const offset = hostClock.offsetMs();
      const oldHostTick = offset === null ? tick : Math.floor((timers.now() + offset) / tickMs);
      const from = base ?? { tick: oldHostTick, entities: game.toWorld(state ?? game.initialState()) };
      const startTick = Math.max(from.tick, oldHostTick);
      becomeHost(stepper.replay(from.entities, from.tick, startTick, players).state, startTick);
      forgetHost(true);
      return;
    }
    forgetHost(true);
    if (wasHost) {
      // Keep playing from our own authority until the new host's snapshots arrive.
      base = { tick, entities: game.toWorld(state as State) };
      hostClock.assumeOffset(tick * tickMs + accumulator - timers.now());
      ownAcked = tick;
      replayNeeded = true;
    }
    if (base === null) setStatus({ kind: 'joining', hostId });
    else startPlaying(timers.now());
  }

  function view(): SyncView<State, D> | null {
    if (state === null || status.kind === 'idle') return null;
    const now = timers.now();
    // Local entities (all of them, on the host) blend between the last two ticks.
    const alpha = Math.max(0, Math.min(1, accumulator / tickMs));
    const before = game.toWorld(previous ?? state);
    const after = game.toWorld(state);
    if (isHost()) {
      const entities = blendEntities(before, after, alpha, interpolate);
      return { entities, state, tick, renderTick: tick + alpha, localEntities: new Set() };
    }
    const render = renderClock.renderTick(now) ?? tick;
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
    return { entities, state, tick, renderTick: render, localEntities: local };
  }

  function stop(): void {
    if (loop !== null) timers.clearInterval(loop);
    loop = null;
    state = null;
    previous = null;
    base = null;
    buffer.clear();
    renderClock.reset();
    corrections.clear();
    forgetHost(false);
    ownAcked = -1;
    tick = 0;
    accumulator = 0;
    packetBudget.clear();
    eventBudget.clear();
    if (status.kind !== 'idle') setStatus({ kind: 'idle' });
  }

  const unsubscribe = transport.on('message', onMessage);
  let closed = false;

  return {
    get status() {
      return status;
    },
    tuning,
    clock: hostClock.estimate,
    start(start) {
      if (closed) return;
      stop();
      hostId = start.hostId;
      players = [...start.players].sort();
      lastUpdate = timers.now();
      loop = timers.setInterval(update, tuning.updateIntervalMs);
      if (hostId === selfId) becomeHost(game.initialState(), 0);
      else setStatus({ kind: 'joining', hostId });
    },
    setHost(next) {
      if (status.kind !== 'idle' && next !== hostId) migrate(next);
    },
    setPlayers(next) {
      players = [...next].sort();
      packetBudget.retain(players);
      eventBudget.retain(players);
    },
    update,
    view,
    stats() {
      const offset = hostClock.offsetMs();
      const estimate = hostClock.estimate;
      const lead = isHost() || offset === null ? 0 : tick * tickMs + accumulator - (timers.now() + offset);
      return stats.read({
        tickOffsetMs: lead,
        interpDelayMs: isHost() ? 0 : renderClock.delayMs,
        snapshotJitterMs: renderClock.jitterMs,
        hostSilentMs: status.kind === 'playing' ? Math.max(0, timers.now() - lastSnapshotAt) : 0,
        clockOffsetMs: estimate.offsetMs,
        clockErrorMs: estimate.errorMs,
        rttMs: estimate.rttMs,
        tick,
      });
    },
    on: events.on,
    stop,
    close() {
      stop();
      closed = true;
      unsubscribe();
    },
    inputAt(player, t) {
      return inputLog.get(player, t);
    },
  };
}

function assertNever(value: never): never {
  throw new Error(`unhandled packet ${JSON.stringify(value)}`);
}
