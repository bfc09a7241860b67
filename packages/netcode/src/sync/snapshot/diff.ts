/**
 * The encoder's first step: compares the next quantized world with the baseline and sorts every
 * difference into a group, ready to be written (format.ts): group k holds the created entities of
 * kind k (new ids, or ids whose kind changed), group K + k the changed entities of kind k (with
 * their coded deltas), group 2K the removed ids, where K is the number of kinds. Both worlds'
 * tables ascend by id, so one side-by-side walk finds everything and fills every group in id
 * order; as it goes it adds each item to the plan (part-writer.ts), so a snapshot that fits one
 * part needs no second pass before its widths are chosen.
 */
import { zigzag } from './bits.js';
import { type CompiledField, DeltaOp } from './fields.js';
import { type PartPlan, planIds, resetPlan } from './part-writer.js';
import {
  type CompiledKind,
  kindOf,
  type QuantizedEntity,
  type QuantizedWorld,
  SnapshotError,
  type SnapshotSchema,
} from './schema.js';

export interface DiffItem {
  readonly group: number;
  /** Null for a removed entity. */
  readonly kind: CompiledKind | null;
  readonly id: number;
  /** Changed entities: the changed fields; 0 otherwise. */
  readonly mask: number;
  /**
   * Where its codes start in the snapshot's shared code array: created entities have every
   * field's absolute code, changed ones each changed field's delta code.
   */
  readonly start: number;
  /** The entity (for a removed one, as it was in the baseline), for the priority function. */
  readonly entity: QuantizedEntity;
  /** Upper bound of its bits in a part; set by the encoder. */
  bits: number;
  /** Send order, lower first; set by the encoder. */
  rank: number;
}

/** Adds a baseline entity missing from the next world. */
function pushRemoved(
  removed: DiffItem[],
  plan: PartPlan,
  slotCount: number,
  id: number,
  entity: QuantizedEntity,
): void {
  const group = plan.lastIds.length - 1;
  const item: DiffItem = { group, kind: null, id, mask: 0, start: 0, entity, bits: 0, rank: 0 };
  removed.push(item);
  planIds(plan, slotCount, item);
}

/** Absolute code of a valid quantized value. */
function absoluteCode(f: CompiledField, value: number): number {
  return f.signed ? zigzag(value) : value;
}

/** Delta code of a changed value (`value !== base`, both valid). */
function deltaCode(f: CompiledField, value: number, base: number): number {
  switch (f.delta) {
    case DeltaOp.addSigned:
    case DeltaOp.addUnsigned:
      return zigzag((value - base) | 0) - 1;
    case DeltaOp.angle: {
      let d = value - base;
      if (2 * d > f.steps) d -= f.steps;
      else if (2 * d <= -f.steps) d += f.steps;
      return zigzag(d) - 1;
    }
    case DeltaOp.xor:
      return ((value ^ base) >>> 0) - 1;
  }
}

function isValid(f: CompiledField, value: number): boolean {
  return f.signed ? value === (value | 0) : value === value >>> 0 && value <= f.max;
}

function invalidValue(kind: CompiledKind, f: CompiledField, id: number, value: number): SnapshotError {
  return new SnapshotError(
    'INVALID_ENTITY',
    `entity ${id} (${kind.name}): ${f.name} = ${value} is not a quantized value`,
  );
}

/**
 * Groups the differences, writing their codes into `codes` (room for every field of every entity
 * of `next`); throws a {@link SnapshotError} for an entity the schema does not describe.
 */
export function diffWorlds(
  schema: SnapshotSchema,
  baseline: QuantizedWorld | null,
  next: QuantizedWorld,
  codes: Uint32Array,
  plan: PartPlan,
): DiffItem[][] {
  resetPlan(plan);
  const histograms = plan.histograms;
  const slotCount = schema.slotCount;
  let length = 0; // codes written
  const kindCount = schema.kinds.length;
  const groups: DiffItem[][] = [];
  for (let g = 0; g <= 2 * kindCount; g++) groups.push([]);
  const removed = groups[2 * kindCount] as DiffItem[];
  const ids = next.entities.ids;
  const list = next.entities.list;
  const baseIds = baseline?.entities.ids ?? [];
  const baseList = baseline?.entities.list ?? [];
  // Both tables ascend by id: walk them side by side.
  let j = 0;
  let kind = schema.kinds[0] as CompiledKind;
  for (let n = 0; n < ids.length; n++) {
    const id = ids[n] as number;
    const entity = list[n] as QuantizedEntity;
    for (; j < baseIds.length && (baseIds[j] as number) < id; j++) {
      pushRemoved(removed, plan, slotCount, baseIds[j] as number, baseList[j] as QuantizedEntity);
    }
    const base = j < baseIds.length && baseIds[j] === id ? (baseList[j++] as QuantizedEntity) : undefined;
    if (entity.kind !== kind.name) kind = kindOf(schema, entity.kind);
    const fields = kind.fields;
    const values = entity.values;
    if (values.length !== fields.length || !(id === id >>> 0)) {
      throw new SnapshotError('INVALID_ENTITY', `entity ${id} (${kind.name}) has a bad id or field count`);
    }
    if (base === undefined || base.kind !== entity.kind) {
      const start = length;
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i] as CompiledField;
        const v = values[i] as number;
        if (!isValid(f, v)) throw invalidValue(kind, f, id, v);
        const code = absoluteCode(f, v);
        codes[length++] = code;
        histograms.add(kind.createdSlot + i, code);
      }
      const item: DiffItem = { group: kind.index, kind, id, mask: 0, start, entity, bits: 0, rank: 0 };
      groups[kind.index]?.push(item);
      planIds(plan, slotCount, item);
      continue;
    }
    let mask = 0;
    const start = length;
    const baseValues = base.values;
    for (let i = 0; i < fields.length; i++) {
      const v = values[i] as number;
      const b = baseValues[i] as number;
      if (v === b) continue;
      const f = fields[i] as CompiledField;
      if (!isValid(f, v)) throw invalidValue(kind, f, id, v);
      mask |= 1 << i;
      const code = deltaCode(f, v, b);
      codes[length++] = code;
      histograms.add(kind.changedSlot + i, code);
    }
    if (mask !== 0) {
      const group = kindCount + kind.index;
      const item: DiffItem = { group, kind, id, mask: mask >>> 0, start, entity, bits: 0, rank: 0 };
      groups[group]?.push(item);
      planIds(plan, slotCount, item);
    }
  }
  for (; j < baseIds.length; j++) {
    pushRemoved(removed, plan, slotCount, baseIds[j] as number, baseList[j] as QuantizedEntity);
  }
  return groups;
}
