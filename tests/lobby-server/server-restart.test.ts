// A lobby restart without a shared store (docs/lobby-protocol.md, "Surviving a lobby restart"):
// players come back with their peer ids (signed tokens), and the room comes back from their room
// tickets, same code, members, seqs, host and state, still playing; while it is being restored,
// members away because the lobby was do not reopen it or lose the host their role.
import { type LobbyServer, startLobbyServer } from '@tickmesh/lobby-server';
import { ErrorCode, type Room } from '@tickmesh/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { getHealth } from '../helpers/http.js';
import { connect, type LobbyClient } from '../helpers/lobby-client.js';
import { freePort } from '../helpers/lobby-process.js';
import { waitFor } from '../helpers/wait.js';

const SECRET = 'test-session-secret-0123456789';
const servers: LobbyServer[] = [];
const clients: LobbyClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) if (c.isOpen()) await c.close();
  for (const s of servers.splice(0)) await s.close();
});

/**
 * A lobby on `port`, or on a free port named up front: as a deployment does. (uWS sets
 * SO_REUSEADDR only on a port it is given, so a lobby on port 0 leaves its closed connections
 * in TIME_WAIT holding the port for a minute, and nothing could listen there again.)
 */
async function start(port?: number, graceMs = 15_000, sessionSecret = SECRET): Promise<LobbyServer> {
  const server = await startLobbyServer({
    host: '127.0.0.1',
    port: port ?? (await freePort()),
    metricsPort: 0,
    sessionSecret,
    countdownMs: 20,
    graceMs,
  });
  servers.push(server);
  return server;
}

async function client(server: LobbyServer, label: string): Promise<LobbyClient> {
  const c = await connect(server.url, { label });
  clients.push(c);
  return c;
}

/** The last room.state a client got: the room and its ticket, as a client keeps them. */
function lastRoom(c: LobbyClient): { room: Room; ticket: string } {
  for (let i = c.log.length - 1; i >= 0; i--) {
    const m = c.log[i];
    if (m?.type === 'room.state' && m.ticket !== undefined) return { room: m.room, ticket: m.ticket };
  }
  throw new Error(`${c.label} has no room`);
}

/** Ann hosts, Bob joins, both ready, playing; returns the clients with the room each last saw. */
async function playingRoom(server: LobbyServer) {
  const ann = await client(server, 'Ann');
  const bob = await client(server, 'Bob');
  await ann.hello('Ann');
  await bob.hello('Bob');
  const created = await ann.expectAnswer({ type: 'room.create', settings: { map: 2 } }, 'room.state');
  await bob.expectAnswer({ type: 'room.join', code: created.room.code }, 'room.state');
  await bob.expectAnswer({ type: 'room.ready', ready: true }, 'room.state');
  await ann.next('room.state', (m) => m.room.peers.every((p) => p.id === ann.peerId || p.ready));
  await ann.expectAnswer({ type: 'room.start' }, 'room.state');
  for (const c of [ann, bob]) await c.next('room.state', (m) => m.room.state === 'playing');
  return { ann, bob, code: created.room.code };
}

/** Stops `server` (members get room.left closed, then 1001) and starts another on its port. */
async function restart(server: LobbyServer, graceMs?: number, sessionSecret?: string): Promise<LobbyServer> {
  const port = server.port;
  await server.close();
  servers.splice(servers.indexOf(server), 1);
  return start(port, graceMs, sessionSecret);
}

