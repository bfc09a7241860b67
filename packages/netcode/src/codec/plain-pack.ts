/**
 * A MessagePack encoder for plain data only: nil, booleans, numbers, strings, binary
 * (`Uint8Array`), arrays and plain objects. It writes the forms msgpackr writes for the same
 * values with the options frames used (records off, `undefined` as nil, no float32): the
 * smallest integer form, float64 otherwise, the shortest string, binary and array headers. Maps
 * take their shortest header too, where msgpackr always wrote map16 (2 bytes more per object).
 * msgpackr still decodes every frame.
 *
 * Why not msgpackr's packer: a frame's payload is a tuple of plain values, and msgpackr's packer
 * (records, structures, extensions, iterators) was 6.5 KB of a game's gzipped bundle, a fifth of
 * what tickmesh ships (`npm run bench:bundle`). Decoding untrusted bytes stays with msgpackr.
 *
 * Anything else (a Date, a Map, a class instance, a bigint, a function) and nesting deeper than
 * `maxDepth` throws a TypeError: a sender finds out at once, never a receiver.
 *
 * Reference: the MessagePack specification (https://github.com/msgpack/msgpack/blob/master/spec.md),
 * "Formats".
 */

const utf8 = new TextEncoder();

class Writer {
  bytes = new Uint8Array(256);
  view = new DataView(this.bytes.buffer);
  at = 0;

  reserve(n: number): void {
    if (this.at + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.at + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.at));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }

  byte(b: number): void {
    this.reserve(1);
    this.bytes[this.at++] = b;
  }

  /** A type byte, then `value` as an unsigned big-endian integer of `size` bytes (1, 2 or 4). */
  head(type: number, value: number, size: 1 | 2 | 4): void {
    this.reserve(1 + size);
    this.bytes[this.at++] = type;
    if (size === 1) this.bytes[this.at] = value;
    else if (size === 2) this.view.setUint16(this.at, value);
    else this.view.setUint32(this.at, value);
    this.at += size;
  }

  /** A length header: the fix form under `fixLimit`, else the 8 (when `short` exists), 16 or 32-bit form. */
  length(n: number, fix: number, fixLimit: number, short: number | null, long16: number, long32: number): void {
    if (n < fixLimit) this.byte(fix | n);
    else if (short !== null && n < 0x100) this.head(short, n, 1);
    else if (n < 0x10000) this.head(long16, n, 2);
    else this.head(long32, n, 4);
  }

  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.bytes.set(bytes, this.at);
    this.at += bytes.length;
  }
}

function writeNumber(w: Writer, value: number): void {
  if (value >>> 0 === value) {
    if (value < 0x80) w.byte(value);
    else if (value < 0x100) w.head(0xcc, value, 1);
    else if (value < 0x10000) w.head(0xcd, value, 2);
    else w.head(0xce, value, 4);
  } else if (value >> 0 === value) {
    w.reserve(5);
    if (value >= -0x20) w.bytes[w.at++] = 0x100 + value;
    else if (value >= -0x80) {
      w.bytes[w.at++] = 0xd0;
      w.bytes[w.at++] = value + 0x100;
    } else if (value >= -0x8000) {
      w.bytes[w.at++] = 0xd1;
      w.view.setInt16(w.at, value);
      w.at += 2;
    } else {
      w.bytes[w.at++] = 0xd2;
      w.view.setInt32(w.at, value);
      w.at += 4;
    }
  } else {
    w.reserve(9);
    w.bytes[w.at++] = 0xcb;
    w.view.setFloat64(w.at, value);
    w.at += 8;
  }
}

function write(w: Writer, value: unknown, depth: number, maxDepth: number): void {
  switch (typeof value) {
    case 'undefined':
      return w.byte(0xc0);
    case 'boolean':
      return w.byte(value ? 0xc3 : 0xc2);
    case 'number':
      return writeNumber(w, value);
    case 'string': {
      const bytes = utf8.encode(value);
      w.length(bytes.length, 0xa0, 0x20, 0xd9, 0xda, 0xdb);
      return w.raw(bytes);
    }
    case 'object': {
      if (value === null) return w.byte(0xc0);
      if (value instanceof Uint8Array) {
        w.length(value.length, 0xc4, 0, 0xc4, 0xc5, 0xc6);
        return w.raw(value);
      }
      if (depth >= maxDepth) throw new TypeError(`nested deeper than ${maxDepth} arrays or maps`);
      if (Array.isArray(value)) {
        w.length(value.length, 0x90, 0x10, null, 0xdc, 0xdd);
        for (const item of value) write(w, item, depth + 1, maxDepth);
        return;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError(`not plain data: ${(value as object).constructor?.name ?? 'an object'}`);
      }
      const keys = Object.keys(value);
      w.length(keys.length, 0x80, 0x10, null, 0xde, 0xdf);
      for (const key of keys) {
        write(w, key, depth, maxDepth);
        write(w, (value as Record<string, unknown>)[key], depth + 1, maxDepth);
      }
      return;
    }
    default:
      throw new TypeError(`not plain data: a ${typeof value}`);
  }
}

/** `value` as MessagePack bytes; throws a TypeError for anything but plain data within `maxDepth`. */
export function packPlain(value: unknown, maxDepth: number): Uint8Array {
  const w = new Writer();
  write(w, value, 0, maxDepth);
  return w.bytes.slice(0, w.at);
}
