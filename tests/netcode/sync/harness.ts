/**
 * A room of sync engines over the in-memory network, every link made worse by the conditioner,
 * all on one simulated clock and seeded random source: a whole lossy game in milliseconds of CPU,
 * the same every run.
 */
import {
  conditionTransport,
  createMemoryNetwork,
  createRandom,
  createSimClock,
  createSyncEngine,
  encodePayload,
  FRAME_HEADER_BYTES,
  type LinkConditions,
  type MemoryNetwork,
  playerEntityId,
  type SimClock,
  type SyncEngine,
  type SyncTuning,
} from '@tickmesh/netcode';
import { type DotsEvent, type DotsInput, type DotsState, dotsGame, type dotsSchema } from './dots-game.js';

type Engine = SyncEngine<DotsState, DotsInput, DotsEvent, typeof dotsSchema.definition>;

export interface Peer {
  id: string;
  engine: Engine;
  /** The input this peer's script gives at each of its ticks. */
  sampled: Map<number, DotsInput>;
  /** The inputs the engine stepped each tick, by player (the host's are the authoritative ones). */
  stepped: Map<number, ReadonlyMap<string, DotsInput>>;
  /** States the engine stepped to (host: authoritative; client: predictions), by tick. */
  states: Map<number, DotsState>;
  events: DotsEvent[];
  bytesSent: number;
  bytesReceived: number;
  close(): void;
}

export interface Room {
  clock: SimClock;
  network: MemoryNetwork<unknown>;
  peers: Map<string, Peer>;
}

export type Script = (peer: string, tick: number) => DotsInput;

export function createRoom(
  ids: readonly string[],
  conditions: Partial<LinkConditions>,
  script: Script,
  seed = 1,
  tuning: Partial<SyncTuning> = {},
): Room {
  const clock = createSimClock(1_000);
  const network = createMemoryNetwork<unknown>({ timers: clock });
  const random = createRandom(seed);
  const peers = new Map<string, Peer>();
  for (const id of ids) {
    const inner = network.join(id);
    const conditioned = conditionTransport(inner, { outgoing: conditions }, { timers: clock, random });
    const peer: Peer = {
      id,
      sampled: new Map(),
      stepped: new Map(),
      states: new Map(),
      events: [],
      bytesSent: 0,
      bytesReceived: 0,
      engine: null as unknown as Engine,
      close() {
        peer.engine.close();
        conditioned.close();
        network.leave(id);
      },
    };
    conditioned.on('message', ({ payload }) => {
      peer.bytesReceived += encodePayload(payload).length + FRAME_HEADER_BYTES;
    });
    const transport = {
      peers: () => conditioned.peers(),
      on: conditioned.on,
      send(to: string | 'all', payload: unknown, options?: { reliable?: boolean }) {
        const taken = conditioned.send(to, payload, options);
        peer.bytesSent += taken * (encodePayload(payload).length + FRAME_HEADER_BYTES);
        return taken;
      },
    };
    const engine: Engine = createSyncEngine({
      game: dotsGame,
      transport,
      selfId: id,
      timers: clock,
      tuning,
      sampleInput: (tick) => {
        const input = script(id, tick);
        peer.sampled.set(tick, input);
        return input;
      },
    });
    engine.on('tick', ({ tick, state, inputs }) => {
      peer.stepped.set(tick, inputs);
      peer.states.set(tick, state);
    });
    engine.on('event', ({ event }) => peer.events.push(event));
    peer.engine = engine;
    peers.set(id, peer);
  }
  return { clock, network, peers };
}

export function startAll(room: Room, hostId: string): void {
  const players = [...room.peers.keys()];
  for (const peer of room.peers.values()) peer.engine.start({ hostId, players });
}

export function dotOf(state: DotsState | undefined, player: string) {
  return state?.dots.get(playerEntityId(player));
}

/** A seeded script: each player changes direction every 300-800 ms and taps fire now and then. */
export function wanderScript(seed: number, stopAtTick: number): Script {
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
