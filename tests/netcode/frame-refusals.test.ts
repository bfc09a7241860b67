// What the frame decoder refuses before msgpackr decodes anything: frames over the channel's limit,
// every MessagePack extension type (as msgpackr's own encoders write them and as raw headers),
// nesting past MAX_FRAME_DEPTH, counts and lengths past the end; and that honest packets, in every
// MessagePack form, still round-trip.
import {
  decodeFrame,
  encodeFrame,
  FRAME_HEADER_BYTES,
  FRAME_VERSION,
  frame,
  MAX_FRAME_DEPTH,
  MAX_RELIABLE_FRAME_BYTES,
  MAX_UNRELIABLE_FRAME_BYTES,
  maxFrameBytes,
  PacketTag,
  scanPlain,
} from '@tickmesh/netcode/internals';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { nested } from './hostile-frames.js';

/** A frame around payload bytes, as a hostile peer would write it (sequence number 7). */
const framed = (body: Uint8Array) => frame(7, body);
const raw = (...payload: number[]) => framed(new Uint8Array(payload));
const refusal = (bytes: Uint8Array, reliable = true) => {
  const decoded = decodeFrame(bytes, maxFrameBytes(reliable));
  return decoded.ok ? 'ok' : decoded.reason;
};

describe('frames over the channel limit', () => {
  it('are dropped unread: 1,150 bytes unreliable, 64 KiB reliable', () => {
    const fill = (bytes: number) => encodeFrame(0, 'x'.repeat(bytes - FRAME_HEADER_BYTES - (bytes > 256 + 8 ? 3 : 2)));
    const atLimit = fill(MAX_UNRELIABLE_FRAME_BYTES);
    expect(atLimit.length).toBe(MAX_UNRELIABLE_FRAME_BYTES);
    expect(refusal(atLimit, false)).toBe('ok');
    const over = fill(MAX_UNRELIABLE_FRAME_BYTES + 1);
    expect(over.length).toBe(MAX_UNRELIABLE_FRAME_BYTES + 1);
    expect(refusal(over, false)).toBe('oversize');
    expect(refusal(over, true)).toBe('ok');
    // 188 KB took 15 ms to decode before; now its first byte is not even read.
    const huge = encodeFrame(0, new Array(47_000).fill(1.5));
    expect(huge.length).toBeGreaterThan(188_000);
    expect(refusal(huge, true)).toBe('oversize');
    const reliableOver = new Uint8Array(MAX_RELIABLE_FRAME_BYTES + 1);
    expect(refusal(reliableOver, true)).toBe('oversize');
  });
});

