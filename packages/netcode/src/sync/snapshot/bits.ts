/**
 * A bit writer and reader (least significant bit first, as in Fiedler's bitpacker) and the
 * integer codes the snapshot format is built from:
 *
 *   zigzag      int32 → uint32: 0, -1, 1, -2 ... → 0, 1, 2, 3 ...
 *   gamma       small counts: Elias gamma of v + 1 (0 → 1 bit, 1..2 → 3 bits, 3..6 → 5 bits ...)
 *   length      any uint32: its bit length L in 5 bits, then its L - 1 low bits (the top bit is
 *               implied); L of 31 or 32 is sent as 31 followed by all 32 bits
 *
 * The reader never throws: reading past the end returns zeros and sets `overrun`, which the
 * decoder checks before it trusts anything it read.
 *
 * References: Glenn Fiedler, "Reading and Writing Packets" and "Serialization Strategies"
 * (gafferongames.com, 2016); Elias, "Universal codeword sets and representations of the
 * integers" (IEEE Trans. Inf. Theory, 1975).
 */

/** Number of significant bits of a uint32 (0 for 0). */
export function bitLength(value: number): number {
  return 32 - Math.clz32(value);
}

/** Number of set bits of a uint32. */
export function popcount(value: number): number {
  let v = value - ((value >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

export function zigzag(value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0;
}

export function unzigzag(value: number): number {
  return (value >>> 1) ^ -(value & 1);
}

/** Bits the length code takes for a value of bit length `length`. */
export function lengthCodeCost(length: number): number {
  if (length <= 1) return 5;
  return length <= 30 ? 4 + length : 37;
}

/** Bits the gamma code takes for `value` (< 2^16). */
export function gammaCost(value: number): number {
  return 2 * bitLength(value + 1) - 1;
}

export class BitWriter {
  private scratch = 0;
  private scratchBits = 0;
  private pos = 0;

  constructor(private readonly bytes: Uint8Array) {}

  /** Bits written so far. */
  get bitLength(): number {
    return this.pos * 8 + this.scratchBits;
  }

  /** Writes the low `bits` (0..32) bits of `value`. */
  write(value: number, bits: number): void {
    if (bits > 24) {
      this.write(value & 0xffff, 16);
      this.write(value >>> 16, bits - 16);
      return;
    }
    // scratchBits < 8 here, so up to 24 more bits fit in 31.
    this.scratch |= (value & ((1 << bits) - 1)) << this.scratchBits;
    this.scratchBits += bits;
    while (this.scratchBits >= 8) {
      this.bytes[this.pos++] = this.scratch & 0xff;
      this.scratch >>>= 8;
      this.scratchBits -= 8;
    }
  }

  writeGamma(value: number): void {
    const n = bitLength(value + 1);
    this.write(1 << (n - 1), n); // n - 1 zeros, then the stop bit (n <= 17)
    this.write(value + 1, n - 1);
  }

  writeLength(value: number): void {
    const length = bitLength(value);
    if (length <= 30) {
      this.write(length, 5);
      if (length > 1) this.write(value, length - 1);
    } else {
      this.write(31, 5);
      this.write(value, 32);
    }
  }

  /** Pads the last byte with zeros and returns the bytes written, as a view. */
  finish(): Uint8Array {
    if (this.scratchBits > 0) this.write(0, 8 - this.scratchBits);
    return this.bytes.subarray(0, this.pos);
  }
}

export class BitReader {
  /** Set once a read went past the end; every read after it returns 0. */
  overrun = false;
  private scratch = 0;
  private scratchBits = 0;
  private pos = 0;

  constructor(private readonly bytes: Uint8Array) {}

  /** Reads `bits` (0..32) bits as a uint32. */
  read(bits: number): number {
    if (bits > 24) {
      const low = this.read(16);
      return (low | (this.read(bits - 16) << 16)) >>> 0;
    }
    // scratchBits < 8 here, so up to 24 more bits fit in 31.
    while (this.scratchBits < bits) {
      const byte = this.bytes[this.pos];
      if (byte === undefined) {
        this.overrun = true;
        return 0;
      }
      this.pos++;
      this.scratch |= byte << this.scratchBits;
      this.scratchBits += 8;
    }
    const value = this.scratch & ((1 << bits) - 1);
    this.scratch >>>= bits;
    this.scratchBits -= bits;
    return value;
  }

  /** Reads a gamma-coded count; -1 when it is longer than `maxBits` bits of value. */
  readGamma(maxBits: number): number {
    let zeros = 0;
    while (this.read(1) === 0) {
      if (++zeros > maxBits || this.overrun) return -1;
    }
    return ((1 << zeros) | this.read(zeros)) - 1;
  }

  readLength(): number {
    const length = this.read(5);
    if (length <= 1) return length;
    if (length === 31) return this.read(32);
    return ((1 << (length - 1)) | this.read(length - 1)) >>> 0;
  }

  /** True when at most 7 bits are left and they are all zero (the writer's padding). */
  atPaddedEnd(): boolean {
    return !this.overrun && this.pos === this.bytes.length && this.scratch === 0;
  }
}
