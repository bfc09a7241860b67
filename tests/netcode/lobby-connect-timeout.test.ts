// The lobby client's attempt timeout (`attemptTimeoutMs`): an attempt not welcomed in time is
// given up and counts as failed, so a node whose machine vanished costs that long and not the
// minute or more TCP takes. First on a simulated clock with a hand-driven socket, then for real: a
// node:net listener that accepts connections and never answers the HTTP upgrade (a node that
// hangs) ahead of a real lobby server.
import { createServer, type Server, type Socket } from 'node:net';
import { type LobbyServer, startLobbyServer } from '@tickmesh/lobby-server';
import { createLobbyClient, type LobbyClient, type LobbySocket, type LobbyStatus } from '@tickmesh/netcode';
import { createSimClock } from '@tickmesh/netcode/testing';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { letTimePass, waitFor } from '../helpers/wait.js';

const ATTEMPT_TIMEOUT_MS = 300;
/** The client must be online on the live node this long after `connect()`: the timeout, a first retry, a handshake. */
const ONLINE_BOUND_MS = 2_000;

/** A socket the test opens, welcomes and inspects by hand. */
interface FakeSocket extends LobbySocket {
  readonly url: string;
  readonly closedWith: { code: number | undefined; reason: string | undefined }[];
}

function fakeSocket(url: string): FakeSocket {
  const socket: FakeSocket = {
    url,
    closedWith: [],
    readyState: 0,
    send() {},
    close(code, reason) {
      socket.closedWith.push({ code, reason });
    },
    onopen: null,
    onclose: null,
    onerror: null,
    onmessage: null,
  };
  return socket;
}

describe('the attempt timeout, on a simulated clock', () => {
  function client(attemptTimeoutMs?: number) {
    const clock = createSimClock();
    const sockets: FakeSocket[] = [];
    const lobby = createLobbyClient({
      url: ['ws://a/lobby', 'ws://b/lobby'],
      name: 'Ann',
      ...(attemptTimeoutMs === undefined ? {} : { attemptTimeoutMs }),
      timers: clock,
      random: () => 1,
      reconnectInitialMs: 100,
      keepAliveMs: 0,
      createSocket: (url) => {
        const socket = fakeSocket(url);
        sockets.push(socket);
        return socket;
      },
    });
    const statuses: LobbyStatus[] = [];
    lobby.on('status', (s) => statuses.push(s));
    return { clock, lobby, sockets, statuses };
  }

  const open = (socket: FakeSocket) => {
    Object.assign(socket, { readyState: 1 });
    socket.onopen?.({});
  };
  const welcome = (socket: FakeSocket) =>
    socket.onmessage?.({
      data: JSON.stringify({
        type: 'welcome',
        rid: 0,
        peerId: 'p1',
        token: 't1',
        iceServers: [],
        resumed: false,
        protocol: 1,
      }),
    });

  it('gives up a socket that does not open, ignores it after, and tries the next URL after the backoff', () => {
    const { clock, lobby, sockets, statuses } = client(ATTEMPT_TIMEOUT_MS);
    void lobby.connect();
    clock.advance(ATTEMPT_TIMEOUT_MS - 1);
    expect(lobby.status).toMatchObject({ kind: 'connecting', url: 'ws://a/lobby' });
    clock.advance(1);
    const [a] = sockets;
    expect(a?.closedWith).toEqual([{ code: 1000, reason: 'connect timeout' }]);
    expect([a?.onopen, a?.onmessage, a?.onclose]).toEqual([null, null, null]);
    expect(statuses.at(-1)).toEqual({
      kind: 'reconnecting',
      attempt: 1,
      retryInMs: 100,
      reason: `ws://a/lobby did not open in ${ATTEMPT_TIMEOUT_MS} ms`,
    });
    clock.advance(100);
    expect(lobby.status).toMatchObject({ kind: 'connecting', attempt: 2, url: 'ws://b/lobby' });
    const [, b] = sockets;
    if (!a || !b) throw new Error('two attempts expected');
    open(b);
    welcome(b);
    expect(lobby.status).toMatchObject({ kind: 'identified', peerId: 'p1' });
    // Neither the attempt timer nor connect()'s is left: nothing can fire later.
    expect(clock.pending()).toBe(0);
    clock.advance(10 * ATTEMPT_TIMEOUT_MS);
    expect(lobby.status.kind).toBe('identified');
    lobby.close();
  });

  it('gives up a socket that opens but is never welcomed', () => {
    const { clock, lobby, sockets, statuses } = client(ATTEMPT_TIMEOUT_MS);
    void lobby.connect();
    const [a] = sockets;
    if (!a) throw new Error('an attempt expected');
    open(a);
    clock.advance(ATTEMPT_TIMEOUT_MS);
    expect(a.closedWith).toEqual([{ code: 1000, reason: 'connect timeout' }]);
    expect(statuses.at(-1)).toMatchObject({
      kind: 'reconnecting',
      reason: expect.stringContaining('was not welcomed'),
    });
    lobby.close();
    expect(clock.pending()).toBe(0);
  });

  it('waits as long as it takes with attemptTimeoutMs 0', () => {
    const { clock, lobby, sockets } = client(0);
    void lobby.connect();
    expect(clock.pending()).toBe(1); // connect()'s report, no attempt timer
    clock.advance(60_000);
    expect(lobby.status).toMatchObject({ kind: 'connecting', attempt: 1, url: 'ws://a/lobby' });
    expect(sockets).toHaveLength(1);
    lobby.close();
    expect(clock.pending()).toBe(0);
  });

  it('holds no attempt timer once closed while connecting', () => {
    const { clock, lobby, sockets } = client();
    void lobby.connect();
    lobby.close();
    expect(clock.pending()).toBe(0);
    expect(sockets[0]?.closedWith).toEqual([{ code: 1000, reason: 'bye' }]);
  });

  it('refuses a negative timeout', () => {
    expect(() => createLobbyClient({ url: 'ws://a/lobby', name: 'Ann', attemptTimeoutMs: -1 })).toThrow(RangeError);
  });
});

