// The real lobby server's HTTP side and configuration: /healthz, /metrics, static files (and no
// path traversal), the Origin allowlist, TURN REST credentials in welcome, and the native uWS binary.
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isNativeUws } from '@tickmesh/lobby-server';
import { ErrorCode } from '@tickmesh/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { getHealth, getMetrics, httpRequest, sample } from '../helpers/http.js';
import { connect, joinedRoom, type LobbyClient, useLobbyServer } from '../helpers/lobby-client.js';
import { waitFor } from '../helpers/wait.js';

it('runs on the native uWebSockets.js binary, not the ws-based fallback', () => {
  expect(isNativeUws()).toBe(true);
});

describe('GET /healthz', () => {
  const lobby = useLobbyServer({ graceMs: 10_000 });

  it('reports open WebSockets and live rooms as they change', async () => {
    const res = await httpRequest(lobby.server.port, '/healthz');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.body)).toEqual({ ok: true, connections: 0, rooms: 0 });

    const anonymous = await lobby.connect();
    const { clients } = await joinedRoom(lobby, ['Ann', 'Bob']);
    const [a, b] = clients as [LobbyClient, LobbyClient];
    const loner = await joinedRoom(lobby, ['Cy']);
    expect(await getHealth(lobby.server.port)).toEqual({ ok: true, connections: 4, rooms: 2 });

    // A leave that empties a room deletes it at once.
    await loner.clients[0]?.expectAnswer({ type: 'room.leave' }, 'room.left');
    expect(await getHealth(lobby.server.port)).toEqual({ ok: true, connections: 4, rooms: 1 });
    // Closed sockets stop counting; a member in grace keeps its room alive.
    await anonymous.close();
    await b.close();
    await a.next('room.state', (m) => m.room.peers.some((p) => !p.connected));
    await waitFor(async () => (await getHealth(lobby.server.port)).connections === 2, 'the drop to reach the server', {
      report: () => getHealth(lobby.server.port),
    });
    expect(await getHealth(lobby.server.port)).toEqual({ ok: true, connections: 2, rooms: 1 });
  });
});

