/**
 * Between the game's worlds and quantized worlds: `quantizeWorld` once per tick on the host (the
 * result is both what it encodes and what it keeps as a baseline), `fromQuantized` on the
 * receiver to render. Dequantized values are exact multiples of each field's precision.
 */
import { EntityTable } from './entity-table.js';
import { type CompiledField, dequantizeValue, quantizeValue } from './fields.js';
import {
  type CompiledKind,
  type EntityState,
  kindOf,
  type QuantizedEntity,
  type QuantizedWorld,
  type SchemaDefinition,
  SnapshotError,
  type SnapshotSchema,
  type WorldState,
} from './schema.js';

/** True for a valid entity id: an integer in 0..2^32-1. */
export function isEntityId(id: number): boolean {
  return Number.isInteger(id) && id >= 0 && id <= 0xffffffff;
}

/** Quantizes one entity (a field missing or not a number or boolean at run time quantizes as 0). Throws `UNKNOWN_KIND`. */
export function quantizeEntity<D extends SchemaDefinition>(
  schema: SnapshotSchema<D>,
  entity: EntityState<D>,
): QuantizedEntity {
  return quantizeFields(kindOf(schema, entity.kind), entity.fields, []);
}

function quantizeFields(kind: CompiledKind, entityFields: object, scratch: unknown[]): QuantizedEntity {
  const fields = kind.fields;
  kind.readFields(entityFields, scratch);
  const values = new Array<number>(fields.length);
  for (let i = 0; i < fields.length; i++) {
    const raw = scratch[i];
    values[i] = quantizeValue(
      fields[i] as CompiledField,
      typeof raw === 'number' || typeof raw === 'boolean' ? raw : 0,
    );
  }
  return { kind: kind.name, values };
}

/**
 * Quantizes a world. Throws a {@link SnapshotError} for an unknown kind (`UNKNOWN_KIND`) or an id
 * that is not a uint32 (`INVALID_ENTITY`).
 *
 * @example
 * ```ts
 * const q = quantizeWorld(arena, { tick: 42, entities: new Map([[1, { kind: 'player', fields }]]) });
 * history.put(q); // the baseline later deltas are coded against
 * ```
 */
export function quantizeWorld<D extends SchemaDefinition>(
  schema: SnapshotSchema<D>,
  world: WorldState<D>,
): QuantizedWorld {
  const ids = new Array<number>(world.entities.size);
  const list = new Array<QuantizedEntity>(world.entities.size);
  const scratch: unknown[] = [];
  let sorted = true;
  let kind = schema.kinds[0] as CompiledKind;
  let n = 0;
  for (const [id, entity] of world.entities) {
    if (!isEntityId(id)) throw new SnapshotError('INVALID_ENTITY', `entity id ${id} is not a uint32`);
    if (n > 0 && id <= (ids[n - 1] as number)) sorted = false;
    if (entity.kind !== kind.name) kind = kindOf(schema, entity.kind);
    ids[n] = id;
    list[n++] = quantizeFields(kind, entity.fields, scratch);
  }
  if (!sorted)
    return { tick: world.tick, entities: EntityTable.from(ids.map((id, i) => [id, list[i] as QuantizedEntity])) };
  return { tick: world.tick, entities: EntityTable.fromSorted(ids, list) };
}

/**
 * The game-side view of a quantized entity, for rendering: fixed and angle fields as numbers in
 * the declared units, bool fields as booleans. Throws `UNKNOWN_KIND` for a kind not in the schema
 * (never the case for entities decoded with the same schema).
 *
 * @example
 * ```ts
 * const p = fromQuantized(arena, world.entities.get(id)!);
 * if (p.kind === 'player') sprite.setPosition(p.fields.x, p.fields.y);
 * ```
 */
export function fromQuantized<D extends SchemaDefinition>(
  schema: SnapshotSchema<D>,
  entity: QuantizedEntity,
): EntityState<D> {
  const kind = kindOf(schema, entity.kind);
  const fields: Record<string, number | boolean> = {};
  for (let i = 0; i < kind.fields.length; i++) {
    const f = kind.fields[i] as CompiledField;
    fields[f.name] = dequantizeValue(f, entity.values[i] ?? 0);
  }
  // Built from the schema's own field list, so it has exactly the fields of this kind.
  return { kind: kind.name, fields } as EntityState<D>;
}

/** {@link fromQuantized} for every entity of a world. */
export function dequantizeWorld<D extends SchemaDefinition>(
  schema: SnapshotSchema<D>,
  world: QuantizedWorld,
): WorldState<D> {
  const entities = new Map<number, EntityState<D>>();
  for (const [id, entity] of world.entities) entities.set(id, fromQuantized(schema, entity));
  return { tick: world.tick, entities };
}
