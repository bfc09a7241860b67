// Property: whatever one hostile client sends (random JSON, malformed frames, valid-looking messages
// with wrong fields, huge strings, deep nesting, Unicode edge cases, unknown types, binary frames,
// text frames of invalid UTF-8, signals to random ids, room operations in random order,
// reconnects), every other client keeps being served correctly, every server message stays
// conformant, and the process stays up.
import { ErrorCode, Limits } from '@tickmesh/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getHealth } from '../helpers/http.js';
import { joinedRoom, type LobbyClient, type LobbyFixture, useLobbyServer } from '../helpers/lobby-client.js';
import { waitFor } from '../helpers/wait.js';

type Action =
  | { kind: 'json'; value: unknown }
  | { kind: 'raw'; text: string }
  | { kind: 'binary'; bytes: Uint8Array }
  | { kind: 'sized'; bytes: number }
  | { kind: 'deep'; levels: number; open: '[' | '{"a":'; type: string }
  | { kind: 'utf8'; bytes: Uint8Array }
  | { kind: 'reconnect'; resume: boolean }
  | { kind: 'accomplice'; op: 'join' | 'ready' | 'unready' | 'leave' | 'drop' }
  | { kind: 'honest' };

const TYPES = [
  'hello',
  'ping',
  'room.create',
  'room.join',
  'room.quickplay',
  'room.list',
  'room.leave',
  'room.ready',
  'room.settings',
  'room.start',
  'room.end',
  'room.kick',
  'room.chat',
  'signal',
] as const;

/** A long string of `x`, printed compactly when fast-check reports a counterexample. */
class Huge {
  constructor(readonly length: number) {}
  toJSON(): string {
    return 'x'.repeat(this.length);
  }
  [fc.toStringMethod](): string {
    return `Huge(${this.length})`;
  }
}

