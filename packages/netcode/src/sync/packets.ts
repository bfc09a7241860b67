/**
 * Peer-to-peer packets of the sync layer: small MessagePack tuples tagged by their first element.
 * They ride the transport's frames (codec/frame.ts: version byte, sequence number), which carry
 * the format version, so a tuple needs no version of its own.
 *
 *   input     [1, ackTick, viewTick, firstTick, count, input, ±count, input, ...]  unreliable, to all
 *   snapshot  [2, lastInputTick, part, inputWaitMs, inputWaitMinMs]              unreliable, host to each
 *   ping      [3, id, sentAt]                                                    unreliable, to the host
 *   pong      [4, id, sentAt, hostTime]                                          unreliable, host to sender
 *   event     [5, tick, event]                                                   reliable, host to all
 *
 * Other layers share the mesh with tags of their own (the engine skips their packets without
 * counting them as invalid, and they leave the sync layer's alone; any other tag is invalid):
 *
 *   chat      [32, text, twin?]                                                  reliable, to each (chat/chat-packet.ts)
 *   files     [40, control...]                                                   reliable, to each (files/wire.ts)
 *
 * An input packet repeats every input the host has not acknowledged, as runs of equal inputs
 * (`count` consecutive ticks with the same input), so holding a key costs a few bytes however many
 * ticks it spans. A run whose input is a plain object with the same keys as the run before is
 * sent as a negative count and only the keys that changed (aiming with the mouse changes one
 * number a tick: a few bytes instead of the whole input). `ackTick` is the newest complete snapshot the sender holds (-1: none); `viewTick`
 * is the tick it was drawing remote entities at (lag compensation). `lastInputTick` is the newest
 * tick of the receiver's inputs the host has processed (-1: none); `inputWaitMs` how long the
 * receiver's inputs have recently waited at the host for their tick (the median, whole ms;
 * negative: they came late; absent: not known yet), `inputWaitMinMs` the shortest of those waits.
 *
 * Parsing never throws: anything malformed yields null, to be counted and dropped.
 *
 * Reference: Glenn Fiedler, "Deterministic Lockstep" (gafferongames.com, 2014), for redundant
 * inputs until acknowledged.
 */

export const PacketTag = { input: 1, snapshot: 2, ping: 3, pong: 4, event: 5 } as const;
/** Chat's tag (chat/chat-packet.ts): another layer's packet on the same mesh. */
export const CHAT_TAG = 32;
/** File transfer's tag (files/wire.ts): another layer's packet on the same mesh. */
export const FILE_TAG = 40;

/**
 * Whether a payload is another layer's packet (chat's or file transfer's): the sync engine leaves
 * it alone, neither parsed nor counted as invalid (those layers count their own refusals). Any
 * other tag the engine does not know is an invalid sync packet, counted as one.
 */
export const isForeignPacket = (payload: unknown): boolean =>
  Array.isArray(payload) && (payload[0] === CHAT_TAG || payload[0] === FILE_TAG);

export interface InputPacket<Input> {
  readonly type: 'input';
  readonly ackTick: number;
  readonly viewTick: number;
  readonly firstTick: number;
  readonly inputs: readonly Input[];
}
export interface SnapshotPacket {
  readonly type: 'snapshot';
  readonly lastInputTick: number;
  readonly part: Uint8Array;
  readonly inputWaitMs: number | null;
  readonly inputWaitMinMs: number | null;
}
export interface PingPacket {
  readonly type: 'ping';
  readonly id: number;
  readonly sentAt: number;
}
export interface PongPacket {
  readonly type: 'pong';
  readonly id: number;
  readonly sentAt: number;
  readonly hostTime: number;
}
export interface EventPacket {
  readonly type: 'event';
  readonly tick: number;
  readonly event: unknown;
}
export type SyncPacket<Input> = InputPacket<Input> | SnapshotPacket | PingPacket | PongPacket | EventPacket;

/** Largest tick a packet may name (ticks are uint32). */
const MAX_TICK = 0xffffffff;

/** Encodes inputs of consecutive ticks from `firstTick`, equal neighbours as one run. */
export function encodeInputPacket<Input>(
  ackTick: number,
  viewTick: number,
  firstTick: number,
  inputs: readonly Input[],
  equal: (a: Input, b: Input) => boolean,
): unknown[] {
  const packet: unknown[] = [PacketTag.input, ackTick, viewTick, firstTick];
  let previous: Input | undefined;
  let i = 0;
  while (i < inputs.length) {
    const input = inputs[i] as Input;
    let count = 1;
    while (i + count < inputs.length && equal(inputs[i + count] as Input, input)) count++;
    const changes = previous === undefined ? null : changedKeys(previous, input, equal);
    if (changes === null) packet.push(count, input);
    else packet.push(-count, changes);
    previous = input;
    i += count;
  }
  return packet;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);

