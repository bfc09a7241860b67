// Each attack found against the lobby (issue 10), against the real server with its default limits:
// only `trustProxy` is set, so that clients on loopback can come from the addresses a test names
// (X-Forwarded-For). In every test an honest pair in a room of its own keeps relaying signals
// while the attack runs and after it: nothing they send is lost, and they never see the attack.
// Each refusal is the documented code and is counted in /metrics; the process never throws.
import { cryptoIds, type IdSource } from '@tickmesh/lobby-server';
import { CloseCode, ErrorCode, Limits, type ServerMessage } from '@tickmesh/protocol';
import { describe, expect, it } from 'vitest';
import { getHealth, getMetrics, sample } from '../helpers/http.js';
import { eventuallyAnswered, type LobbyClient, type LobbyFixture, useLobbyServer } from '../helpers/lobby-client.js';
import { letTimePass, waitFor } from '../helpers/wait.js';

const from = (address: string, label = address) => ({ label, headers: { 'x-forwarded-for': address } });

async function identifiedFrom(lobby: LobbyFixture, address: string, name = 'Mallory'): Promise<LobbyClient> {
  const client = await lobby.connect(from(address, name));
  await client.hello(name);
  return client;
}

interface HonestPair {
  a: LobbyClient;
  b: LobbyClient;
  /** Relays `rounds` signals each way between the two and checks every one arrives, in order. */
  exchange(rounds?: number): Promise<void>;
}

/** Two honest players from their own addresses, in a room of their own. */
async function honestPair(lobby: LobbyFixture): Promise<HonestPair> {
  const a = await identifiedFrom(lobby, '192.0.2.1', 'Ann');
  const b = await identifiedFrom(lobby, '192.0.2.2', 'Bob');
  const created = await a.expectAnswer({ type: 'room.create' }, 'room.state');
  await b.expectAnswer({ type: 'room.join', code: created.room.code }, 'room.state');
  await a.next('room.state', (m) => m.room.peers.length === 2);
  let n = 0;
  return {
    a,
    b,
    async exchange(rounds = 5) {
      for (let i = 0; i < rounds; i++, n++) {
        a.send({ type: 'signal', to: b.peerId, data: { n, sdp: 'v=0' } });
        b.send({ type: 'signal', to: a.peerId, data: { n } });
        expect(await b.next('signal')).toEqual({ type: 'signal', from: a.peerId, data: { n, sdp: 'v=0' } });
        expect(await a.next('signal')).toEqual({ type: 'signal', from: b.peerId, data: { n } });
      }
      // Nothing but their own signals reached them.
      expect(await a.settle()).toEqual([]);
      expect(await b.settle()).toEqual([]);
    },
  };
}

const errorCodes = (client: LobbyClient) =>
  client.log.flatMap((m) => (m.type === 'error' ? [m.code] : [])) as ErrorCode[];
const limitHits = async (lobby: LobbyFixture, limit: string) =>
  sample(await getMetrics(lobby.server.metricsPort), 'tickmesh_lobby_limit_hits_total', { limit });
const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
/** Bytes of a message as the server sent it (its JSON text, which the log holds parsed). */
const wireBytes = (messages: readonly ServerMessage[]) =>
  messages.reduce((sum, m) => sum + Buffer.byteLength(JSON.stringify(m)), 0);