/** Peer ids and codes the hostile client aims at: the honest peers' ids are filled in per test. */
function arbitraries(targets: { peerIds: string[] }) {
  const hugeString = fc.integer({ min: 1, max: 66_000 }).map((n) => new Huge(n));
  const weird = fc.oneof(
    { weight: 4, arbitrary: fc.jsonValue() },
    { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    {
      weight: 3,
      arbitrary: fc.constantFrom('', ' ', '\u0000', '\u0085', '😀'.repeat(30), '__proto__', 'constructor', 'NaN', '-0'),
    },
    // Unicode edge cases: bidi overrides and isolates, zero-width and invisible characters, lone
    // surrogates of both halves, noncharacters, a BOM, combining marks alone, right-to-left text.
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        'Ann\u202Egnp.exe',
        '\u2066x\u2069',
        '\u200B\u200C\u200D',
        '\u3164',
        '\uFEFFAnn',
        '\uD800',
        'a\uDC00b',
        '\uDBFF\uDBFF',
        '\uFFFF\uFFFE',
        '\u0301\u0301',
        'أحمد',
        '\u{1F600}'.repeat(24),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.string({
        unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
        maxLength: 8,
      }),
    },
    { weight: 2, arbitrary: fc.constantFrom(-0, 1e308, -1, 2 ** 53, 0.5, Number.MAX_SAFE_INTEGER) },
    { weight: 2, arbitrary: fc.constantFrom(null, true, [], {}, { __proto__: null }) },
    { weight: 1, arbitrary: hugeString },
  );
  const peerId = fc.oneof(fc.constantFrom(...targets.peerIds), fc.string({ maxLength: 70 }), weird);
  const code = fc.oneof(
    fc.stringMatching(new RegExp(`^[${Limits.roomCodeAlphabet}${Limits.roomCodeAlphabet.toLowerCase()}]{6}$`)),
    weird,
  );
  const settings = fc.oneof(
    fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue(), { maxKeys: 5 }),
    fc.constant({ lateJoin: true }),
    fc.constant({ big: new Huge(Limits.maxSettingsBytes) }),
    weird,
  );
  const rid = fc.oneof(fc.string({ maxLength: 70 }), fc.integer(), fc.double(), weird);

  // Valid-looking messages: a known type with fields that are sometimes right and sometimes not.
  const message = fc.record(
    {
      type: fc.oneof(fc.constantFrom(...TYPES), fc.string({ maxLength: 20 })),
      rid,
      name: fc.oneof(fc.string({ maxLength: 30 }), weird),
      token: fc.oneof(fc.string({ maxLength: 130 }), weird),
      t: fc.oneof(fc.double(), weird),
      public: fc.oneof(fc.boolean(), weird),
      maxPlayers: fc.oneof(fc.integer({ min: 0, max: 20 }), weird),
      settings,
      code,
      ready: fc.oneof(fc.boolean(), weird),
      peerId,
      text: fc.oneof(fc.string({ maxLength: 300 }), weird),
      to: peerId,
      from: peerId,
      data: fc.oneof(fc.jsonValue(), fc.constant(new Huge(Limits.maxSignalBytes)), weird),
    },
    { requiredKeys: ['type'] },
  );
  // Well-formed room operations in random order, so the hostile client reaches every state.
  const roomOp = fc.oneof(
    fc.record({ type: fc.constant('hello'), name: fc.constantFrom('Mallory', ' M ', 'x') }),
    fc.record({
      type: fc.constant('room.create'),
      public: fc.boolean(),
      maxPlayers: fc.integer({ min: 2, max: 16 }),
      settings: fc.constantFrom({}, { lateJoin: true }),
    }),
    fc.constantFrom(
      { type: 'room.quickplay' },
      { type: 'room.list' },
      { type: 'room.leave' },
      { type: 'room.ready', ready: true },
      { type: 'room.ready', ready: false },
      { type: 'room.start' },
      { type: 'room.end' },
      { type: 'room.settings', settings: { lateJoin: true } },
      { type: 'room.chat', text: 'gg' },
      { type: 'ping', t: 1 },
    ),
    fc.record({ type: fc.constant('room.kick'), peerId }),
    fc.record({ type: fc.constant('signal'), to: peerId, data: fc.jsonValue() }),
  );

  const action: fc.Arbitrary<Action> = fc.oneof(
    { weight: 4, arbitrary: message.map((value) => ({ kind: 'json' as const, value })) },
    { weight: 6, arbitrary: roomOp.map((value) => ({ kind: 'json' as const, value })) },
    { weight: 2, arbitrary: fc.jsonValue().map((value) => ({ kind: 'json' as const, value })) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom('{', '{"type":', '}{', '\u0000', ''))
        .map((text) => ({ kind: 'raw' as const, text })),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ kind: 'binary' as const, bytes })) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(Limits.maxFrameBytes, Limits.maxFrameBytes + 1, 70_000)
        .map((bytes) => ({ kind: 'sized' as const, bytes })),
    },
    { weight: 1, arbitrary: fc.boolean().map((resume) => ({ kind: 'reconnect' as const, resume })) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('deep' as const),
        levels: fc.oneof(fc.integer({ min: 20, max: 40 }), fc.integer({ min: 1000, max: 30_000 })),
        open: fc.constantFrom('[' as const, '{"a":' as const),
        type: fc.constantFrom('signal', 'room.create', 'room.settings', 'hello', 'nope'),
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          fc.constant(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])),
          fc.constant(new Uint8Array([0xed, 0xa0, 0x80])), // an encoded surrogate
          fc.constant(new Uint8Array([0xc0, 0xaf])), // an overlong '/'
          fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Uint8Array.from([0x80, ...b])),
        )
        .map((bytes) => ({ kind: 'utf8' as const, bytes })),
    },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom('join', 'join', 'ready', 'ready', 'unready', 'leave', 'drop')
        .map((op) => ({ kind: 'accomplice' as const, op })),
    },
    { weight: 2, arbitrary: fc.constant({ kind: 'honest' as const }) },
  );
  return { action };
}