/** The keys of `next` that differ from `previous`, when both are plain objects with the same keys; else null. */
function changedKeys(previous: unknown, next: unknown, equal: (a: never, b: never) => boolean): object | null {
  if (!isPlainObject(previous) || !isPlainObject(next)) return null;
  const keys = Object.keys(next);
  if (keys.length !== Object.keys(previous).length) return null;
  const changes: Record<string, unknown> = {};
  for (const key of keys) {
    if (!Object.hasOwn(previous, key)) return null;
    if (!equal(previous[key] as never, next[key] as never)) changes[key] = next[key];
  }
  return changes;
}

export const encodeSnapshotPacket = (
  lastInputTick: number,
  part: Uint8Array,
  wait: { medianMs: number; minMs: number } | null,
): unknown[] =>
  wait === null
    ? [PacketTag.snapshot, lastInputTick, part]
    : [PacketTag.snapshot, lastInputTick, part, Math.round(wait.medianMs), Math.round(wait.minMs)];
export const encodePing = (id: number, sentAt: number): unknown[] => [PacketTag.ping, id, sentAt];
export const encodePong = (id: number, sentAt: number, hostTime: number): unknown[] => [
  PacketTag.pong,
  id,
  sentAt,
  hostTime,
];
export const encodeEvent = (tick: number, event: unknown): unknown[] => [PacketTag.event, tick, event];

const isTick = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_TICK;
const isTickOrNone = (v: unknown): v is number => v === -1 || isTick(v);
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** An input wait the host may report: whole ms within a minute either way. */
const isWait = (v: unknown): v is number => Number.isInteger(v) && Math.abs(v as number) <= 60_000;

/**
 * Parses a received payload. `parseInput` checks each input (the game's own check); `maxInputs`
 * bounds how many ticks one packet may expand to. Returns null for anything malformed.
 */
export function parsePacket<Input>(
  payload: unknown,
  parseInput: (raw: unknown) => Input | null,
  maxInputs: number,
): SyncPacket<Input> | null {
  if (!Array.isArray(payload) || payload.length < 2) return null;
  switch (payload[0]) {
    case PacketTag.input:
      return parseInputPacket(payload, parseInput, maxInputs);
    case PacketTag.snapshot: {
      const [, lastInputTick, part, inputWaitMs, inputWaitMinMs] = payload;
      if (payload.length !== 3 && payload.length !== 5) return null;
      if (!isTickOrNone(lastInputTick) || !(part instanceof Uint8Array)) return null;
      if (payload.length === 3)
        return { type: 'snapshot', lastInputTick, part, inputWaitMs: null, inputWaitMinMs: null };
      if (!isWait(inputWaitMs) || !isWait(inputWaitMinMs) || inputWaitMinMs > inputWaitMs) return null;
      return { type: 'snapshot', lastInputTick, part, inputWaitMs, inputWaitMinMs };
    }
    case PacketTag.ping: {
      const [, id, sentAt] = payload;
      if (payload.length !== 3 || !isTick(id) || !isTime(sentAt)) return null;
      return { type: 'ping', id, sentAt };
    }
    case PacketTag.pong: {
      const [, id, sentAt, hostTime] = payload;
      if (payload.length !== 4 || !isTick(id) || !isTime(sentAt) || !isTime(hostTime)) return null;
      return { type: 'pong', id, sentAt, hostTime };
    }
    case PacketTag.event: {
      const [, tick, event] = payload;
      if (payload.length !== 3 || !isTick(tick)) return null;
      return { type: 'event', tick, event };
    }
    default:
      return null;
  }
}

function parseInputPacket<Input>(
  payload: readonly unknown[],
  parseInput: (raw: unknown) => Input | null,
  maxInputs: number,
): InputPacket<Input> | null {
  const [, ackTick, viewTick, firstTick] = payload;
  if (!isTickOrNone(ackTick) || !isTickOrNone(viewTick) || !isTick(firstTick)) return null;
  if (payload.length < 6 || payload.length % 2 !== 0) return null;
  const inputs: Input[] = [];
  let previousRaw: unknown;
  for (let i = 4; i < payload.length; i += 2) {
    const signed = payload[i];
    if (!Number.isInteger(signed) || signed === 0) return null;
    const count = Math.abs(signed as number);
    if (inputs.length + count > maxInputs) return null;
    let raw = payload[i + 1];
    if ((signed as number) < 0) {
      // Changed keys only: every one must be a key of the input before.
      if (!isPlainObject(previousRaw) || !isPlainObject(raw)) return null;
      const base = previousRaw;
      if (!Object.keys(raw).every((key) => Object.hasOwn(base, key))) return null;
      raw = { ...base, ...raw };
    }
    const input = parseInput(raw);
    if (input === null) return null;
    previousRaw = raw;
    for (let n = 0; n < count; n++) inputs.push(input);
  }
  if (firstTick + inputs.length - 1 > MAX_TICK) return null;
  return { type: 'input', ackTick, viewTick, firstTick, inputs };
}

/**
 * Structural equality of two inputs as MessagePack would carry them (plain objects, arrays,
 * numbers, strings, booleans, null); used to merge runs of equal inputs.
 */
export function inputsEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  if (keysA.length !== Object.keys(b).length) return false;
  for (const key of keysA) {
    if (!Object.hasOwn(b, key) || !inputsEqual(Reflect.get(a, key), Reflect.get(b, key))) return false;
  }
  return true;
}
