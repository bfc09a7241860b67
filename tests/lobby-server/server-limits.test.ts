// The real lobby server over real WebSockets: frame size limits, binary frames, malformed and unknown
// messages, and the per-connection rate limit (with the limiter's 10 s close rule on injected times).
import { RateLimiter } from '@tickmesh/lobby-server';
import { CloseCode, ErrorCode, Limits } from '@tickmesh/protocol';
import { describe, expect, it } from 'vitest';
import { getHealth, getMetrics, sample } from '../helpers/http.js';
import { eventuallyAnswered, joinedRoom, type LobbyClient, useLobbyServer } from '../helpers/lobby-client.js';
import { waitFor } from '../helpers/wait.js';

/** A ping that is exactly `bytes` bytes of JSON text, padded with an extra field. */
function pingOfSize(bytes: number, rid: string): string {
  const empty = JSON.stringify({ type: 'ping', rid, pad: '' });
  const text = JSON.stringify({ type: 'ping', rid, pad: 'x'.repeat(bytes - empty.length) });
  expect(Buffer.byteLength(text)).toBe(bytes);
  return text;
}

describe('frames', () => {
  const lobby = useLobbyServer();

  it('accepts a frame of exactly 64 KiB', async () => {
    const a = await lobby.identified('Ann');
    a.sendRaw(pingOfSize(Limits.maxFrameBytes, 'edge'));
    expect(await a.next('pong')).toEqual({ type: 'pong', rid: 'edge' });
    expect(a.isOpen()).toBe(true);
  });

  it('closes the connection with 1009 on a frame of 64 KiB + 1, without disturbing others', async () => {
    const { clients } = await joinedRoom(lobby, ['Ann', 'Bob']);
    const [a, b] = clients as [LobbyClient, LobbyClient];
    b.sendRaw(pingOfSize(Limits.maxFrameBytes + 1, 'over'));
    expect((await b.closed).code).toBe(CloseCode.MESSAGE_TOO_BIG);
    // The oversized ping was not answered.
    expect(b.log.some((m) => m.type === 'pong')).toBe(false);
    // Bob's session went into grace like any dropped connection; Ann is served as before.
    await a.next('room.state', (m) => m.room.peers.some((p) => p.id === b.peerId && !p.connected));
    await a.barrier();
  });

  it('closes with 1009 on a frame far over the limit too (1 MiB)', async () => {
    const a = await lobby.identified('Ann');
    a.sendRaw(pingOfSize(1024 * 1024 - 64, 'huge'));
    expect((await a.closed).code).toBe(CloseCode.MESSAGE_TOO_BIG);
  });

  it('drops a connection sending a frame over the hard limit of uWS (2 MiB) unread, and serves others', async () => {
    const { clients } = await joinedRoom(lobby, ['Ann', 'Bob']);
    const [a, b] = clients as [LobbyClient, LobbyClient];
    b.sendRaw(pingOfSize(2 * 1024 * 1024, 'huge'));
    // The protocol asks for 1009; above 1 MiB uWS closes the TCP connection itself (1006 here).
    expect([CloseCode.MESSAGE_TOO_BIG, 1006]).toContain((await b.closed).code);
    expect(b.log.some((m) => m.type === 'pong')).toBe(false);
    await a.next('room.state', (m) => m.room.peers.some((p) => p.id === b.peerId && !p.connected));
    await a.barrier();
  });

  it('answers a binary frame with BAD_MESSAGE and keeps the connection', async () => {
    const a = await lobby.connect();
    a.sendRaw(new Uint8Array(Buffer.from(JSON.stringify({ type: 'ping' }))));
    expect((await a.next('error')).code).toBe(ErrorCode.BAD_MESSAGE);
    a.sendRaw(new Uint8Array([0, 1, 2, 255]));
    const error = await a.next('error');
    expect(error).toMatchObject({ code: ErrorCode.BAD_MESSAGE });
    expect(error).not.toHaveProperty('rid');
    await a.hello('Ann');
  });
});

