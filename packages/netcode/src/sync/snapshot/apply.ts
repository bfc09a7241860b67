/**
 * Applying decoded parts: the next world is the baseline (nothing for a full snapshot) with each
 * part's created entities set, changed entities rebuilt from their baseline values and deltas, and
 * removed entities dropped. Deltas always read the baseline, never another part's result, so
 * parts apply in any order and a missing part leaves its entities as they were in the baseline.
 * Unchanged entities are shared with the baseline (worlds are immutable).
 */
import { EntityTable } from './entity-table.js';
import { DeltaOp } from './fields.js';
import type { ChangedEntity, CreatedEntity, SnapshotPart } from './format.js';
import type { CompiledKind, QuantizedEntity, QuantizedWorld, SnapshotSchema } from './schema.js';

/**
 * Why parts could not be applied: `parts` none given, or parts of different snapshots, or one
 * part twice; `baseline` a delta without its baseline world (or another tick's); `entity` a
 * change or removal of an entity the baseline lacks, or of another kind; `range` a value pushed
 * outside its field's range.
 */
export type SnapshotApplyFailure = 'parts' | 'baseline' | 'entity' | 'range';

export type AppliedSnapshot = { ok: true; world: QuantizedWorld } | { ok: false; reason: SnapshotApplyFailure };

/**
 * Applies the received parts of one snapshot (any subset, any order) to the baseline they were
 * coded against (ignored for a full snapshot; pass null). Never throws.
 *
 * @example
 * ```ts
 * const applied = applySnapshotParts(arena, history.get(part.baselineTick ?? -1) ?? null, [part]);
 * if (applied.ok) render(applied.world);
 * ```
 */
export function applySnapshotParts(
  schema: SnapshotSchema,
  baseline: QuantizedWorld | null,
  parts: readonly SnapshotPart[],
): AppliedSnapshot {
  const first = parts[0];
  if (first === undefined) return { ok: false, reason: 'parts' };
  let structural = false; // entities created or removed
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p] as SnapshotPart;
    if (part.tick !== first.tick || part.baselineTick !== first.baselineTick || part.partCount !== first.partCount) {
      return { ok: false, reason: 'parts' };
    }
    for (let q = 0; q < p; q++) {
      if ((parts[q] as SnapshotPart).partIndex === part.partIndex) return { ok: false, reason: 'parts' };
    }
    if (part.created.length > 0 || part.removed.length > 0) structural = true;
  }
  let source = EntityTable.empty;
  if (first.baselineTick !== null) {
    if (baseline === null || baseline.tick !== first.baselineTick) return { ok: false, reason: 'baseline' };
    source = baseline.entities;
  }
  // Changes replace baseline entries in place; the ids stay the same.
  const list = source.list.slice();
  const ids = source.ids;
  let kind = schema.kinds[0];
  for (const part of parts) {
    let next = 0; // changes ascend by id within a kind: try the entry after the last one first
    for (const change of part.changed) {
      const index = ids[next] === change.id ? next : source.indexOf(change.id);
      next = index + 1;
      if (kind?.name !== change.kind) kind = schema.kindsByName.get(change.kind);
      const base = source.list[index];
      if (base === undefined || kind === undefined || base.kind !== change.kind) return { ok: false, reason: 'entity' };
      const values = applyDeltas(kind, base.values, change);
      if (values === null) return { ok: false, reason: 'range' };
      list[index] = { kind: base.kind, values };
    }
  }
  if (!structural) return { ok: true, world: { tick: first.tick, entities: EntityTable.fromSorted(source.ids, list) } };
  const entities = mergeStructure(source, list, parts);
  return entities === null ? { ok: false, reason: 'entity' } : { ok: true, world: { tick: first.tick, entities } };
}

/** The baseline values with a change's deltas applied, or null when one leaves its field's range. */
function applyDeltas(kind: CompiledKind, baseValues: readonly number[], change: ChangedEntity): number[] | null {
  const values = baseValues.slice();
  let j = 0;
  for (let i = 0, mask = change.mask; mask !== 0; i++, mask >>>= 1) {
    if ((mask & 1) === 0) continue;
    const f = kind.fields[i];
    const b = values[i];
    const d = change.deltas[j++];
    if (f === undefined || b === undefined || d === undefined) return null;
    switch (f.delta) {
      case DeltaOp.addSigned:
        values[i] = (b + d) | 0;
        break;
      case DeltaOp.addUnsigned: {
        const v = (b + d) >>> 0;
        if (v > f.max) return null;
        values[i] = v;
        break;
      }
      case DeltaOp.angle: {
        const v = b + d;
        values[i] = v < 0 ? v + f.steps : v >= f.steps ? v - f.steps : v;
        break;
      }
      case DeltaOp.xor:
        values[i] = (b ^ d) >>> 0;
        break;
    }
  }
  return values;
}

/**
 * Drops the removed entities from `source` (with `list` holding its changed entries) and merges
 * in the created ones, by id; null when a removed id is not in the baseline. A created id that the
 * baseline has replaces its entity (its kind changed); of two created entities with one id (no
 * valid sender makes them), the later wins.
 */
function mergeStructure(
  source: EntityTable,
  list: readonly QuantizedEntity[],
  parts: readonly SnapshotPart[],
): EntityTable | null {
  const gone = new Uint8Array(source.size);
  const created: CreatedEntity[] = [];
  for (const part of parts) {
    for (const id of part.removed) {
      const index = source.indexOf(id);
      if (index < 0) return null;
      gone[index] = 1;
    }
    for (const entity of part.created) created.push(entity);
  }
  created.sort((a, b) => a.id - b.id); // stable: the later of equal ids stays later
  const ids: number[] = [];
  const out: QuantizedEntity[] = [];
  const put = (id: number, entity: QuantizedEntity) => {
    if (ids.length > 0 && ids[ids.length - 1] === id) out[out.length - 1] = entity;
    else {
      ids.push(id);
      out.push(entity);
    }
  };
  let c = 0;
  for (let i = 0; i < source.size; i++) {
    const id = source.ids[i] as number;
    for (; c < created.length && (created[c] as CreatedEntity).id <= id; c++) {
      const entity = created[c] as CreatedEntity;
      put(entity.id, { kind: entity.kind, values: entity.values });
    }
    if (gone[i] === 0 && ids[ids.length - 1] !== id) put(id, list[i] as QuantizedEntity);
  }
  for (; c < created.length; c++) {
    const entity = created[c] as CreatedEntity;
    put(entity.id, { kind: entity.kind, values: entity.values });
  }
  return EntityTable.fromSorted(ids, out);
}

/** {@link applySnapshotParts} with one part. */
export function applySnapshotPart(
  schema: SnapshotSchema,
  baseline: QuantizedWorld | null,
  part: SnapshotPart,
): AppliedSnapshot {
  return applySnapshotParts(schema, baseline, [part]);
}
