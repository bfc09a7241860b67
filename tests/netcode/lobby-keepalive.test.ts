// The lobby client's keep-alive (keep-alive.ts): as pure logic on a simulated clock, then against
// real lobby servers. A node whose machine vanished (no FIN, no RST) is played by a TCP proxy
// that can freeze: it stops forwarding both ways and keeps both sockets open, so nothing but
// the client's own keep-alive can tell. The client must leave it for the next node at once, and
// get its session back there (both nodes share the session secret: same peer id).
import { connect, createServer, type Server, type Socket } from 'node:net';
import { type LobbyServer, startLobbyServer } from '@tickmesh/lobby-server';
import { createLobbyClient, type LobbyClient, type LobbyConnection, type LobbyStatus } from '@tickmesh/netcode';
import { createSimClock } from '@tickmesh/netcode/testing';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startKeepAlive } from '../../packages/netcode/src/signaling/keep-alive.js';
import { waitFor } from '../helpers/wait.js';

const SECRET = 'lobby-keepalive-test-secret';
const KEEP_ALIVE_MS = 200;
const KEEP_ALIVE_TIMEOUT_MS = 300;
/** Room for a loaded machine's timers and event loop on top of the keep-alive's own bound. */
const MARGIN_MS = 2_000;
/** So long a first retry (2.5-5 s after jitter) that a client back within the bound did not wait for it. */
const SLOW_BACKOFF_MS = 5_000;

describe('keep-alive, on a simulated clock', () => {
  function watch(intervalMs = 100, timeoutMs = 50) {
    const clock = createSimClock();
    const log = { pings: [] as number[], silent: [] as number[] };
    const keepAlive = startKeepAlive({
      timers: clock,
      intervalMs,
      timeoutMs,
      sendPing: () => log.pings.push(clock.now()),
      onSilent: (silentMs) => log.silent.push(silentMs),
    });
    return { clock, log, keepAlive };
  }

  it('pings after each idle interval while the server answers', () => {
    const { clock, log, keepAlive } = watch();
    clock.advance(100);
    expect(log.pings).toEqual([100]);
    clock.advance(10);
    keepAlive.heard(); // the pong
    clock.advance(100);
    expect(log.pings).toEqual([100, 210]);
    expect(log.silent).toEqual([]);
    keepAlive.stop();
  });

  it('sends no ping while traffic flows', () => {
    const { clock, log, keepAlive } = watch();
    for (let i = 0; i < 20; i++) {
      clock.advance(60);
      keepAlive.heard();
    }
    expect(log.pings).toEqual([]);
    keepAlive.stop();
  });

  it('declares the connection silent once, timeoutMs after an unanswered ping, and then holds no timer', () => {
    const { clock, log } = watch();
    clock.advance(149);
    expect(log.silent).toEqual([]);
    clock.advance(1);
    expect(log.silent).toEqual([150]);
    expect(clock.pending()).toBe(0);
    clock.advance(1_000);
    expect(log.pings).toEqual([100]);
  });

  it('counts anything heard after the ping as an answer', () => {
    const { clock, log, keepAlive } = watch();
    clock.advance(130);
    keepAlive.heard(); // a room.state, not a pong
    clock.advance(100);
    expect(log.silent).toEqual([]);
    expect(log.pings).toEqual([100, 230]);
    keepAlive.stop();
  });

  it('holds no timer once stopped', () => {
    const { clock, log, keepAlive } = watch();
    clock.advance(100);
    keepAlive.stop();
    expect(clock.pending()).toBe(0);
    clock.advance(1_000);
    expect(log.silent).toEqual([]);
  });

  it('refuses a zero timeout', () => {
    const clock = createSimClock();
    expect(() =>
      startKeepAlive({ timers: clock, intervalMs: 100, timeoutMs: 0, sendPing: () => {}, onSilent: () => {} }),
    ).toThrow(RangeError);
  });
});

const servers: LobbyServer[] = [];
const clients: LobbyClient[] = [];
const proxies: FreezableProxy[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const p of proxies.splice(0)) await p.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function lobbyNode(): Promise<LobbyServer> {
  const server = await startLobbyServer({ host: '127.0.0.1', port: 0, metricsPort: 0, sessionSecret: SECRET });
  servers.push(server);
  return server;
}

interface FreezableProxy {
  /** The lobby's URL through the proxy. */
  readonly url: string;
  /** From now on forwards nothing, either way, and closes nothing: the node behind it vanished. */
  freeze(): void;
  close(): Promise<void>;
}

