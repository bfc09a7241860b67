/**
 * A MessagePack encoder for plain data only: nil, booleans, numbers, strings, binary
 * (`Uint8Array`), arrays and plain objects. It writes the forms msgpackr writes for the same
 * values with records off and no float32: the smallest integer form, float64 otherwise, the
 * shortest string, binary and array headers. It differs on purpose in two places: maps take
 * their shortest header too, where msgpackr writes map16 (2 bytes more per object), and
 * `undefined` is nil, where msgpackr by default writes a fixext that receivers refuse (it needs
 * `encodeUndefinedAsNil` to match). msgpackr still decodes every frame.
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

/**
 * One buffer, reused by every call (a pack runs to its end without calling out, so calls never
 * overlap); each result is a copy of the bytes written. Grown by doubling when a payload needs it.
 */
let bytes = new Uint8Array(1024);
let view = new DataView(bytes.buffer);
let at = 0;

function reserve(n: number): void {
  if (at + n <= bytes.length) return;
  let size = bytes.length * 2;
  while (size < at + n) size *= 2;
  const next = new Uint8Array(size);
  next.set(bytes.subarray(0, at));
  bytes = next;
  view = new DataView(next.buffer);
}

/** A type byte, then `value` as an unsigned big-endian integer of `size` bytes (1, 2 or 4). */
function head(type: number, value: number, size: 1 | 2 | 4): void {
  reserve(1 + size);
  bytes[at++] = type;
  if (size === 1) bytes[at] = value;
  else if (size === 2) view.setUint16(at, value);
  else view.setUint32(at, value);
  at += size;
}

/** A length header: the fix form under `fixLimit`, else the 8 (when `short` exists), 16 or 32-bit form. */
function length(n: number, fix: number, fixLimit: number, short: number | null, long16: number, long32: number): void {
  if (n < fixLimit) {
    reserve(1);
    bytes[at++] = fix | n;
  } else if (short !== null && n < 0x100) head(short, n, 1);
  else if (n < 0x10000) head(long16, n, 2);
  else head(long32, n, 4);
}

function writeNumber(value: number): void {
  reserve(9);
  if (value >>> 0 === value) {
    if (value < 0x80) bytes[at++] = value;
    else if (value < 0x100) {
      bytes[at++] = 0xcc;
      bytes[at++] = value;
    } else if (value < 0x10000) {
      bytes[at++] = 0xcd;
      view.setUint16(at, value);
      at += 2;
    } else {
      bytes[at++] = 0xce;
      view.setUint32(at, value);
      at += 4;
    }
  } else if (value >> 0 === value) {
    if (value >= -0x20) bytes[at++] = 0x100 + value;
    else if (value >= -0x80) {
      bytes[at++] = 0xd0;
      bytes[at++] = value + 0x100;
    } else if (value >= -0x8000) {
      bytes[at++] = 0xd1;
      view.setInt16(at, value);
      at += 2;
    } else {
      bytes[at++] = 0xd2;
      view.setInt32(at, value);
      at += 4;
    }
  } else {
    bytes[at++] = 0xcb;
    view.setFloat64(at, value);
    at += 8;
  }
}

/** A string: short ones encoded in place (no allocation), long ones through TextEncoder. */
function writeString(value: string): void {
  if (value.length < 64) {
    // Encoded in place after room for a str8 header (at most 3 bytes per UTF-16 unit: under 256;
    // a lone surrogate becomes U+FFFD), then moved back a byte when a fixstr header is enough.
    reserve(2 + value.length * 3);
    const { written } = utf8.encodeInto(value, bytes.subarray(at + 2));
    if (written < 0x20) {
      bytes[at] = 0xa0 | written;
      bytes.copyWithin(at + 1, at + 2, at + 2 + written);
      at += 1 + written;
    } else {
      bytes[at] = 0xd9;
      bytes[at + 1] = written;
      at += 2 + written;
    }
    return;
  }
  const encoded = utf8.encode(value);
  length(encoded.length, 0xa0, 0x20, 0xd9, 0xda, 0xdb);
  raw(encoded);
}

function raw(data: Uint8Array): void {
  reserve(data.length);
  bytes.set(data, at);
  at += data.length;
}

function write(value: unknown, depth: number, maxDepth: number): void {
  switch (typeof value) {
    case 'undefined':
      reserve(1);
      bytes[at++] = 0xc0;
      return;
    case 'boolean':
      reserve(1);
      bytes[at++] = value ? 0xc3 : 0xc2;
      return;
    case 'number':
      return writeNumber(value);
    case 'string':
      return writeString(value);
    case 'object': {
      if (value === null) {
        reserve(1);
        bytes[at++] = 0xc0;
        return;
      }
      if (value instanceof Uint8Array) {
        length(value.length, 0xc4, 0, 0xc4, 0xc5, 0xc6);
        return raw(value);
      }
      if (depth >= maxDepth) throw new TypeError(`nested deeper than ${maxDepth} arrays or maps`);
      if (Array.isArray(value)) {
        length(value.length, 0x90, 0x10, null, 0xdc, 0xdd);
        for (let i = 0; i < value.length; i++) write(value[i], depth + 1, maxDepth);
        return;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError(`not plain data: ${(value as object).constructor?.name ?? 'an object'}`);
      }
      const keys = Object.keys(value);
      length(keys.length, 0x80, 0x10, null, 0xde, 0xdf);
      for (const key of keys) {
        writeString(key);
        write((value as Record<string, unknown>)[key], depth + 1, maxDepth);
      }
      return;
    }
    default:
      throw new TypeError(`not plain data: a ${typeof value}`);
  }
}

/** `value` as MessagePack bytes; throws a TypeError for anything but plain data within `maxDepth`. */
export function packPlain(value: unknown, maxDepth: number): Uint8Array {
  at = 0;
  write(value, 0, maxDepth);
  return bytes.slice(0, at);
}
