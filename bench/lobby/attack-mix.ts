/**
 * The hostile mix of the attack scenario: which attacks, how many connection slots each, from
 * which of the attackers' few shared addresses, and the frames they send (encoded once, sent many
 * times). attack-slot.ts plays them; every slot reconnects when the server closes it.
 *
 * Addresses are shared the way a botnet's or one abuser's would be, and grouped so that one
 * attack's per-address limit does not hide another's: the code guessers burn their address's
 * failed-join budget (which would refuse the room attacks' joins too) and the churners fill
 * theirs to the connection cap (which would refuse every reconnect of the others).
 */
import { randomBytes } from 'node:crypto';
import { Limits } from '@tickmesh/protocol';
import { encodeFrame, Opcode } from './raw-ws-client.ts';

export type AttackRole =
  | 'deep-nesting'
  | 'near-limit'
  | 'over-limit'
  | 'binary'
  | 'invalid-utf8'
  | 'room-list'
  | 'join-guess'
  | 'ready-toggle'
  | 'big-signal'
  | 'silent'
  | 'churn';

/** How a role's connection behaves once open. */
export type RolePacing =
  /** Says nothing at all. */
  | 'silent'
  /** Sends one frame without hello, then waits to be closed. */
  | 'one-frame'
  /** Says hello (and joins its room), then sends at the server's message rate. */
  | 'paced'
  /** Many short connections per slot (attack-slot.ts). */
  | 'churn';

export interface RoleSpec {
  role: AttackRole;
  /** How its connections behave once open. */
  pacing: RolePacing;
  /** Connection slots playing it (churn slots each open many connections, see the config). */
  slots: number;
  /** Which shared attacker address (0-based) its slots present. */
  address: number;
  /** Slots per room for the attacks played inside rooms of attackers; 0 for none. */
  roomSize: number;
  /** What it does and what the server should answer, for the report. */
  what: string;
}

/** 100 slots over 5 addresses. */
export const ATTACK_MIX: readonly RoleSpec[] = [
  {
    role: 'deep-nesting',
    pacing: 'paced',
    slots: 10,
    address: 0,
    roomSize: 0,
    what: '40 KB signal, data 20,000 arrays deep',
  },
  {
    role: 'near-limit',
    pacing: 'paced',
    slots: 10,
    address: 0,
    roomSize: 0,
    what: 'frame of exactly 64 KiB (signal data too big)',
  },
  {
    role: 'big-signal',
    pacing: 'paced',
    slots: 10,
    address: 1,
    roomSize: 2,
    what: '32 KiB signals to each other, 5 rooms of 2',
  },
  { role: 'binary', pacing: 'paced', slots: 10, address: 1, roomSize: 0, what: '16 KiB binary frames of random bytes' },
  {
    role: 'ready-toggle',
    pacing: 'paced',
    slots: 10,
    address: 2,
    roomSize: 10,
    what: 'one room, 4 KiB settings, ready/settings flips',
  },
  {
    role: 'room-list',
    pacing: 'paced',
    slots: 10,
    address: 2,
    roomSize: 0,
    what: 'room.list limit 100, each holding a public room',
  },
  { role: 'join-guess', pacing: 'paced', slots: 10, address: 3, roomSize: 0, what: 'room.join with random codes' },
  { role: 'silent', pacing: 'silent', slots: 10, address: 3, roomSize: 0, what: 'connect, never say hello' },
  {
    role: 'over-limit',
    pacing: 'one-frame',
    slots: 5,
    address: 3,
    roomSize: 0,
    what: 'one frame of 64 KiB + 1 byte per connection',
  },
  {
    role: 'invalid-utf8',
    pacing: 'one-frame',
    slots: 5,
    address: 3,
    roomSize: 0,
    what: 'one text frame of invalid UTF-8 per connection',
  },
  { role: 'churn', pacing: 'churn', slots: 10, address: 4, roomSize: 0, what: 'open, hello, hold, close, on and on' },
];

/** A peer id of the right shape that names no one. */
const NOBODY = 'AAAAAAAAAAAA';

/** `{"type":"signal","to":TO,"data":"xxx…"}` padded to exactly `frameBytes` bytes. */
function paddedSignal(to: string, frameBytes: number): string {
  const head = `{"type":"signal","to":"${to}","data":"`;
  return `${head}${'x'.repeat(frameBytes - head.length - 2)}"}`;
}

/** A settings object of just under the 4 KiB limit as JSON; `flip` makes two versions that differ. */
export function bigSettings(flip: boolean): Record<string, string> {
  const pad = Limits.maxSettingsBytes - 64;
  return { map: flip ? 'arena-b' : 'arena-a', blob: 'y'.repeat(pad) };
}

/** A 32 KiB signal (data exactly at the limit) to `to`, encoded. */
export function bigSignalFrame(to: string): Buffer {
  const data = 'z'.repeat(Limits.maxSignalBytes - 2);
  return encodeFrame(Opcode.text, `{"type":"signal","to":"${to}","data":"${data}"}`);
}

/** A `room.join` of a random well-formed code, encoded. */
export function guessFrame(): Buffer {
  const bytes = randomBytes(Limits.roomCodeLength);
  let code = '';
  for (const byte of bytes) code += Limits.roomCodeAlphabet[byte % Limits.roomCodeAlphabet.length];
  return encodeFrame(Opcode.text, `{"type":"room.join","code":"${code}"}`);
}

/** Frames that never change, encoded once. */
export interface FixedFrames {
  deepNesting: Buffer;
  nearLimit: Buffer;
  overLimit: Buffer;
  binary: Buffer;
  invalidUtf8: Buffer;
  roomList: Buffer;
  ready: readonly [Buffer, Buffer];
  settings: readonly [Buffer, Buffer];
}

export function fixedFrames(): FixedFrames {
  const levels = 20_000;
  const nested = `${'['.repeat(levels)}${']'.repeat(levels)}`;
  // Mostly text, with bytes no UTF-8 text holds: a lone continuation byte, an overlong '/', 0xFF.
  const invalid = Buffer.alloc(1024, 0x61);
  invalid.set([0x80, 0xc0, 0xaf, 0xff], 512);
  const settingsFrame = (flip: boolean) =>
    encodeFrame(Opcode.text, JSON.stringify({ type: 'room.settings', settings: bigSettings(flip) }));
  return {
    deepNesting: encodeFrame(Opcode.text, `{"type":"signal","to":"${NOBODY}","data":${nested}}`),
    nearLimit: encodeFrame(Opcode.text, paddedSignal(NOBODY, Limits.maxFrameBytes)),
    overLimit: encodeFrame(Opcode.text, paddedSignal(NOBODY, Limits.maxFrameBytes + 1)),
    binary: encodeFrame(Opcode.binary, randomBytes(16 * 1024)),
    invalidUtf8: encodeFrame(Opcode.text, invalid),
    roomList: encodeFrame(Opcode.text, JSON.stringify({ type: 'room.list', limit: Limits.maxRoomListPage })),
    ready: [
      encodeFrame(Opcode.text, '{"type":"room.ready","ready":true}'),
      encodeFrame(Opcode.text, '{"type":"room.ready","ready":false}'),
    ],
    settings: [settingsFrame(true), settingsFrame(false)],
  };
}
