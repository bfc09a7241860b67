/**
 * Writes one part (layout in format.ts) from grouped differences (diff.ts). A plan gathers the
 * bit lengths of every column (`planItem`, item by item, which the diff does as it goes for the
 * whole snapshot, or `planPart` for a part's subset), picks each column's width (width-coding.ts)
 * and gives the exact size of the sections (`choosePlan`); `writePart` then writes the header and
 * the sections with that plan.
 */
import { type BitWriter, bitLength, gammaCost, lengthCodeCost, popcount } from './bits.js';
import type { DiffItem } from './diff.js';
import { SNAPSHOT_FORMAT_VERSION } from './format.js';
import type { SnapshotSchema } from './schema.js';
import { WIDTH_BITS, type Width, WidthHistograms, writeValue, writeWidth } from './width-coding.js';

/** Column widths and change masks for the groups of one part (or of a whole snapshot). */
export interface PartPlan {
  /** Per schema slot (CompiledKind.createdSlot / changedSlot + field index). */
  readonly widths: Width[];
  /** Per group: the width of its id gaps. */
  readonly idWidths: Width[];
  /** Per group: the last id added (-1 for none), to take id gaps. */
  readonly lastIds: number[];
  /** Per kind: fields changed in some entity of its changed group. */
  readonly unions: number[];
  /** Per kind: the first changed entity's mask (-1 for none). */
  readonly firstMasks: number[];
  /** Per kind: whether every entity of its changed group changed exactly `unions[k]`. */
  readonly common: boolean[];
  readonly histograms: WidthHistograms;
}

export function createPlan(schema: SnapshotSchema): PartPlan {
  const groupCount = 2 * schema.kinds.length + 1;
  const kindCount = schema.kinds.length;
  return {
    widths: new Array<number>(schema.slotCount).fill(0),
    idWidths: new Array<number>(groupCount).fill(0),
    lastIds: new Array<number>(groupCount).fill(-1),
    unions: new Array<number>(kindCount).fill(0),
    firstMasks: new Array<number>(kindCount).fill(-1),
    common: new Array<boolean>(kindCount).fill(true),
    histograms: new WidthHistograms(schema.slotCount + groupCount),
  };
}

/** Empties a plan before items are added. */
export function resetPlan(plan: PartPlan): void {
  plan.histograms.clear();
  plan.lastIds.fill(-1);
  plan.unions.fill(0);
  plan.firstMasks.fill(-1);
  plan.common.fill(true);
}

/**
 * Adds an item's id gap (and, for a changed entity, its mask) to the plan; the items of a group
 * must come in ascending id order.
 */
export function planIds(plan: PartPlan, slotCount: number, item: DiffItem): void {
  const group = item.group;
  plan.histograms.add(slotCount + group, item.id - (plan.lastIds[group] as number) - 1);
  plan.lastIds[group] = item.id;
  const mask = item.mask;
  if (item.kind === null || mask === 0) return;
  const k = item.kind.index;
  plan.unions[k] = ((plan.unions[k] as number) | mask) >>> 0;
  const first = plan.firstMasks[k] as number;
  if (first === -1) plan.firstMasks[k] = mask;
  else if (first !== mask) plan.common[k] = false;
}

/** {@link planIds}, then the item's codes into their columns' histograms. */
function planItem(plan: PartPlan, slotCount: number, item: DiffItem, codes: ArrayLike<number>): void {
  planIds(plan, slotCount, item);
  const kind = item.kind;
  if (kind === null) return;
  const histograms = plan.histograms;
  let mask = item.mask;
  if (mask === 0) {
    const slot = kind.createdSlot;
    const start = item.start;
    for (let i = 0; i < kind.fields.length; i++) histograms.add(slot + i, codes[start + i] as number);
    return;
  }
  const slot = kind.changedSlot;
  for (let i = 0, j = item.start; mask !== 0; i++, mask >>>= 1) {
    if ((mask & 1) !== 0) histograms.add(slot + i, codes[j++] as number);
  }
}

/** Header bits of a part of a snapshot of `partCount` parts. */
export function headerBits(tick: number, distance: number, partCount: number): number {
  return 8 + lengthCodeCost(bitLength(tick)) + lengthCodeCost(bitLength(distance)) + (partCount > 1 ? 17 : 1);
}

function byId(a: DiffItem, b: DiffItem): number {
  return a.id - b.id;
}

function sortById(items: DiffItem[]): void {
  for (let i = 1; i < items.length; i++) {
    if ((items[i] as DiffItem).id < (items[i - 1] as DiffItem).id) {
      items.sort(byId);
      return;
    }
  }
}

/** Sorts each group by id, fills `plan` with its items and returns the sections' size in bits. */
export function planPart(
  schema: SnapshotSchema,
  groups: DiffItem[][],
  codes: ArrayLike<number>,
  plan: PartPlan,
): number {
  resetPlan(plan);
  for (const items of groups) {
    sortById(items);
    for (const item of items) planItem(plan, schema.slotCount, item, codes);
  }
  return choosePlan(schema, groups, plan);
}

