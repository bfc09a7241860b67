/**
 * Entity interpolation: remote entities are drawn a little in the past, between the two received
 * snapshots around the render time, so they move smoothly although snapshots arrive 30 times a
 * second, late, out of order or not at all. When the buffer runs dry (the newer snapshot has not
 * arrived) the two newest are extrapolated, for at most `maxExtrapolationTicks`, then frozen.
 *
 * This module is the pure part: a buffer of received worlds by tick and a sample at a fractional
 * render tick. Choosing the render tick (the adaptive delay) is render-clock.ts.
 *
 * References: Valve, "Source Multiplayer Networking" (entity interpolation, cl_interp);
 * Gabriel Gambetta, "Fast-Paced Multiplayer, Part III: Entity Interpolation".
 */
import type { Entities } from './game.js';
import { type CompiledField, FieldCode } from './snapshot/fields.js';
import { isTickAfter } from './snapshot/history.js';
import type { EntityState, SchemaDefinition, SnapshotSchema } from './snapshot/schema.js';

export type InterpolateEntity<D extends SchemaDefinition> = (
  a: EntityState<D>,
  b: EntityState<D>,
  t: number,
) => EntityState<D>;

interface Buffered<D extends SchemaDefinition> {
  readonly tick: number;
  readonly entities: Entities<D>;
}

export interface InterpolationBuffer<D extends SchemaDefinition> {
  /** Keeps a received world (ignored when older than every kept one, or already kept). */
  push(tick: number, entities: Entities<D>): void;
  /**
   * Entities at a fractional tick: interpolated between the kept worlds around it, extrapolated
   * past the newest by at most `maxExtrapolationTicks`, the oldest world before them all. Null
   * while nothing is kept.
   */
  sample(renderTick: number, maxExtrapolationTicks: number): Entities<D> | null;
  /** Kept worlds newer than `renderTick`: how much is buffered ahead of the render time. */
  depth(renderTick: number): number;
  /** Newest kept tick, or null. */
  newestTick(): number | null;
  clear(): void;
}

/**
 * @example
 * ```ts
 * const buffer = createInterpolationBuffer(arena, defaultInterpolate(arena));
 * buffer.push(snapshot.tick, dequantizeWorld(arena, snapshot).entities);
 * const entities = buffer.sample(renderTick, 6);
 * ```
 */
export function createInterpolationBuffer<D extends SchemaDefinition>(
  interpolate: InterpolateEntity<D>,
  capacity = 32,
): InterpolationBuffer<D> {
  let worlds: Buffered<D>[] = []; // ascending by tick

  const blend = (a: Buffered<D>, b: Buffered<D>, t: number) => blendEntities(a.entities, b.entities, t, interpolate);

  return {
    push(tick, entities) {
      const oldest = worlds[0];
      if (oldest !== undefined && worlds.length >= capacity && !isTickAfter(tick, oldest.tick)) return;
      let at = worlds.length;
      while (at > 0 && isTickAfter((worlds[at - 1] as Buffered<D>).tick, tick)) at--;
      if (at > 0 && (worlds[at - 1] as Buffered<D>).tick === tick) return;
      worlds.splice(at, 0, { tick, entities });
      if (worlds.length > capacity) worlds = worlds.slice(worlds.length - capacity);
    },
    sample(renderTick, maxExtrapolationTicks) {
      const n = worlds.length;
      if (n === 0) return null;
      const first = worlds[0] as Buffered<D>;
      if (n === 1 || renderTick <= first.tick) return first.entities;
      for (let i = 1; i < n; i++) {
        const b = worlds[i] as Buffered<D>;
        if (renderTick <= b.tick) {
          const a = worlds[i - 1] as Buffered<D>;
          return blend(a, b, (renderTick - a.tick) / (b.tick - a.tick));
        }
      }
      const a = worlds[n - 2] as Buffered<D>;
      const b = worlds[n - 1] as Buffered<D>;
      const ahead = Math.min(renderTick - b.tick, Math.max(0, maxExtrapolationTicks));
      return blend(a, b, 1 + ahead / (b.tick - a.tick));
    },
    depth(renderTick) {
      let count = 0;
      for (const world of worlds) if (world.tick > renderTick) count++;
      return count;
    },
    newestTick() {
      return worlds.at(-1)?.tick ?? null;
    },
    clear() {
      worlds = [];
    },
  };
}

/**
 * Entities between two worlds at `t`: each entity in both blended, one only in `b` as it is there,
 * one only in `a` (removed in `b`) kept until `t` reaches 1, so a removal is not seen early.
 */
export function blendEntities<D extends SchemaDefinition>(
  a: Entities<D>,
  b: Entities<D>,
  t: number,
  interpolate: InterpolateEntity<D>,
): Map<number, EntityState<D>> {
  const out = new Map<number, EntityState<D>>();
  for (const [id, eb] of b) {
    const ea = a.get(id);
    out.set(id, ea !== undefined && ea.kind === eb.kind ? interpolate(ea, eb, t) : eb);
  }
  if (t < 1) for (const [id, ea] of a) if (!b.has(id)) out.set(id, ea);
  return out;
}

/**
 * The default blend, from the schema: fixed fields linearly (extrapolating past 1), angles the
 * short way round, everything else (integers, flags, refs) taken from `a` until `t` reaches 1.
 */
export function defaultInterpolate<D extends SchemaDefinition>(schema: SnapshotSchema<D>): InterpolateEntity<D> {
  const fieldsByKind = new Map<string, readonly CompiledField[]>(schema.kinds.map((k) => [k.name, k.fields]));
  return (a, b, t) => {
    const fields = fieldsByKind.get(a.kind) ?? [];
    const out: Record<string, unknown> = {};
    const fa = a.fields as Record<string, number | boolean>;
    const fb = b.fields as Record<string, number | boolean>;
    for (const f of fields) {
      const va = fa[f.name];
      const vb = fb[f.name];
      if (typeof va !== 'number' || typeof vb !== 'number') {
        out[f.name] = t < 1 ? va : vb;
      } else if (f.code === FieldCode.fixed) {
        out[f.name] = va + (vb - va) * t;
      } else if (f.code === FieldCode.angle) {
        const turn = f.unit;
        let d = (vb - va) % turn;
        if (d > turn / 2) d -= turn;
        else if (d < -turn / 2) d += turn;
        out[f.name] = (((va + d * t) % turn) + turn) % turn;
      } else {
        out[f.name] = t < 1 ? va : vb;
      }
    }
    return { kind: a.kind, fields: out } as EntityState<D>;
  };
}
