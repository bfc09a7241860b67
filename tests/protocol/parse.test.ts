// Parsing untrusted client frames: the right message or the right error code, never a throw.
import {
  ErrorCode,
  Limits,
  parseClientMessage,
  parseServerMessage,
  type ServerMessage,
  serverMessageCheck,
} from '@tickmesh/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const parse = (value: unknown) => parseClientMessage(JSON.stringify(value));
const errorOf = (value: unknown) => {
  const result = typeof value === 'string' ? parseClientMessage(value) : parse(value);
  return result.ok ? null : result.code;
};

describe('parseClientMessage', () => {
  it('parses every client message type', () => {
    const valid = [
      { type: 'hello', name: 'Ann', token: 'x' },
      { type: 'ping', t: 1.5 },
      { type: 'room.create', public: true, maxPlayers: 16, settings: { map: 'dust' } },
      { type: 'room.join', code: 'abcdef' },
      { type: 'room.quickplay' },
      { type: 'room.list' },
      { type: 'room.leave' },
      { type: 'room.ready', ready: true },
      { type: 'room.settings', settings: {} },
      { type: 'room.start' },
      { type: 'room.end' },
      { type: 'room.kick', peerId: 'p' },
      { type: 'room.chat', text: 'gg' },
      { type: 'signal', to: 'p', data: { sdp: 'v=0' } },
    ];
    for (const message of valid) expect(parse(message), message.type).toMatchObject({ ok: true });
  });

  it('normalizes: names trimmed, codes upper-cased', () => {
    expect(parse({ type: 'hello', name: '  Ann  ' })).toMatchObject({ ok: true, message: { name: 'Ann' } });
    expect(parse({ type: 'room.join', code: 'ab2def' })).toMatchObject({ ok: true, message: { code: 'AB2DEF' } });
  });

  it('hands signal data on serialized once', () => {
    const result = parse({ type: 'signal', to: 'p', data: { candidate: 'a=1' } });
    expect(result).toMatchObject({ ok: true, signalDataJson: '{"candidate":"a=1"}' });
  });

  it('classifies malformed frames', () => {
    expect(errorOf('not json')).toBe(ErrorCode.BAD_MESSAGE);
    expect(errorOf([])).toBe(ErrorCode.BAD_MESSAGE);
    expect(errorOf({ name: 'x' })).toBe(ErrorCode.BAD_MESSAGE);
    expect(errorOf({ type: 7 })).toBe(ErrorCode.BAD_MESSAGE);
    expect(errorOf({ type: 'room.teleport' })).toBe(ErrorCode.UNKNOWN_TYPE);
    expect(errorOf({ type: 'room.ready', ready: 'yes' })).toBe(ErrorCode.BAD_MESSAGE);
    expect(errorOf({ type: 'room.create', maxPlayers: 17 })).toBe(ErrorCode.BAD_MESSAGE);
    expect(errorOf({ type: 'room.create', maxPlayers: 1 })).toBe(ErrorCode.BAD_MESSAGE);
    expect(errorOf({ type: 'room.create', maxPlayers: 2.5 })).toBe(ErrorCode.BAD_MESSAGE);
    expect(errorOf({ type: 'room.create', settings: [] })).toBe(ErrorCode.BAD_MESSAGE);
    expect(errorOf({ type: 'room.chat', text: '' })).toBe(ErrorCode.BAD_MESSAGE);
    expect(errorOf({ type: 'room.chat', text: 'x'.repeat(281) })).toBe(ErrorCode.BAD_MESSAGE);
    expect(errorOf({ type: 'room.chat', text: '😀'.repeat(280) })).toBeNull();
    expect(errorOf({ type: 'signal', to: 'p' })).toBe(ErrorCode.BAD_MESSAGE);
    expect(errorOf({ type: 'hello', name: 5 })).toBe(ErrorCode.BAD_MESSAGE);
  });

  it('gives names their own code', () => {
    expect(errorOf({ type: 'hello', name: '   ' })).toBe(ErrorCode.INVALID_NAME);
    expect(errorOf({ type: 'hello', name: 'x'.repeat(25) })).toBe(ErrorCode.INVALID_NAME);
    expect(errorOf({ type: 'hello', name: 'a\u0007b' })).toBe(ErrorCode.INVALID_NAME);
    expect(errorOf({ type: 'hello', name: 'a\u009fb' })).toBe(ErrorCode.INVALID_NAME);
    expect(errorOf({ type: 'hello', name: ` ${'x'.repeat(24)} ` })).toBeNull();
  });

  it('gives byte limits their own code', () => {
    const bigSettings = { blob: 'x'.repeat(Limits.maxSettingsBytes) };
    expect(errorOf({ type: 'room.create', settings: bigSettings })).toBe(ErrorCode.TOO_LARGE);
    expect(errorOf({ type: 'room.settings', settings: bigSettings })).toBe(ErrorCode.TOO_LARGE);
    const fits = { blob: 'x'.repeat(Limits.maxSettingsBytes - '{"blob":""}'.length) };
    expect(errorOf({ type: 'room.settings', settings: fits })).toBeNull();
    expect(errorOf({ type: 'signal', to: 'p', data: 'x'.repeat(Limits.maxSignalBytes) })).toBe(ErrorCode.TOO_LARGE);
    expect(errorOf({ type: 'signal', to: 'p', data: 'x'.repeat(Limits.maxSignalBytes - 2) })).toBeNull();
  });

  it('echoes a valid rid on errors, and refuses an invalid one', () => {
    expect(parse({ type: 'nope', rid: 'r1' })).toMatchObject({ ok: false, code: ErrorCode.UNKNOWN_TYPE, rid: 'r1' });
    expect(parse({ type: 'room.ready', rid: 9 })).toMatchObject({ ok: false, rid: 9 });
    expect(errorOf({ type: 'ping', rid: 'r'.repeat(65) })).toBe(ErrorCode.BAD_MESSAGE);
    expect(errorOf({ type: 'ping', rid: 1.5 })).toBe(ErrorCode.BAD_MESSAGE);
    expect(errorOf({ type: 'ping', rid: 2 ** 53 })).toBe(ErrorCode.BAD_MESSAGE);
    expect(errorOf({ type: 'ping', rid: '😀'.repeat(64) })).toBeNull();
    const noRid = parse({ type: 'ping', rid: {} });
    expect(noRid.ok === false && 'rid' in noRid).toBe(false);
  });

  it('never throws, whatever arrives', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (text) => {
          const result = parseClientMessage(text);
          expect(typeof result.ok).toBe('boolean');
        },
      ),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.constantFrom('hello', 'ping', 'room.create', 'room.join', 'room.ready', 'room.chat', 'signal', 'room.kick'),
        fc.dictionary(
          fc.constantFrom('name', 'code', 'ready', 'text', 'to', 'data', 'settings', 'rid', 't'),
          fc.jsonValue(),
        ),
        (type, fields) => {
          const result = parse({ ...fields, type });
          expect(typeof result.ok).toBe('boolean');
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('parseServerMessage', () => {
  it('round-trips every server message type', () => {
    const messages: ServerMessage[] = [
      {
        type: 'welcome',
        peerId: 'p',
        token: 't',
        iceServers: [{ urls: 'stun:x' }],
        resumed: false,
        protocol: 1,
        rid: 1,
      },
      { type: 'pong', t: 3 },
      {
        type: 'room.state',
        room: {
          code: 'ABCDEF',
          state: 'countdown',
          hostId: 'p',
          public: false,
          maxPlayers: 8,
          settings: {},
          countdownEndsAt: 5,
          peers: [{ id: 'p', name: 'A', ready: true, connected: true, seq: 1 }],
        },
      },
      { type: 'room.list', rooms: [{ code: 'ABCDEF', players: 2, maxPlayers: 8, state: 'open' }] },
      { type: 'room.chat', from: 'p', name: 'A', text: 'hi', at: 1 },
      { type: 'room.left', code: 'ABCDEF', reason: 'kicked' },
      { type: 'signal', from: 'p', data: null },
      { type: 'error', code: 'ROOM_FULL', message: 'full', rid: 'x' },
    ];
    for (const message of messages) expect(parseServerMessage(JSON.stringify(message))).toEqual(message);
    expect(parseServerMessage('{"type":"welcome"}')).toBeNull();
    expect(parseServerMessage('nope')).toBeNull();
    expect(serverMessageCheck({ type: 'error', code: 'NOPE', message: '' })).toBe(
      'code: expected "BAD_MESSAGE" | "TOO_LARGE" | "UNKNOWN_TYPE" | "NOT_IDENTIFIED" | "INVALID_NAME" | "ALREADY_IN_ROOM" | "NOT_IN_ROOM" | "ROOM_NOT_FOUND" | "ROOM_FULL" | "ROOM_IN_GAME" | "NOT_HOST" | "NOT_READY" | "BAD_STATE" | "PEER_NOT_FOUND" | "RATE_LIMITED" | "TOO_MANY_ROOMS" | "TOO_MANY_FAILED_JOINS"',
    );
    expect(serverMessageCheck({ type: 'room.state', room: { code: 'A', peers: [] } })).toBe(
      'room.state: expected "open" | "countdown" | "playing"',
    );
  });
});
