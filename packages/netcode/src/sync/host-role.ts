/**
 * The host's role in the sync engine (engine.ts): the authority that steps the world.
 *
 *   every tick: every player's input of the tick from the input log (a missing one repeats the
 *     last, counted in `inputsMissing`) ─► step, with events and lag compensation (lag-history.ts)
 *     ─► events out, on the reliable channel, to every peer and the host's own listeners
 *   every snapshot interval, to each peer: the quantized world as a delta against the newest
 *     snapshot that peer acked (full until it acks one), with the last input tick processed for it
 *   inputs in: logged if in the window around the host's tick (input-intake.ts), an input that
 *     comes for a tick already stepped counted in `inputsLate`; each packet's `ackTick` moves that
 *     peer's delta baseline, its `viewTick` says how far behind that player draws the world
 *   pings in: answered with the host's timeline, the clock every client steers by
 *   the host's own inputs go to every peer now and then, for a future host (own-inputs.ts)
 *
 * References: Glenn Fiedler, "Snapshot Compression" and "State Synchronization" (deltas against
 * the last acked snapshot); Valve, "Latency Compensating Methods in Client/Server In-game Protocol
 * Design and Optimization" (Bernier, 2001).
 */
import type { Emitter } from '../util/emitter.js';
import type { SyncEvents, SyncTransport } from './engine.js';
import type { GameDefinition } from './game.js';
import type { InputIntake } from './input-intake.js';
import type { InputLog } from './input-log.js';
import { createLagHistory } from './lag-history.js';
import type { OwnInputs } from './own-inputs.js';
import {
  encodeEvent,
  encodeInputPacket,
  encodePong,
  encodeSnapshotPacket,
  type InputPacket,
  inputsEqual,
} from './packets.js';
import { encodeSnapshot } from './snapshot/encode.js';
import { createSnapshotHistory } from './snapshot/history.js';
import type { QuantizedEntity, SchemaDefinition } from './snapshot/schema.js';
import { fromQuantized } from './snapshot/world.js';
import type { Stepper } from './stepper.js';
import type { SyncStatsRecorder } from './sync-stats.js';
import type { Timeline } from './timeline.js';
import type { SyncTuning } from './tuning.js';

/** Input arrivals per peer whose wait for their tick each snapshot's `inputWaitMs` is the median of. */
const WAIT_WINDOW = 32;

export interface HostRoleDeps<State, Input, Event, D extends SchemaDefinition> {
  game: Pick<GameDefinition<State, Input, Event, D>, 'schema' | 'snapshotPriority'>;
  selfId: string;
  tuning: Readonly<SyncTuning>;
  /** The engine's timeline; the host steps it. */
  timeline: Timeline<State>;
  inputLog: Pick<InputLog<Input>, 'get' | 'set' | 'firstTick'>;
  intake: InputIntake<Input>;
  ownInputs: OwnInputs<Input>;
  stepper: Pick<Stepper<State, Input, Event, D>, 'inputsFor' | 'step' | 'quantize'>;
  stats: Pick<SyncStatsRecorder, 'count' | 'snapshotSent'>;
  transport: Pick<SyncTransport, 'peers' | 'send'>;
  now(): number;
  /** The session's players, sorted. */
  players(): readonly string[];
  /** The local player's input for tick `tick`. */
  sampleInput(tick: number): Input;
  /** Forgets logged inputs too old to matter, when due. */
  pruneInputs(tick: number): void;
  emit: Emitter<SyncEvents<State, Input, Event>>['emit'];
}

export interface HostRole<State, Input> {
  /** Takes the authority from `state` at `tick`: forgets every peer's acks and the past. */
  begin(state: State, tick: number): void;
  /** Steps one authoritative tick; sends events, and snapshots when one is due. */
  tick(): void;
  /** Logs a peer's inputs (in the window), counts the late ones, takes its ack and view lag. */
  onInputPacket(from: string, packet: InputPacket<Input>): void;
  /** Answers a ping with the host's timeline now, ms. */
  answerPing(from: string, id: number, sentAt: number): void;
}

/**
 * @example
 * ```ts
 * const host = createHostRole({ game, selfId, tuning, timeline, inputLog, intake, ownInputs, stepper, stats,
 *   transport, now: timers.now, players: () => players, sampleInput, pruneInputs, emit: events.emit });
 * host.begin(game.initialState(), 0);
 * host.tick();
 * ```
 */
