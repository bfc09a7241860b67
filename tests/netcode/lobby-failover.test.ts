// The lobby client given several lobby nodes (a cluster, issue 12), against real lobby servers:
// it skips a dead node, and leaves a node that goes away (1001 GOING_AWAY, 1012 SERVICE_RESTART)
// for the next one at once, where it resumes its session. The two servers here share only their
// session secret, not their state, so the second one recognises the token as a restart
// (`welcome.restarted`: same peer id) and takes the room back from the client.
import { type LobbyServer, startLobbyServer } from '@tickmesh/lobby-server';
import { createLobbyClient, type LobbyClient, type LobbyStatus } from '@tickmesh/netcode';
import { CloseCode } from '@tickmesh/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { freePort } from '../helpers/lobby-process.js';
import { waitFor } from '../helpers/wait.js';

const SECRET = 'lobby-failover-test-secret';
/**
 * So long a first retry (2.5-5 s after jitter) that a client back within FAILOVER_BOUND_MS did not
 * wait for it.
 */
const SLOW_BACKOFF_MS = 5_000;
const FAILOVER_BOUND_MS = 2_000;

const servers: LobbyServer[] = [];
const clients: LobbyClient[] = [];
const others: WebSocketServer[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await Promise.all(others.splice(0).map((w) => new Promise((r) => w.close(r))));
});

async function lobbyNode(): Promise<LobbyServer> {
  const server = await startLobbyServer({ host: '127.0.0.1', port: 0, metricsPort: 0, sessionSecret: SECRET });
  servers.push(server);
  return server;
}

const deadUrl = async () => `ws://127.0.0.1:${await freePort()}/lobby`;

/** A client that records its statuses and the `welcome` frames it was sent. */
function client(urls: readonly string[], reconnectInitialMs: number) {
  const welcomes: { peerId: string; resumed: boolean; restarted?: boolean }[] = [];
  const lobby = createLobbyClient({
    url: urls,
    name: 'Ann',
    reconnectInitialMs,
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
  const statuses: LobbyStatus[] = [];
  lobby.on('status', (s) => statuses.push(s));
  /** The URL of each attempt, in order. */
  const tried = () => statuses.flatMap((s) => (s.kind === 'connecting' ? [s.url] : []));
  return { lobby, statuses, welcomes, tried };
}

describe('the lobby client over several lobby nodes', () => {
  it('skips a dead node and comes online on the next', async () => {
    const live = await lobbyNode();
    const dead = await deadUrl();
    const ann = client([dead, live.url], 50);
    expect(await ann.lobby.connect()).toMatchObject({ ok: true, value: { resumed: false } });
    expect(ann.tried()).toEqual([dead, live.url]);
    expect(ann.lobby.connection).toBe('online');
  });

  it('leaves a node that shuts down (1001) for the next at once, with its peer id and room', async () => {
    const a = await lobbyNode();
    const b = await lobbyNode();
    const ann = client([a.url, b.url], SLOW_BACKOFF_MS);
    await ann.lobby.connect();
    const created = await ann.lobby.createRoom();
    if (!created.ok) throw new Error(created.message);
    const peerId = ann.lobby.peerId;

    await a.close();
    await waitFor(() => ann.tried().length === 2 && ann.lobby.connection === 'online', 'Ann online on node B', {
      timeoutMs: FAILOVER_BOUND_MS,
    });
    expect(ann.tried()).toEqual([a.url, b.url]);
    expect(ann.statuses).toContainEqual(expect.objectContaining({ kind: 'reconnecting', retryInMs: 0 }));
    expect(ann.lobby.peerId).toBe(peerId);
    expect(ann.welcomes.at(-1)).toMatchObject({ peerId, resumed: true, restarted: true });
    // Node B has the room now (restored from the client): the host's requests work there.
    expect(await ann.lobby.setSettings({ map: 'dust' })).toMatchObject({
      ok: true,
      value: { code: created.value.code, hostId: peerId, settings: { map: 'dust' } },
    });
  });

  it('leaves a node that restarts (1012) for the next at once', async () => {
    // A node of a cluster draining for a restart: it answers `hello` by closing with 1012.
    const draining = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    others.push(draining);
    await new Promise((r) => draining.once('listening', r));
    draining.on('connection', (ws) => ws.once('message', () => ws.close(CloseCode.SERVICE_RESTART, 'restarting')));
    const address = draining.address();
    const drainingUrl = `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/lobby`;
    const b = await lobbyNode();

    const ann = client([drainingUrl, b.url], SLOW_BACKOFF_MS);
    void ann.lobby.connect();
    await waitFor(() => ann.lobby.connection === 'online', 'Ann online on node B', { timeoutMs: FAILOVER_BOUND_MS });
    expect(ann.tried()).toEqual([drainingUrl, b.url]);
    expect(ann.statuses).toContainEqual(
      expect.objectContaining({ kind: 'reconnecting', retryInMs: 0, reason: expect.stringContaining('1012') }),
    );
  });

  it('backs off again when the attempt made at once fails too', async () => {
    const a = await lobbyNode();
    const dead = await deadUrl();
    const b = await lobbyNode();
    const ann = client([a.url, dead, b.url], 100);
    await ann.lobby.connect();

    await a.close();
    await waitFor(() => ann.tried().length === 3 && ann.lobby.connection === 'online', 'Ann online on node B');
    expect(ann.tried()).toEqual([a.url, dead, b.url]);
    const waits = ann.statuses.flatMap((s) => (s.kind === 'reconnecting' ? [s.retryInMs] : []));
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBe(0);
    expect(waits[1]).toBeGreaterThanOrEqual(50);
  });
});
