/**
 * The snapshot part format. A snapshot is one or more parts; each part is a bit stream (bits.ts,
 * least significant bit first, the last byte zero-padded) that decodes alone and applies alone
 * against the baseline it names:
 *
 *   part     := version:8  tick:len  distance:len  split:1 [index:8 countMinus1:8]  section*
 *               distance 0 = full snapshot (no baseline), else baselineTick = tick - distance
 *   sections, in this order (every one present; an empty one is its count, 1 bit):
 *     created(kind) for each kind in schema order
 *     changed(kind) for each kind in schema order
 *     removed
 *   created  := count:gamma [ idWidth  width × fields  (idGap  value × fields) × count ]
 *   changed  := count:gamma [ idWidth  union:fields  common:1  width × popcount(union)
 *                             (idGap  [mask:popcount(union), unless common]  delta × popcount(mask)) × count ]
 *   removed  := count:gamma [ idWidth  idGap × count ]
 *
 * `len` and `gamma` are the codes of bits.ts; `width` is 6 bits and `value`, `delta`, `idGap` are
 * written in their column's width (width-coding.ts). Ids ascend within a section; each is sent as
 * its gap to the previous one minus 1 (the first as is), so consecutive ids cost 0 bits. `union`
 * has a bit per field of the kind, set for fields that changed in some entity of the section; an
 * entity's `mask` says which of those changed in it (omitted when all entities of the section
 * changed the same fields). Values of created entities are absolute (zigzag for signed types);
 * deltas are coded relative to the baseline value, minus 1 since they are never 0 (fields.ts):
 * zigzag(new - old) - 1 with wrap-around (angles wrap at their `steps`), or (new XOR old) - 1 for
 * bits and bools, so a flipped bool costs nothing beyond its mask bit.
 *
 * Every part of a snapshot has the same tick, baseline and part count; parts hold disjoint
 * entities, so a lost part only leaves its entities at their baseline state.
 *
 * References: Glenn Fiedler, "Snapshot Compression" and "State Synchronization"
 * (gafferongames.com, 2015); Valve, "Source Multiplayer Networking" (delta compression against the
 * client's last acknowledged snapshot).
 */
import { FRAME_HEADER_BYTES, MAX_UNRELIABLE_FRAME_BYTES } from '../../codec/frame.js';

export const SNAPSHOT_FORMAT_VERSION = 1;
/**
 * Room left in a frame for the packet that carries a part (a MessagePack tuple with a type tag,
 * the sequence numbers the sync layer adds, and the 3-byte bin header of the part itself).
 */
export const SNAPSHOT_ENVELOPE_BYTES = 16;
/** Default largest part: an unreliable frame (1,150 B) less the frame header and the envelope. */
export const DEFAULT_SNAPSHOT_PART_BYTES = MAX_UNRELIABLE_FRAME_BYTES - FRAME_HEADER_BYTES - SNAPSHOT_ENVELOPE_BYTES;
/** Most parts in one snapshot. */
export const MAX_SNAPSHOT_PARTS = 256;
/** Most entities (created, changed and removed) in one part; bounds what a decoder allocates. */
export const MAX_ENTITIES_PER_PART = 2048;
/** Bits of a count's gamma code at MAX_ENTITIES_PER_PART. */
export const MAX_COUNT_GAMMA_BITS = 23;

export interface CreatedEntity {
  readonly id: number;
  readonly kind: string;
  /** Quantized values, one per field of the kind. */
  readonly values: readonly number[];
}

export interface ChangedEntity {
  readonly id: number;
  readonly kind: string;
  /** Bit i set: field i changed. */
  readonly mask: number;
  /**
   * One per set bit of `mask`, in field order: the signed difference for numeric fields (wrapping
   * at 2^32, or at `steps` for angles), the XOR of old and new for bits and bools.
   */
  readonly deltas: readonly number[];
}

/** One decoded part; apply it with `applySnapshotParts`. */
export interface SnapshotPart {
  readonly tick: number;
  /** The tick this part is coded against; null for a full snapshot. */
  readonly baselineTick: number | null;
  readonly partIndex: number;
  readonly partCount: number;
  readonly created: readonly CreatedEntity[];
  readonly changed: readonly ChangedEntity[];
  readonly removed: readonly number[];
}