describe('MessagePack extension types', () => {
  // msgpackr's own encoders, with the options that make it write extensions.
  const extended = new Packr({ moreTypes: true, structuredClone: true, useBigIntExtension: true, useRecords: false });
  const records = new Packr({ useRecords: true }); // without shared structures: defines each record inline
  const values: [string, unknown, Packr][] = [
    ['a Date (timestamp, type -1)', new Date(1_700_000_000_123), extended],
    ['a Date of whole seconds (timestamp 32)', new Date(1_700_000_000_000), extended],
    ['a Date before 1970 (timestamp 96)', new Date(-1e12), extended],
    ['an invalid Date', new Date(Number.NaN), extended],
    ['a Set (0x73)', new Set([1, 2]), extended],
    ['a RegExp (0x78)', /a+b/gi, extended],
    ['an Error (0x65)', new TypeError('boom'), extended],
    ['a BigInt (0x42)', 2n ** 80n, extended],
    ['a Float32Array (0x74)', new Float32Array([1.5, 2]), extended],
    ['an Int16Array (0x74)', new Int16Array([1, -1]), extended],
    ['an ArrayBuffer (0x74)', new ArrayBuffer(4), extended],
    [
      'a cycle (structured clone 0x69, 0x70)',
      (() => {
        const cycle: Record<string, unknown> = { a: 1 };
        cycle.self = cycle;
        return cycle;
      })(),
      extended,
    ],
    ['a record definition (0x72)', { x: 1, y: 2 }, records],
  ];
  for (const [name, value, packr] of values) {
    it(`refuses ${name}, alone or inside a packet`, () => {
      const body = packr.pack(value);
      expect(refusal(framed(body))).toBe('extension');
      const inPacket = packr.pack([PacketTag.event, 12, { type: 'scored', value }]);
      expect(refusal(framed(inPacket))).toBe('extension');
    });
  }

  it('refuses every extension header (fixext 1-16, ext 8/16/32) whatever the type byte', () => {
    for (const type of [0x00, 0x42, 0x62, 0x65, 0x69, 0x70, 0x72, 0x73, 0x74, 0x78, 0xff, 0x01, 0x7f]) {
      const headers = [
        [0xd4, type, 0],
        [0xd5, type, 0, 0],
        [0xd6, type, 0, 0, 0, 0],
        [0xd7, type, ...new Array(8).fill(0)],
        [0xd8, type, ...new Array(16).fill(0)],
        [0xc7, 1, type, 0],
        [0xc8, 0, 1, type, 0],
        [0xc9, 0, 0, 0, 1, type, 0],
      ];
      for (const header of headers) {
        expect(refusal(raw(...header)), header.join(',')).toBe('extension');
        expect(refusal(raw(0x92, 0x01, ...header)), `in an array: ${header.join(',')}`).toBe('extension');
        expect(refusal(raw(0x81, 0xa1, 0x6b, ...header)), `as a map value: ${header.join(',')}`).toBe('extension');
      }
    }
  });

  it('is never produced by the frame encoder: undefined travels as nil', () => {
    expect(decodeFrame(encodeFrame(1, { a: undefined, b: [undefined] }))).toEqual({
      ok: true,
      seq: 1,
      payload: { a: null, b: [null] },
    });
  });
});

describe('nesting', () => {
  it(`takes ${MAX_FRAME_DEPTH} levels of arrays or maps and refuses one more`, () => {
    expect(refusal(framed(nested(MAX_FRAME_DEPTH)))).toBe('ok');
    expect(refusal(framed(nested(MAX_FRAME_DEPTH + 1)))).toBe('depth');
    const maps = raw(...new Array(MAX_FRAME_DEPTH + 1).fill([0x81, 0xa1, 0x6b]).flat(), 0x01);
    expect(refusal(maps)).toBe('depth');
  });

  it('refuses a whole frame of nesting without recursion: unreliable and reliable limits', () => {
    expect(refusal(framed(nested(MAX_UNRELIABLE_FRAME_BYTES - FRAME_HEADER_BYTES - 1)), false)).toBe('depth');
    expect(refusal(framed(nested(MAX_RELIABLE_FRAME_BYTES - FRAME_HEADER_BYTES - 1)), true)).toBe('depth');
    // And the scan itself, on a million levels, neither recurses nor throws.
    const deep = new Uint8Array(1_000_001).fill(0x91);
    deep[deep.length - 1] = 0x01;
    expect(scanPlain(deep, 0, MAX_FRAME_DEPTH)).toBe('depth');
    expect(scanPlain(deep, 0, Number.POSITIVE_INFINITY)).toBe(null);
  });
});

describe('counts and lengths', () => {
  it('refuse an array or map that declares more values than bytes are left', () => {
    expect(refusal(raw(0xdd, 0xff, 0xff, 0xff, 0xff, 0x01))).toBe('payload'); // array 32: 4 billion values
    expect(refusal(raw(0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, 0x6b, 0x01))).toBe('payload'); // map 32
    expect(refusal(raw(0xdc, 0x00, 0x03, 0x01, 0x02))).toBe('payload'); // 3 declared, 2 there
    expect(refusal(raw(0x93, 0x01, 0x02))).toBe('payload');
  });

  it('refuse strings and binaries longer than the frame, cut numbers, trailing bytes and 0xc1', () => {
    expect(refusal(raw(0xdb, 0xff, 0xff, 0xff, 0xff, 0x61))).toBe('payload');
    expect(refusal(raw(0xc6, 0x00, 0x01, 0x00, 0x00, 0x01))).toBe('payload');
    expect(refusal(raw(0xcb, 0x00, 0x00))).toBe('payload');
    expect(refusal(raw(0x01, 0x02))).toBe('payload');
    expect(refusal(raw(0xc1))).toBe('payload');
    expect(refusal(raw(0x92, 0x01))).toBe('payload');
  });
});

