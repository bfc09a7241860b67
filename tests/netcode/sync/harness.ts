/**
 * A room of sync engines over the in-memory network, every link made worse by the conditioner,
 * all on one simulated clock and seeded random source: a whole lossy game in milliseconds of CPU,
 * the same every run. Used by the sync tests and by `npm run bench:sync`.
 */
import {
  conditionTransport,
  createMemoryNetwork,
  createRandom,
  createSimClock,
  createSyncEngine,
  encodePayload,
  FRAME_HEADER_BYTES,
  type GameDefinition,
  type LinkConditions,
  type MemoryNetwork,
  type MemoryTransport,
  playerEntityId,
  type SchemaDefinition,
  type SimClock,
  type SyncEngine,
  type SyncTuning,
} from '@tickmesh/netcode';
import { type DotsEvent, type DotsInput, type DotsState, dotsGame } from './dots-game.js';

export interface Peer<State, Input, Event, D extends SchemaDefinition> {
  id: string;
  engine: SyncEngine<State, Input, Event, D>;
  /** The peer's own endpoint on the memory network, under the conditioner (its counters, its drops). */
  endpoint: MemoryTransport<unknown>;
  /** The input this peer's script gave at each of its ticks. */
  sampled: Map<number, Input>;
  /** The inputs the engine stepped each tick, by player (the host's are the authoritative ones). */
  stepped: Map<number, ReadonlyMap<string, Input>>;
  /** States the engine stepped to (host: authoritative; client: predictions), by tick. */
  states: Map<number, State>;
  events: Event[];
  /** Framed bytes this peer sent and received (MessagePack payload + frame header). */
  bytesSent: number;
  bytesReceived: number;
  close(): void;
}

export interface Room<State, Input, Event, D extends SchemaDefinition> {
  clock: SimClock;
  network: MemoryNetwork<unknown>;
  peers: Map<string, Peer<State, Input, Event, D>>;
}

export type Script<Input> = (peer: string, tick: number) => Input;

export interface RoomOptions<State, Input, Event, D extends SchemaDefinition> {
  game: GameDefinition<State, Input, Event, D>;
  ids: readonly string[];
  conditions: Partial<LinkConditions>;
  script: Script<Input>;
  seed?: number;
  tuning?: Partial<SyncTuning>;
  /** Keep every state and input (tests); false keeps only counters (long benches). Default true. */
  record?: boolean;
}

export function createRoom<State, Input, Event, D extends SchemaDefinition>(
  options: RoomOptions<State, Input, Event, D>,
): Room<State, Input, Event, D> {
  const { game, script, record = true } = options;
  const clock = createSimClock(1_000);
  const network = createMemoryNetwork<unknown>({ timers: clock });
  const random = createRandom(options.seed ?? 1);
  const peers = new Map<string, Peer<State, Input, Event, D>>();
  for (const id of options.ids) {
    const endpoint = network.join(id);
    const conditioned = conditionTransport(endpoint, { outgoing: options.conditions }, { timers: clock, random });
    const peer: Peer<State, Input, Event, D> = {
      id,
      endpoint,
      sampled: new Map(),
      stepped: new Map(),
      states: new Map(),
      events: [],
      bytesSent: 0,
      bytesReceived: 0,
      engine: null as unknown as SyncEngine<State, Input, Event, D>,
      close() {
        peer.engine.close();
        conditioned.close();
        network.leave(id);
      },
    };
    conditioned.on('message', ({ payload }) => {
      peer.bytesReceived += encodePayload(payload).length + FRAME_HEADER_BYTES;
    });
    peer.engine = createSyncEngine({
      game,
      transport: {
        peers: () => conditioned.peers(),
        on: conditioned.on,
        send(to, payload, sendOptions) {
          const taken = conditioned.send(to, payload, sendOptions);
          peer.bytesSent += taken * (encodePayload(payload).length + FRAME_HEADER_BYTES);
          return taken;
        },
      },
      selfId: id,
      timers: clock,
      ...(options.tuning === undefined ? {} : { tuning: options.tuning }),
      sampleInput: (tick) => {
        const input = script(id, tick);
        if (record) peer.sampled.set(tick, input);
        return input;
      },
    });
    if (record) {
      peer.engine.on('tick', ({ tick, state, inputs }) => {
        peer.stepped.set(tick, inputs);
        peer.states.set(tick, state);
      });
    }
    peer.engine.on('event', ({ event }) => peer.events.push(event));
    peers.set(id, peer);
  }
  return { clock, network, peers };
}

export function startAll<S, I, E, D extends SchemaDefinition>(room: Room<S, I, E, D>, hostId: string): void {
  const players = [...room.peers.keys()];
  for (const peer of room.peers.values()) peer.engine.start({ hostId, players });
}

// The dots game, which most sync tests play.
export type DotsPeer = Peer<DotsState, DotsInput, DotsEvent, typeof dotsGame.schema.definition>;
export type DotsRoom = Room<DotsState, DotsInput, DotsEvent, typeof dotsGame.schema.definition>;

export function createDotsRoom(
  ids: readonly string[],
  conditions: Partial<LinkConditions>,
  script: Script<DotsInput>,
  seed = 1,
): DotsRoom {
  return createRoom({ game: dotsGame, ids, conditions, script, seed });
}

export function dotOf(state: DotsState | undefined, player: string) {
  return state?.dots.get(playerEntityId(player));
}

/** A seeded script: each player changes direction every 300-800 ms and taps fire now and then. */
export function wanderScript(seed: number, stopAtTick: number): Script<DotsInput> {
  const plans = new Map<string, { until: number; input: DotsInput }>();
  const random = createRandom(seed);
  const axis = (): -1 | 0 | 1 => (Math.floor(random() * 3) - 1) as -1 | 0 | 1;
  return (player, tick) => {
    if (tick >= stopAtTick) return { dx: 0, dy: 0, fire: false };
    let plan = plans.get(player);
    if (plan === undefined || tick >= plan.until) {
      plan = { until: tick + 18 + Math.floor(random() * 30), input: { dx: axis(), dy: axis(), fire: false } };
      plans.set(player, plan);
    }
    const fire = tick % 40 < 3 && (tick >> 3) % 3 === 0;
    return { ...plan.input, fire };
  };
}

/**
 * How far each viewer draws every other player's dot from where the host had it at the viewer's
 * render tick (px), one sample per viewer and player. `latestSnapshot` measures the naive
 * alternative instead: drawing the newest snapshot as it arrives, without interpolation.
 */
export function remoteDrawErrors(room: DotsRoom, hostId: string, latestSnapshot = false): number[] {
  const host = room.peers.get(hostId);
  const errors: number[] = [];
  if (host === undefined) return errors;
  const hostTick = host.engine.stats().tick;
  for (const viewer of room.peers.values()) {
    if (viewer.id === hostId) continue;
    const view = viewer.engine.view();
    if (!view) continue;
    const t = latestSnapshot ? hostTick : view.renderTick;
    const f = t - Math.floor(t);
    for (const other of room.peers.keys()) {
      if (other === viewer.id) continue;
      const drawn = latestSnapshot ? dotOf(view.state, other) : view.entities.get(playerEntityId(other))?.fields;
      const a = dotOf(host.states.get(Math.floor(t)), other);
      const b = dotOf(host.states.get(Math.ceil(t)), other);
      if (drawn === undefined || a === undefined || b === undefined) continue;
      errors.push(Math.hypot(drawn.x - (a.x + (b.x - a.x) * f), drawn.y - (a.y + (b.y - a.y) * f)));
    }
  }
  return errors;
}