export function createHostRole<State, Input, Event, D extends SchemaDefinition>(
  deps: HostRoleDeps<State, Input, Event, D>,
): HostRole<State, Input> {
  const { game, selfId, tuning, timeline, inputLog, intake, ownInputs, stepper, stats, transport } = deps;
  const schema = game.schema;
  const tickMs = 1000 / tuning.tickRateHz;
  const ticksPerSnapshot = tuning.tickRateHz / tuning.snapshotRateHz;
  // What it sent (the baselines of deltas), what each peer acked, the last input stepped per player.
  const sent = createSnapshotHistory(64);
  const ackOf = new Map<string, number>();
  const lastInputOf = new Map<string, number>();
  /**
   * How long each peer's newest inputs waited for their tick when they came (negative: late), ms,
   * the last {@link WAIT_WINDOW}; each snapshot to the peer says their median.
   */
  const waitsOf = new Map<string, { waits: number[]; newest: number }>();
  const lagHistory = createLagHistory<State>(Math.ceil(tuning.lagCompensationMs / tickMs));
  let pendingEvents: { tick: number; event: Event }[] = [];

  function tick(): void {
    const t = timeline.tick + 1;
    if (inputLog.get(selfId, t) === undefined) inputLog.set(selfId, t, deps.sampleInput(t));
    const players = deps.players();
    for (const player of players) {
      if (inputLog.get(player, t) !== undefined) lastInputOf.set(player, t);
      else if (inputLog.firstTick(player) >= 0 && inputLog.firstTick(player) < t) stats.count('inputsMissing');
    }
    const inputs = stepper.inputsFor(t, players);
    const previous = timeline.state as State;
    timeline.previous = previous;
    const state = stepper.step(previous, t, inputs, {
      emit: (event) => pendingEvents.push({ tick: t, event }),
      seenBy: (player, current) => lagHistory.seenBy(player, t, current),
    });
    timeline.state = state;
    timeline.tick = t;
    lagHistory.record(t, state);
    for (const { tick: at, event } of pendingEvents) {
      transport.send('all', encodeEvent(at, event), { reliable: true });
      deps.emit('event', { tick: at, event });
    }
    pendingEvents = [];
    deps.pruneInputs(t);
    sendOwnInputs(t);
    if (t % ticksPerSnapshot === 0) sendSnapshots(t, state);
    deps.emit('tick', { tick: t, state, inputs, authoritative: true });
  }

  /** The host's own inputs only matter to a future host: to every peer, now and then. */
  function sendOwnInputs(t: number): void {
    if (!ownInputs.toEveryone(t)) return;
    const { first, inputs } = ownInputs.since(Math.max(0, t - 2 * ownInputs.everyoneEveryTicks), t);
    if (inputs.length === 0) return;
    transport.send('all', encodeInputPacket(-1, Math.max(0, t), first, inputs, inputsEqual));
  }

  function sendSnapshots(t: number, state: State): void {
    const world = stepper.quantize(state, t);
    sent.put(world);
    for (const peer of transport.peers()) {
      const acked = ackOf.get(peer);
      const baseline = acked === undefined ? null : (sent.get(acked) ?? null);
      let bytes = 0;
      const wait = inputWaitOf(peer);
      const rank = game.snapshotPriority;
      const order =
        rank === undefined
          ? {}
          : {
              priority: (id: number, q: QuantizedEntity) => rank.call(game, id, fromQuantized(schema, q), peer, state),
            };
      for (const part of encodeSnapshot(schema, baseline, world, order)) {
        bytes += part.length;
        transport.send(peer, encodeSnapshotPacket(lastInputOf.get(peer) ?? -1, part, wait));
      }
      stats.snapshotSent(bytes, baseline === null);
    }
  }

  /** Notes how early the newest input of a packet from `from` came for its tick (once per new tick). */
  function noteWait(from: string, newest: number): void {
    let record = waitsOf.get(from);
    if (record === undefined) {
      record = { waits: [], newest: -1 };
      waitsOf.set(from, record);
    }
    if (newest <= record.newest) return;
    record.newest = newest;
    const hostTime = timeline.tick * tickMs + timeline.accumulator + (deps.now() - timeline.lastUpdate);
    record.waits.push(newest * tickMs - hostTime);
    if (record.waits.length > WAIT_WINDOW) record.waits.shift();
  }

  /** The median and the shortest of `peer`'s recent input waits; null before any. */
  function inputWaitOf(peer: string): { medianMs: number; minMs: number } | null {
    const waits = waitsOf.get(peer)?.waits;
    if (waits === undefined || waits.length === 0) return null;
    const sorted = [...waits].sort((a, b) => a - b);
    return { medianMs: sorted[sorted.length >> 1] as number, minMs: sorted[0] as number };
  }

  return {
    begin(state, startTick) {
      timeline.state = state;
      timeline.previous = state;
      timeline.tick = startTick;
      timeline.accumulator = 0;
      timeline.lastUpdate = deps.now();
      lagHistory.clear();
      sent.clear();
      ackOf.clear();
      lastInputOf.clear();
      waitsOf.clear();
      deps.pruneInputs(startTick);
    },
    tick,
    onInputPacket(from, packet) {
      const { taken, late } = intake.take(from, packet, timeline.tick);
      if (taken === 0) return;
      if (late > 0) stats.count('inputsLate', late);
      const last = packet.firstTick + packet.inputs.length - 1;
      noteWait(from, last);
      if (packet.viewTick >= 0) lagHistory.setViewLag(from, last - packet.viewTick);
      if (packet.ackTick > (ackOf.get(from) ?? -1) && packet.ackTick <= timeline.tick) ackOf.set(from, packet.ackTick);
    },
    answerPing(from, id, sentAt) {
      const hostTime = timeline.tick * tickMs + timeline.accumulator + (deps.now() - timeline.lastUpdate);
      transport.send(from, encodePong(id, sentAt, hostTime));
    },
  };
}
