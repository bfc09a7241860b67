/**
 * Data channel framing. Every message on a link is one frame:
 *
 *   byte 0      frame version (FRAME_VERSION); a frame of another version is dropped
 *   bytes 1-4   sequence number (uint32, big endian), per link and channel, for loss counting
 *   bytes 5..   the payload: one MessagePack value (msgpackr, records off)
 *
 * Records (msgpackr's shared structures) are off on purpose: on an unordered, lossy channel a
 * packet must decode alone, with a fresh decoder, in any order (STYLE.md habit 11). Packet
 * layouts are kept compact by the layers above (tuples rather than keyed maps).
 *
 * Decoding never throws: a frame that is too short, of another version, or whose payload is not
 * valid MessagePack yields a typed failure that the caller counts and drops.
 */
import { Packr } from 'msgpackr';

export const FRAME_VERSION = 1;
export const FRAME_HEADER_BYTES = 5;
/** Largest frame on the unreliable channel: bigger ones are fragmented by SCTP and lost whole if one part is. */
export const MAX_UNRELIABLE_FRAME_BYTES = 1150;
/** Largest frame on the reliable channel (well under every browser's SCTP message limit). */
export const MAX_RELIABLE_FRAME_BYTES = 64 * 1024;

const packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'number', mapsAsObjects: true });

export type DecodeFailure = 'short' | 'version' | 'payload';
export type DecodedFrame = { ok: true; seq: number; payload: unknown } | { ok: false; reason: DecodeFailure };

/** Encodes a payload once, to be framed for each link with {@link frame}. Throws for values MessagePack cannot hold. */
export function encodePayload(payload: unknown): Uint8Array {
  return packr.pack(payload);
}

/** A frame: header with `seq`, then the encoded payload. */
export function frame(seq: number, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(FRAME_HEADER_BYTES + body.length);
  bytes[0] = FRAME_VERSION;
  new DataView(bytes.buffer).setUint32(1, seq >>> 0);
  bytes.set(body, FRAME_HEADER_BYTES);
  return bytes;
}

/** `frame(seq, encodePayload(payload))`. */
export function encodeFrame(seq: number, payload: unknown): Uint8Array<ArrayBuffer> {
  return frame(seq, encodePayload(payload));
}

/** Decodes one frame; never throws. */
export function decodeFrame(data: Uint8Array): DecodedFrame {
  if (data.length <= FRAME_HEADER_BYTES) return { ok: false, reason: 'short' };
  if (data[0] !== FRAME_VERSION) return { ok: false, reason: 'version' };
  const seq = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(1);
  try {
    return { ok: true, seq, payload: packr.unpack(data.subarray(FRAME_HEADER_BYTES)) };
  } catch {
    return { ok: false, reason: 'payload' };
  }
}
