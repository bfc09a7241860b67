/**
 * A room of sync engines over the in-memory network, every link made worse by the conditioner,
 * all on one simulated clock and seeded random source: a whole lossy game in milliseconds of CPU,
 * the same every run. What the sync tests and `npm run bench:sync` play on.
 *
 * @example
 * ```ts
 * const room = createRoom({ game, ids: ['h', 'a'], conditions: { latencyMs: 50, loss: 0.05 }, script });
 * startAll(room, 'h');
 * room.clock.advance(10_000);                      // ten seconds of play, in milliseconds of CPU
 * ```
 */
import { encodePayload, FRAME_HEADER_BYTES } from '../codec/frame.js';
import { createSyncEngine, type SyncEngine } from '../sync/engine.js';
import type { GameDefinition } from '../sync/game.js';
import type { SchemaDefinition } from '../sync/snapshot/schema.js';
import type { SyncTuning } from '../sync/tuning.js';
import { conditionTransport, type LinkConditions } from '../transport/conditioner.js';
import { createMemoryNetwork, type MemoryNetwork, type MemoryTransport } from '../transport/memory.js';
import { createRandom } from '../util/random.js';
import { createSimClock, type SimClock } from '../util/sim-clock.js';

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