describe('malformed messages', () => {
  const lobby = useLobbyServer();

  it.each([
    ['not JSON', '{"type": "ping"'],
    ['plain text', 'hello'],
    ['empty', ''],
    ['a JSON array', '[{"type":"ping"}]'],
    ['a JSON string', '"ping"'],
    ['JSON null', 'null'],
    ['an object without type', '{"t":1}'],
    ['a numeric type', '{"type":5}'],
    ['a null type', '{"type":null}'],
    ['a ping with a string t', '{"type":"ping","t":"now"}'],
  ])('answers %s with BAD_MESSAGE', async (_what, text) => {
    const { clients } = await joinedRoom(lobby, ['Ann', 'Bob']);
    const [a, b] = clients as [LobbyClient, LobbyClient];
    a.sendRaw(text);
    expect((await a.next('error')).code).toBe(ErrorCode.BAD_MESSAGE);
    expect(await a.settle()).toEqual([]);
    expect(await b.settle()).toEqual([]);
  });

  it('echoes a valid rid on BAD_MESSAGE for wrong field types', async () => {
    const a = await lobby.identified('Ann');
    a.sendJson({ type: 'room.ready', ready: 'yes', rid: 'wrong' });
    expect(await a.next('error')).toMatchObject({ code: ErrorCode.BAD_MESSAGE, rid: 'wrong' });
    a.sendJson({ rid: 3 });
    expect(await a.next('error')).toMatchObject({ code: ErrorCode.BAD_MESSAGE, rid: 3 });
  });

  it.each(['room.destroy', 'Ping', 'HELLO', '__proto__', 'constructor', 'toString', 'hasOwnProperty', ''])(
    'answers the unknown type %j with UNKNOWN_TYPE, before and after hello',
    async (type) => {
      const a = await lobby.connect();
      const before = await a.expectError({ type, rid: 'u1' }, ErrorCode.UNKNOWN_TYPE);
      expect(before.rid).toBe('u1');
      await a.hello('Ann');
      await a.expectError({ type, rid: 'u2' }, ErrorCode.UNKNOWN_TYPE);
    },
  );

  it('changes nothing on refused messages: the room and its other members see nothing', async () => {
    const { code, clients } = await joinedRoom(lobby, ['Ann', 'Bob'], { public: true, settings: { m: 1 } });
    const [a, b] = clients as [LobbyClient, LobbyClient];
    const before = await a.expectAnswer({ type: 'room.ready', ready: false }, 'room.state');
    const refused = [
      { type: 'room.settings', settings: 'nope' },
      { type: 'room.settings', settings: { p: 'x'.repeat(Limits.maxSettingsBytes) } },
      { type: 'room.kick', peerId: a.peerId },
      { type: 'room.start' },
      { type: 'room.end' },
      { type: 'room.join', code },
      { type: 'room.create' },
      { type: 'room.quickplay' },
      { type: 'room.chat', text: '' },
      { type: 'signal', to: a.peerId, data: 1 },
      { type: 'hello', name: 'Again' },
      { type: 'room.nuke' },
    ];
    for (const msg of refused) expect((await a.request(msg)).type).toBe('error');
    expect(await b.settle()).toEqual([]);
    const after = await a.expectAnswer({ type: 'room.ready', ready: false }, 'room.state');
    expect(after.room).toEqual(before.room);
    expect(await getHealth(lobby.server.port)).toEqual({ ok: true, connections: 2, rooms: 1 });
  });
});

describe('rate limit on a real socket', () => {
  const RATE = 2;
  const BURST = 5;
  const lobby = useLobbyServer({ rateLimitPerS: RATE, rateBurst: BURST });

  it('drops a flood over the burst, answers RATE_LIMITED once, counts the drops, and leaves other clients alone', async () => {
    const flooder = await lobby.connect({ label: 'flooder' });
    const other = await lobby.connect({ label: 'other' });
    const FLOOD = 40;
    const started = Date.now();
    for (let i = 0; i < FLOOD; i++) flooder.sendJson({ type: 'ping', rid: i });
    // The other connection has its own bucket.
    for (let i = 0; i < 3; i++) expect(await other.request({ type: 'ping', t: i })).toMatchObject({ t: i });
    const limited = await flooder.next('error');
    expect(limited).toMatchObject({ code: ErrorCode.RATE_LIMITED });
    expect(limited).not.toHaveProperty('rid');
    // Every flood message is either answered or counted as dropped.
    const { pongs, dropped } = await waitFor(
      async () => {
        const drops = sample(await getMetrics(lobby.server.metricsPort), 'tickmesh_lobby_rate_limit_drops_total');
        const answered = flooder.log.filter((m) => m.type === 'pong');
        return answered.length + drops === FLOOD && { pongs: answered, dropped: drops };
      },
      `each of the ${FLOOD} flood messages answered or counted dropped`,
      {
        report: async () => ({
          pongs: flooder.log.filter((m) => m.type === 'pong').length,
          dropped: sample(await getMetrics(lobby.server.metricsPort), 'tickmesh_lobby_rate_limit_drops_total'),
        }),
      },
    );
    const elapsedS = (Date.now() - started) / 1000;
    expect(dropped).toBeGreaterThan(0);
    // The burst goes through at once, then the refill: nothing more.
    expect(pongs.length).toBeGreaterThanOrEqual(BURST);
    expect(pongs.length).toBeLessThanOrEqual(BURST + Math.ceil(elapsedS * RATE) + 1);
    expect(pongs.map((p) => p.rid)).toEqual([...Array(pongs.length).keys()]);
    // At most one RATE_LIMITED per second.
    const errors = flooder.log.filter((m) => m.type === 'error');
    expect(errors.length).toBeLessThanOrEqual(Math.ceil(elapsedS) + 1);
    expect(errors.every((e) => e.type === 'error' && e.code === ErrorCode.RATE_LIMITED)).toBe(true);
    expect(flooder.isOpen()).toBe(true);
    const metrics = await getMetrics(lobby.server.metricsPort);
    expect(sample(metrics, 'tickmesh_lobby_errors_total', { code: 'RATE_LIMITED' })).toBe(errors.length);
  });

  it('counts hello and ping against the limit before identification too', async () => {
    const a = await lobby.connect();
    for (let i = 0; i < BURST; i++) a.sendJson({ type: 'ping', rid: i });
    a.sendJson({ type: 'hello', name: 'Ann', rid: 'h' });
    expect(await a.next('error')).toMatchObject({ code: ErrorCode.RATE_LIMITED });
    expect(a.log.some((m) => m.type === 'welcome')).toBe(false);
    // Once tokens refill, the client is served again.
    await eventuallyAnswered(a, 'a ping answered once tokens refill', { pingTimeoutMs: 300 });
  });
});

