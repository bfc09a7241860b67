/**
 * A pre-scan of untrusted MessagePack bytes, run before msgpackr decodes them: it admits plain
 * data only and bounds what decoding can cost.
 *
 * - Plain data: nil, booleans, integers, floats, strings, binary, arrays and maps. Any extension
 *   (ext 8/16/32 `0xc7`-`0xc9`, fixext 1-16 `0xd4`-`0xd8`) is refused: msgpackr would turn them
 *   into Dates, RegExps, Sets, Errors, BigInts, typed arrays or record definitions, none of which
 *   a game packet may hold. Its extension table is module-global, so clearing it would change
 *   every other msgpackr user in the page; refusing the bytes leaves it alone. `0xc1` (never
 *   used) is refused as malformed.
 * - Bounded: the walk is a loop with an explicit stack, never recursion, and looks at each byte
 *   at most once (string and binary bodies are skipped whole), so its cost is linear in the
 *   frame's size. Nesting deeper than `maxDepth` is refused, so msgpackr's recursive decoder
 *   cannot exhaust the stack. An array or map that declares more values than bytes are left is
 *   refused (every value takes at least one byte), so a frame holds at most as many values as it
 *   has bytes, and a declared count can never make the decoder allocate beyond that.
 * - Whole: exactly one value that ends where the bytes end.
 *
 * Reference: the MessagePack specification (https://github.com/msgpack/msgpack/blob/master/spec.md),
 * "Formats".
 */

/** Why bytes were refused: an extension type, nesting past the limit, or not one well-formed value. */
export type PlainScanFailure = 'extension' | 'depth' | 'payload';

/** Big-endian unsigned integers (lengths and counts) at `at`. */
const u8 = (bytes: Uint8Array, at: number) => bytes[at] as number;
const u16 = (bytes: Uint8Array, at: number) => ((bytes[at] as number) << 8) | (bytes[at + 1] as number);
const u32 = (bytes: Uint8Array, at: number) =>
  (bytes[at] as number) * 0x1000000 +
  (((bytes[at + 1] as number) << 16) | ((bytes[at + 2] as number) << 8)) +
  (bytes[at + 3] as number);

/**
 * The stack of counts, reused by every call: a scan runs to its end without calling out, so calls
 * never overlap. Counts never exceed a frame's length (checked before they are pushed).
 */
let scratch: Float64Array = new Float64Array(64);

/**
 * Checks that `bytes` from `start` to the end hold exactly one MessagePack value of plain data,
 * nested at most `maxDepth` arrays or maps deep. Returns null when they do, else the reason.
 *
 * @example
 * ```ts
 * scanPlain(packr.pack({ a: [1, 'x'] }), 0, 32); // null
 * scanPlain(packr.pack(new Date()), 0, 32);      // 'extension'
 * ```
 */
export function scanPlain(bytes: Uint8Array, start: number, maxDepth: number): PlainScanFailure | null {
  const end = bytes.length;
  // Nesting stops at `maxDepth`, and at the bytes there are (each container takes one at least).
  if (scratch.length < Math.min(maxDepth, end - start)) scratch = new Float64Array(Math.min(maxDepth, end - start));
  /** Values still to read in each enclosing container, innermost last (`depth` of them). */
  const enclosing = scratch;
  let depth = 0;
  /** Values still to read at the current level (the top level holds one). */
  let pending = 1;
  let pos = start;
  for (;;) {
    while (pending === 0) {
      if (depth === 0) return pos === end ? null : 'payload';
      pending = enclosing[--depth] as number;
    }
    pending--;
    if (pos >= end) return 'payload';
    const token = bytes[pos++] as number;
    if (token < 0x80 || token >= 0xe0) continue; // fixint
    let items = 0;
    let skip = 0;
    let header = 0;
    if (token < 0x90) items = (token - 0x80) * 2;
    else if (token < 0xa0) items = token - 0x90;
    else if (token < 0xc0) skip = token - 0xa0;
    else {
      switch (token) {
        case 0xc0: // nil
        case 0xc2: // false
        case 0xc3: // true
          continue;
        case 0xcc: // uint 8
        case 0xd0: // int 8
          skip = 1;
          break;
        case 0xcd: // uint 16
        case 0xd1: // int 16
          skip = 2;
          break;
        case 0xca: // float 32
        case 0xce: // uint 32
        case 0xd2: // int 32
          skip = 4;
          break;
        case 0xcb: // float 64
        case 0xcf: // uint 64
        case 0xd3: // int 64
          skip = 8;
          break;
        case 0xc4: // bin 8
        case 0xd9: // str 8
          header = 1;
          break;
        case 0xc5: // bin 16
        case 0xda: // str 16
        case 0xdc: // array 16
        case 0xde: // map 16
          header = 2;
          break;
        case 0xc6: // bin 32
        case 0xdb: // str 32
        case 0xdd: // array 32
        case 0xdf: // map 32
          header = 4;
          break;
        case 0xc7: // ext 8
        case 0xc8: // ext 16
        case 0xc9: // ext 32
        case 0xd4: // fixext 1
        case 0xd5: // fixext 2
        case 0xd6: // fixext 4
        case 0xd7: // fixext 8
        case 0xd8: // fixext 16
          return 'extension';
        default: // 0xc1, never used
          return 'payload';
      }
      if (header > 0) {
        if (header > end - pos) return 'payload';
        const n = header === 1 ? u8(bytes, pos) : header === 2 ? u16(bytes, pos) : u32(bytes, pos);
        pos += header;
        if (token >= 0xdc) items = token >= 0xde ? n * 2 : n;
        else skip = n;
      }
    }
    if (items > 0) {
      if (items > end - pos) return 'payload';
      if (depth >= maxDepth) return 'depth';
      enclosing[depth++] = pending;
      pending = items;
    } else {
      if (skip > end - pos) return 'payload';
      pos += skip;
    }
  }
}
