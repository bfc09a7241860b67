/**
 * A bot's controls: circle-strafe the nearest enemy it can see, shoot when the line is clear,
 * wander when nobody is in sight, and steer away from walls ahead. Reads only a world of entities
 * (a view, as the renderer gets it), so it drives the menu's attract mode and the headless bots
 * (bots/) alike. Not part of the simulation: chance comes from an injected random source.
 */
import type { Rect } from './sim/maps.js';
import { mapById } from './sim/maps.js';
import {
  type ArenaEntity,
  type ArenaInput,
  aimOf,
  MATCH_ID,
  MOVE_DIRECTIONS,
  type MoveDirection,
  PlayerFlag,
} from './simulation.js';

export interface BotBrain {
  /** The next input for the player with entity id `self`, from the world it sees. */
  think(world: ReadonlyMap<number, ArenaEntity>, self: number): ArenaInput;
}

type Dir = -1 | 0 | 1;

/** Whether the segment a→b crosses the rectangle (slab test). */
export function segmentHitsRect(ax: number, ay: number, bx: number, by: number, r: Rect): boolean {
  let t0 = 0;
  let t1 = 1;
  const dx = bx - ax;
  const dy = by - ay;
  const clip = (p: number, q: number): boolean => {
    if (p === 0) return q >= 0;
    const t = q / p;
    if (p < 0) {
      if (t > t1) return false;
      if (t > t0) t0 = t;
    } else {
      if (t < t0) return false;
      if (t < t1) t1 = t;
    }
    return true;
  };
  return clip(-dx, ax - r.x) && clip(dx, r.x + r.w - ax) && clip(-dy, ay - r.y) && clip(dy, r.y + r.h - ay) && t0 <= t1;
}

export function createBotBrain(random: () => number): BotBrain {
  let wander: MoveDirection = [1, 0];
  let wanderUntil = 0;
  let strafe: Dir = random() < 0.5 ? -1 : 1;
  let frame = 0;
  let aimJitter = 0;

  return {
    think(world, self) {
      frame++;
      const me = world.get(self);
      const match = world.get(MATCH_ID);
      if (me?.kind !== 'player' || match?.kind !== 'match' || (me.fields.flags & PlayerFlag.alive) === 0) {
        return { mx: 0, my: 0, aim: 0, fire: false };
      }
      const map = mapById(match.fields.map);
      const { x, y } = me.fields;
      const clear = (tx: number, ty: number) => !map.walls.some((w) => segmentHitsRect(x, y, tx, ty, w));

      let target: { x: number; y: number; d: number } | null = null;
      for (const [id, e] of world) {
        if (id === self || e.kind !== 'player' || (e.fields.flags & PlayerFlag.alive) === 0) continue;
        const d = Math.hypot(e.fields.x - x, e.fields.y - y);
        if (d < 700 && (target === null || d < target.d) && clear(e.fields.x, e.fields.y))
          target = { x: e.fields.x, y: e.fields.y, d };
      }

      let want: readonly [number, number];
      let aim: number;
      let fire = false;
      if (target) {
        if (frame % 90 === 0 && random() < 0.4) strafe = strafe === 1 ? -1 : 1;
        if (frame % 20 === 0) aimJitter = Math.round((random() - 0.5) * 10);
        const ux = (target.x - x) / target.d;
        const uy = (target.y - y) / target.d;
        const close = target.d < 220 ? -0.7 : target.d > 340 ? 0.7 : 0;
        want = [-uy * strafe + ux * close, ux * strafe + uy * close];
        aim = (aimOf(target.x - x, target.y - y) + aimJitter + 256) % 256;
        fire = true;
      } else {
        if (frame >= wanderUntil) {
          wander = MOVE_DIRECTIONS[Math.floor(random() * MOVE_DIRECTIONS.length)] ?? [1, 0];
          wanderUntil = frame + 60 + Math.floor(random() * 90);
        }
        want = wander;
        aim = aimOf(wander[0], wander[1]);
      }

      // The walkable one of the eight directions closest to the wish.
      let best: MoveDirection = [0, 0];
      let bestScore = Number.NEGATIVE_INFINITY;
      for (const [dx, dy] of MOVE_DIRECTIONS) {
        const len = dx !== 0 && dy !== 0 ? Math.SQRT1_2 : 1;
        const lookX = x + dx * len * 60;
        const lookY = y + dy * len * 60;
        const open = !map.walls.some((w) => segmentHitsRect(x, y, lookX, lookY, w));
        const score = (dx * want[0] + dy * want[1]) * len + (open ? 0 : -3);
        if (score > bestScore) {
          bestScore = score;
          best = [dx, dy];
        }
      }
      if (!target && bestScore < 0) wanderUntil = frame; // boxed in: pick another way next time
      return { mx: best[0], my: best[1], aim, fire };
    },
  };
}