describe('RateLimiter (injected times)', () => {
  const options = { ratePerS: 20, burst: 60 };

  it('accepts the burst at once, then refills at the rate', () => {
    const limiter = new RateLimiter(options, 0);
    for (let i = 0; i < 60; i++) expect(limiter.take(0)).toBe('accept');
    expect(limiter.take(0)).toBe('drop-and-notify');
    expect(limiter.take(0)).toBe('drop');
    // 20/s: one token every 50 ms.
    expect(limiter.take(50)).toBe('accept');
    expect(limiter.take(50)).toBe('drop');
    // Tokens never exceed the burst.
    const idle = new RateLimiter(options, 0);
    let accepted = 0;
    while (idle.take(1_000_000) === 'accept') accepted++;
    expect(accepted).toBe(60);
  });

  it('notifies at most once per second while dropping', () => {
    const limiter = new RateLimiter({ ratePerS: 1, burst: 1 }, 0);
    expect(limiter.take(0)).toBe('accept');
    const verdicts: string[] = [];
    // A message every 10 ms for 3 s (refill adds a token every 1000 ms).
    for (let t = 10; t <= 3000; t += 10) verdicts.push(limiter.take(t));
    expect(verdicts.filter((v) => v === 'drop-and-notify').length).toBeLessThanOrEqual(3);
    expect(verdicts.filter((v) => v === 'drop-and-notify').length).toBeGreaterThanOrEqual(2);
    expect(verdicts.includes('close')).toBe(false);
  });

  it('closes a connection still over the limit after 10 s of continuous excess', () => {
    const limiter = new RateLimiter(options, 0);
    let t = 0;
    let verdict = limiter.take(t);
    // 100 messages/s, five times the rate.
    while (verdict !== 'close' && t < 20_000) {
      t += 10;
      verdict = limiter.take(t);
    }
    expect(verdict).toBe('close');
    // The first drop comes once the burst is spent (60 tokens at 100/s minus a 20/s refill: 750 ms).
    expect(t).toBeGreaterThanOrEqual(10_000);
    expect(t).toBeLessThanOrEqual(10_000 + 1000);
  });

  it('does not close when the excess pauses: a client that backs off starts a new streak', () => {
    const limiter = new RateLimiter({ ratePerS: 10, burst: 10 }, 0);
    let t = 0;
    const verdicts: string[] = [];
    // 9 s of flooding, a 2 s pause, 9 s of flooding: never 10 s without a pause.
    for (const [from, to] of [
      [0, 9000],
      [11_000, 20_000],
    ] as const) {
      for (t = from; t < to; t += 5) verdicts.push(limiter.take(t));
    }
    expect(verdicts.includes('close')).toBe(false);
    expect(verdicts.includes('drop')).toBe(true);
  });

  it('closes a client only slightly over the rate, whose bucket never recovers', () => {
    const limiter = new RateLimiter(options, 0);
    let firstDrop: number | null = null;
    let closedAt: number | null = null;
    // 20.5 messages/s against 20/s: the burst lasts 120 s, then one message in 41 is dropped.
    for (let i = 0; closedAt === null && i < 10_000; i++) {
      const t = (i * 1000) / 20.5;
      const verdict = limiter.take(t);
      if (verdict !== 'accept') firstDrop ??= t;
      if (verdict === 'close') closedAt = t;
    }
    expect(firstDrop).not.toBeNull();
    expect(closedAt).not.toBeNull();
    expect((closedAt ?? 0) - (firstDrop ?? 0)).toBeGreaterThanOrEqual(10_000);
    expect((closedAt ?? 0) - (firstDrop ?? 0)).toBeLessThan(12_000);
  });

  it('never closes a client that stays within the rate', () => {
    const limiter = new RateLimiter(options, 0);
    for (let t = 0; t < 60_000; t += 50) expect(limiter.take(t)).toBe('accept');
  });
});