/** A message of `type` whose payload nests `levels` deep, as one frame (fits in 64 KiB up to ~30,000). */
function deepFrame(action: Extract<Action, { kind: 'deep' }>): string {
  const close = action.open === '[' ? ']' : '}';
  const field = action.type === 'room.create' || action.type === 'room.settings' ? 'settings' : 'data';
  const inner = `${action.open.repeat(action.levels)}1${close.repeat(action.levels)}`;
  return `{"type":"${action.type}","to":"x","name":"x",${field === 'settings' ? `"settings":{"x":${inner}}` : `"data":${inner}`}}`;
}

/** A ping of exactly `bytes` bytes of JSON text. */
function sizedPing(bytes: number): string {
  const empty = JSON.stringify({ type: 'ping', pad: '' });
  return JSON.stringify({ type: 'ping', pad: 'x'.repeat(bytes - empty.length) });
}

/** One round of honest traffic: a signal each way with fresh data, and pings with t, all checked. */
async function honestRound(a: LobbyClient, b: LobbyClient, n: number): Promise<void> {
  const data = { n, sdp: `v=0 round ${n}`, list: [n, 'x', null] };
  a.send({ type: 'signal', to: b.peerId, data });
  b.send({ type: 'signal', to: a.peerId, data: { back: n } });
  expect(await b.next('signal')).toEqual({ type: 'signal', from: a.peerId, data });
  expect(await a.next('signal')).toEqual({ type: 'signal', from: b.peerId, data: { back: n } });
  expect(await a.request({ type: 'ping', t: n + 0.5 })).toMatchObject({ type: 'pong', t: n + 0.5 });
  expect(await b.request({ type: 'ping', t: -n - 1 })).toMatchObject({ type: 'pong', t: -n - 1 });
}