/** Picks the widths of a plan whose items are all added; returns the sections' size in bits. */
export function choosePlan(schema: SnapshotSchema, groups: readonly DiffItem[][], plan: PartPlan): number {
  const kindCount = schema.kinds.length;
  const histograms = plan.histograms;
  let bits = 0;
  for (let g = 0; g < groups.length; g++) {
    const count = (groups[g] as DiffItem[]).length;
    if (count === 0) {
      bits += 1;
      continue;
    }
    bits += gammaCost(count) + WIDTH_BITS + histograms.choose(schema.slotCount + g, plan.idWidths, g);
    const kind = g < 2 * kindCount ? schema.kinds[g % kindCount] : undefined;
    if (kind === undefined) continue;
    const fieldCount = kind.fields.length;
    if (g < kindCount) {
      const slot = kind.createdSlot;
      for (let i = 0; i < fieldCount; i++) bits += WIDTH_BITS + histograms.choose(slot + i, plan.widths, slot + i);
      continue;
    }
    const union = plan.unions[kind.index] as number;
    bits += fieldCount + 1 + (plan.common[kind.index] ? 0 : count * popcount(union));
    const slot = kind.changedSlot;
    for (let i = 0, mask = union; mask !== 0; i++, mask >>>= 1) {
      if ((mask & 1) !== 0) bits += WIDTH_BITS + histograms.choose(slot + i, plan.widths, slot + i);
    }
  }
  return bits;
}

export interface PartHeader {
  readonly tick: number;
  /** Ticks back to the baseline; 0 for a full snapshot. */
  readonly distance: number;
  readonly partIndex: number;
  readonly partCount: number;
}

/** Writes a part planned by {@link planPart}. */
export function writePart(
  writer: BitWriter,
  schema: SnapshotSchema,
  header: PartHeader,
  groups: readonly DiffItem[][],
  codes: ArrayLike<number>,
  plan: PartPlan,
): void {
  writer.write(SNAPSHOT_FORMAT_VERSION, 8);
  writer.writeLength(header.tick);
  writer.writeLength(header.distance);
  if (header.partCount > 1) {
    writer.write(1, 1);
    writer.write(header.partIndex, 8);
    writer.write(header.partCount - 1, 8);
  } else {
    writer.write(0, 1);
  }
  const kindCount = schema.kinds.length;
  const widths = plan.widths;
  for (let g = 0; g < groups.length; g++) {
    const items = groups[g] as DiffItem[];
    writer.writeGamma(items.length);
    if (items.length === 0) continue;
    const idWidth = plan.idWidths[g] as Width;
    writeWidth(writer, idWidth);
    const kind = g < 2 * kindCount ? schema.kinds[g % kindCount] : undefined;
    if (kind === undefined) {
      writeIds(writer, items, idWidth);
      continue;
    }
    const fieldCount = kind.fields.length;
    if (g < kindCount) {
      const slot = kind.createdSlot;
      for (let i = 0; i < fieldCount; i++) writeWidth(writer, widths[slot + i] as Width);
      let previous = -1;
      for (const item of items) {
        writeValue(writer, idWidth, item.id - previous - 1);
        previous = item.id;
        const start = item.start;
        for (let i = 0; i < fieldCount; i++) writeValue(writer, widths[slot + i] as Width, codes[start + i] as number);
      }
      continue;
    }
    const slot = kind.changedSlot;
    const union = plan.unions[kind.index] as number;
    const common = plan.common[kind.index] as boolean;
    const changedFields = popcount(union);
    writer.write(union, fieldCount);
    writer.write(common ? 1 : 0, 1);
    for (let i = 0, mask = union; mask !== 0; i++, mask >>>= 1) {
      if ((mask & 1) !== 0) writeWidth(writer, widths[slot + i] as Width);
    }
    let previous = -1;
    for (const item of items) {
      writeValue(writer, idWidth, item.id - previous - 1);
      previous = item.id;
      let mask = item.mask;
      if (!common) {
        // The entity's mask over the union's fields only.
        let packed = 0;
        for (let i = 0, u = union, bit = 0; u !== 0; i++, u >>>= 1) {
          if ((u & 1) === 0) continue;
          if (((mask >>> i) & 1) !== 0) packed |= 1 << bit;
          bit++;
        }
        writer.write(packed, changedFields);
      }
      for (let i = 0, j = item.start; mask !== 0; i++, mask >>>= 1) {
        if ((mask & 1) !== 0) writeValue(writer, widths[slot + i] as Width, codes[j++] as number);
      }
    }
  }
}

function writeIds(writer: BitWriter, items: readonly DiffItem[], idWidth: Width): void {
  let previous = -1;
  for (const item of items) {
    writeValue(writer, idWidth, item.id - previous - 1);
    previous = item.id;
  }
}
