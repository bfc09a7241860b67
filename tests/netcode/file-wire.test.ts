// File transfer's wire (packages/netcode/src/files/wire.ts): every control message round-trips
// through the frame codec, malformed ones parse to null (never throw), chunks keep their bytes,
// and the sync layer leaves tag 40 alone (not an invalid sync packet).
import {
  decodeFrame,
  encodeChunk,
  encodeControl,
  encodeFrame,
  type FileControl,
  isForeignPacket,
  parseChunk,
  parseControl,
} from '@tickmesh/netcode/internals';
import { describe, expect, it } from 'vitest';

const roundTrip = (message: FileControl) => {
  const decoded = decodeFrame(encodeFrame(0, encodeControl(message)));
  if (!decoded.ok) throw new Error(decoded.reason);
  return parseControl(decoded.payload as unknown[]);
};

describe('file transfer wire', () => {
  it('round-trips every control message through a frame', () => {
    const messages: FileControl[] = [
      { type: 'offer', id: 7, name: 'fort.json', mime: 'application/json', size: 1234 },
      { type: 'accept', id: 7 },
      { type: 'refuse', id: 7, reason: 'too-large' },
      { type: 'cancel', id: 7 },
      { type: 'abort', id: 7, reason: 'hash-mismatch' },
      { type: 'done', id: 7, sha256: new Uint8Array(32).fill(9) },
      { type: 'received', id: 7 },
      { type: 'ack', id: 7, bytes: 262_144 },
    ];
    for (const message of messages) expect(roundTrip(message)).toEqual(message);
  });

  it('parses malformed control messages to null', () => {
    const bad: unknown[][] = [
      [40],
      [40, 0, -1, 'x', '', 1],
      [40, 0, 1, 'x'.repeat(256), '', 1],
      [40, 0, 1, 'x', '', 1.5],
      [40, 0, 1, 'x', '', -1],
      [40, 2, 1, 'because'],
      [40, 4, 1, 'whatever'],
      [40, 5, 1, new Uint8Array(31)],
      [40, 7, 1, -3],
      [40, 99, 1],
      [40, 1, 1, 'extra'],
    ];
    for (const payload of bad) expect(parseControl(payload), JSON.stringify(payload)).toBeNull();
  });

  it('frames chunks with their transfer id, and refuses short or foreign ones', () => {
    const bytes = new Uint8Array([1, 2, 3, 250]);
    const parsed = parseChunk(encodeChunk(0xfffffffe, bytes).buffer);
    expect(parsed?.id).toBe(0xfffffffe);
    expect([...(parsed?.bytes ?? [])]).toEqual([...bytes]);
    expect(parseChunk(new Uint8Array([1, 0, 0, 0, 1]).buffer)).toBeNull();
    expect(parseChunk(new Uint8Array([2, 0, 0, 0, 1, 9]).buffer)).toBeNull();
  });

  it("is another layer's packet to the sync engine (ignored, not counted invalid), and sync's are not", () => {
    expect(isForeignPacket(encodeControl({ type: 'accept', id: 1 }))).toBe(true);
    expect(isForeignPacket([5, 1, { type: 'kill' }])).toBe(false);
    expect(isForeignPacket(['g', 1])).toBe(false);
    expect(isForeignPacket([99, 1])).toBe(false); // no layer's: an invalid sync packet, counted
  });
});
