/**
 * Data channel framing. Every message on a link is one frame:
 *
 *   byte 0      frame version (FRAME_VERSION); a frame of another version is dropped
 *   bytes 1-4   sequence number (uint32, big endian), per link and channel, for loss counting
 *   bytes 5..   the payload: one MessagePack value (msgpackr, records off), plain data only
 *
 * Records (msgpackr's shared structures) are off on purpose: on an unordered, lossy channel a
 * packet must decode alone, with a fresh decoder, in any order (STYLE.md habit 11). Packet
 * layouts are kept compact by the layers above (tuples rather than keyed maps).
 *
 * Every frame comes from a stranger, so decoding is defensive and never throws: a frame over its
 * channel's limit is dropped before anything reads it (`oversize`); then a non-recursive pre-scan
 * (plain-scan.ts) admits plain data only (`extension`: no Dates, Sets, RegExps, BigInts, typed
 * arrays, records), at most MAX_FRAME_DEPTH arrays or maps deep (`depth`), and exactly one
 * well-formed value (`payload`), before msgpackr decodes it. The encoder (plain-pack.ts) writes
 * plain data only, `undefined` as nil, so honest payloads never hold an extension.
 */
import { Unpackr } from 'msgpackr/unpack';
import { packPlain } from './plain-pack.js';
import { scanPlain } from './plain-scan.js';

export const FRAME_VERSION = 1;
export const FRAME_HEADER_BYTES = 5;
/** Largest frame on the unreliable channel: bigger ones are fragmented by SCTP and lost whole if one part is. */
export const MAX_UNRELIABLE_FRAME_BYTES = 1150;
/** Largest frame on the reliable channel (well under every browser's SCTP message limit). */
export const MAX_RELIABLE_FRAME_BYTES = 64 * 1024;
/** Deepest nesting of arrays and maps in a frame's payload (a packet of the sync layer uses 2 plus the game's input). */
export const MAX_FRAME_DEPTH = 32;

const unpackr = new Unpackr({ useRecords: false, int64AsType: 'number', mapsAsObjects: true });

/** Why a frame was dropped undecoded. */
export type DecodeFailure = 'short' | 'version' | 'oversize' | 'extension' | 'depth' | 'payload';
export type DecodedFrame = { ok: true; seq: number; payload: unknown } | { ok: false; reason: DecodeFailure };

/** The largest frame a channel carries: 1,150 bytes unreliable, 64 KiB reliable. */
export const maxFrameBytes = (reliable: boolean): number =>
  reliable ? MAX_RELIABLE_FRAME_BYTES : MAX_UNRELIABLE_FRAME_BYTES;

/**
 * Encodes a payload once, to be framed for each link with {@link frame}. Throws a TypeError for
 * anything but plain data nested at most {@link MAX_FRAME_DEPTH} deep (what a receiver accepts).
 */
export function encodePayload(payload: unknown): Uint8Array {
  return packPlain(payload, MAX_FRAME_DEPTH);
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

/**
 * Decodes one frame that came on a channel whose limit is `maxBytes` (see {@link maxFrameBytes});
 * never throws.
 *
 * @example
 * ```ts
 * const decoded = decodeFrame(new Uint8Array(event.data), maxFrameBytes(false));
 * if (!decoded.ok) dropped[decoded.reason]++;
 * ```
 */
export function decodeFrame(data: Uint8Array, maxBytes: number = MAX_RELIABLE_FRAME_BYTES): DecodedFrame {
  if (data.length > maxBytes) return { ok: false, reason: 'oversize' };
  if (data.length <= FRAME_HEADER_BYTES) return { ok: false, reason: 'short' };
  if (data[0] !== FRAME_VERSION) return { ok: false, reason: 'version' };
  const refused = scanPlain(data, FRAME_HEADER_BYTES, MAX_FRAME_DEPTH);
  if (refused !== null) return { ok: false, reason: refused };
  const seq = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(1);
  try {
    return { ok: true, seq, payload: unpackr.unpack(data.subarray(FRAME_HEADER_BYTES)) };
  } catch {
    // Plain, whole and shallow, yet refused: a map key msgpackr cannot make a property name.
    return { ok: false, reason: 'payload' };
  }
}
