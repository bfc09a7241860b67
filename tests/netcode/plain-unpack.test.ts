// The frame decoder (codec/plain-unpack.ts) against msgpackr's unpacker, which it replaced: on every
// value msgpackr's own packer writes (float32 and all), and on random bytes the pre-scan admits,
// both give the same value, or both refuse.
import { MAX_FRAME_DEPTH, scanPlain, unpackPlain } from '@tickmesh/netcode/internals';
import fc from 'fast-check';
import { Packr, Unpackr } from 'msgpackr';
import { describe, expect, it } from 'vitest';

const msgpackr = new Unpackr({ useRecords: false, int64AsType: 'number', mapsAsObjects: true });

/** What each decoder makes of scanned bytes: the value (binary as a plain Uint8Array), or 'refused'. */
function both(bytes: Uint8Array): [unknown, unknown] {
  const ours = (() => {
    try {
      return unpackPlain(bytes, 0);
    } catch {
      return 'refused';
    }
  })();
  const theirs = (() => {
    try {
      return plainBytes(msgpackr.unpack(bytes));
    } catch {
      return 'refused';
    }
  })();
  return [ours, theirs];
}

/** msgpackr hands out Buffers in Node; the same bytes as a Uint8Array, for comparison. */
function plainBytes(value: unknown): unknown {
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) return value.map(plainBytes);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainBytes(v)]));
  return value;
}

describe('unpackPlain', () => {
  it('decodes what msgpackr decodes, for every value its packer writes', () => {
    const packers = [new Packr({ useRecords: false }), new Packr({ useRecords: false, useFloat32: 1 })];
    const value = fc.letrec((tie) => ({
      any: fc.oneof(
        { depthSize: 'small' },
        fc.constant(null),
        fc.boolean(),
        fc.integer(),
        fc.maxSafeInteger(),
        fc.double(),
        fc.float(),
        fc.string({ unit: 'grapheme' }),
        fc.uint8Array({ maxLength: 300 }),
        fc.array(tie('any'), { maxLength: 20 }),
        fc.dictionary(fc.string(), tie('any'), { maxKeys: 20 }),
      ),
    })).any;
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 1 }), (v, p) => {
        const bytes = new Uint8Array((packers[p] as Packr).pack(v)); // a frame is a Uint8Array, not a Buffer
        if (scanPlain(bytes, 0, MAX_FRAME_DEPTH) !== null) return;
        const [ours, theirs] = both(bytes);
        expect(ours).toEqual(theirs);
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes random bytes the scan admits as msgpackr does, refusals included', () => {
    let admitted = 0;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
        if (scanPlain(bytes, 0, MAX_FRAME_DEPTH) !== null) return;
        admitted++;
        const [ours, theirs] = both(bytes);
        expect(ours).toEqual(theirs);
      }),
      { numRuns: 20_000 },
    );
    expect(admitted).toBeGreaterThan(100);
  });

  it('names keys as msgpackr does, and never sets a prototype', () => {
    // {"__proto__": 1, 7: 2, true: 3, nil: 4, 1.5: 5}
    const bytes = new Uint8Array([
      0x85,
      0xa9,
      ...new TextEncoder().encode('__proto__'),
      0x01,
      0x07,
      0x02,
      0xc3,
      0x03,
      0xc0,
      0x04,
      0xcb,
      ...new Uint8Array(new Float64Array([1.5]).buffer).reverse(),
      0x05,
    ]);
    const [ours, theirs] = both(bytes);
    expect(ours).toEqual({ __proto_: 1, 7: 2, true: 3, null: 4, '1.5': 5 });
    expect(ours).toEqual(theirs);
    expect(Object.getPrototypeOf(ours)).toBe(Object.prototype);
    // A binary or an array as a key: refused by both.
    expect(both(new Uint8Array([0x81, 0xc4, 0x01, 0x61, 0x01]))).toEqual(['refused', 'refused']);
    expect(both(new Uint8Array([0x81, 0x91, 0x01, 0x01]))).toEqual(['refused', 'refused']);
  });

  it('gives binary as a copy of its own', () => {
    const bytes = new Uint8Array([0xc4, 0x02, 0x0a, 0x0b]);
    const decoded = unpackPlain(bytes, 0) as Uint8Array;
    bytes[2] = 0;
    expect(decoded).toEqual(new Uint8Array([0x0a, 0x0b]));
    expect(decoded.constructor).toBe(Uint8Array);
  });
});
