/**
 * A small 8-player shooter for `bench:sync`, on the arena schema of `bench:codec` (players with
 * position, velocity, angle, hp, score, flags; projectiles with owner, position, velocity): the
 * traffic of a real arena game, without the demo's rendering. The state is the entity map itself.
 */
import { type Entities, type GameDefinition, playerEntityId } from '@tickmesh/netcode';
import { type ArenaDefinition, type ArenaEntity, arenaSchema } from '../codec/arena.ts';

export interface SkirmishInput {
  dx: number;
  dy: number;
  /** Aim, 0..255 parts of a turn. */
  aim: number;
  fire: boolean;
}
export type SkirmishState = Entities<ArenaDefinition>;

const ARENA = 1600;
const PLAYER_SPEED = 250;
const SHOT_SPEED = 600;
const FIRE_EVERY_TICKS = 20;
const FIRST_SHOT_ID = 1;

const clamp = (v: number) => Math.max(0, Math.min(ARENA, v));

export const skirmish: GameDefinition<SkirmishState, SkirmishInput, never, ArenaDefinition> = {
  schema: arenaSchema,
  initialState: () => new Map(),
  neutralInput: { dx: 0, dy: 0, aim: 0, fire: false },
  parseInput(raw) {
    const r = raw as Partial<SkirmishInput> | null;
    if (typeof r !== 'object' || r === null) return null;
    const ok = [r.dx, r.dy].every((v) => v === -1 || v === 0 || v === 1);
    return ok && Number.isInteger(r.aim) && typeof r.fire === 'boolean' ? (r as SkirmishInput) : null;
  },
  step(state, inputs, dt, context) {
    const next = new Map<number, ArenaEntity>();
    let nextShot = FIRST_SHOT_ID;
    for (const [id, e] of state) if (e.kind === 'projectile') nextShot = Math.max(nextShot, id + 1);
    for (const [id, e] of state) {
      if (e.kind !== 'projectile') continue;
      const x = e.fields.x + e.fields.vx * dt;
      const y = e.fields.y + e.fields.vy * dt;
      if (x >= 0 && x <= ARENA && y >= 0 && y <= ARENA)
        next.set(id, { kind: 'projectile', fields: { ...e.fields, x, y } });
    }
    for (const [player, input] of inputs) {
      const id = playerEntityId(player);
      const was = state.get(id);
      const p =
        was?.kind === 'player'
          ? was.fields
          : { x: ARENA / 2, y: ARENA / 2, vx: 0, vy: 0, angle: 0, hp: 100, score: 0, flags: 1 };
      const vx = input.dx * PLAYER_SPEED;
      const vy = input.dy * PLAYER_SPEED;
      const angle = (input.aim / 256) * 2 * Math.PI;
      next.set(id, {
        kind: 'player',
        fields: { ...p, x: clamp(p.x + vx * dt), y: clamp(p.y + vy * dt), vx, vy, angle },
      });
      if (input.fire && context.tick % FIRE_EVERY_TICKS === 0) {
        next.set(nextShot++, {
          kind: 'projectile',
          fields: { owner: id, x: p.x, y: p.y, vx: Math.cos(angle) * SHOT_SPEED, vy: Math.sin(angle) * SHOT_SPEED },
        });
      }
    }
    return new Map([...next].sort((a, b) => a[0] - b[0]));
  },
  toWorld: (state) => state,
  fromWorld: (entities) => new Map(entities),
  localEntities: (_state, player) => [playerEntityId(player)],
};