describe('hostile clients against the default limits', () => {
  const lobby = useLobbyServer({ trustProxy: true });

  it('answers frames nested 20,000 deep with BAD_MESSAGE, before hello and after, and stays up', async () => {
    const pair = await honestPair(lobby);
    const mallory = await lobby.connect(from('198.51.100.1'));
    // The frame that used to kill the process: 40 KB, before hello.
    mallory.sendRaw(`{"type":"signal","to":"x","data":${nested(20_000)}}`);
    await pair.exchange();
    await mallory.hello('Mallory');
    mallory.sendRaw(`{"type":"room.create","settings":{"a":${nested(5_000)}}}`);
    mallory.sendRaw(`{"type":"signal","to":"${pair.a.peerId}","data":${nested(5_000)}}`);
    mallory.sendRaw(`{"type":"room.chat","text":"hi","x":${nested(Limits.maxJsonDepth)}}`);
    await mallory.barrier();
    expect(errorCodes(mallory)).toEqual([
      ErrorCode.BAD_MESSAGE,
      ErrorCode.BAD_MESSAGE,
      ErrorCode.BAD_MESSAGE,
      ErrorCode.BAD_MESSAGE,
    ]);
    // 32 levels (the message object included) are fine: a room with nested settings is created.
    const settings = JSON.parse(`{"a":${nested(Limits.maxJsonDepth - 2)}}`);
    await mallory.expectAnswer({ type: 'room.create', settings }, 'room.state');
    await pair.exchange();
    expect(await limitHits(lobby, 'json_depth')).toBe(4);
    expect(lobby.uncaught).toEqual([]);
  });

  it('relays signal data as the frame carried it, measured from the frame', async () => {
    const pair = await honestPair(lobby);
    pair.a.sendRaw(`{"type":"signal","to":"${pair.b.peerId}","data": {"sdp" : "v=0", "n":[1, 2]} }`);
    expect(await pair.b.next('signal')).toEqual({
      type: 'signal',
      from: pair.a.peerId,
      data: { sdp: 'v=0', n: [1, 2] },
    });
    // Over 32 KiB as carried is TOO_LARGE, even when a re-serialization would be shorter.
    const padded = `{"sdp":"v=0"${' '.repeat(Limits.maxSignalBytes)}}`;
    pair.a.sendRaw(`{"type":"signal","to":"${pair.b.peerId}","data":${padded}}`);
    await pair.a.barrier();
    expect(errorCodes(pair.a)).toEqual([ErrorCode.TOO_LARGE]);
    pair.a.drain();
    await pair.exchange();
  });

  it('closes connections past 64 from one address with 1013; other addresses are not touched', async () => {
    const pair = await honestPair(lobby);
    const flood = await Promise.all(Array.from({ length: 80 }, () => lobby.connect(from('198.51.100.2'))));
    // The accepted ones answer a ping; the refused ones are closed before they can.
    await Promise.all(flood.map((c) => c.barrier().catch(() => undefined)));
    const refused = flood.filter((c) => !c.isOpen());
    expect(refused).toHaveLength(80 - 64);
    for (const c of refused) expect((await c.closed).code).toBe(CloseCode.TRY_AGAIN_LATER);
    expect(await limitHits(lobby, 'conns_per_ip')).toBe(16);
    // Another address still connects and plays.
    const other = await identifiedFrom(lobby, '198.51.100.3', 'Cy');
    await other.expectAnswer({ type: 'room.create' }, 'room.state');
    await pair.exchange();
    // Closing frees every slot of the address, the refused connections' too: 64 fit again.
    await Promise.all(flood.filter((c) => c.isOpen()).map((c) => c.close()));
    await waitFor(async () => (await getHealth(lobby.server.port)).connections === 3, 'the flood to be gone');
    const again = await Promise.all(Array.from({ length: 64 }, () => lobby.connect(from('198.51.100.2'))));
    await Promise.all(again.map((c) => c.barrier()));
    expect(again.every((c) => c.isOpen())).toBe(true);
  });

  it('counts sessions waiting in their grace against their address: connect, hello, drop, 64 times', async () => {
    const pair = await honestPair(lobby);
    const tokens: string[] = [];
    for (let i = 0; i < 64; i++) {
      const churn = await identifiedFrom(lobby, '198.51.100.15');
      tokens.push(churn.token);
      await churn.terminate(); // its session waits 15 s for it to come back
    }
    const next = await lobby.connect(from('198.51.100.15'));
    expect((await next.closed).code).toBe(CloseCode.TRY_AGAIN_LATER);
    await pair.exchange();
    expect(await limitHits(lobby, 'conns_per_ip')).toBe(1);
    // A player coming back (from another network: its old address has no slot to come back
    // through) resumes its session, which leaves its grace: a slot of the old address frees.
    const back = await lobby.connect(from('198.51.100.17', 'back'));
    expect(await back.hello('Mallory', tokens[0])).toMatchObject({ resumed: true });
    const again = await lobby.connect(from('198.51.100.15'));
    await again.barrier();
    expect(again.isOpen()).toBe(true);
    expect(await limitHits(lobby, 'conns_per_ip')).toBe(1);
  });

  it('drops what a connection sends past 64 KiB a second (a bucket of 4 s), and says so', async () => {
    const pair = await honestPair(lobby);
    const mallory = await identifiedFrom(lobby, '198.51.100.16');
    const padded = JSON.stringify({ type: 'ping', pad: 'x'.repeat(60_000) });
    for (let i = 0; i < 10; i++) mallory.sendRaw(padded);
    await waitFor(() => errorCodes(mallory).includes(ErrorCode.RATE_LIMITED), 'the byte limit to answer');
    // The bucket held 4 of them (256 KiB), and about one more refilled meanwhile.
    const pongs = (await mallory.settle()).filter((m) => m.type === 'pong').length;
    expect(pongs).toBeGreaterThanOrEqual(4);
    expect(pongs).toBeLessThan(7);
    expect(await limitHits(lobby, 'in_bytes')).toBeGreaterThan(3);
    expect(mallory.isOpen()).toBe(true);
    await pair.exchange();
  });

  it('holds at most 20 rooms per address, counting rooms whose creators dropped into their grace', async () => {
    const pair = await honestPair(lobby);
    for (let i = 0; i < 20; i++) {
      const creator = await identifiedFrom(lobby, '198.51.100.5');
      await creator.expectAnswer({ type: 'room.create', public: true }, 'room.state');
      await creator.terminate(); // its room lives on for the 15 s grace
    }
    const last = await identifiedFrom(lobby, '198.51.100.5');
    await last.expectError({ type: 'room.create' }, ErrorCode.TOO_MANY_ROOMS);
    // Quick play joins one of those open public rooms rather than creating.
    const joined = await last.expectAnswer({ type: 'room.quickplay' }, 'room.state');
    expect(joined.room.peers).toHaveLength(2);
    await last.expectAnswer({ type: 'room.leave' }, 'room.left');
    const other = await identifiedFrom(lobby, '198.51.100.6');
    await other.expectAnswer({ type: 'room.create' }, 'room.state');
    expect((await getHealth(lobby.server.port)).rooms).toBe(1 + 20 + 1);
    expect(await limitHits(lobby, 'rooms_per_ip')).toBe(1);
    await pair.exchange();
  });

  it('answers room.list a page at a time', async () => {
    for (let i = 0; i < 120; i++) {
      const creator = await identifiedFrom(lobby, `203.0.113.${Math.floor(i / 20)}`);
      await creator.expectAnswer({ type: 'room.create', public: true }, 'room.state');
    }
    const reader = await identifiedFrom(lobby, '198.51.100.7');
    const first = await reader.expectAnswer({ type: 'room.list' }, 'room.list');
    expect(first.rooms).toHaveLength(Limits.defaultRoomListPage);
    expect(first.next).toEqual(expect.any(String));
    const second = await reader.expectAnswer({ type: 'room.list', cursor: first.next, limit: 100 }, 'room.list');
    expect(second.rooms).toHaveLength(70);
    expect(second.next).toBeUndefined();
    const codes = [...first.rooms, ...second.rooms].map((r) => r.code);
    expect(new Set(codes).size).toBe(120);
    await reader.expectError({ type: 'room.list', limit: 101 }, ErrorCode.BAD_MESSAGE);
    // An answer is bounded however many rooms there are: 100 entries are a few KB.
    expect(wireBytes([second])).toBeLessThan(100 * 80);
  });

  it('refuses every join from an address that named 20 codes of no room in a minute, right code or not', async () => {
    const pair = await honestPair(lobby);
    const code = pair.a.log.find((m) => m.type === 'room.state')?.room.code ?? '';
    const guesser = await identifiedFrom(lobby, '198.51.100.8');
    for (let i = 0; i < 20; i++) {
      await guesser.expectError(
        { type: 'room.join', code: `ZZZZ${String(i).padStart(2, '2')}` },
        ErrorCode.ROOM_NOT_FOUND,
      );
    }
    await guesser.expectError({ type: 'room.join', code }, ErrorCode.TOO_MANY_FAILED_JOINS);
    const sameAddress = await identifiedFrom(lobby, '198.51.100.8');
    await sameAddress.expectError({ type: 'room.join', code }, ErrorCode.TOO_MANY_FAILED_JOINS);
    // Another address is not affected.
    const friend = await identifiedFrom(lobby, '198.51.100.9', 'Dee');
    await friend.expectAnswer({ type: 'room.join', code }, 'room.state');
    expect(await limitHits(lobby, 'join_failures')).toBe(2);
  });

  it('bounds what one member toggling ready makes the server send to 15 others to a small multiple of what it sends', async () => {
    const settings = { blob: 'x'.repeat(Limits.maxSettingsBytes - 20) };
    const members: LobbyClient[] = [];
    for (let i = 0; i < 16; i++) members.push(await identifiedFrom(lobby, `203.0.113.${100 + i}`, `P${i}`));
    const [host, ...rest] = members as [LobbyClient, ...LobbyClient[]];
    const created = await host.expectAnswer({ type: 'room.create', maxPlayers: 16, settings }, 'room.state');
    for (const m of rest) await m.expectAnswer({ type: 'room.join', code: created.room.code }, 'room.state');
    // The first joiner: its join cost it little, so its budget is nearly full when it starts.
    const attacker = rest[0] as LobbyClient;
    const others = members.filter((m) => m !== attacker);
    // Every join has reached everyone (the server answers in order, so a pong comes after them).
    await Promise.all(members.map((m) => m.settle()));

    // 5 s of ready toggles, 40 a second: faster than the message rate limit lets through.
    let sent = 0;
    const started = Date.now();
    for (let i = 0; Date.now() - started < 5000; i++) {
      const frame = JSON.stringify({ type: 'room.ready', ready: i % 2 === 0 });
      attacker.sendRaw(frame);
      sent += Buffer.byteLength(frame);
      await letTimePass(25); // 40 toggles a second
    }
    // Its own ping waits its turn in the message rate limit like any other message.
    await eventuallyAnswered(attacker, "the attacker's ping answered");
    const received = (await Promise.all(others.map((m) => m.settle()))).reduce((sum, log) => sum + wireBytes(log), 0);
    // Before the limit: 10.45 MB for 4 KB (x2,611). Now at most a 2 s bucket (16 KiB), 5 s of
    // refill (40 KiB) and the one room.state fan-out a request may overdraw (15 copies of 5.4 KB):
    // about 20x of the 6.8 KB sent here, falling towards 12x (8 KiB/s against 680 B/s) over time.
    expect(received / sent).toBeLessThan(24);
    expect(errorCodes(attacker)).toContain(ErrorCode.RATE_LIMITED);
    expect(await limitHits(lobby, 'fanout_bytes')).toBeGreaterThan(0);
    // The room still works for everyone else: the host changes the settings, all see it.
    await host.expectAnswer({ type: 'room.settings', settings: { map: 2 } }, 'room.state');
    await Promise.all(rest.map((m) => m.next('room.state', (s) => s.room.settings.map === 2)));
  });

  it('limits the sender of 32 KiB signals, not the receiver', async () => {
    const victim = await identifiedFrom(lobby, '198.51.100.10', 'Vic');
    const sender = await identifiedFrom(lobby, '198.51.100.11');
    const created = await victim.expectAnswer({ type: 'room.create' }, 'room.state');
    await sender.expectAnswer({ type: 'room.join', code: created.room.code }, 'room.state');
    const data = 'x'.repeat(Limits.maxSignalBytes - 2);
    // Most of the burst (hello and join took two of its 60), then under 20 a second for 2.4 s:
    // every one within the message rate limit, so the byte limits decide: the bytes a connection
    // may send, and the signal bytes a peer may have relayed (both 64 KiB/s, 4 s at once).
    const started = Date.now();
    for (let i = 0; i < 55; i++) sender.send({ type: 'signal', to: victim.peerId, data });
    for (let i = 0; i < 40; i++) {
      await letTimePass(60); // under the 20 a second the message rate allows
      sender.send({ type: 'signal', to: victim.peerId, data });
    }
    // Its own ping waits for the byte limit to refill, like any other message.
    await eventuallyAnswered(sender, 'the sender to be answered again');
    const elapsedS = (Date.now() - started) / 1000;
    const delivered = (await victim.settle()).filter((m) => m.type === 'signal').length;
    // A 4 s bucket of 64 KiB/s (7 or 8 signals of 32 KiB), plus 2 signals a second of refill.
    expect(delivered).toBeGreaterThanOrEqual(6);
    expect(delivered).toBeLessThanOrEqual(8 + Math.ceil(2 * elapsedS));
    expect(errorCodes(sender)).toContain(ErrorCode.RATE_LIMITED);
    expect(victim.isOpen()).toBe(true);
    // Every signal not delivered was refused by one of the two limits, and counted.
    const refused = (await limitHits(lobby, 'relay_bytes')) + (await limitHits(lobby, 'in_bytes'));
    expect(refused).toBeGreaterThanOrEqual(95 - delivered);
  });

  it('rotates tokens: a token resumes once, and a replay of it starts a stranger', async () => {
    const pair = await honestPair(lobby);
    const first = pair.a.token;
    await pair.a.terminate();
    const back = await lobby.connect(from('192.0.2.1', 'Ann again'));
    const welcome = await back.hello('Ann', first);
    expect(welcome).toMatchObject({ peerId: pair.a.peerId, resumed: true });
    expect(welcome.token).not.toBe(first);
    const replay = await lobby.connect(from('198.51.100.12'));
    const stranger = await replay.hello('Ann', first);
    expect(stranger.resumed).toBe(false);
    expect(stranger.peerId).not.toBe(pair.a.peerId);
    // The rightful session was not taken over.
    expect(back.isOpen()).toBe(true);
    back.send({ type: 'signal', to: pair.b.peerId, data: 'still me' });
    expect(await pair.b.next('signal')).toEqual({ type: 'signal', from: pair.a.peerId, data: 'still me' });
  });

  it('refuses names with bidi overrides, invisible names and lone surrogates, and chat with them', async () => {
    const mallory = await lobby.connect(from('198.51.100.13'));
    for (const name of ['Ann\u202Egnp.exe', '\u200B\u200D', '\u3164', 'x\u0301'.slice(1), 'Ann\uD800']) {
      await mallory.expectError({ type: 'hello', name }, ErrorCode.INVALID_NAME);
    }
    // A lone surrogate as JSON spells it on the wire.
    mallory.sendRaw('{"type":"hello","name":"Ann\\udc00"}');
    await mallory.barrier();
    expect(errorCodes(mallory).at(-1)).toBe(ErrorCode.INVALID_NAME);
    await mallory.hello('Zoë 😀 أحمد');
    await mallory.expectAnswer({ type: 'room.create' }, 'room.state');
    await mallory.expectError({ type: 'room.chat', text: 'look \u202Eereh' }, ErrorCode.BAD_MESSAGE);
    await mallory.expectAnswer({ type: 'room.chat', text: 'مرحبا gg' }, 'room.chat');
  });

  it('drops a text frame of invalid UTF-8 with its connection only, and counts it', async () => {
    const pair = await honestPair(lobby);
    const mallory = await lobby.connect(from('198.51.100.14'));
    mallory.sendTextBytes(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
    // uWebSockets.js closes the TCP connection itself, without a close frame.
    expect((await mallory.closed).code).toBe(1006);
    await pair.exchange();
    const metrics = await getMetrics(lobby.server.metricsPort);
    expect(sample(metrics, 'tickmesh_lobby_server_closes_total', { reason: 'invalid utf-8' })).toBe(1);
  });
});

describe('a connection that never says hello', () => {
  // The one limit set short here (the default is 10 s), so the test need not wait it out.
  const HELLO_TIMEOUT_MS = 300;
  const lobby = useLobbyServer({ trustProxy: true, helloTimeoutMs: HELLO_TIMEOUT_MS });

  it('is closed with 4003 once the hello timeout has passed, though it answers pings', async () => {
    const pair = await honestPair(lobby);
    const started = performance.now();
    const silent = await lobby.connect(from('198.51.100.4'));
    // Its pings are answered, but a ping is not hello: it does not put the deadline off.
    for (let i = 0; i < 3; i++) await silent.barrier();
    const close = await silent.closed;
    expect(close.code).toBe(CloseCode.HELLO_TIMEOUT);
    // Not before the deadline (the sweep that closes it runs every HELLO_TIMEOUT_MS).
    expect(performance.now() - started).toBeGreaterThanOrEqual(HELLO_TIMEOUT_MS);
    await pair.exchange();
    expect(await limitHits(lobby, 'hello_timeout')).toBe(1);
  });
});

describe('a failure inside the server', () => {
  let failNext = false;
  const ids: IdSource = {
    ...cryptoIds,
    peerId() {
      if (!failNext) return cryptoIds.peerId();
      failNext = false;
      throw new Error('injected failure');
    },
  };
  const lobby = useLobbyServer({}, () => ({ ids }));

  it('closes only the connection whose message failed (1011), and counts it', async () => {
    const a = await lobby.identified('Ann');
    await a.expectAnswer({ type: 'room.create' }, 'room.state');
    const victim = await lobby.connect();
    failNext = true;
    victim.send({ type: 'hello', name: 'Bob' });
    expect((await victim.closed).code).toBe(CloseCode.INTERNAL_ERROR);
    expect(await a.request({ type: 'ping', t: 1 })).toMatchObject({ type: 'pong', t: 1 });
    const b = await lobby.identified('Bob');
    expect(b.peerId).not.toBe('');
    const metrics = await getMetrics(lobby.server.metricsPort);
    expect(sample(metrics, 'tickmesh_lobby_internal_errors_total')).toBe(1);
    expect(lobby.uncaught).toEqual([]);
  });
});
