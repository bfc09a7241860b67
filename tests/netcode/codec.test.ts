// Frames on lossy, unordered channels: each decodes alone, in any order, with a fresh decoder, and
// nothing a peer sends makes the decoder throw.
import { decodeFrame, encodeFrame, FRAME_VERSION, frame, LossCounter } from '@tickmesh/netcode/internals';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';

describe('frames', () => {
  it('round-trips payloads with their sequence number', () => {
    const payloads = [0, 'text', [1, 2.5, 'x', null, true], { kind: 'input', keys: [1, 0, 1] }, new Uint8Array([1, 2])];
    payloads.forEach((payload, seq) => {
      const bytes = encodeFrame(seq * 1000, payload);
      expect(bytes[0]).toBe(FRAME_VERSION);
      expect(decodeFrame(bytes)).toEqual({ ok: true, seq: seq * 1000, payload });
    });
    expect(decodeFrame(encodeFrame(2 ** 32 - 1, 1))).toMatchObject({ ok: true, seq: 2 ** 32 - 1 });
  });

  it('decodes out of order, each frame alone', () => {
    const frames = Array.from({ length: 50 }, (_, i) =>
      encodeFrame(i, { id: i, pos: [i * 1.5, i - 25], tag: `e${i}` }),
    );
    const shuffled = [...frames].reverse().filter((_, i) => i % 3 !== 0); // reordered, a third lost
    for (const bytes of shuffled) {
      const decoded = decodeFrame(bytes);
      expect(decoded.ok).toBe(true);
      if (decoded.ok)
        expect(decoded.payload).toEqual({
          id: decoded.seq,
          pos: [decoded.seq * 1.5, decoded.seq - 25],
          tag: `e${decoded.seq}`,
        });
    }
  });

  it('keeps no state between frames: a frame defining msgpackr records does not change the next one', () => {
    const sequential = new Packr({ sequential: true });
    decodeFrame(frame(1, sequential.pack({ x: 1, y: 2 })));
    const referring = sequential.pack({ x: 3, y: 4 }); // refers to the structure defined above
    expect(decodeFrame(frame(2, referring))).toEqual({ ok: false, reason: 'payload' });
    expect(decodeFrame(encodeFrame(3, { x: 5 }))).toEqual({ ok: true, seq: 3, payload: { x: 5 } });
  });

  it('names what is wrong with a bad frame', () => {
    expect(decodeFrame(new Uint8Array([FRAME_VERSION, 0, 0]))).toEqual({ ok: false, reason: 'short' });
    const other = encodeFrame(1, 'x');
    other[0] = FRAME_VERSION + 1;
    expect(decodeFrame(other)).toEqual({ ok: false, reason: 'version' });
    // A 16-byte string header with no string after it.
    expect(decodeFrame(new Uint8Array([FRAME_VERSION, 0, 0, 0, 0, 0xd9, 0x10]))).toEqual({
      ok: false,
      reason: 'payload',
    });
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.boolean(), (bytes, versioned) => {
        if (versioned && bytes.length > 0) bytes[0] = FRAME_VERSION;
        const decoded = decodeFrame(bytes);
        expect(typeof decoded.ok).toBe('boolean');
      }),
      { numRuns: 3000 },
    );
  });
});

describe('LossCounter', () => {
  it('counts gaps as lost and late frames as received', () => {
    const loss = new LossCounter();
    for (const seq of [0, 1, 2, 5, 6]) loss.record(seq);
    expect(loss.lost).toBe(2);
    expect(loss.takeWindowLossRate()).toBeCloseTo(2 / 7);
    loss.record(3); // late
    expect(loss.lost).toBe(1);
    for (const seq of [7, 8, 9]) loss.record(seq);
    expect(loss.takeWindowLossRate()).toBe(0);
  });

  it('survives the uint32 wrap', () => {
    const loss = new LossCounter();
    for (const seq of [2 ** 32 - 2, 2 ** 32 - 1, 0, 1, 3]) loss.record(seq >>> 0);
    expect(loss.expected).toBe(6);
    expect(loss.lost).toBe(1);
  });
});
