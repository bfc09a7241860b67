/**
 * The bench's test packet, and the clock it carries.
 *
 * Every packet is `PACKET_BYTES` (100) bytes on the data channel, in both stacks:
 * - tickmesh: our frame (5-byte header, codec/frame.ts) around the MessagePack payload
 *   `[sentAtMs, seq, pad]`: a float64 stamp (9 bytes), an unsigned seq (1 to 5 bytes), and a binary
 *   pad sized so the whole frame is 100 bytes whatever the seq.
 * - bare @roamhq/wrtc: 100 raw bytes, the float64 stamp at offset 0 and the uint32 seq at offset 8.
 *
 * `nowMs()` reads CLOCK_MONOTONIC (`process.hrtime`), one clock for every process on the machine,
 * so a receiver can subtract the stamp of a sender that runs in another process.
 */
import { encodeFrame } from '@tickmesh/netcode/internals';

export const PACKET_BYTES = 100;

/** Monotonic milliseconds, comparable across processes of this machine. */
export function nowMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}

/** The tickmesh payload: stamp, sequence number, pad. */
export type MeshPacket = [sentAtMs: number, seq: number, pad: Uint8Array];

/** MessagePack bytes of an unsigned integer (positive fixint, uint8, uint16, uint32). */
function uintBytes(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x100) return 2;
  if (value < 0x10000) return 3;
  return 5;
}

// frame header 5 + fixarray 1 + float64 9 + seq + bin8 header 2 + pad = PACKET_BYTES
const pads = [1, 2, 3, 5].map((seqBytes) => new Uint8Array(PACKET_BYTES - 17 - seqBytes));

/** A tickmesh payload whose frame is exactly `PACKET_BYTES`. */
export function meshPacket(sentAtMs: number, seq: number): MeshPacket {
  // An integral stamp would be packed as an integer, a different size: nudge it off the integer.
  const stamp = Number.isInteger(sentAtMs) ? sentAtMs + 1e-6 : sentAtMs;
  const pad = pads[[1, 2, 3, 5].indexOf(uintBytes(seq >>> 0))] as Uint8Array;
  return [stamp, seq >>> 0, pad];
}

/** The stamp of a received tickmesh payload, or NaN when it is not a bench packet. */
export function meshPacketStamp(payload: unknown): number {
  return Array.isArray(payload) && typeof payload[0] === 'number' ? payload[0] : Number.NaN;
}

/** Writes a bare packet into `into` (PACKET_BYTES long). */
export function writeBarePacket(into: Uint8Array<ArrayBuffer>, sentAtMs: number, seq: number): void {
  const view = new DataView(into.buffer, into.byteOffset, into.byteLength);
  view.setFloat64(0, sentAtMs);
  view.setUint32(8, seq >>> 0);
}

/** The stamp of a received bare packet, or NaN when it is not one. */
export function barePacketStamp(data: unknown): number {
  if (!(data instanceof ArrayBuffer) || data.byteLength !== PACKET_BYTES) return Number.NaN;
  return new DataView(data).getFloat64(0);
}

/** Throws unless a tickmesh frame of the test packet is `PACKET_BYTES` for every seq size. */
export function checkPacketSize(): void {
  for (const seq of [0, 200, 60_000, 2 ** 32 - 1]) {
    for (const stamp of [12_345.678, 4_000]) {
      const bytes = encodeFrame(0, meshPacket(stamp, seq)).length;
      if (bytes !== PACKET_BYTES) throw new Error(`test frame for seq ${seq} is ${bytes} bytes, not ${PACKET_BYTES}`);
    }
  }
}
