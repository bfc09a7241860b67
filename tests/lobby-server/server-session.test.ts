// The real lobby server over real WebSockets: identification (hello, names, rid echo, NOT_IDENTIFIED),
// and sessions (reconnect inside and after the grace, the 4001 takeover).
import { ErrorCode, Limits } from '@tickmesh/protocol';
import { describe, expect, it } from 'vitest';
import { getHealth } from '../helpers/http.js';
import { joinedRoom, type LobbyClient, useLobbyServer } from '../helpers/lobby-client.js';
import { waitFor } from '../helpers/wait.js';

describe('hello', () => {
  const lobby = useLobbyServer();

  it('answers hello with welcome: a peer id, a secret token, no ICE servers by default, protocol 1', async () => {
    const a = await lobby.connect();
    const welcome = await a.expectAnswer({ type: 'hello', name: 'Ann', rid: 'h1' }, 'welcome');
    expect(welcome).toMatchObject({ type: 'welcome', rid: 'h1', resumed: false, protocol: 1, iceServers: [] });
    // The peer id, 256 random bits and the server's signature of both, in base64url.
    expect(welcome.token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    expect(welcome.token.startsWith(`${welcome.peerId}.`)).toBe(true);
    expect(welcome.peerId.length).toBeGreaterThan(0);
    expect(welcome.token).not.toBe(welcome.peerId);

    const b = await lobby.connect();
    b.send({ type: 'hello', name: 'Ann' });
    const other = await b.next('welcome');
    expect(other.peerId).not.toBe(welcome.peerId);
    expect(other.token).not.toBe(welcome.token);
    expect(other).not.toHaveProperty('rid');
  });

  it('trims the name (leading and trailing whitespace)', async () => {
    const a = await lobby.connect();
    await a.hello('  \t Ada Lovelace \n ');
    const state = await a.expectAnswer({ type: 'room.create' }, 'room.state');
    expect(state.room.peers[0]?.name).toBe('Ada Lovelace');
  });

  it('accepts 24 code points (astral characters count once) and refuses 25 with INVALID_NAME', async () => {
    const a = await lobby.connect();
    await a.expectError({ type: 'hello', name: '😀'.repeat(25) }, ErrorCode.INVALID_NAME);
    await a.expectError({ type: 'hello', name: 'x'.repeat(25) }, ErrorCode.INVALID_NAME);
    await a.hello('😀'.repeat(24));
    const state = await a.expectAnswer({ type: 'room.create' }, 'room.state');
    expect(state.room.peers[0]?.name).toBe('😀'.repeat(24));
  });

  it.each([
    ['empty', ''],
    ['only spaces', '    '],
    ['a C0 control character', 'An\u0007n'],
    ['a DEL', 'An\u007fn'],
    ['a C1 control character', 'An\u0085n'],
    ['a NUL', '\u0000'],
  ])('refuses a name with %s with INVALID_NAME and stays unidentified', async (_what, name) => {
    const a = await lobby.connect();
    const error = await a.expectError({ type: 'hello', name, rid: 7 }, ErrorCode.INVALID_NAME);
    expect(error.rid).toBe(7);
    // Nothing changed: still not identified, and a good hello then works.
    await a.expectError({ type: 'room.list' }, ErrorCode.NOT_IDENTIFIED);
    await a.hello('Ann');
  });

  it('refuses a hello whose name is not a string, or whose token is over-long, with BAD_MESSAGE', async () => {
    const a = await lobby.connect();
    await a.expectError({ type: 'hello', name: 42 }, ErrorCode.BAD_MESSAGE);
    await a.expectError({ type: 'hello' }, ErrorCode.BAD_MESSAGE);
    await a.expectError(
      { type: 'hello', name: 'Ann', token: 'x'.repeat(Limits.maxTokenLength + 1) },
      ErrorCode.BAD_MESSAGE,
    );
    await a.expectError({ type: 'hello', name: 'Ann', token: 5 }, ErrorCode.BAD_MESSAGE);
    await a.hello('Ann');
  });

  it('refuses a second hello with BAD_STATE and keeps the first identity', async () => {
    const a = await lobby.identified('Ann');
    const first = a.peerId;
    await a.expectError({ type: 'hello', name: 'Bob' }, ErrorCode.BAD_STATE);
    // Even with its own token: the connection is already identified.
    await a.expectError({ type: 'hello', name: 'Bob', token: a.token }, ErrorCode.BAD_STATE);
    const state = await a.expectAnswer({ type: 'room.create' }, 'room.state');
    expect(state.room.hostId).toBe(first);
    expect(state.room.peers).toEqual([{ id: first, name: 'Ann', ready: false, connected: true, seq: 1 }]);
  });

  it('refuses every known type but hello and ping before hello with NOT_IDENTIFIED', async () => {
    const a = await lobby.connect();
    const b = await lobby.identified('Bob');
    const messages = [
      { type: 'room.create' },
      { type: 'room.join', code: 'ABCDEF' },
      { type: 'room.quickplay' },
      { type: 'room.list' },
      { type: 'room.leave' },
      { type: 'room.ready', ready: true },
      { type: 'room.settings', settings: {} },
      { type: 'room.start' },
      { type: 'room.end' },
      { type: 'room.kick', peerId: b.peerId },
      { type: 'room.chat', text: 'hi' },
      { type: 'signal', to: b.peerId, data: { sdp: 'x' } },
      // Malformed fields do not change the answer: identification is checked first.
      { type: 'room.join' },
      { type: 'room.ready', ready: 'yes' },
      { type: 'signal', to: 5 },
    ];
    for (const [i, msg] of messages.entries()) {
      const error = await a.expectError({ ...msg, rid: i }, ErrorCode.NOT_IDENTIFIED);
      expect(error.rid).toBe(i);
    }
    // ping works before hello.
    expect(await a.request({ type: 'ping', t: 12.5 })).toMatchObject({ type: 'pong', t: 12.5 });
    // Nothing reached the peer that was named.
    expect(await b.settle()).toEqual([]);
    expect(await getHealth(lobby.server.port)).toMatchObject({ rooms: 0 });
  });

  it('echoes a string or an integer rid on pong, and t when given', async () => {
    const a = await lobby.connect();
    a.send({ type: 'ping', t: 1.25, rid: 'r-1' });
    expect(await a.next('pong')).toEqual({ type: 'pong', t: 1.25, rid: 'r-1' });
    a.send({ type: 'ping', rid: 0 });
    expect(await a.next('pong')).toEqual({ type: 'pong', rid: 0 });
    a.send({ type: 'ping', rid: -9_007_199_254_740_991 });
    expect(await a.next('pong')).toEqual({ type: 'pong', rid: -9_007_199_254_740_991 });
    const longRid = 'é'.repeat(Limits.maxRidLength);
    a.send({ type: 'ping', rid: longRid });
    expect(await a.next('pong')).toEqual({ type: 'pong', rid: longRid });
    a.send({ type: 'ping' });
    expect(await a.next('pong')).toEqual({ type: 'pong' });
  });

  it.each([
    ['a 65-character string', 'x'.repeat(65)],
    ['a fraction', 1.5],
    ['an unsafe integer', 2 ** 53],
    ['an object', { id: 1 }],
    ['null', null],
    ['a boolean', true],
  ])('answers a rid that is %s with BAD_MESSAGE and no rid', async (_what, rid) => {
    const a = await lobby.identified('Ann');
    a.sendJson({ type: 'room.create', rid });
    const error = await a.next('error');
    expect(error.code).toBe(ErrorCode.BAD_MESSAGE);
    expect(error).not.toHaveProperty('rid');
    // The refused create made no room.
    expect(await getHealth(lobby.server.port)).toMatchObject({ rooms: 0 });
  });

  it('starts a new session for an unknown token', async () => {
    const a = await lobby.connect();
    const welcome = await a.hello('Ann', 'not-a-token-the-server-issued');
    expect(welcome.resumed).toBe(false);
    expect(welcome.token).not.toBe('not-a-token-the-server-issued');
  });
});

describe('reconnection inside the grace', () => {
  const lobby = useLobbyServer({ graceMs: 10_000 });

  it('resumes the session: same peer id, same room and slot, the new name; others see connected false then true', async () => {
    const { code, clients } = await joinedRoom(lobby, ['Ann', 'Bob', 'Cy']);
    const [a, b, c] = clients as [LobbyClient, LobbyClient, LobbyClient];
    await b.expectAnswer({ type: 'room.ready', ready: true }, 'room.state');
    await a.next('room.state', (m) => m.room.peers.some((p) => p.id === b.peerId && p.ready));

    await b.terminate();
    const dropped = await a.next('room.state', (m) => m.room.peers.some((p) => p.id === b.peerId && !p.connected));
    // B keeps its slot, its seq and its ready flag while in grace.
    expect(dropped.room.peers.find((p) => p.id === b.peerId)).toEqual({
      id: b.peerId,
      name: 'Bob',
      ready: true,
      connected: false,
      seq: 2,
    });
    expect(dropped).not.toHaveProperty('rid');
    await c.next('room.state', (m) => m.room.peers.some((p) => p.id === b.peerId && !p.connected));

    const b2 = await lobby.connect();
    const welcome = await b2.expectAnswer({ type: 'hello', name: 'Bobby', token: b.token, rid: 'back' }, 'welcome');
    expect(welcome).toMatchObject({ peerId: b.peerId, resumed: true, rid: 'back' });
    // A resume rotates the token: the new one resumes, the one just used no longer does.
    expect(welcome.token).not.toBe(b.token);
    // The resumed connection gets the room right away, echoing the hello's rid.
    const mine = await b2.next('room.state');
    expect(mine.rid).toBe('back');
    expect(mine.room.code).toBe(code);
    expect(mine.room.peers.find((p) => p.id === b.peerId)).toMatchObject({ name: 'Bobby', connected: true, seq: 2 });

    const seen = await a.next('room.state', (m) => m.room.peers.some((p) => p.id === b.peerId && p.connected));
    expect(seen).not.toHaveProperty('rid');
    expect(seen.room.peers.map((p) => [p.name, p.seq])).toEqual([
      ['Ann', 1],
      ['Bobby', 2],
      ['Cy', 3],
    ]);
    // The resumed peer is a full member again: signals reach it.
    a.send({ type: 'signal', to: b.peerId, data: 'again' });
    expect(await b2.next('signal')).toEqual({ type: 'signal', from: a.peerId, data: 'again' });
  });

  it('hands the host role to the lowest connected seq at once when the host drops, and keeps it on resume', async () => {
    const { clients } = await joinedRoom(lobby, ['Ann', 'Bob', 'Cy']);
    const [a, b, c] = clients as [LobbyClient, LobbyClient, LobbyClient];
    await a.terminate();
    const migrated = await b.next('room.state', (m) => m.room.peers.some((p) => p.id === a.peerId && !p.connected));
    expect(migrated.room.hostId).toBe(b.peerId);
    await c.next('room.state', (m) => m.room.hostId === b.peerId);
    // The new host can act as host, the old one's slot stays.
    await b.expectAnswer({ type: 'room.settings', settings: { map: 'dust' } }, 'room.state');

    const a2 = await lobby.connect();
    await a2.hello('Ann', a.token);
    const back = await a2.next('room.state');
    expect(back.room.hostId).toBe(b.peerId);
    expect(back.room.peers.find((p) => p.id === a.peerId)).toMatchObject({ connected: true, seq: 1 });
    await a2.expectError({ type: 'room.start' }, ErrorCode.NOT_HOST);
  });

  it('makes the first member back host when every member was in grace', async () => {
    const { code, clients } = await joinedRoom(lobby, ['Ann', 'Bob']);
    const [a, b] = clients as [LobbyClient, LobbyClient];
    await b.terminate();
    await a.next('room.state', (m) => m.room.peers.some((p) => p.id === b.peerId && !p.connected));
    await a.terminate();
    // Both drops have reached the server once no WebSocket is open.
    await waitFor(
      async () => (await getHealth(lobby.server.port)).connections === 0,
      'both drops to reach the server',
      {
        report: () => getHealth(lobby.server.port),
      },
    );
    const b2 = await lobby.connect();
    await b2.hello('Bob', b.token);
    const back = await b2.next('room.state');
    expect(back.room.code).toBe(code);
    expect(back.room.peers.map((p) => [p.id, p.connected])).toEqual([
      [a.peerId, false],
      [b.peerId, true],
    ]);
    expect(back.room.hostId).toBe(b.peerId);
    await b2.expectAnswer({ type: 'room.settings', settings: { x: 1 } }, 'room.state');
  });

  it('resumes a session that is in no room without sending a room', async () => {
    const a = await lobby.identified('Ann');
    await a.close();
    const a2 = await lobby.connect();
    const welcome = await a2.hello('Ann 2', a.token);
    expect(welcome).toMatchObject({ peerId: a.peerId, resumed: true });
    expect(await a2.settle()).toEqual([]);
    // The resumed session can use rooms as usual.
    const created = await a2.expectAnswer({ type: 'room.create' }, 'room.state');
    expect(created.room.peers[0]).toMatchObject({ id: a.peerId, name: 'Ann 2' });
  });

  it('tells a peer kicked while in grace that it left, when it resumes', async () => {
    const { code, clients } = await joinedRoom(lobby, ['Ann', 'Bob']);
    const [a, b] = clients as [LobbyClient, LobbyClient];
    await b.terminate();
    await a.next('room.state', (m) => m.room.peers.some((p) => p.id === b.peerId && !p.connected));
    // A peer in grace is still a member: the host may kick it.
    const after = await a.expectAnswer({ type: 'room.kick', peerId: b.peerId }, 'room.state');
    expect(after.room.peers.map((p) => p.id)).toEqual([a.peerId]);

    const b2 = await lobby.connect();
    await b2.hello('Bob', b.token);
    expect(await b2.next('room.left')).toEqual({ type: 'room.left', code, reason: 'kicked' });
    // It is in no room now.
    await b2.expectError({ type: 'room.leave' }, ErrorCode.NOT_IN_ROOM);
    expect(await b2.settle()).toEqual([]);
  });

  it('closes the first connection with 4001 when a second one resumes the session while it is live', async () => {
    const { code, clients } = await joinedRoom(lobby, ['Ann', 'Bob']);
    const [a, b] = clients as [LobbyClient, LobbyClient];
    const b2 = await lobby.connect();
    const welcome = await b2.expectAnswer({ type: 'hello', name: 'Bob 2', token: b.token }, 'welcome');
    expect(welcome).toMatchObject({ peerId: b.peerId, resumed: true });
    expect(welcome.token).not.toBe(b.token);
    expect((await b.closed).code).toBe(4001);

    const mine = await b2.next('room.state');
    expect(mine.room.code).toBe(code);
    const renamed = await a.next('room.state', (m) => m.room.peers.some((p) => p.name === 'Bob 2'));
    expect(renamed.room.peers.find((p) => p.id === b.peerId)?.connected).toBe(true);
    // The takeover is a socket swap: no one ever saw B disconnected, and the old socket's close
    // did not put the session into grace.
    expect((await a.settle()).filter((m) => m.type === 'room.state')).toEqual([]);
    for (const m of a.log) {
      if (m.type === 'room.state') expect(m.room.peers.every((p) => p.connected)).toBe(true);
    }
    a.send({ type: 'signal', to: b.peerId, data: { n: 1 } });
    expect(await b2.next('signal')).toEqual({ type: 'signal', from: a.peerId, data: { n: 1 } });
    b2.send({ type: 'signal', to: a.peerId, data: { n: 2 } });
    expect(await a.next('signal')).toEqual({ type: 'signal', from: b.peerId, data: { n: 2 } });
    expect(await getHealth(lobby.server.port)).toMatchObject({ connections: 2, rooms: 1 });
  });
});

describe('after the grace', () => {
  const lobby = useLobbyServer({ graceMs: 150 });

  it('removes the peer as if it had left, and its token then starts a new session', async () => {
    const { clients } = await joinedRoom(lobby, ['Ann', 'Bob', 'Cy']);
    const [a, b, c] = clients as [LobbyClient, LobbyClient, LobbyClient];
    await a.terminate();
    const inGrace = await b.next('room.state', (m) => m.room.peers.some((p) => p.id === a.peerId && !p.connected));
    expect(inGrace.room.hostId).toBe(b.peerId);
    const gone = await b.next('room.state', (m) => !m.room.peers.some((p) => p.id === a.peerId));
    expect(gone.room.peers.map((p) => [p.id, p.seq])).toEqual([
      [b.peerId, 2],
      [c.peerId, 3],
    ]);
    expect(gone.room.hostId).toBe(b.peerId);
    await c.next('room.state', (m) => !m.room.peers.some((p) => p.id === a.peerId));

    const a2 = await lobby.connect();
    const welcome = await a2.hello('Ann', a.token);
    expect(welcome.resumed).toBe(false);
    expect(welcome.peerId).not.toBe(a.peerId);
    expect(welcome.token).not.toBe(a.token);
    expect(await a2.settle()).toEqual([]);
  });

  it('deletes the room once its last member leaves the grace', async () => {
    const { code, clients } = await joinedRoom(lobby, ['Ann']);
    const [a] = clients as [LobbyClient];
    await a.terminate();
    const probe = await lobby.identified('Probe');
    // While the grace runs, the room lives on.
    await probe.expectAnswer({ type: 'room.join', code }, 'room.state');
    await probe.expectAnswer({ type: 'room.leave' }, 'room.left');
    // Wait until the grace expires (the room disappears), then its code is unknown.
    await waitFor(async () => (await getHealth(lobby.server.port)).rooms === 0, 'the room to expire', {
      report: () => getHealth(lobby.server.port),
    });
    await probe.expectError({ type: 'room.join', code }, ErrorCode.ROOM_NOT_FOUND);
  });
});
