/**
 * Dots, the game of docs/netcode.md's walkthrough: each player is a dot that moves (arrow keys or
 * WASD) and scores a point per press of space. This module is the whole game as tickmesh runs it:
 * pure and deterministic (no clock, no `Math.random()`, no DOM), the same on every peer.
 */
import { defineSnapshotSchema, field, type GameDefinition, playerEntityId } from '@tickmesh/netcode';

/** The field, in px. */
export const WIDTH = 640;
export const HEIGHT = 400;
export const RADIUS = 12;
/** Movement speed. */
const SPEED_PX_PER_S = 160;
/** Where the `n`th player to arrive appears: eight places apart, alternating top and bottom. */
const spawnPoint = (n: number) => ({ x: 80 + ((n * 3) % 8) * 68, y: n % 2 === 0 ? 110 : 290 });

/** What snapshots carry: one `dot` entity per player. Every peer declares the same schema. */
export const schema = defineSnapshotSchema({
  dot: { x: field.fixed(1 / 16), y: field.fixed(1 / 16), score: field.uint(), fire: field.bool() },
});
export type DotsSchema = typeof schema.definition;

export interface Dot {
  x: number;
  y: number;
  score: number;
  /** Space was down last tick: a point is scored on the press, not while it is held. */
  fire: boolean;
}
export interface State {
  /** By entity id (`playerEntityId` of the player). */
  dots: ReadonlyMap<number, Dot>;
}
export type Axis = -1 | 0 | 1;
export interface Input {
  dx: Axis;
  dy: Axis;
  fire: boolean;
}
export interface Scored {
  type: 'scored';
  player: string;
  score: number;
}

const isAxis = (v: unknown): v is Axis => v === -1 || v === 0 || v === 1;
const clamp = (v: number, max: number) => Math.min(max - RADIUS, Math.max(RADIUS, v));

/** Checks an input from the network: anything but `{ dx, dy, fire }` of the right types is refused. */
export function parseInput(raw: unknown): Input | null {
  if (typeof raw !== 'object' || raw === null || !('dx' in raw) || !('dy' in raw) || !('fire' in raw)) return null;
  const { dx, dy, fire } = raw;
  return isAxis(dx) && isAxis(dy) && typeof fire === 'boolean' ? { dx, dy, fire } : null;
}

/** Checks a game event from the host. */
export function parseEvent(raw: unknown): Scored | null {
  if (typeof raw !== 'object' || raw === null || !('type' in raw) || !('player' in raw) || !('score' in raw))
    return null;
  const { type, player, score } = raw;
  const valid =
    type === 'scored' && typeof player === 'string' && player.length <= 64 && typeof score === 'number' && score >= 0;
  return valid && Number.isSafeInteger(score) ? { type, player, score } : null;
}

export const dotsGame: GameDefinition<State, Input, Scored, DotsSchema> = {
  schema,
  initialState: () => ({ dots: new Map() }),
  neutralInput: { dx: 0, dy: 0, fire: false },
  parseInput,
  parseEvent,
  step(state, inputs, dt, { emit }) {
    const dots = new Map<number, Dot>();
    let arrivals = state.dots.size;
    for (const [player, input] of inputs) {
      // `inputs` holds every player of this tick, sorted by id: a new one spawns, a missing one is gone.
      const id = playerEntityId(player);
      const dot = state.dots.get(id) ?? { ...spawnPoint(arrivals++), score: 0, fire: false };
      const pressed = input.fire && !dot.fire;
      if (pressed) emit({ type: 'scored', player, score: dot.score + 1 });
      dots.set(id, {
        x: clamp(dot.x + input.dx * SPEED_PX_PER_S * dt, WIDTH),
        y: clamp(dot.y + input.dy * SPEED_PX_PER_S * dt, HEIGHT),
        score: dot.score + (pressed ? 1 : 0),
        fire: input.fire,
      });
    }
    return { dots };
  },
  toWorld: (state) => new Map([...state.dots].map(([id, dot]) => [id, { kind: 'dot' as const, fields: dot }])),
  fromWorld: (entities) => ({ dots: new Map([...entities].map(([id, e]) => [id, { ...e.fields }])) }),
  // The local player's dot is drawn from its prediction (no wait for the host); the others interpolated.
  localEntities: (_state, player) => [playerEntityId(player)],
};