describe('honest packets', () => {
  it('round-trip every plain MessagePack form', () => {
    const payloads: unknown[] = [
      [PacketTag.input, 7, 5, 100, 3, { dx: 0, dy: -1, fire: false }, -2, { dx: 1 }],
      [PacketTag.snapshot, 99, new Uint8Array(1100).map((_, i) => i)],
      [PacketTag.ping, 4, 1234.5],
      [PacketTag.pong, 4, 1234.5, 99_999.25],
      [PacketTag.event, 12, { type: 'scored', player: 'ann', score: 3 }],
      [0, 127, 128, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1],
      [-1, -32, -33, -128, -129, -32_768, -32_769, -(2 ** 31), -(2 ** 31) - 1, -(2 ** 53) + 1],
      [0.5, -1e300, Number.MAX_VALUE, Number.MIN_VALUE, Number.POSITIVE_INFINITY, Number.NaN],
      [null, true, false, '', 'é😀', 'x'.repeat(31), 'x'.repeat(32), 'x'.repeat(300), 'x'.repeat(70_000)],
      [new Uint8Array(0), new Uint8Array(300), new Uint8Array(70_000)],
      Array.from({ length: 20 }, (_, i) => i),
      Array.from({ length: 70_000 }, (_, i) => i % 3),
      Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i])),
      Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i])),
      nestedValue(MAX_FRAME_DEPTH),
    ];
    for (const payload of payloads) {
      const decoded = decodeFrame(encodeFrame(9, payload), Number.POSITIVE_INFINITY);
      expect(decoded, JSON.stringify(payload).slice(0, 80)).toEqual({ ok: true, seq: 9, payload });
    }
    // msgpackr writes no map 32; another encoder may.
    expect(decodeFrame(raw(0xdf, 0, 0, 0, 2, 0xa1, 0x61, 0x01, 0xa1, 0x62, 0xc3))).toEqual({
      ok: true,
      seq: 7,
      payload: { a: 1, b: true },
    });
  });

  it('round-trip any JSON-like value, and plain random bytes decode to plain data only', () => {
    // msgpackr decodes a key "__proto__" as "__proto_" (it never sets an object's prototype):
    // JSON's own parse, the reference here, gives such an own key back as it was.
    const sameAfterJson = (value: unknown) =>
      JSON.parse(JSON.stringify(value), function (key, v) {
        if (key !== '__proto__') return v;
        Object.defineProperty(this, '__proto_', { value: v, enumerable: true, writable: true, configurable: true });
        return undefined;
      });
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (value) => {
        const decoded = decodeFrame(encodeFrame(1, value));
        expect(decoded.ok).toBe(true);
        if (decoded.ok) expect(decoded.payload).toEqual(sameAfterJson(value)); // -0 is 0
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), (bytes) => {
        const decoded = decodeFrame(framed(bytes));
        if (decoded.ok) expect(isPlain(decoded.payload)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('keep the frame version byte first', () => {
    expect(encodeFrame(0, 1)[0]).toBe(FRAME_VERSION);
  });
});

function nestedValue(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 1; i < levels; i++) value = [value];
  return { top: value };
}

/** Nil, booleans, numbers, strings, bytes, arrays and plain objects only. */
function isPlain(value: unknown): boolean {
  const stack = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || ['boolean', 'number', 'string'].includes(typeof v)) continue;
    if (v instanceof Uint8Array && v.constructor === Uint8Array) continue;
    if (Array.isArray(v)) stack.push(...v);
    else if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) stack.push(...Object.values(v));
    else return false;
  }
  return true;
}
