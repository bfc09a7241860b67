/**
 * Smoothing of prediction corrections. When a snapshot shows the local prediction was wrong, the
 * predicted state is corrected at once (the simulation must be right), but the entity is drawn
 * where it was, plus an offset that decays exponentially to zero: a visible glide instead of a
 * snap. Offsets add up when corrections come quickly.
 *
 * Reference: Gabriel Gambetta, "Fast-Paced Multiplayer, Part II: Client-Side Prediction and
 * Server Reconciliation"; Glenn Fiedler, "Networked Physics" (smoothing of corrections).
 */
import type { Entities } from './game.js';
import type { EntityState, SchemaDefinition } from './snapshot/schema.js';

interface Offset {
  at: number;
  values: Map<string, number>;
}

export interface Corrections {
  /** Adds `delta` (old drawn value minus new predicted value) to an entity's field offset. */
  add(id: number, field: string, delta: number, now: number): void;
  /** Entities with every live offset added; the others unchanged. */
  apply<D extends SchemaDefinition>(entities: Map<number, EntityState<D>>, now: number): void;
  /** Forgets every offset. */
  clear(): void;
}

export function createCorrections(halfLifeMs: number): Corrections {
  const offsets = new Map<number, Offset>();
  const decay = (offset: Offset, now: number) => {
    const factor = halfLifeMs <= 0 ? 0 : 0.5 ** (Math.max(0, now - offset.at) / halfLifeMs);
    for (const [field, value] of offset.values) offset.values.set(field, value * factor);
    offset.at = now;
  };
  return {
    add(id, field, delta, now) {
      let offset = offsets.get(id);
      if (offset === undefined) {
        offset = { at: now, values: new Map() };
        offsets.set(id, offset);
      } else {
        decay(offset, now);
      }
      offset.values.set(field, (offset.values.get(field) ?? 0) + delta);
    },
    apply<D extends SchemaDefinition>(entities: Map<number, EntityState<D>>, now: number) {
      for (const [id, offset] of offsets) {
        decay(offset, now);
        let live = false;
        for (const value of offset.values.values()) if (Math.abs(value) > 1e-4) live = true;
        if (!live) {
          offsets.delete(id);
          continue;
        }
        const entity = entities.get(id);
        if (entity === undefined) continue;
        const fields: Record<string, unknown> = { ...entity.fields };
        for (const [field, value] of offset.values) {
          const current = fields[field];
          if (typeof current === 'number') fields[field] = current + value;
        }
        entities.set(id, { kind: entity.kind, fields } as EntityState<D>);
      }
    },
    clear() {
      offsets.clear();
    },
  };
}

/** Entities as a mutable map (the view is built in place). */
export function copyEntities<D extends SchemaDefinition>(entities: Entities<D>): Map<number, EntityState<D>> {
  return new Map(entities);
}

/**
 * Compares a prediction before and after reconciliation for the local entities, adds what moved
 * to `corrections` (old minus new, per smoothed field) and returns each entity's correction size
 * (Euclidean over its smoothed fields).
 */
export function addCorrections<D extends SchemaDefinition>(
  corrections: Corrections,
  before: Entities<D>,
  after: Entities<D>,
  ids: Iterable<number>,
  smoothFields: ReadonlyMap<string, readonly string[]>,
  now: number,
): number[] {
  const sizes: number[] = [];
  for (const id of ids) {
    const was = before.get(id);
    const is = after.get(id);
    if (was === undefined || is === undefined || was.kind !== is.kind) continue;
    let size = 0;
    for (const field of smoothFields.get(is.kind) ?? []) {
      const a = (was.fields as Record<string, unknown>)[field];
      const b = (is.fields as Record<string, unknown>)[field];
      if (typeof a !== 'number' || typeof b !== 'number' || a === b) continue;
      corrections.add(id, field, a - b, now);
      size = Math.hypot(size, a - b);
    }
    sizes.push(size);
  }
  return sizes;
}
