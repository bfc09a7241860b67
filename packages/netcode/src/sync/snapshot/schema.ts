/**
 * The entity schema a game declares for snapshots: per entity kind, an ordered list of fields
 * with their types and quantization (fields.ts). Host and clients must define the same schema in
 * the same order: kinds and fields are identified on the wire by their position, not their name.
 */
import type { EntityTable } from './entity-table.js';
import { type CompiledField, checkFieldSpec, compileField, type FieldSpec, type FieldValue } from './fields.js';

/** Fields of one entity kind, in wire order (object key order). */
export type KindDefinition = Readonly<Record<string, FieldSpec>>;
/** Entity kinds, in wire and default priority order (object key order). */
export type SchemaDefinition = Readonly<Record<string, KindDefinition>>;

/** Most kinds in a schema. */
export const MAX_SNAPSHOT_KINDS = 64;
/** Most fields in one kind (a changed entity carries one bit per field). */
export const MAX_SNAPSHOT_FIELDS = 32;

/** The game-side fields of an entity of kind `K`. */
export type EntityFields<K extends KindDefinition> = { -readonly [N in keyof K]: FieldValue<K[N]> };

/** An entity as the game holds it: its kind and its field values. */
export type EntityState<D extends SchemaDefinition = SchemaDefinition> = {
  [K in keyof D & string]: { kind: K; fields: EntityFields<D[K]> };
}[keyof D & string];

/** A world as the game holds it; entity ids are uint32. */
export interface WorldState<D extends SchemaDefinition = SchemaDefinition> {
  tick: number;
  entities: ReadonlyMap<number, EntityState<D>>;
}

/** An entity after quantization: its kind and one integer per field, in schema order. */
export interface QuantizedEntity {
  readonly kind: string;
  readonly values: readonly number[];
}

/**
 * A quantized world: what snapshots carry, what a sender keeps per tick as baselines and what a
 * receiver rebuilds. Worlds are immutable and share unchanged entities with their baseline; the
 * entities are an id-sorted {@link EntityTable}, read like a ReadonlyMap.
 */
export interface QuantizedWorld {
  readonly tick: number;
  readonly entities: EntityTable;
}

/** Copies an entity's field values, in schema order, into `out`. */
export type FieldReader = (fields: object, out: unknown[]) => void;

export interface CompiledKind {
  readonly name: string;
  readonly index: number;
  readonly fields: readonly CompiledField[];
  readonly readFields: FieldReader;
  /** First slot of this kind's fields in the encoder's per-field tables, for created entities. */
  readonly createdSlot: number;
  /** First slot of this kind's fields in the encoder's per-field tables, for changed entities. */
  readonly changedSlot: number;
}

/** A checked, compiled schema; build it once with {@link defineSnapshotSchema} and share it. */
export interface SnapshotSchema<D extends SchemaDefinition = SchemaDefinition> {
  readonly definition: D;
  readonly kinds: readonly CompiledKind[];
  readonly kindsByName: ReadonlyMap<string, CompiledKind>;
  /** Size of the encoder's per-field tables (every kind's fields, twice). */
  readonly slotCount: number;
}

export type SnapshotErrorCode = 'INVALID_SCHEMA' | 'UNKNOWN_KIND' | 'INVALID_ENTITY' | 'INVALID_OPTIONS' | 'TOO_LARGE';

/** A programming error on the sending side (a remote peer can never cause one). */
export class SnapshotError extends Error {
  override name = 'SnapshotError';
  constructor(
    readonly code: SnapshotErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Checks and compiles a snapshot schema. Throws a {@link SnapshotError} (`INVALID_SCHEMA`) for no
 * kinds, more than 64 kinds, a kind with no field or more than 32, or an invalid field type.
 *
 * @example
 * ```ts
 * const arena = defineSnapshotSchema({
 *   player: {
 *     x: field.fixed(1 / 16), y: field.fixed(1 / 16),
 *     vx: field.fixed(1 / 16), vy: field.fixed(1 / 16),
 *     angle: field.angle(256), hp: field.uint(255), score: field.int(), flags: field.bits(8),
 *   },
 *   projectile: { owner: field.ref(), x: field.fixed(1 / 16), y: field.fixed(1 / 16) },
 * });
 * ```
 */
export function defineSnapshotSchema<const D extends SchemaDefinition>(definition: D): SnapshotSchema<D> {
  const names = Object.keys(definition);
  if (names.length === 0 || names.length > MAX_SNAPSHOT_KINDS) {
    throw new SnapshotError('INVALID_SCHEMA', `a schema needs 1..${MAX_SNAPSHOT_KINDS} kinds, got ${names.length}`);
  }
  const kinds: CompiledKind[] = [];
  let slot = 0;
  for (const [index, name] of names.entries()) {
    const specs = Object.entries(definition[name] ?? {});
    if (specs.length === 0 || specs.length > MAX_SNAPSHOT_FIELDS) {
      throw new SnapshotError(
        'INVALID_SCHEMA',
        `kind ${name} needs 1..${MAX_SNAPSHOT_FIELDS} fields, got ${specs.length}`,
      );
    }
    const fields = specs.map(([fieldName, spec]) => {
      const problem = checkFieldSpec(spec);
      if (problem !== null) throw new SnapshotError('INVALID_SCHEMA', `${name}.${fieldName}: ${problem}`);
      return compileField(fieldName, spec);
    });
    const names = fields.map((f) => f.name);
    const readFields = compileFieldReader(names) ?? keyedFieldReader(names);
    kinds.push({ name, index, fields, readFields, createdSlot: slot, changedSlot: slot + fields.length });
    slot += 2 * fields.length;
  }
  return { definition, kinds, kindsByName: new Map(kinds.map((kind) => [kind.name, kind])), slotCount: slot };
}

/** Reads fields by name in a loop: one keyed property load per field. */
export function keyedFieldReader(names: readonly string[]): FieldReader {
  return (fields, out) => {
    for (let i = 0; i < names.length; i++) out[i] = Reflect.get(fields, names[i] as string);
  };
}

/**
 * The same reader as generated code, one named property load per field: about ten times faster,
 * since each load site sees one name (a loop's single site sees them all and goes megamorphic).
 * Names are embedded as JSON string literals. Returns null where code generation is not allowed
 * (a Content-Security-Policy without 'unsafe-eval'); msgpackr falls back the same way.
 */
export function compileFieldReader(names: readonly string[]): FieldReader | null {
  const body = names.map((name, i) => `out[${i}] = fields[${JSON.stringify(name)}];`).join('\n');
  try {
    // The code is built from the schema's own field names, never from received data.
    return new Function('fields', 'out', body) as FieldReader;
  } catch {
    return null; // EvalError under CSP: the caller uses keyedFieldReader
  }
}

/** The compiled kind named `name`; throws `UNKNOWN_KIND` (a sender-side programming error). */
export function kindOf(schema: SnapshotSchema, name: string): CompiledKind {
  const kind = schema.kindsByName.get(name);
  if (kind === undefined) throw new SnapshotError('UNKNOWN_KIND', `kind ${name} is not in the schema`);
  return kind;
}
