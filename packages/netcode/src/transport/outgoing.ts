/**
 * The checks every transport makes on a payload at `send`, before anything leaves: it must encode
 * as plain MessagePack (no extension types such as a Date, no nesting past MAX_FRAME_DEPTH: a
 * receiver drops those), and its frame must fit the channel (1,150 bytes unreliable, 64 KiB
 * reliable).
 * Every transport (the WebRTC mesh, the memory network) encodes through here, so code tested over
 * the memory transport or the conditioner fails exactly as it would over the mesh.
 */
import { decodeFrame, encodePayload, FRAME_HEADER_BYTES, frame, maxFrameBytes } from '../codec/frame.js';
import { TransportError } from './transport.js';

/** Encodes a payload for sending; throws `NOT_ENCODABLE` or `PACKET_TOO_LARGE` as the mesh does. */
export function encodeOutgoing(payload: unknown, reliable: boolean): Uint8Array {
  let body: Uint8Array;
  try {
    body = encodePayload(payload);
  } catch (error) {
    throw new TransportError('NOT_ENCODABLE', `cannot send: ${error instanceof Error ? error.message : String(error)}`);
  }
  const size = FRAME_HEADER_BYTES + body.length;
  const limit = maxFrameBytes(reliable);
  if (size > limit) {
    throw new TransportError('PACKET_TOO_LARGE', `${size}-byte frame over the ${limit}-byte limit`);
  }
  return body;
}

/** A fresh copy of an encoded payload, as a receiver would decode it. */
export function decodeOutgoing(body: Uint8Array): unknown {
  const decoded = decodeFrame(frame(0, body), Number.POSITIVE_INFINITY);
  // A body encodeOutgoing produced always decodes; anything else is a bug in the codec.
  if (!decoded.ok) throw new Error(`an encoded payload failed to decode (${decoded.reason})`);
  return decoded.payload;
}