interface HangingNode {
  readonly url: string;
  /** Connections it holds open now. */
  readonly held: number;
  /** Connections it was ever given. */
  readonly accepted: number;
  close(): Promise<void>;
}

/** A TCP listener that accepts connections and never answers the HTTP upgrade: a node that hangs. */
async function hangingNode(): Promise<HangingNode> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const listener: Server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.resume(); // reads the upgrade request, so the client's FIN is seen, and never answers it
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const address = listener.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `ws://127.0.0.1:${port}/lobby`,
    get held() {
      return sockets.size;
    },
    get accepted() {
      return accepted;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => listener.close(resolve));
    },
  };
}

const servers: LobbyServer[] = [];
const hanging: HangingNode[] = [];
const clients: LobbyClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(hanging.splice(0).map((h) => h.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function nodes(): Promise<{ hung: HangingNode; live: LobbyServer }> {
  const hung = await hangingNode();
  hanging.push(hung);
  const live = await startLobbyServer({ host: '127.0.0.1', port: 0, metricsPort: 0 });
  servers.push(live);
  return { hung, live };
}

function realClient(urls: readonly string[], attemptTimeoutMs: number) {
  const lobby = createLobbyClient({
    url: urls,
    name: 'Ann',
    attemptTimeoutMs,
    keepAliveMs: 0,
    createSocket: (u) => new WebSocket(u),
  });
  clients.push(lobby);
  const statuses: LobbyStatus[] = [];
  lobby.on('status', (s) => statuses.push(s));
  const tried = () => statuses.flatMap((s) => (s.kind === 'connecting' ? [s.url] : []));
  return { lobby, statuses, tried };
}

describe('the attempt timeout, against a node that hangs and a real lobby server', () => {
  it('gives up the hanging node and comes online on the next within a second', async () => {
    const { hung, live } = await nodes();
    const ann = realClient([hung.url, live.url], ATTEMPT_TIMEOUT_MS);
    const started = performance.now();
    const connected = ann.lobby.connect();
    await waitFor(() => ann.lobby.connection === 'online', 'Ann online on the live node', {
      timeoutMs: ONLINE_BOUND_MS,
      report: () => ann.statuses,
    });
    expect(performance.now() - started).toBeLessThan(ONLINE_BOUND_MS);
    expect(await connected).toMatchObject({ ok: true, value: { resumed: false } });
    expect(ann.tried()).toEqual([hung.url, live.url]);
    expect(ann.statuses).toContainEqual(
      expect.objectContaining({ kind: 'reconnecting', reason: `${hung.url} did not open in ${ATTEMPT_TIMEOUT_MS} ms` }),
    );
    // The given-up socket was closed, not left to TCP.
    expect(hung.accepted).toBe(1);
    await waitFor(() => hung.held === 0, 'the hanging node to see its connection closed', { timeoutMs: 1_000 });
  });

  it('waits on the hanging node with attemptTimeoutMs 0', async () => {
    const { hung, live } = await nodes();
    const ann = realClient([hung.url, live.url], 0);
    void ann.lobby.connect();
    await letTimePass(ONLINE_BOUND_MS); // a client that would move on is online by now
    expect(ann.lobby.status).toMatchObject({ kind: 'connecting', url: hung.url });
    expect(ann.tried()).toEqual([hung.url]);
    expect(hung.held).toBe(1);
  });
});