describe('GET /metrics', () => {
  const COUNTDOWN_MS = 3000;
  let clock = new SimulatedClock();
  const lobby = useLobbyServer({ countdownMs: COUNTDOWN_MS }, () => {
    clock = new SimulatedClock();
    return { clock };
  });
  const metrics = () => getMetrics(lobby.server.metricsPort);

  it('serves Prometheus text with connections and rooms by state', async () => {
    const res = await httpRequest(lobby.server.metricsPort, '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toContain('# TYPE tickmesh_lobby_connections gauge');
    let m = await metrics();
    expect(sample(m, 'tickmesh_lobby_connections')).toBe(0);
    for (const state of ['open', 'countdown', 'playing'])
      expect(m.get(`tickmesh_lobby_rooms{state="${state}"}`)).toBe(0);

    await joinedRoom(lobby, ['Ann']);
    const game = await joinedRoom(lobby, ['Bob', 'Cy']);
    const [b, c] = game.clients as [LobbyClient, LobbyClient];
    m = await metrics();
    expect(sample(m, 'tickmesh_lobby_connections')).toBe(3);
    expect(sample(m, 'tickmesh_lobby_rooms', { state: 'open' })).toBe(2);

    await c.expectAnswer({ type: 'room.ready', ready: true }, 'room.state');
    await b.next('room.state', (s) => s.room.peers.some((p) => p.ready));
    await b.expectAnswer({ type: 'room.start' }, 'room.state');
    m = await metrics();
    expect(sample(m, 'tickmesh_lobby_rooms', { state: 'open' })).toBe(1);
    expect(sample(m, 'tickmesh_lobby_rooms', { state: 'countdown' })).toBe(1);

    // The countdown elapses on the injected clock.
    clock.increment(COUNTDOWN_MS);
    await b.next('room.state', (s) => s.room.state === 'playing');
    m = await metrics();
    expect(sample(m, 'tickmesh_lobby_rooms', { state: 'countdown' })).toBe(0);
    expect(sample(m, 'tickmesh_lobby_rooms', { state: 'playing' })).toBe(1);
  });

  it('counts messages by type, relayed signals and errors by code', async () => {
    const { clients } = await joinedRoom(lobby, ['Ann', 'Bob']);
    const [a, b] = clients as [LobbyClient, LobbyClient];
    const before = await metrics();
    const count = (m: Map<string, number>, name: string, labels: Record<string, string> = {}) =>
      sample(m, name, labels) - sample(before, name, labels);

    for (let i = 0; i < 3; i++) await a.expectAnswer({ type: 'ping' }, 'pong');
    a.send({ type: 'signal', to: b.peerId, data: 1 });
    a.send({ type: 'signal', to: b.peerId, data: 2 });
    await b.next('signal', (s) => s.data === 2);
    await a.expectError({ type: 'signal', to: a.peerId, data: 3 }, ErrorCode.PEER_NOT_FOUND);
    await a.expectError({ type: 'room.end' }, ErrorCode.BAD_STATE);
    a.sendRaw('not json');
    await a.next('error', (e) => e.code === ErrorCode.BAD_MESSAGE);
    await a.expectError({ type: 'no.such.type' }, ErrorCode.UNKNOWN_TYPE);

    const after = await metrics();
    expect(count(after, 'tickmesh_lobby_messages_total', { type: 'ping' })).toBe(3);
    expect(count(after, 'tickmesh_lobby_messages_total', { type: 'signal' })).toBe(3);
    expect(count(after, 'tickmesh_lobby_messages_total', { type: 'room.end' })).toBe(1);
    expect(count(after, 'tickmesh_lobby_messages_total', { type: 'invalid' })).toBe(2);
    expect(count(after, 'tickmesh_lobby_signals_relayed_total')).toBe(2);
    expect(count(after, 'tickmesh_lobby_errors_total', { code: 'PEER_NOT_FOUND' })).toBe(1);
    expect(count(after, 'tickmesh_lobby_errors_total', { code: 'BAD_STATE' })).toBe(1);
    expect(count(after, 'tickmesh_lobby_errors_total', { code: 'BAD_MESSAGE' })).toBe(1);
    expect(count(after, 'tickmesh_lobby_errors_total', { code: 'UNKNOWN_TYPE' })).toBe(1);
    expect(count(after, 'tickmesh_lobby_errors_total', { code: 'NOT_HOST' })).toBe(0);
    expect(count(after, 'tickmesh_lobby_rate_limit_drops_total')).toBe(0);
  });
});

describe('GET /metrics: rate-limit drops', () => {
  // Practically no refill: the burst is all a connection gets during the test.
  const lobby = useLobbyServer({ rateLimitPerS: 0.001, rateBurst: 3 });

  it('counts every dropped message and one RATE_LIMITED error', async () => {
    const a = await lobby.connect();
    const other = await lobby.connect();
    for (let i = 0; i < 10; i++) a.sendJson({ type: 'ping', rid: i });
    expect(await a.next('error')).toMatchObject({ code: ErrorCode.RATE_LIMITED });
    await other.barrier();
    const m = await waitFor(
      async () => {
        const now = await getMetrics(lobby.server.metricsPort);
        return sample(now, 'tickmesh_lobby_rate_limit_drops_total') === 7 && now;
      },
      '7 rate-limit drops counted',
      {
        report: async () => sample(await getMetrics(lobby.server.metricsPort), 'tickmesh_lobby_rate_limit_drops_total'),
      },
    );
    expect(sample(m, 'tickmesh_lobby_errors_total', { code: 'RATE_LIMITED' })).toBe(1);
    expect(sample(m, 'tickmesh_lobby_messages_total', { type: 'ping' })).toBe(4);
    expect(a.log.filter((x) => x.type === 'pong').map((x) => x.rid)).toEqual([0, 1, 2]);
  });
});

describe('static files', () => {
  const base = mkdtempSync(join(tmpdir(), 'tickmesh-static-'));
  const root = join(base, 'public');
  mkdirSync(join(root, 'assets'), { recursive: true });
  mkdirSync(join(root, 'empty'));
  mkdirSync(join(base, 'public-secret'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>arena</title>');
  writeFileSync(join(root, 'app.js'), 'console.log("arena")');
  writeFileSync(join(root, 'assets', 'main-1a2b3c.js'), 'export const x = 1;');
  writeFileSync(join(base, 'secret.txt'), 'TOP SECRET');
  writeFileSync(join(base, 'public-secret', 'key.txt'), 'TOP SECRET');
  // Dotfiles inside the root, and links that lead out of it.
  writeFileSync(join(root, '.env'), 'TOP SECRET=1');
  mkdirSync(join(root, '.git'));
  writeFileSync(join(root, '.git', 'config'), 'TOP SECRET');
  symlinkSync(join(base, 'secret.txt'), join(root, 'linked.txt'));
  symlinkSync(join(base, 'public-secret'), join(root, 'linked-dir'));
  symlinkSync(join(root, 'app.js'), join(root, 'alias.js'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  const lobby = useLobbyServer({ staticDir: root });
  const get = (path: string, method = 'GET') => httpRequest(lobby.server.port, path, { method });

  it('serves files from staticDir with their content type', async () => {
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.body).toBe('<!doctype html><title>arena</title>');
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['cache-control']).toBe('no-cache');
    expect((await get('/index.html')).body).toBe('<!doctype html><title>arena</title>');
    const app = await get('/app.js?v=3');
    expect(app.status).toBe(200);
    expect(app.body).toBe('console.log("arena")');
    expect(app.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const asset = await get('/assets/main-1a2b3c.js');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    // HEAD reports the length of what GET would send, without a body (and does not crash the server).
    const head = await get('/app.js', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength('console.log("arena")')));
    expect(head.body).toBe('');
    expect((await get('/', 'HEAD')).status).toBe(200);
    expect((await getHealth(lobby.server.port)).ok).toBe(true);
  });

  it('serves a link that stays inside the root, and sends nosniff and a Content-Security-Policy', async () => {
    const alias = await get('/alias.js');
    expect(alias.status).toBe(200);
    expect(alias.body).toBe('console.log("arena")');
    const index = await get('/');
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect(index.headers['content-security-policy']).toContain("default-src 'self'");
    expect(index.headers['content-security-policy']).toContain("object-src 'none'");
    expect((await get('/missing.js')).headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers 404 for missing files and directories without an index', async () => {
    for (const path of ['/missing.js', '/assets/', '/empty', '/index.html/x']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
    }
  });

  it.each([
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/secret.txt',
    '/..%2fsecret.txt',
    '/%2e%2e%2fsecret.txt',
    '/assets/../../secret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '/%2e%2e/public-secret/key.txt',
    '/..%5csecret.txt',
    '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '//etc/passwd',
    '/index.html%00.js',
    '/%E0%A4%A',
    '/.env',
    '/%2eenv',
    '/.git/config',
    '/assets/../.env',
    '/linked.txt',
    '/linked-dir/key.txt',
  ])('never serves anything outside staticDir, nor dotfiles: %s', async (path) => {
    const res = await get(path);
    expect(res.status).toBe(404);
    expect(res.body).not.toContain('TOP SECRET');
    expect(res.body).not.toContain('root:');
  });

  it('still serves /healthz and the WebSocket next to the files; /metrics only on its own listener', async () => {
    expect((await getHealth(lobby.server.port)).ok).toBe(true);
    expect((await get('/metrics')).status).toBe(404);
    expect((await httpRequest(lobby.server.metricsPort, '/metrics')).status).toBe(200);
    const a = await lobby.connect();
    await a.hello('Ann');
  });
});

describe('no staticDir', () => {
  const lobby = useLobbyServer();

  it('answers 404 for every other path', async () => {
    for (const path of ['/', '/index.html', '/lobby/x', '/healthz/x']) {
      expect((await httpRequest(lobby.server.port, path)).status, path).toBe(404);
    }
  });
});

describe('Origin allowlist', () => {
  const lobby = useLobbyServer({ origins: ['http://good.example'] });

  it('refuses a WebSocket upgrade from another origin with 403', async () => {
    await expect(connect(lobby.server.url, { headers: { Origin: 'http://evil.example' } })).rejects.toThrow(/403/);
    await expect(
      connect(lobby.server.url, { headers: { Origin: 'http://good.example.evil.example' } }),
    ).rejects.toThrow(/403/);
    expect(await getHealth(lobby.server.port)).toMatchObject({ connections: 0 });
  });

  it('accepts an allowed origin, and a client that sends none (not a browser)', async () => {
    const good = await lobby.connect({ headers: { Origin: 'http://good.example' } });
    await good.hello('Ann');
    const cli = await lobby.connect();
    await cli.hello('Bot');
    expect(await getHealth(lobby.server.port)).toMatchObject({ connections: 2 });
  });
});

describe('ICE servers in welcome', () => {
  const NOW_MS = 1_700_000_000_123;
  const stunUrls = ['stun:stun.example.org:3478', 'stuns:stun.example.org:5349'];
  const turnUrls = ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'];

  describe('with a TURN secret', () => {
    const lobby = useLobbyServer({ stunUrls, turnUrls, turnSecret: 'sharedsecret', turnTtlS: 3600 }, () => ({
      now: () => NOW_MS,
    }));

    it('passes STUN URLs through and signs per-peer TURN REST credentials', async () => {
      const a = await lobby.connect();
      const welcome = await a.hello('Ann');
      const [stun, turn] = welcome.iceServers;
      expect(welcome.iceServers).toHaveLength(2);
      expect(stun).toEqual({ urls: stunUrls });
      expect(turn?.urls).toEqual(turnUrls);
      const expiry = Math.floor(NOW_MS / 1000) + 3600;
      expect(turn?.username).toBe(`${expiry}:${a.peerId}`);
      const expected = createHmac('sha1', 'sharedsecret').update(`${expiry}:${a.peerId}`).digest('base64');
      expect(turn?.credential).toBe(expected);

      const b = await lobby.connect();
      const other = await b.hello('Bob');
      expect(other.iceServers[1]?.username).toBe(`${expiry}:${b.peerId}`);
      expect(other.iceServers[1]?.credential).not.toBe(expected);
    });
  });

  describe('with the real clock and the default TTL', () => {
    const lobby = useLobbyServer({ turnUrls, turnSecret: 'другой секрет' });

    it('makes credentials that expire turnTtlS (86400) from now', async () => {
      const before = Math.floor(Date.now() / 1000);
      const a = await lobby.connect();
      const welcome = await a.hello('Ann');
      const after = Math.floor(Date.now() / 1000);
      expect(welcome.iceServers).toHaveLength(1);
      const [turn] = welcome.iceServers;
      const [expiry, peer] = (turn?.username ?? '').split(':');
      expect(peer).toBe(a.peerId);
      expect(Number(expiry)).toBeGreaterThanOrEqual(before + 86_400);
      expect(Number(expiry)).toBeLessThanOrEqual(after + 86_400);
      expect(turn?.credential).toBe(
        createHmac('sha1', 'другой секрет')
          .update(turn?.username ?? '')
          .digest('base64'),
      );
    });
  });

  describe('without a TURN secret', () => {
    const lobby = useLobbyServer({ stunUrls, turnUrls });

    it('hands out the STUN URLs only', async () => {
      const a = await lobby.connect();
      const welcome = await a.hello('Ann');
      expect(welcome.iceServers).toEqual([{ urls: stunUrls }]);
      expect(JSON.stringify(welcome)).not.toContain('turn');
    });
  });
});
