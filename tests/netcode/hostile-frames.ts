/**
 * A hostile peer's frames, as raw bytes on its data channels, for the attack tests over the memory
 * transport and over the real mesh. Each frame is one of these kinds, drawn at random (seeded):
 * input packets for far-future ticks (three in ten), for far-past ticks, for ticks inside the
 * host's window (stored, but bounded), frames over the channel limit, frames with MessagePack
 * extension types, frames nested a whole frame deep, reliable game events (only the host may send
 * them), and clock pings or garbage.
 */

import {
  encodeFrame,
  FRAME_HEADER_BYTES,
  frame,
  MAX_UNRELIABLE_FRAME_BYTES,
  PacketTag,
} from '@tickmesh/netcode/internals';
import { createRandom } from '@tickmesh/netcode/testing';
import { Packr } from 'msgpackr';

export type HostileKind =
  | 'future'
  | 'past'
  | 'window'
  | 'oversize'
  | 'extension'
  | 'depth'
  | 'event'
  | 'ping'
  | 'garbage';

const KINDS: readonly HostileKind[] = [
  'future',
  'past',
  'future',
  'window',
  'oversize',
  'future',
  'extension',
  'depth',
  'event',
  'ping',
];

export interface HostileFrame {
  kind: HostileKind;
  bytes: Uint8Array;
  reliable: boolean;
}

export interface Attack {
  /** The `i`th frame (`i` goes into event and ping payloads), aimed at a peer now at `tick`. */
  frame(i: number, tick: number): HostileFrame;
  /** Frames made so far, by kind. */
  readonly made: Record<HostileKind, number>;
}

/** The dots game's neutral input: valid, and the same as no input at all. */
const still = { dx: 0, dy: 0, fire: false };
const extended = new Packr({ moreTypes: true, structuredClone: true, useBigIntExtension: true, useRecords: false });
const records = new Packr({ useRecords: true, useBigIntExtension: true });
const extensionValues: readonly unknown[] = [
  new Date(1_700_000_000_123),
  new Set([1]),
  /x+/g,
  new TypeError('boom'),
  2n ** 70n,
  new Float64Array(8),
  undefined, // fixext 0 with this encoder
];

/** The payload bytes of `levels` nested one-element arrays around a 1. */
export function nested(levels: number): Uint8Array {
  const body = new Uint8Array(levels + 1).fill(0x91);
  body[levels] = 0x01;
  return body;
}
const deepUnreliable = nested(MAX_UNRELIABLE_FRAME_BYTES - FRAME_HEADER_BYTES - 1);
const deepReliable = nested(60_000);

export function createAttack(seed: number): Attack {
  const random = createRandom(seed);
  const made = Object.fromEntries(
    ['future', 'past', 'window', 'oversize', 'extension', 'depth', 'event', 'ping', 'garbage'].map((k) => [k, 0]),
  ) as Record<HostileKind, number>;
  let seq = 0;
  const int = (n: number) => Math.floor(random() * n);
  const inputs = (firstTick: number) => encodeFrame(seq++, [PacketTag.input, -1, -1, firstTick, 64, still]);

  function build(kind: HostileKind, i: number, tick: number): HostileFrame {
    switch (kind) {
      case 'future':
        return { kind, reliable: false, bytes: inputs(tick + 1_000 + int(2 ** 32 - tick - 2_000)) };
      case 'past':
        return { kind, reliable: false, bytes: inputs(int(Math.max(1, tick - 400))) };
      case 'window':
        return { kind, reliable: false, bytes: inputs(Math.max(0, tick - 240 + int(300))) };
      case 'oversize': {
        const reliable = int(10) === 0; // 70 KB on the reliable channel
        const pad = 'x'.repeat(reliable ? 70_000 : 1_200 + int(800));
        return { kind, reliable, bytes: encodeFrame(seq++, [PacketTag.input, -1, -1, tick, 1, { ...still, pad }]) };
      }
      case 'extension': {
        const value = extensionValues[int(extensionValues.length)];
        const packr = int(8) === 0 ? records : extended;
        const payload =
          int(2) === 0
            ? [PacketTag.input, -1, -1, tick, 1, { ...still, dx: value }]
            : [PacketTag.event, tick, { value }];
        return { kind, reliable: payload[0] === PacketTag.event, bytes: frame(seq++, packr.pack(payload)) };
      }
      case 'depth': {
        const reliable = int(10) === 0;
        return { kind, reliable, bytes: frame(seq++, reliable ? deepReliable : deepUnreliable) };
      }
      case 'event':
        return {
          kind,
          reliable: true,
          bytes: encodeFrame(seq++, [PacketTag.event, tick, { type: 'scored', score: i }]),
        };
      case 'ping':
        return { kind, reliable: false, bytes: encodeFrame(seq++, [PacketTag.ping, i, 1]) };
      case 'garbage': {
        const garbage = [[99, i], [PacketTag.input, -1, -1, tick, 1, { dx: 5 }], { type: 'input' }, 'hello'];
        return { kind, reliable: false, bytes: encodeFrame(seq++, garbage[int(garbage.length)]) };
      }
    }
  }

  return {
    made,
    frame(i, tick) {
      // Pings and garbage share a slot.
      const slot = KINDS[int(KINDS.length)] as HostileKind;
      const kind = slot === 'ping' && int(2) === 0 ? 'garbage' : slot;
      made[kind]++;
      return build(kind, i, tick);
    },
  };
}
