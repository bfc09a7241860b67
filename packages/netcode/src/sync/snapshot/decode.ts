/**
 * Snapshot part decoding (layout in format.ts). Stateless: a part decodes alone, in any order,
 * with nothing but the schema. Defensive: the bytes come from the network, so every count is
 * bounded before anything is allocated, every value is checked against its field's range, and
 * the part must end exactly where its bits do (zero padding only). Never throws: any failure is a
 * typed result for the caller to count and drop.
 */
import { BitReader, popcount, unzigzag } from './bits.js';
import { type CompiledField, DeltaOp } from './fields.js';
import {
  type ChangedEntity,
  type CreatedEntity,
  MAX_ENTITIES_PER_PART,
  SNAPSHOT_FORMAT_VERSION,
  type SnapshotPart,
} from './format.js';
import type { CompiledKind, SnapshotSchema } from './schema.js';
import { readValue, readWidth, type Width } from './width-coding.js';

/**
 * Why a part was dropped: `version` another format version; `truncated` it ends too soon;
 * `malformed` a count, id or part number out of bounds; `range` a value outside its field's
 * range; `trailing` bytes after its end.
 */
export type SnapshotDecodeFailure = 'version' | 'truncated' | 'malformed' | 'range' | 'trailing';

export type DecodedSnapshotPart = { ok: true; part: SnapshotPart } | { ok: false; reason: SnapshotDecodeFailure };

const COUNT_GAMMA_MAX_ZEROS = 11; // counts up to 4094; MAX_ENTITIES_PER_PART is checked after
const MAX_ID = 0xffffffff;

/**
 * Decodes one part. Never throws.
 *
 * @example
 * ```ts
 * const decoded = decodeSnapshot(arena, bytes);
 * if (!decoded.ok) return stats.count(`snapshot-${decoded.reason}`);
 * const { tick, baselineTick, partIndex, partCount } = decoded.part;
 * ```
 */
export function decodeSnapshot(schema: SnapshotSchema, bytes: Uint8Array): DecodedSnapshotPart {
  const reader = new BitReader(bytes);
  if (bytes.length === 0) return { ok: false, reason: 'truncated' };
  if (reader.read(8) !== SNAPSHOT_FORMAT_VERSION) return { ok: false, reason: 'version' };
  const tick = reader.readLength();
  const distance = reader.readLength();
  let partIndex = 0;
  let partCount = 1;
  if (reader.read(1) === 1) {
    partIndex = reader.read(8);
    partCount = reader.read(8) + 1;
  }
  if (reader.overrun) return { ok: false, reason: 'truncated' };
  if (partIndex >= partCount) return { ok: false, reason: 'malformed' };
  const created: CreatedEntity[] = [];
  const changed: ChangedEntity[] = [];
  const removed: number[] = [];
  const kindCount = schema.kinds.length;
  let budget = MAX_ENTITIES_PER_PART;
  for (let g = 0; g <= 2 * kindCount; g++) {
    const count = reader.readGamma(COUNT_GAMMA_MAX_ZEROS);
    if (reader.overrun) return { ok: false, reason: 'truncated' };
    if (count < 0 || count > budget) return { ok: false, reason: 'malformed' };
    if (count === 0) continue;
    if (distance === 0 && g >= kindCount) return { ok: false, reason: 'malformed' }; // a full snapshot only creates
    budget -= count;
    const kind = g < 2 * kindCount ? schema.kinds[g % kindCount] : undefined;
    const idWidth = readWidth(reader);
    const failure =
      kind === undefined
        ? readRemoved(reader, idWidth, count, removed)
        : g < kindCount
          ? readCreated(reader, kind, idWidth, count, created)
          : readChanged(reader, kind, idWidth, count, changed);
    if (failure !== null) return { ok: false, reason: failure };
  }
  if (reader.overrun) return { ok: false, reason: 'truncated' };
  if (!reader.atPaddedEnd()) return { ok: false, reason: 'trailing' };
  const baselineTick = distance === 0 ? null : (tick - distance) >>> 0;
  return { ok: true, part: { tick, baselineTick, partIndex, partCount, created, changed, removed } };
}

