// The netcode lobby client against the real lobby server: results as values, room events, and
// reconnection that resumes the session by token.
import { type LobbyServer, startLobbyServer } from '@tickmesh/lobby-server';
import { createLobbyClient, type LobbyClient, type LobbySocket, type LobbyStatus } from '@tickmesh/netcode';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { waitFor } from '../helpers/wait.js';

let server: LobbyServer | null = null;
const clients: LobbyClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
  server = null;
});

/** A client whose sockets the test can cut like a network failure would. */
function client(url: string, name: string, options: { reconnectInitialMs?: number; token?: string } = {}) {
  const sockets: WebSocket[] = [];
  const lobby = createLobbyClient({
    url,
    name,
    ...(options.token ? { token: options.token } : {}),
    reconnectInitialMs: options.reconnectInitialMs ?? 50,
    createSocket: (u) => {
      const ws = new WebSocket(u);
      sockets.push(ws);
      return ws as unknown as LobbySocket;
    },
  });
  clients.push(lobby);
  const statuses: LobbyStatus['kind'][] = [];
  lobby.on('status', (s) => statuses.push(s.kind));
  return { lobby, statuses, cut: () => sockets.at(-1)?.terminate() };
}

describe('lobby client', () => {
  it('identifies, creates and joins rooms, and reports refusals as values', async () => {
    server = await startLobbyServer({ host: '127.0.0.1', port: 0, metricsPort: 0, stunUrls: ['stun:127.0.0.1:3478'] });
    const ann = client(server.url, 'Ann');
    const bob = client(server.url, 'Bob');
    const welcome = await ann.lobby.connect();
    expect(welcome).toMatchObject({ ok: true, value: { resumed: false } });
    expect(ann.lobby.status).toMatchObject({ kind: 'identified', peerId: ann.lobby.peerId });
    expect(ann.lobby.iceServers).toEqual([{ urls: ['stun:127.0.0.1:3478'] }]);
    await bob.lobby.connect();

    const created = await ann.lobby.createRoom({ maxPlayers: 2, settings: { map: 'dust' } });
    if (!created.ok) throw new Error(created.code);
    expect(created.value).toMatchObject({ maxPlayers: 2, settings: { map: 'dust' }, hostId: ann.lobby.peerId });
    expect(await bob.lobby.joinRoom('nope00')).toMatchObject({ ok: false, code: 'ROOM_NOT_FOUND' });
    const rooms: unknown[] = [];
    ann.lobby.on('room', (r) => rooms.push(r));
    expect(await bob.lobby.joinRoom(created.value.code.toLowerCase())).toMatchObject({ ok: true });
    await waitFor(() => ann.lobby.room?.peers.length === 2, 'ann sees bob join');
    expect(rooms.length).toBeGreaterThan(0);
    expect(await bob.lobby.start()).toMatchObject({ ok: false, code: 'NOT_HOST' });
    expect(await ann.lobby.start()).toMatchObject({ ok: false, code: 'NOT_READY' });
    expect(await bob.lobby.setReady(true)).toMatchObject({ ok: true });
    const chats: string[] = [];
    bob.lobby.on('chat', (c) => chats.push(c.text));
    expect(await ann.lobby.chat('gl hf')).toEqual({ ok: true, value: null });
    await waitFor(() => chats.includes('gl hf'), 'chat');
    const ping = await ann.lobby.ping();
    expect(ping.ok && ping.value >= 0).toBe(true);
    const left: string[] = [];
    bob.lobby.on('left', (e) => left.push(e.reason));
    expect(await ann.lobby.kick(bob.lobby.peerId ?? '')).toMatchObject({ ok: true });
    await waitFor(() => left.includes('kicked') && bob.lobby.room === null, 'bob told he was kicked');
  });

  it('resumes its session after a dropped connection, keeping peer id and room', async () => {
    server = await startLobbyServer({ host: '127.0.0.1', port: 0, metricsPort: 0, graceMs: 5000 });
    const ann = client(server.url, 'Ann');
    const bob = client(server.url, 'Bob');
    await ann.lobby.connect();
    await bob.lobby.connect();
    const created = await ann.lobby.createRoom();
    if (!created.ok) throw new Error(created.code);
    await bob.lobby.joinRoom(created.value.code);
    const peerId = bob.lobby.peerId;

    bob.cut();
    // Ann may still see Bob connected before the server notices the drop: wait for Bob's own welcome.
    await waitFor(
      () =>
        bob.statuses.includes('reconnecting') &&
        bob.lobby.status.kind === 'identified' &&
        ann.lobby.room?.peers.find((p) => p.id === peerId)?.connected === true,
      'bob back',
    );
    expect(bob.lobby.status).toMatchObject({ kind: 'identified', peerId, resumed: true });
    expect(bob.lobby.room?.code).toBe(created.value.code);
    expect(bob.statuses).toContain('reconnecting');
    // Requests work again on the new socket.
    expect(await bob.lobby.setReady(true)).toMatchObject({ ok: true });
  });

  it('reports the room lost when it comes back after the grace', async () => {
    server = await startLobbyServer({ host: '127.0.0.1', port: 0, metricsPort: 0, graceMs: 100 });
    const ann = client(server.url, 'Ann');
    const bob = client(server.url, 'Bob', { reconnectInitialMs: 600 });
    await ann.lobby.connect();
    await bob.lobby.connect();
    const created = await ann.lobby.createRoom();
    if (!created.ok) throw new Error(created.code);
    await bob.lobby.joinRoom(created.value.code);
    const oldId = bob.lobby.peerId;
    const left: string[] = [];
    bob.lobby.on('left', (e) => left.push(e.reason));
    bob.cut();
    await waitFor(() => left.includes('expired'), 'the room reported lost', { timeoutMs: 5000 });
    expect(bob.lobby.status).toMatchObject({ kind: 'identified', resumed: false });
    expect(bob.lobby.peerId).not.toBe(oldId);
    expect(bob.lobby.room).toBeNull();
  });

  it('stops for good when its name is refused or another connection takes the session', async () => {
    server = await startLobbyServer({ host: '127.0.0.1', port: 0, metricsPort: 0 });
    const bad = client(server.url, '   ');
    expect(await bad.lobby.connect()).toMatchObject({ ok: false, code: 'INVALID_NAME' });
    expect(bad.lobby.status).toMatchObject({ kind: 'closed', reason: 'refused' });

    // A second client resuming the same session (a reload in another tab) takes it over.
    const first = client(server.url, 'Ann');
    await first.lobby.connect();
    const second = client(server.url, 'Ann again', { token: first.lobby.token ?? '' });
    expect(await second.lobby.connect()).toMatchObject({
      ok: true,
      value: { resumed: true, peerId: first.lobby.peerId },
    });
    await waitFor(() => first.lobby.status.kind === 'closed', 'the first client told');
    expect(first.lobby.status).toMatchObject({ kind: 'closed', reason: 'taken-over' });
    expect(second.lobby.status.kind).toBe('identified');
  });

  it('fails pending requests when disconnected, without throwing', async () => {
    server = await startLobbyServer({ host: '127.0.0.1', port: 0, metricsPort: 0 });
    const ann = client(server.url, 'Ann');
    expect(await ann.lobby.createRoom()).toMatchObject({ ok: false, code: 'DISCONNECTED' });
    await ann.lobby.connect();
    ann.lobby.close();
    expect(ann.lobby.status).toMatchObject({ kind: 'closed', reason: 'client' });
    expect(await ann.lobby.listRooms()).toMatchObject({ ok: false, code: 'DISCONNECTED' });
  });

  it('drops server frames that break the protocol, and counts them', async () => {
    // A hostile "lobby": garbage, a wrong-typed welcome, then a valid one.
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    wss.on('connection', (ws) => {
      ws.once('message', () => {
        ws.send('{not json');
        ws.send(JSON.stringify({ type: 'welcome', peerId: 5 }));
        ws.send(JSON.stringify({ type: 'room.state', room: { code: 1 } }));
        ws.send(
          JSON.stringify({ type: 'welcome', peerId: 'p', token: 't', iceServers: [], resumed: false, protocol: 1 }),
        );
      });
    });
    const address = wss.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const c = client(`ws://127.0.0.1:${port}`, 'Ann');
    expect(await c.lobby.connect()).toMatchObject({ ok: true, value: { peerId: 'p' } });
    expect(c.lobby.droppedMessages).toBe(3);
    expect(c.lobby.room).toBeNull();
    c.lobby.close();
    await new Promise((r) => wss.close(r));
  });
});
