/**
 * The file-transfer wire. Two parts:
 *
 * Control messages ride the mesh's reliable channel as MessagePack tuples tagged FILE_PACKET_TAG
 * (40; sync/packets.ts has the table of every tag on the mesh: the sync engine skips chat's and
 * this one uncounted, and counts any other unknown tag as an invalid packet). `id` is the sending side's transfer id (uint32), so a pair of peers names a
 * transfer by (sender's link, id) and both directions can use the same numbers.
 *
 *   offer     [40, 0, id, name, type, size]   sender to receiver: a file of `size` bytes
 *   accept    [40, 1, id]                     receiver to sender: send it
 *   refuse    [40, 2, id, reason]             receiver to sender: an offer refused (RefuseReason)
 *   cancel    [40, 3, id]                     sender to receiver: the transfer stops
 *   abort     [40, 4, id, reason]             receiver to sender: the transfer stops (AbortReason)
 *   done      [40, 5, id, sha256]             sender to receiver: every byte is sent; the file's hash (32 bytes)
 *   received  [40, 6, id]                     receiver to sender: every byte came and the hash matched
 *   ack       [40, 7, id, bytes]              receiver to sender: this many bytes have come (flow control)
 *
 * Chunks ride the link's file channel (file-channel.ts), binary, no MessagePack:
 *
 *   byte 0      CHUNK_VERSION
 *   bytes 1-4   transfer id (uint32, big endian)
 *   bytes 5..   the file's next bytes (the channel is ordered and reliable: the offset is implicit)
 *
 * Parsing never throws: anything malformed yields null, to be counted and dropped.
 */
import { FILE_TAG } from '../sync/packets.js';

/** The control messages' tag, in sync/packets.ts's table of every tag on the mesh. */
export const FILE_PACKET_TAG = FILE_TAG;
export const CHUNK_VERSION = 1;
export const CHUNK_HEADER_BYTES = 5;
/** Longest file name an offer may carry (UTF-16 code units); longer offers are malformed. */
export const MAX_FILE_NAME_LENGTH = 255;
/** Longest MIME type an offer may carry. */
export const MAX_FILE_TYPE_LENGTH = 255;
/** Largest size an offer may name: 2^53 - 1, the receiver's own cap decides below that. */
const MAX_SIZE = Number.MAX_SAFE_INTEGER;

/** Why a receiver refused an offer. */
export const RefuseReasons = ['declined', 'too-large', 'busy', 'no-memory', 'timeout'] as const;
export type RefuseReason = (typeof RefuseReasons)[number];
/** Why a receiver stopped a transfer it had accepted. */
export const AbortReasons = ['cancelled', 'hash-mismatch', 'overrun', 'stalled', 'closed'] as const;
export type AbortReason = (typeof AbortReasons)[number];

const Op = { offer: 0, accept: 1, refuse: 2, cancel: 3, abort: 4, done: 5, received: 6, ack: 7 } as const;

export type FileControl =
  | { type: 'offer'; id: number; name: string; mime: string; size: number }
  | { type: 'accept'; id: number }
  | { type: 'refuse'; id: number; reason: RefuseReason }
  | { type: 'cancel'; id: number }
  | { type: 'abort'; id: number; reason: AbortReason }
  | { type: 'done'; id: number; sha256: Uint8Array }
  | { type: 'received'; id: number }
  | { type: 'ack'; id: number; bytes: number };

export function encodeControl(message: FileControl): unknown[] {
  switch (message.type) {
    case 'offer':
      return [FILE_PACKET_TAG, Op.offer, message.id, message.name, message.mime, message.size];
    case 'accept':
      return [FILE_PACKET_TAG, Op.accept, message.id];
    case 'refuse':
      return [FILE_PACKET_TAG, Op.refuse, message.id, message.reason];
    case 'cancel':
      return [FILE_PACKET_TAG, Op.cancel, message.id];
    case 'abort':
      return [FILE_PACKET_TAG, Op.abort, message.id, message.reason];
    case 'done':
      return [FILE_PACKET_TAG, Op.done, message.id, message.sha256];
    case 'received':
      return [FILE_PACKET_TAG, Op.received, message.id];
    case 'ack':
      return [FILE_PACKET_TAG, Op.ack, message.id, message.bytes];
    default:
      return assertNever(message);
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled file control message ${JSON.stringify(value)}`);
}

/** Whether a mesh payload is a file-transfer control message (well-formed or not). */
export const isFilePacket = (payload: unknown): payload is unknown[] =>
  Array.isArray(payload) && payload[0] === FILE_PACKET_TAG;

const isId = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff;
const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;
const oneOf =
  <T extends string>(values: readonly T[]) =>
  (v: unknown): v is T =>
    typeof v === 'string' && (values as readonly string[]).includes(v);
const isRefuseReason = oneOf(RefuseReasons);
const isAbortReason = oneOf(AbortReasons);

/** Parses a payload tagged FILE_PACKET_TAG; null when malformed. */
export function parseControl(payload: readonly unknown[]): FileControl | null {
  const [, op, id] = payload;
  if (!isId(id)) return null;
  switch (op) {
    case Op.offer: {
      const [, , , name, mime, size] = payload;
      if (payload.length !== 6 || !isText(name, MAX_FILE_NAME_LENGTH) || !isText(mime, MAX_FILE_TYPE_LENGTH))
        return null;
      if (!Number.isInteger(size) || (size as number) < 0 || (size as number) > MAX_SIZE) return null;
      return { type: 'offer', id, name, mime, size: size as number };
    }
    case Op.accept:
      return payload.length === 3 ? { type: 'accept', id } : null;
    case Op.refuse:
      return payload.length === 4 && isRefuseReason(payload[3]) ? { type: 'refuse', id, reason: payload[3] } : null;
    case Op.cancel:
      return payload.length === 3 ? { type: 'cancel', id } : null;
    case Op.abort:
      return payload.length === 4 && isAbortReason(payload[3]) ? { type: 'abort', id, reason: payload[3] } : null;
    case Op.done: {
      const hash = payload[3];
      return payload.length === 4 && hash instanceof Uint8Array && hash.length === 32
        ? { type: 'done', id, sha256: hash }
        : null;
    }
    case Op.received:
      return payload.length === 3 ? { type: 'received', id } : null;
    case Op.ack: {
      const bytes = payload[3];
      return payload.length === 4 && Number.isInteger(bytes) && (bytes as number) >= 0 && (bytes as number) <= MAX_SIZE
        ? { type: 'ack', id, bytes: bytes as number }
        : null;
    }
    default:
      return null;
  }
}

/** A chunk frame: header, then `bytes`. */
export function encodeChunk(id: number, bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(CHUNK_HEADER_BYTES + bytes.length);
  out[0] = CHUNK_VERSION;
  new DataView(out.buffer).setUint32(1, id >>> 0);
  out.set(bytes, CHUNK_HEADER_BYTES);
  return out;
}

/** A received chunk frame's transfer id and bytes (a view, no copy); null when malformed. */
export function parseChunk(data: ArrayBuffer): { id: number; bytes: Uint8Array<ArrayBuffer> } | null {
  if (data.byteLength <= CHUNK_HEADER_BYTES) return null;
  const view = new DataView(data);
  if (view.getUint8(0) !== CHUNK_VERSION) return null;
  return { id: view.getUint32(1), bytes: new Uint8Array(data, CHUNK_HEADER_BYTES) };
}
