/**
 * A MessagePack decoder for bytes plain-scan.ts has admitted: plain data, exactly one value, every
 * length inside the bytes, at most `maxDepth` arrays or maps deep. So it checks nothing the scan
 * checked, and its recursion is bounded by the scan's depth limit.
 *
 * It gives what msgpackr's unpacker gave for the same bytes with records off, `mapsAsObjects` and
 * `int64AsType: 'number'` (tests/netcode/plain-unpack.test.ts compares the two on random bytes):
 * maps as plain objects whose keys are strings, a key "__proto__" as "__proto_" (a frame never
 * sets an object's prototype), number, boolean and nil keys as their text, any other key (binary,
 * an array, a map) refused with a TypeError; binary as a Uint8Array of its own (a copy: nothing
 * decoded holds on to the frame); 64-bit integers as numbers (beyond 2^53, rounded).
 *
 * Why not msgpackr's unpacker: with the packer gone (plain-pack.ts), it was 5.1 KB of a game's
 * gzipped bundle for what a scanned frame needs of it, which is this (`npm run bench:bundle`).
 *
 * Reference: the MessagePack specification (https://github.com/msgpack/msgpack/blob/master/spec.md),
 * "Formats".
 */

const utf8 = new TextDecoder();

/**
 * Decodes the one value of `bytes` from `start`; the bytes must have passed `scanPlain`. Throws a
 * TypeError for a map key that cannot be a property name.
 *
 * @example
 * ```ts
 * if (scanPlain(bytes, 5, 32) === null) payload = unpackPlain(bytes, 5);
 * ```
 */
export function unpackPlain(bytes: Uint8Array, start: number): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = start;
  /** An unsigned big-endian integer of `n` bytes (1, 2 or 4). */
  const uint = (n: number): number => {
    const v = n === 1 ? (bytes[pos] as number) : n === 2 ? view.getUint16(pos) : view.getUint32(pos);
    pos += n;
    return v;
  };
  /** A view method at the position, which then moves on by `n`. */
  const at = <T>(n: number, v: T): T => {
    pos += n;
    return v;
  };
  /** The next `n` bytes (a view), past which the position moves. */
  const next = (n: number): Uint8Array => {
    pos += n;
    return bytes.subarray(pos - n, pos);
  };
  const str = (n: number) => utf8.decode(next(n));
  const arr = (n: number) => {
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(read());
    return out;
  };
  const map = (n: number) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const key = read();
      if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean' && key !== null)
        throw new TypeError('a map key that is not a string, number, boolean or nil');
      const name = String(key);
      out[name === '__proto__' ? '__proto_' : name] = read();
    }
    return out;
  };

  function read(): unknown {
    const t = bytes[pos++] as number;
    if (t < 0x80) return t;
    if (t < 0x90) return map(t - 0x80);
    if (t < 0xa0) return arr(t - 0x90);
    if (t < 0xc0) return str(t - 0xa0);
    if (t >= 0xe0) return t - 0x100;
    switch (t) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
      case 0xc5:
      case 0xc6:
        return next(uint(1 << (t - 0xc4))).slice();
      case 0xca:
        return at(4, view.getFloat32(pos));
      case 0xcb:
        return at(8, view.getFloat64(pos));
      case 0xcc:
      case 0xcd:
      case 0xce:
        return uint(1 << (t - 0xcc));
      case 0xcf:
        return uint(4) * 2 ** 32 + uint(4);
      case 0xd0:
        return at(1, view.getInt8(pos));
      case 0xd1:
        return at(2, view.getInt16(pos));
      case 0xd2:
        return at(4, view.getInt32(pos));
      case 0xd3:
        return at(8, view.getInt32(pos) * 2 ** 32 + view.getUint32(pos + 4));
      case 0xd9:
      case 0xda:
      case 0xdb:
        return str(uint(1 << (t - 0xd9)));
      case 0xdc:
      case 0xdd:
        return arr(uint(2 << (t - 0xdc)));
      default: // 0xde, 0xdf: the scan let nothing else through
        return map(uint(2 << (t - 0xde)));
    }
  }
  return read();
}
