// The lobby client through a lobby restart (docs/lobby-protocol.md, "Surviving a lobby restart"):
// it keeps its room when the server goes away, says it is reconnecting, keeps trying for as long
// as it takes, keeps the signals it could not send (or sent before its room was restored) and
// delivers them in order once the target is back, and gives the room back to the restarted
// server, which still has it playing.
import { type LobbyServer, startLobbyServer } from '@tickmesh/lobby-server';
import { createLobbyClient, type LobbyClient, type LobbyConnection } from '@tickmesh/netcode';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { freePort } from '../helpers/lobby-process.js';
import { waitFor } from '../helpers/wait.js';

const SECRET = 'lobby-restart-test-secret';
let server: LobbyServer | null = null;
const clients: LobbyClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
  server = null;
});

/** A lobby on a named port (uWS only lets a named port be listened on again at once). */
const start = (port: number) =>
  startLobbyServer({ host: '127.0.0.1', port, metricsPort: 0, sessionSecret: SECRET, countdownMs: 20 });

function client(url: string, name: string) {
  const lobby = createLobbyClient({
    url,
    name,
    reconnectInitialMs: 50,
    reconnectMaxMs: 200,
    createSocket: (u) => new WebSocket(u),
  });
  clients.push(lobby);
  const connection: LobbyConnection[] = [];
  const left: string[] = [];
  const signals: unknown[] = [];
  lobby.on('connection', (c) => connection.push(c));
  lobby.on('left', (e) => left.push(e.reason));
  lobby.on('signal', (e) => signals.push(e.data));
  return { lobby, connection, left, signals };
}

/** Ann hosts, Bob joins and readies, the room plays. */
async function playing(url: string) {
  const ann = client(url, 'Ann');
  const bob = client(url, 'Bob');
  await ann.lobby.connect();
  await bob.lobby.connect();
  const created = await ann.lobby.createRoom();
  if (!created.ok) throw new Error(created.message);
  await bob.lobby.joinRoom(created.value.code);
  await bob.lobby.setReady(true);
  await waitFor(async () => (await ann.lobby.start()).ok, 'the host to start');
  await waitFor(() => [ann, bob].every((p) => p.lobby.room?.state === 'playing'), 'the room to play');
  return { ann, bob, code: created.value.code };
}

describe('the lobby client through a lobby restart', () => {
  it('keeps its room, reconnects, restores it still playing, and delivers the signals it kept', async () => {
    const port = await freePort();
    server = await start(port);
    const { ann, bob, code } = await playing(server.url);
    const ids = { ann: ann.lobby.peerId, bob: bob.lobby.peerId };

    await server.close();
    server = null;
    await waitFor(() => ann.lobby.connection === 'reconnecting', 'Ann to see the lobby gone');
    // The room stays as it was: the game and the mesh never hear of the outage.
    expect(ann.lobby.room).toMatchObject({ code, state: 'playing' });
    expect(ann.left).toEqual([]);
    // A signal sent meanwhile (an ICE restart, say) is kept.
    ann.lobby.signal(ids.bob ?? '', { restart: 1 });
    expect(ann.lobby.queuedSignals).toBe(1);

    // So is one sent once the restarted lobby has welcomed Ann but before her room is restored: the
    // server would refuse it (she is in no room there yet), and it must not overtake the first.
    let queuedAtWelcome = -1;
    const offWelcome = ann.lobby.on('status', (s) => {
      if (s.kind !== 'identified') return;
      offWelcome();
      ann.lobby.signal(ids.bob ?? '', { restart: 2 });
      queuedAtWelcome = ann.lobby.queuedSignals;
    });

    const restored = { ann: 0, bob: 0 };
    ann.lobby.on('room', (r) => (restored.ann += r?.peers.every((q) => q.connected) ? 1 : 0));
    bob.lobby.on('room', (r) => (restored.bob += r?.peers.every((q) => q.connected) ? 1 : 0));
    server = await start(port);
    await waitFor(() => restored.ann > 0 && restored.bob > 0, 'both back in their restored room');
    for (const p of [ann, bob]) {
      expect(p.lobby.connection).toBe('online');
      expect(p.lobby.room).toMatchObject({ code, state: 'playing', hostId: ids.ann });
      expect(p.connection).toEqual(['reconnecting', 'online', 'reconnecting', 'online']);
      expect(p.left).toEqual([]);
    }
    expect([ann.lobby.peerId, bob.lobby.peerId]).toEqual([ids.ann, ids.bob]);
    expect(queuedAtWelcome).toBe(2);
    await waitFor(() => bob.signals.length === 2, 'the kept signals to arrive');
    expect(bob.signals).toEqual([{ restart: 1 }, { restart: 2 }]);
    expect(ann.lobby.queuedSignals).toBe(0);
  });

  it('reports a lobby it cannot reach within its connect timeout, and keeps trying until it can', async () => {
    const port = await freePort();
    const lobby = createLobbyClient({
      url: `ws://127.0.0.1:${port}/lobby`,
      name: 'Ann',
      connectTimeoutMs: 300,
      reconnectInitialMs: 50,
      reconnectMaxMs: 100,
      createSocket: (u) => new WebSocket(u),
    });
    clients.push(lobby);
    expect(await lobby.connect()).toMatchObject({ ok: false, code: 'DISCONNECTED' });
    expect(lobby.connection).toBe('reconnecting');
    server = await start(port);
    await waitFor(() => lobby.connection === 'online', 'the client to get in once the lobby is up');
  });
});