/** The next id of a section from its gap; -1 when past 2^32 - 1. */
function nextId(reader: BitReader, idWidth: Width, previous: number): number {
  const id = previous + readValue(reader, idWidth) + 1;
  return id > MAX_ID ? -1 : id;
}

function readRemoved(
  reader: BitReader,
  idWidth: Width,
  count: number,
  removed: number[],
): SnapshotDecodeFailure | null {
  let id = -1;
  for (let n = 0; n < count; n++) {
    id = nextId(reader, idWidth, id);
    if (reader.overrun) return 'truncated';
    if (id < 0) return 'malformed';
    removed.push(id);
  }
  return null;
}

function readCreated(
  reader: BitReader,
  kind: CompiledKind,
  idWidth: Width,
  count: number,
  created: CreatedEntity[],
): SnapshotDecodeFailure | null {
  const fields = kind.fields;
  const widths: Width[] = [];
  for (let i = 0; i < fields.length; i++) widths.push(readWidth(reader));
  let id = -1;
  for (let n = 0; n < count; n++) {
    id = nextId(reader, idWidth, id);
    if (reader.overrun) return 'truncated';
    if (id < 0) return 'malformed';
    const values = new Array<number>(fields.length);
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i] as CompiledField;
      const code = readValue(reader, widths[i] as Width);
      if (f.signed) values[i] = unzigzag(code);
      else if (code <= f.max) values[i] = code;
      else return 'range';
    }
    created.push({ id, kind: kind.name, values });
  }
  return null;
}

/** The delta a code stands for, or null when no valid sender could have written it. */
function readDelta(f: CompiledField, code: number): number | null {
  const raw = (code + 1) >>> 0;
  if (raw === 0) return null;
  switch (f.delta) {
    case DeltaOp.addSigned:
    case DeltaOp.addUnsigned:
      return unzigzag(raw);
    case DeltaOp.angle: {
      const d = unzigzag(raw);
      return 2 * d <= f.steps && 2 * d > -f.steps ? d : null;
    }
    case DeltaOp.xor:
      return raw <= f.max ? raw : null;
  }
}

function readChanged(
  reader: BitReader,
  kind: CompiledKind,
  idWidth: Width,
  count: number,
  changed: ChangedEntity[],
): SnapshotDecodeFailure | null {
  const fields = kind.fields;
  const union = reader.read(fields.length);
  const common = reader.read(1) === 1;
  // The union's fields, and their widths.
  const unionFields: CompiledField[] = [];
  const unionIndexes: number[] = [];
  const widths: Width[] = [];
  for (let i = 0; i < fields.length; i++) {
    if (((union >>> i) & 1) === 0) continue;
    unionFields.push(fields[i] as CompiledField);
    unionIndexes.push(i);
    widths.push(readWidth(reader));
  }
  const unionSize = unionFields.length;
  let id = -1;
  for (let n = 0; n < count; n++) {
    id = nextId(reader, idWidth, id);
    if (reader.overrun) return 'truncated';
    if (id < 0) return 'malformed';
    // The entity's mask over the union's fields (bit b: the b-th field of the union).
    const packed = common ? 0xffffffff : reader.read(unionSize);
    let mask = 0;
    const deltas = new Array<number>(common ? unionSize : popcount(packed));
    for (let b = 0, j = 0; b < unionSize; b++) {
      if (((packed >>> b) & 1) === 0) continue;
      mask |= 1 << (unionIndexes[b] as number);
      const delta = readDelta(unionFields[b] as CompiledField, readValue(reader, widths[b] as Width));
      if (delta === null) return 'range';
      deltas[j++] = delta;
    }
    if (mask === 0) return 'malformed';
    changed.push({ id, kind: kind.name, mask: mask >>> 0, deltas });
  }
  return null;
}
