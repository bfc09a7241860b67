/**
 * The game contract: everything tickmesh needs from a game, and nothing about its engine.
 *
 * The game owns its `State` and `Input` types and a deterministic `step`. tickmesh owns time
 * (a fixed-tick loop), the network (inputs out, snapshots in) and the view handed to the
 * renderer (the predicted local player, remote entities interpolated in the past).
 *
 * Snapshots carry entities, not the game's State: `toWorld` lists the entities of a state (each a
 * kind of the schema and its field values) and `fromWorld` rebuilds a state from them. Whatever
 * `step` reads must survive that round trip (a round timer, scores, a seed for randomness: make
 * them fields of an entity), since clients rebuild their prediction from snapshots and a new host
 * continues from one. The host quantizes its own state every tick the same way, so host and
 * clients step bit-identical states.
 */
import type { EntityState, SchemaDefinition, SnapshotSchema } from './snapshot/schema.js';

/** Entities by id (uint32), as `toWorld` lists them. */
export type Entities<D extends SchemaDefinition = SchemaDefinition> = ReadonlyMap<number, EntityState<D>>;

/** What `step` can reach besides the state and the inputs. */
export interface StepContext<State, Event> {
  /** The tick being computed (the state passed in is the previous tick's). */
  readonly tick: number;
  /**
   * Reports a game event (a hit, a death, a score). On the host each one is sent to every peer on
   * the reliable channel, stamped with its tick; while predicting or replaying it is dropped.
   */
  emit(event: Event): void;
  /**
   * The state as `playerId` saw it when it produced this tick's input: its render tick, about one
   * interpolation delay in the past (lag compensation). Test shots against it. Only the host keeps
   * the history; elsewhere, and for a player the host has no record of, it is the current state.
   */
  seenBy(playerId: string): State;
}

/**
 * A game as tickmesh runs it. `step`, `toWorld` and `fromWorld` must be pure and deterministic:
 * no clock, no `Math.random()` (keep a seed in the state), the same results on every peer.
 *
 * @example
 * ```ts
 * // State: { dots: Map<entity id, { x, y }> }; Input: { dx, dy }. A whole game: examples/dots.
 * const dots: GameDefinition<State, Input, never, typeof schema.definition> = {
 *   schema,                                          // defineSnapshotSchema({ dot: { x: field.fixed(1 / 16), ... } })
 *   initialState: () => ({ dots: new Map() }),
 *   neutralInput: { dx: 0, dy: 0 },
 *   parseInput: (raw) => parseDotsInput(raw),        // untrusted: null unless every field checks out
 *   parseEvent: () => null,
 *   step: (state, inputs, dt) => moveDots(state, inputs, dt),
 *   toWorld: (state) => new Map([...state.dots].map(([id, fields]) => [id, { kind: 'dot' as const, fields }])),
 *   fromWorld: (entities) => ({ dots: new Map([...entities].map(([id, e]) => [id, { ...e.fields }])) }),
 *   localEntities: (_state, player) => [playerEntityId(player)],
 * };
 * ```
 */
export interface GameDefinition<State, Input, Event = never, D extends SchemaDefinition = SchemaDefinition> {
  /** Entity kinds and fields as snapshots carry them (`defineSnapshotSchema`). */
  readonly schema: SnapshotSchema<D>;
  /** The world the first host starts from. */
  initialState(): State;
  /**
   * One fixed tick. `inputs` has one entry for every player in the session this tick, including a
   * player's first tick (spawn them) and excluding a player who left (remove them). `dt` is the
   * tick length in seconds.
   */
  step(state: State, inputs: ReadonlyMap<string, Input>, dt: number, context: StepContext<State, Event>): State;
  /** The entities of a state: what snapshots carry. */
  toWorld(state: State): Entities<D>;
  /** A state from entities (dequantized): the inverse of `toWorld`. */
  fromWorld(entities: Entities<D>): State;
  /** A player's input before any has arrived (nothing pressed). */
  readonly neutralInput: Input;
  /**
   * Checks an input that came from the network; null rejects it (dropped and counted). Never
   * trust a remote input's shape: it is whatever a peer chose to send.
   */
  parseInput(raw: unknown): Input | null;
  /** Checks an event that came from the network; null rejects it. Default: events are dropped. */
  parseEvent?(raw: unknown): Event | null;
  /**
   * Entities the local player's prediction drives and the renderer draws from the prediction
   * (its avatar, perhaps its projectiles); the others are drawn interpolated.
   */
  localEntities(state: State, playerId: string): Iterable<number>;
  /**
   * Blends two states of one entity for rendering, `t` in [0, 1] (a little beyond 1 while
   * extrapolating). Default: from the schema (fixed and integer fields linearly, angles the short
   * way round, bits and bools switch at `b`).
   */
  interpolate?(a: EntityState<D>, b: EntityState<D>, t: number): EntityState<D>;
  /**
   * When a snapshot is too big for one packet and goes in parts, the order entities are sent to
   * `peerId` in: lower first (e.g. the distance to that peer's player, so what is near comes
   * first). Default: kinds in schema order, then ids.
   */
  snapshotPriority?(id: number, entity: EntityState<D>, peerId: string, state: State): number;
  /**
   * Fields of a locally predicted entity whose corrections are smoothed (a decaying offset instead
   * of a snap), by kind. Default: every `fixed` field.
   */
  readonly smoothFields?: Readonly<Record<string, readonly string[]>>;
}

/**
 * A stable entity id for a player, the same on every peer: FNV-1a of the player id, in the upper
 * half of the uint32 range so it never meets ids a game counts up from 0 for its own entities.
 * `fromWorld` gets the player's entity back by this id; `step` finds a player's entity with it.
 *
 * @example
 * ```ts
 * for (const [playerId, input] of inputs) movePlayer(state.players.get(playerEntityId(playerId)), input);
 * ```
 */
export function playerEntityId(playerId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < playerId.length; i++) {
    hash ^= playerId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash | 0x80000000) >>> 0;
}