async function runHostile(
  lobby: LobbyFixture,
  honest: { a: LobbyClient; b: LobbyClient; round: { n: number } },
  identify: boolean,
  actions: Action[],
) {
  const { a, b, round } = honest;
  let hostile = await lobby.connect({ label: 'hostile' });
  const retired: LobbyClient[] = [hostile];
  if (identify) hostile.send({ type: 'hello', name: 'Mallory' });
  let token: string | null = null;
  // A second hostile connection that follows the first into its rooms, so games can start.
  let accomplice: LobbyClient | null = null;
  const hostileRoom = (): string | null => {
    for (let i = hostile.log.length - 1; i >= 0; i--) {
      const m = hostile.log[i];
      if (m?.type === 'room.state') return m.room.code;
    }
    return null;
  };
  /** Sends one text frame; a frame over 64 KiB must close the connection, and the hostile comes back. */
  const sendText = async (text: string) => {
    hostile.sendRaw(text);
    const bytes = Buffer.byteLength(text);
    if (bytes <= Limits.maxFrameBytes) return;
    const { code } = await hostile.closed;
    // Over uWS's own 1 MiB limit the socket is dropped without a close frame (1006).
    expect(code).toBe(bytes > 1024 * 1024 ? 1006 : 1009);
    hostile = await lobby.connect({ label: 'hostile' });
    retired.push(hostile);
  };
  for (const action of actions) {
    switch (action.kind) {
      case 'json':
        await sendText(JSON.stringify(action.value) ?? 'null');
        break;
      case 'raw':
        await sendText(action.text);
        break;
      case 'binary':
        hostile.sendRaw(action.bytes);
        break;
      case 'sized':
        await sendText(sizedPing(action.bytes));
        break;
      case 'deep':
        await sendText(deepFrame(action));
        break;
      case 'utf8': {
        // The transport drops the connection itself (no close frame); the hostile comes back.
        hostile.sendTextBytes(action.bytes);
        expect((await hostile.closed).code).toBe(1006);
        hostile = await lobby.connect({ label: 'hostile' });
        retired.push(hostile);
        if (identify) hostile.send({ type: 'hello', name: 'Mallory' });
        break;
      }
      case 'reconnect': {
        const welcome = hostile.log.find((m) => m.type === 'welcome');
        if (welcome?.type === 'welcome') token = welcome.token;
        await hostile.terminate();
        hostile = await lobby.connect({ label: 'hostile' });
        retired.push(hostile);
        if (action.resume && token !== null) hostile.send({ type: 'hello', name: 'Mallory', token });
        else if (identify) hostile.send({ type: 'hello', name: 'Mallory' });
        break;
      }
      case 'accomplice': {
        if (!accomplice) {
          accomplice = await lobby.connect({ label: 'accomplice' });
          retired.push(accomplice);
          accomplice.send({ type: 'hello', name: 'Eve' });
        }
        const code = hostileRoom();
        if (action.op === 'join' && code) accomplice.send({ type: 'room.join', code });
        if (action.op === 'ready') accomplice.send({ type: 'room.ready', ready: true });
        if (action.op === 'unready') accomplice.send({ type: 'room.ready', ready: false });
        if (action.op === 'leave') accomplice.send({ type: 'room.leave' });
        if (action.op === 'drop') {
          await accomplice.terminate();
          accomplice = null;
        }
        break;
      }
      case 'honest':
        await honestRound(a, b, round.n++);
        break;
      default:
        action satisfies never;
    }
  }
  // Nothing escaped into the event loop (in production that would kill the process).
  expect(lobby.uncaught).toEqual([]);
  // The hostile connections are still served.
  await hostile.barrier();
  await (accomplice as LobbyClient | null)?.barrier();
  await honestRound(a, b, round.n++);
  for (const h of retired) {
    expect(h.violations).toEqual([]);
    // Never anything but protocol errors for junk: no signal from a peer it was not in a room with.
    for (const m of h.log) if (m.type === 'signal') expect([a.peerId, b.peerId]).not.toContain(m.from);
    await h.terminate();
  }
  // The honest peers got nothing but what they asked for: no stray signal, state or error.
  expect(await a.settle()).toEqual([]);
  expect(await b.settle()).toEqual([]);
}

describe('a hostile client', () => {
  const lobby = useLobbyServer({ rateLimitPerS: 100_000, rateBurst: 100_000, graceMs: 50, countdownMs: 5 });

  it('never disturbs two honest peers in a room, nor the process', async () => {
    const { code, clients } = await joinedRoom(lobby, ['Ann', 'Bob']);
    const [a, b] = clients as [LobbyClient, LobbyClient];
    const { action } = arbitraries({ peerIds: [a.peerId, b.peerId] });
    const round = { n: 0 };

    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(true, true, true, false),
        fc.array(action, { maxLength: 40, size: 'max' }),
        (identify, actions) => runHostile(lobby, { a, b, round }, identify, actions),
      ),
      { numRuns: 60, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31), endOnFailure: true },
    );

    // The honest room is untouched: same code, same two connected members.
    const state = await a.expectAnswer({ type: 'room.ready', ready: false }, 'room.state');
    expect(state.room.code).toBe(code);
    expect(state.room.peers.map((p) => [p.id, p.connected])).toEqual([
      [a.peerId, true],
      [b.peerId, true],
    ]);
    expect(round.n).toBeGreaterThan(60);
    // The process is alive and its counts settle back to the two honest connections.
    const health = () => getHealth(lobby.server.port);
    await waitFor(async () => (await health()).connections === 2, 'the two honest connections alone', {
      report: health,
    });
    // The hostile sessions' grace ran out, so only the honest room remains.
    await waitFor(async () => (await health()).rooms === 1, 'the honest room alone', { report: health });
    await a.expectError({ type: 'room.create' }, ErrorCode.ALREADY_IN_ROOM);
  });
});
