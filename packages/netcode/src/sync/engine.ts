/**
 * The sync engine: runs a game (game.ts) on every peer of a room, the host as the authority. This
 * file composes; each role is a module of its own that reads, and is tested, alone:
 *
 *   host-role.ts    the authority: every player's input of the tick (a missing one repeats the
 *                   last) ─► step ─► quantize ─► to each peer, every snapshot interval, a delta
 *                   against that peer's last ack with the last input tick processed for it; events
 *                   on the reliable channel; acks, late inputs, lag compensation, pongs
 *   client-role.ts  prediction at once with its own input (the others: their latest known input),
 *                   snapshot intake, reconciliation (a replay from the newest snapshot), smoothed
 *                   corrections, interpolation on its render clock, the clock toward the host and
 *                   the lead its tick is steered by, `hostSilent`
 *   shared by both  the timeline they step (timeline.ts), the input log (input-log.ts), stepping
 *                   (stepper.ts), the own inputs each sends (own-inputs.ts), stats (sync-stats.ts)
 *
 * What stays here:
 *   the loop: every `updateIntervalMs`, the ticks due (fixed rate, accumulator); a client steers
 *     its timeline first
 *   the roles: `start` takes the host role or joins as a client; a host migration hands the
 *     timeline over, with the same links: a new host carries on from its newest snapshot replayed
 *     with every player's logged inputs up to the old host's tick, a former host plays on from its
 *     own authority until the new host's snapshots come, the others forget their baselines and
 *     take a full snapshot; `stop` forgets the session
 *   packets in: every peer is a stranger, so each peer's packets and the host's events pass a
 *     token bucket, and inputs are logged only for ticks in a window around the local tick, at most
 *     a bounded number per player (input-intake.ts; tuning.ts has the limits, SyncStats.dropped the
 *     refusals); every peer logs every peer's inputs (replays, `remotePlayers: 'predicted'`, a
 *     future migration); then each packet goes to the role that takes it
 *   the public API: status, view (the host blends its last two ticks; a client draws through its
 *     role), stats, events
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
import { createClientRole } from './client-role.js';
import type { ClockEstimate } from './clock/clock-estimator.js';
import type { Entities, GameDefinition } from './game.js';
import { createHostRole } from './host-role.js';
import { createInputIntake } from './input-intake.js';
import { createInputLog } from './input-log.js';
import { blendEntities, defaultInterpolate } from './interpolation.js';
import { createOwnInputs } from './own-inputs.js';
import { isForeignPacket, parsePacket } from './packets.js';
import type { SchemaDefinition } from './snapshot/schema.js';
import { createStepper } from './stepper.js';
import { createSyncStats, type SyncStats } from './sync-stats.js';
import { createTimeline } from './timeline.js';
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
  const tickMs = 1000 / tuning.tickRateHz;
  const interpolate = game.interpolate?.bind(game) ?? defaultInterpolate(game.schema);

  const events = createEmitter<SyncEvents<State, Input, Event>>((error) =>
    logger.error('sync listener threw', { error }),
  );
  const stats = createSyncStats(timers);
  const inputLog = createInputLog<Input>(tuning.maxInputsPerPlayer);
  const intake = createInputIntake(inputLog, tuning, stats);
  const packetBudget = createTokenBuckets(tuning.peerPacketsPerS, tuning.peerPacketBurst);
  const eventBudget = createTokenBuckets(tuning.peerEventsPerS, tuning.peerEventBurst);
  const stepper = createStepper(game, tuning, inputLog);
  const ownInputs = createOwnInputs({ inputLog, selfId, tuning, neutralInput: game.neutralInput });

  let status: SyncStatus = { kind: 'idle' };
  let hostId = '';
  let players: string[] = [];
  let loop: unknown = null;
  const timeline = createTimeline<State>();
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
  function pruneInputs(t: number): void {
    if (t < nextPruneTick && t >= nextPruneTick - tuning.tickRateHz) return;
    inputLog.prune(t - tuning.inputHistoryTicks);
    nextPruneTick = t + tuning.tickRateHz;
  }

  const shared = {
    selfId,
    tuning,
    timeline,
    inputLog,
    ownInputs,
    stepper,
    stats,
    transport,
    now: () => timers.now(),
    players: () => players,
    sampleInput: (t: number) => options.sampleInput(t),
    pruneInputs,
    emit: events.emit,
  };
  const host = createHostRole({ ...shared, game, intake });
  const client = createClientRole({
    ...shared,
    game,
    interpolate,
    hostId: () => hostId,
    status: () => status,
    setStatus,
  });

  // ---- loop and roles -----------------------------------------------------------------------

  function runTicks(once: () => void): void {
    let due = Math.floor(timeline.accumulator / tickMs);
    if (due > tuning.maxCatchUpTicks) {
      stats.count('ticksDropped', due - tuning.maxCatchUpTicks);
      timeline.accumulator -= (due - tuning.maxCatchUpTicks) * tickMs;
      due = tuning.maxCatchUpTicks;
    }
    for (let i = 0; i < due; i++) {
      timeline.accumulator -= tickMs;
      once();
    }
  }

  function update(): void {
    if (status.kind === 'idle') return;
    const now = timers.now();
    const elapsed = Math.max(0, now - timeline.lastUpdate);
    timeline.lastUpdate = now;
    if (isHost()) {
      timeline.accumulator += elapsed;
      runTicks(host.tick);
    } else if (client.steer(now, elapsed)) {
      runTicks(client.tick);
    }
  }

  function becomeHost(startState: State, startTick: number): void {
    host.begin(startState, startTick);
    client.clearCorrections(); // offsets of a former prediction; the authority draws what it steps
    setStatus({ kind: 'hosting', hostId });
  }

  /** The room named another host. */
  function migrate(next: string): void {
    const wasHost = isHost();
    hostId = next;
    stats.count('migrations');
    if (next === selfId) {
      // Carry on from the newest snapshot, replayed with every logged input up to the old host's tick.
      const from = client.takeOver();
      becomeHost(from.state, from.tick);
      client.forgetHost(true);
      return;
    }
    client.forgetHost(true);
    client.follow(wasHost);
  }

  function onMessage(message: { from: string; payload: unknown; reliable: boolean }): void {
    if (status.kind === 'idle' || isForeignPacket(message.payload)) return;
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
        if (isHost()) return host.onInputPacket(from, packet);
        // Every peer logs every peer's inputs: replays, predicted players, a future migration.
        intake.take(from, packet, timeline.tick);
        return;
      case 'snapshot':
        if (from !== hostId || isHost()) {
          stats.count('packetsIgnored');
          return;
        }
        return client.onSnapshot(
          packet.part,
          packet.lastInputTick,
          packet.inputWaitMs === null || packet.inputWaitMinMs === null
            ? null
            : { medianMs: packet.inputWaitMs, minMs: packet.inputWaitMinMs },
        );
      case 'ping':
        if (isHost()) host.answerPing(from, packet.id, packet.sentAt);
        return;
      case 'pong':
        if (from === hostId) client.onPong(packet.id, packet.sentAt, packet.hostTime, timers.now());
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

  function view(): SyncView<State, D> | null {
    const { state, tick } = timeline;
    if (state === null || status.kind === 'idle') return null;
    const now = timers.now();
    // Local entities (all of them, on the host) blend between the last two ticks.
    const alpha = Math.max(0, Math.min(1, timeline.accumulator / tickMs));
    const before = game.toWorld(timeline.previous ?? state);
    const after = game.toWorld(state);
    if (isHost()) {
      const entities = blendEntities(before, after, alpha, interpolate);
      return { entities, state, tick, renderTick: tick + alpha, localEntities: new Set() };
    }
    const drawn = client.draw(now, before, after, alpha);
    return { entities: drawn.entities, state, tick, renderTick: drawn.renderTick, localEntities: drawn.localEntities };
  }

  function stop(): void {
    if (loop !== null) timers.clearInterval(loop);
    loop = null;
    timeline.state = null;
    timeline.previous = null;
    client.reset();
    timeline.tick = 0;
    timeline.accumulator = 0;
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
    clock: client.clock,
    start(start) {
      if (closed) return;
      stop();
      hostId = start.hostId;
      players = [...start.players].sort();
      timeline.lastUpdate = timers.now();
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
      const live = client.figures(timers.now());
      // The host runs no lead over itself and draws nothing interpolated.
      const own = isHost() ? { ...live, tickOffsetMs: 0, interpDelayMs: 0, inputWaitMs: null } : live;
      return stats.read({ ...own, tick: timeline.tick });
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

/** A packet of another layer on the same mesh (packets.ts's table): chat's. */
function assertNever(value: never): never {
  throw new Error(`unhandled packet ${JSON.stringify(value)}`);
}
