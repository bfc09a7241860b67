// The frame encoder (codec/plain-pack.ts) writes what msgpackr wrote with the options frames used,
// byte for byte, except that a map takes its shortest header (msgpackr always writes map16: it
// reserves room before it counts the keys); msgpackr decodes it to the same value; and it refuses
// anything but plain data, as receivers do.
import { decodeFrame, encodeFrame, encodePayload, MAX_FRAME_DEPTH, scanPlain } from '@tickmesh/netcode/internals';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';

const msgpackr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'number', mapsAsObjects: true });

/** Plain values as packets carry them: ticks, floats, strings, binary, tuples, small objects. */
const plain: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }),
    fc.constantFrom(0, 127, 128, 255, 256, 65_535, 65_536, -32, -33, -128, -129, -32_768, -32_769, 2 ** 31, 2 ** 53),
    fc.double({ noNaN: true }),
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.uint8Array({ maxLength: 300 }),
    fc.array(tie('value'), { maxLength: 20 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 20 }),
  ),
})).value;

describe('the plain MessagePack encoder', () => {
  it('writes what msgpackr did (maps shorter), and msgpackr decodes it to the same value', () => {
    const hasMap = (v: unknown): boolean =>
      typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && (!Array.isArray(v) || v.some(hasMap));
    fc.assert(
      fc.property(plain, (value) => {
        const ours = Buffer.from(encodePayload(value));
        const theirs = Buffer.from(msgpackr.pack(value));
        expect(msgpackr.unpack(ours)).toEqual(msgpackr.unpack(theirs));
        if (hasMap(value)) expect(ours.length).toBeLessThanOrEqual(theirs.length);
        else expect(ours.equals(theirs)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('writes lengths at every header boundary as msgpackr does', () => {
    for (const n of [15, 16, 31, 32, 255, 256, 65_535, 65_536]) {
      for (const value of ['x'.repeat(n), new Uint8Array(n), new Array(n).fill(0)]) {
        const ours = Buffer.from(encodePayload(value));
        expect(ours.equals(Buffer.from(msgpackr.pack(value))), `${typeof value} ${n}`).toBe(true);
      }
      const map = Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
      expect(msgpackr.unpack(encodePayload(map))).toEqual(map);
      expect(encodePayload(map)[0]).toBe(n < 16 ? 0x80 | n : n < 0x10000 ? 0xde : 0xdf);
    }
  });

  it('round-trips through a frame', () => {
    const payload = [1, 4_000_000_000, -5, 0.25, 'hé😀', new Uint8Array([1, 2, 3]), { dx: -1, fire: true }, null];
    const decoded = decodeFrame(encodeFrame(7, payload));
    expect(decoded).toEqual({
      ok: true,
      seq: 7,
      payload: [...payload.slice(0, 5), new Uint8Array([1, 2, 3]), { dx: -1, fire: true }, null],
    });
  });

  it('writes undefined as nil', () => {
    expect(decodeFrame(encodeFrame(1, [undefined, { a: undefined }]))).toMatchObject({
      ok: true,
      payload: [null, { a: null }],
    });
  });

  it("refuses what is not plain data, and nesting past the receivers' limit", () => {
    for (const value of [
      new Date(),
      new Map(),
      new Set(),
      /x/,
      1n,
      () => 1,
      Symbol('s'),
      new (class Point {})(),
      new Float32Array(2),
    ]) {
      expect(() => encodePayload(value), String(value)).toThrow(TypeError);
    }
    const nest = (levels: number): unknown => (levels === 0 ? 1 : [nest(levels - 1)]);
    const deepest = encodePayload(nest(MAX_FRAME_DEPTH));
    expect(scanPlain(deepest, 0, MAX_FRAME_DEPTH)).toBeNull();
    expect(() => encodePayload(nest(MAX_FRAME_DEPTH + 1))).toThrow(TypeError);
  });
});