/** A TCP proxy in front of `server` (node:net), to play a node whose machine vanishes. */
async function freezableProxy(server: LobbyServer): Promise<FreezableProxy> {
  const target = new URL(server.url);
  const sockets = new Set<Socket>();
  let frozen = false;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  };
  /** Forwards `from`'s bytes and its close to `to` while not frozen; frozen, swallows both. */
  const pipe = (from: Socket, to: Socket) => {
    from.on('data', (chunk) => {
      if (!frozen) to.write(chunk);
    });
    from.on('close', () => {
      if (!frozen) to.destroy();
    });
  };
  const listener: Server = createServer((downstream) => {
    const upstream = connect(Number(target.port), target.hostname);
    track(downstream);
    track(upstream);
    pipe(downstream, upstream);
    pipe(upstream, downstream);
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const address = listener.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const proxy: FreezableProxy = {
    url: `ws://127.0.0.1:${port}${target.pathname}`,
    freeze() {
      frozen = true;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => listener.close(resolve));
    },
  };
  proxies.push(proxy);
  return proxy;
}

/** A client with fast keep-alive that records its statuses, connection changes and `welcome` frames. */
function client(urls: readonly string[]) {
  const welcomes: { peerId: string; resumed: boolean; restarted?: boolean }[] = [];
  const lobby = createLobbyClient({
    url: urls,
    name: 'Ann',
    reconnectInitialMs: SLOW_BACKOFF_MS,
    keepAliveMs: KEEP_ALIVE_MS,
    keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS,
    createSocket: (u) => {
      const ws = new WebSocket(u);
      ws.on('message', (data) => {
        const message = JSON.parse(String(data));
        if (message.type === 'welcome') welcomes.push(message);
      });
      return ws;
    },
  });
  clients.push(lobby);
  const statuses: { at: number; status: LobbyStatus }[] = [];
  const connections: LobbyConnection[] = [];
  lobby.on('status', (status) => statuses.push({ at: performance.now(), status }));
  lobby.on('connection', (c) => connections.push(c));
  /** The URL of each attempt, in order. */
  const tried = () => statuses.flatMap(({ status: s }) => (s.kind === 'connecting' ? [s.url] : []));
  return { lobby, statuses, connections, welcomes, tried };
}

const pings = (server: LobbyServer) => server.counters.messagesByType.get('ping') ?? 0;

describe('the lobby client keep-alive, against real lobby servers', () => {
  it('pings while idle and stays online', async () => {
    const node = await lobbyNode();
    const ann = client([node.url]);
    expect(await ann.lobby.connect()).toMatchObject({ ok: true });
    await waitFor(() => pings(node) >= 3, 'three keep-alive pings', {
      timeoutMs: 3 * (KEEP_ALIVE_MS + KEEP_ALIVE_TIMEOUT_MS) + MARGIN_MS,
      report: () => ({ pings: pings(node), statuses: ann.statuses }),
    });
    expect(ann.lobby.connection).toBe('online');
    expect(ann.connections).toEqual(['reconnecting', 'online']);
    expect(ann.tried()).toEqual([node.url]);
  });

  it('leaves a node that went silent for the next at once, with its peer id and room', async () => {
    const a = await lobbyNode();
    const b = await lobbyNode();
    const proxy = await freezableProxy(a);
    const ann = client([proxy.url, b.url]);
    expect(await ann.lobby.connect()).toMatchObject({ ok: true });
    const created = await ann.lobby.createRoom();
    if (!created.ok) throw new Error(created.message);
    const peerId = ann.lobby.peerId;

    proxy.freeze();
    const frozenAt = performance.now();
    const gaveUp = await waitFor(
      () => ann.statuses.find(({ status }) => status.kind === 'reconnecting'),
      'Ann to give up on the silent node',
      { timeoutMs: KEEP_ALIVE_MS + KEEP_ALIVE_TIMEOUT_MS + MARGIN_MS },
    );
    expect(gaveUp.at - frozenAt).toBeLessThanOrEqual(KEEP_ALIVE_MS + KEEP_ALIVE_TIMEOUT_MS + MARGIN_MS);
    expect(gaveUp.status).toMatchObject({ retryInMs: 0, reason: expect.stringContaining('went silent') });
    await waitFor(() => ann.lobby.connection === 'online', 'Ann online on node B', { timeoutMs: MARGIN_MS });
    expect(ann.tried()).toEqual([proxy.url, b.url]);
    expect(ann.lobby.peerId).toBe(peerId);
    expect(ann.welcomes.at(-1)).toMatchObject({ peerId, resumed: true, restarted: true });
    // Node B has the room now (restored from the client): the host's requests work there.
    expect(await ann.lobby.setSettings({ map: 'dust' })).toMatchObject({
      ok: true,
      value: { code: created.value.code, hostId: peerId, settings: { map: 'dust' } },
    });
  });
});
