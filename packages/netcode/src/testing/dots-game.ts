/**
 * A small test game for the sync layer: players are dots that move at 120 px/s inside a
 * 400 × 300 box, push each other apart when they touch (so predictions go wrong near others and
 * get corrected) and score a point on each press of "fire". Pure and deterministic, as the
 * contract asks; every player's score is the number of presses the host processed.
 */
import { type Entities, type GameDefinition, playerEntityId } from '../sync/game.js';
import { field } from '../sync/snapshot/fields.js';
import { defineSnapshotSchema } from '../sync/snapshot/schema.js';

export const dotsSchema = defineSnapshotSchema({
  dot: { x: field.fixed(1 / 16), y: field.fixed(1 / 16), score: field.int(), fire: field.bool() },
});
type D = typeof dotsSchema.definition;

export interface Dot {
  x: number;
  y: number;
  score: number;
  fire: boolean;
}
export interface DotsState {
  /** By entity id (playerEntityId), in id order. */
  dots: ReadonlyMap<number, Dot>;
}
export interface DotsInput {
  dx: -1 | 0 | 1;
  dy: -1 | 0 | 1;
  fire: boolean;
}
export interface DotsEvent {
  type: 'scored';
  player: string;
  score: number;
}

export const SPEED = 120;
export const RADIUS = 12;
const WIDTH = 400;
const HEIGHT = 300;
const axis = (v: unknown): v is -1 | 0 | 1 => v === -1 || v === 0 || v === 1;
const clamp = (v: number, max: number) => Math.max(0, Math.min(max, v));

/** Moves two touching dots apart, half the overlap each. */
function push(a: Dot, b: Dot): void {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const distance = Math.hypot(dx, dy);
  if (distance >= 2 * RADIUS) return;
  const [nx, ny] = distance === 0 ? [1, 0] : [dx / distance, dy / distance];
  const half = (2 * RADIUS - distance) / 2;
  a.x = clamp(a.x - nx * half, WIDTH);
  a.y = clamp(a.y - ny * half, HEIGHT);
  b.x = clamp(b.x + nx * half, WIDTH);
  b.y = clamp(b.y + ny * half, HEIGHT);
}

export const dotsGame: GameDefinition<DotsState, DotsInput, DotsEvent, D> = {
  schema: dotsSchema,
  initialState: () => ({ dots: new Map() }),
  neutralInput: { dx: 0, dy: 0, fire: false },
  parseInput(raw) {
    if (typeof raw !== 'object' || raw === null) return null;
    const { dx, dy, fire } = raw as Record<string, unknown>;
    return axis(dx) && axis(dy) && typeof fire === 'boolean' ? { dx, dy, fire } : null;
  },
  parseEvent(raw) {
    if (typeof raw !== 'object' || raw === null) return null;
    const { type, player, score } = raw as Record<string, unknown>;
    return type === 'scored' && typeof player === 'string' && Number.isInteger(score)
      ? { type, player, score: score as number }
      : null;
  },
  step(state, inputs, dt, context) {
    const dots = new Map<number, Dot>();
    for (const [player, input] of inputs) {
      const id = playerEntityId(player);
      const dot = state.dots.get(id) ?? { x: 50 + (id % 300), y: 50 + ((id >>> 8) % 200), score: 0, fire: false };
      const pressed = input.fire && !dot.fire;
      const score = dot.score + (pressed ? 1 : 0);
      if (pressed) context.emit({ type: 'scored', player, score });
      dots.set(id, {
        x: clamp(dot.x + input.dx * SPEED * dt, WIDTH),
        y: clamp(dot.y + input.dy * SPEED * dt, HEIGHT),
        score,
        fire: input.fire,
      });
    }
    const sorted = [...dots].sort((a, b) => a[0] - b[0]);
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length; j++)
        push((sorted[i] as [number, Dot])[1], (sorted[j] as [number, Dot])[1]);
    }
    return { dots: new Map(sorted) };
  },
  toWorld(state) {
    const entities = new Map<number, { kind: 'dot'; fields: Dot }>();
    for (const [id, dot] of state.dots) entities.set(id, { kind: 'dot', fields: dot });
    return entities;
  },
  fromWorld(entities: Entities<D>) {
    const dots = new Map<number, Dot>();
    for (const [id, entity] of entities) dots.set(id, { ...entity.fields });
    return { dots };
  },
  localEntities: (_state, player) => [playerEntityId(player)],
};