describe('a lobby restart', () => {
  it('gives players their ids back and their room back, still playing, from their tickets', async () => {
    const first = await start();
    const { ann, bob, code } = await playingRoom(first);
    const before = { ann: lastRoom(ann), bob: lastRoom(bob) };
    const closing = ann.next('room.left');
    const second = await restart(first);
    expect(await closing).toEqual({ type: 'room.left', code, reason: 'closed' });

    const ann2 = await client(second, 'Ann again');
    const welcome = await ann2.expectAnswer({ type: 'hello', name: 'Ann', token: ann.token }, 'welcome');
    expect(welcome).toMatchObject({ peerId: ann.peerId, resumed: true, restarted: true });
    const restored = await ann2.expectAnswer({ type: 'room.restore', ...before.ann }, 'room.state');
    expect(restored.room).toMatchObject({ code, state: 'playing', hostId: ann.peerId, settings: { map: 2 } });
    expect(restored.room.peers.map((p) => [p.id, p.seq, p.ready, p.connected])).toEqual([
      [ann.peerId, 1, false, true],
      [bob.peerId, 2, true, false],
    ]);

    const bob2 = await client(second, 'Bob again');
    expect(await bob2.expectAnswer({ type: 'hello', name: 'Bob', token: bob.token }, 'welcome')).toMatchObject({
      peerId: bob.peerId,
      restarted: true,
    });
    const back = await bob2.expectAnswer({ type: 'room.restore', ...before.bob }, 'room.state');
    expect(back.room.state).toBe('playing');
    expect(back.room.peers.every((p) => p.connected)).toBe(true);
    await ann2.next('room.state', (m) => m.room.peers.every((p) => p.connected));
    // A full member again: signals reach it, and the host still rules the room.
    ann2.send({ type: 'signal', to: bob.peerId, data: 'welcome back' });
    expect(await bob2.next('signal')).toEqual({ type: 'signal', from: ann.peerId, data: 'welcome back' });
    const ended = await ann2.expectAnswer({ type: 'room.end' }, 'room.state');
    expect(ended.room.state).toBe('open');
  });

  /** A playing room, the server restarted with a 300 ms grace, and Bob back in it first by his ticket. */
  async function restartedWithBobBack() {
    const first = await start();
    const { ann, bob, code } = await playingRoom(first);
    const bobsRoom = lastRoom(bob);
    const second = await restart(first, 300);
    const bob2 = await client(second, 'Bob again');
    await bob2.hello('Bob', bob.token);
    const restored = await bob2.expectAnswer({ type: 'room.restore', ...bobsRoom }, 'room.state');
    return { ann, bob, bob2, code, second, restored };
  }

  it('keeps a restored room playing and its host while members are away, until the grace ends', async () => {
    // Bob comes back first; the host (Ann) is still away.
    const { ann, bob, bob2, code, restored } = await restartedWithBobBack();
    expect(restored.room).toMatchObject({ code, state: 'playing', hostId: ann.peerId });
    // Ann never comes back: when the grace ends she is removed, Bob is host, the room reopens.
    const after = await bob2.next('room.state', (m) => m.room.state === 'open', 3000);
    expect(after.room.peers.map((p) => p.id)).toEqual([bob.peerId]);
    expect(after.room).toMatchObject({ state: 'open', hostId: bob.peerId });
  });

  it('drops a member that came back but not to the restored room, so the room can end', async () => {
    const { ann, bob, bob2, code, second } = await restartedWithBobBack();
    // Ann is back too (her id with her), but makes a room of her own instead of restoring.
    const ann2 = await client(second, 'Ann again');
    expect((await ann2.hello('Ann', ann.token)).peerId).toBe(ann.peerId);
    const own = await ann2.expectAnswer({ type: 'room.create' }, 'room.state');
    // When the grace ends she is not a member of the restored room: it drops her.
    const after = await bob2.next('room.state', (m) => m.room.state === 'open', 3000);
    expect(after.room.peers.map((p) => p.id)).toEqual([bob.peerId]);
    // So once Bob leaves, the room is gone: only Ann's own room is left.
    await bob2.expectAnswer({ type: 'room.leave' }, 'room.left');
    expect(await getHealth(second.port)).toMatchObject({ rooms: 1 });
    const eve = await client(second, 'Eve');
    await eve.hello('Eve');
    await eve.expectError({ type: 'room.join', code }, ErrorCode.ROOM_NOT_FOUND);
    await eve.expectAnswer({ type: 'room.join', code: own.room.code }, 'room.state');
  });

  it('refuses a forged ticket, a stranger, and a ticket of a room that ended', async () => {
    const first = await start();
    const { ann, bob, code } = await playingRoom(first);
    const annsRoom = lastRoom(ann);
    const second = await restart(first, 300);
    const ann2 = await client(second, 'Ann again');
    await ann2.hello('Ann', ann.token);
    const forged = { ...annsRoom.room, hostId: bob.peerId };
    await ann2.expectError({ type: 'room.restore', room: forged, ticket: annsRoom.ticket }, ErrorCode.BAD_MESSAGE);
    const eve = await client(second, 'Eve');
    await eve.hello('Eve');
    await eve.expectError({ type: 'room.restore', ...annsRoom }, ErrorCode.PEER_NOT_FOUND);
    // Once the room has ended here (Ann left, Bob never came back), its ticket does not bring it back.
    await ann2.expectAnswer({ type: 'room.restore', ...annsRoom }, 'room.state');
    await ann2.expectAnswer({ type: 'room.leave' }, 'room.left');
    await waitFor(async () => (await getHealth(second.port)).rooms === 0, 'the room to end', { timeoutMs: 3000 });
    await ann2.expectError({ type: 'room.restore', ...annsRoom }, ErrorCode.ROOM_NOT_FOUND);
    // A server with another secret knows neither the token nor the ticket.
    const other = await restart(second, undefined, `${SECRET}-other`);
    const ann3 = await client(other, 'Ann elsewhere');
    expect((await ann3.hello('Ann', ann.token)).resumed).toBe(false);
    await ann3.expectError({ type: 'room.restore', ...annsRoom }, ErrorCode.BAD_MESSAGE);
    expect(code).toMatch(/^[2-9A-HJ-NP-Z]{6}$/);
  });
});
