/**
 * Adaptive bit widths: the values of one column (one field of one kind in one section of a part,
 * or the gaps between its entity ids) are written with one width W chosen for that column, sent
 * once in the part's section header as 6 bits (5 for W, 1 for an escape flag):
 *
 *   escape off   every value in exactly W bits (W is then the largest value's bit length)
 *   escape on    every value as a 1-bit flag, then W bits (flag 0) or the length code (flag 1,
 *                bits.ts), so one outlier (a teleport, a respawn) does not widen the whole column
 *
 * The encoder picks the W and flag that make the column smallest, from a histogram of the values'
 * bit lengths, in one pass over 33 buckets. This is frame-of-reference bit packing with
 * exceptions (as in PFOR), applied to Fiedler-style quantized deltas: 32 projectiles that each
 * moved 5 px in x cost 32 × 8 bits instead of 32 × 16 for a varint.
 *
 * References: Zukowski, Heman, Nes, Boncz, "Super-Scalar RAM-CPU Cache Compression" (ICDE 2006)
 * for patched frame-of-reference coding; Glenn Fiedler, "Snapshot Compression" (2015).
 */
import { type BitReader, type BitWriter, bitLength, lengthCodeCost } from './bits.js';

/** A column's coding: `width * 2 + (escape ? 1 : 0)`. */
export type Width = number;

/** Bits a column's width takes in a section header. */
export const WIDTH_BITS = 6;

const BUCKETS = 33;

/** Histograms of bit lengths, one per column, in one flat array (`slot * 33 + length`). */
export class WidthHistograms {
  readonly counts: Int32Array;

  constructor(readonly slots: number) {
    this.counts = new Int32Array(slots * BUCKETS);
  }

  add(slot: number, value: number): void {
    const index = slot * BUCKETS + bitLength(value);
    this.counts[index] = (this.counts[index] as number) + 1;
  }

  clear(): void {
    this.counts.fill(0);
  }

  /** The cheapest width for a slot's values, and its cost in bits (header excluded). */
  choose(slot: number, out: Width[], outIndex: number): number {
    const counts = this.counts;
    const base = slot * BUCKETS;
    let maxLength = BUCKETS - 1;
    while (maxLength > 0 && counts[base + maxLength] === 0) maxLength--;
    let n = 0;
    let escapedBits = 0;
    for (let length = 0; length <= maxLength; length++) {
      const count = counts[base + length] as number;
      n += count;
      escapedBits += count * lengthCodeCost(length);
    }
    const plain = maxLength === 31 ? 32 : maxLength;
    let best: Width = plain * 2;
    let bestCost = n * plain;
    // Escape on with width w: n flags, w bits for each value that fits, the length code for the rest.
    let fitting = 0;
    for (let w = 0; w < maxLength && w <= 30; w++) {
      const count = counts[base + w] ?? 0;
      fitting += count;
      escapedBits -= count * lengthCodeCost(w);
      const cost = n + w * fitting + escapedBits;
      if (cost < bestCost) {
        bestCost = cost;
        best = w * 2 + 1;
      }
    }
    out[outIndex] = best;
    return bestCost;
  }
}

/** Bits one value takes in a column of width `width`. */
export function valueCost(width: Width, value: number): number {
  const w = width >>> 1;
  if ((width & 1) === 0) return w;
  const length = bitLength(value);
  return 1 + (length <= w ? w : lengthCodeCost(length));
}

export function writeWidth(writer: BitWriter, width: Width): void {
  const w = width >>> 1;
  writer.write(w === 32 ? 31 : w, 5);
  writer.write(width & 1, 1);
}

/** Reads a width; every 6-bit pattern is a valid one. */
export function readWidth(reader: BitReader): Width {
  const w = reader.read(5);
  return (w === 31 ? 32 : w) * 2 + reader.read(1);
}

export function writeValue(writer: BitWriter, width: Width, value: number): void {
  const w = width >>> 1;
  if ((width & 1) === 0) {
    writer.write(value, w);
  } else if (bitLength(value) <= w) {
    writer.write(0, 1);
    writer.write(value, w);
  } else {
    writer.write(1, 1);
    writer.writeLength(value);
  }
}

export function readValue(reader: BitReader, width: Width): number {
  const w = width >>> 1;
  if ((width & 1) === 1 && reader.read(1) === 1) return reader.readLength();
  return reader.read(w);
}
