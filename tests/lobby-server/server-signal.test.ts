// The real lobby server over real WebSockets: signal relay between members of one room, with the
// sender stamped by the server and the data relayed intact, and every way a signal is refused.
import { ErrorCode, Limits } from '@tickmesh/protocol';
import { describe, expect, it } from 'vitest';
import { joinedRoom, type LobbyClient, useLobbyServer } from '../helpers/lobby-client.js';

describe('signal', () => {
  const lobby = useLobbyServer({ graceMs: 10_000 });

  it('relays data intact to the named member only, stamping from with the sender', async () => {
    const { clients } = await joinedRoom(lobby, ['Ann', 'Bob', 'Cy']);
    const [a, b, c] = clients as [LobbyClient, LobbyClient, LobbyClient];
    const data = {
      kind: 'offer',
      sdp: 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\n',
      candidates: [{ candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host', sdpMLineIndex: 0 }],
      unicode: 'zoë 😀 \u2028 "quoted" \\ back',
      numbers: [0, -1, 1.5e300, 2 ** 53 - 1],
      nothing: null,
      flags: [true, false],
    };
    a.send({ type: 'signal', to: b.peerId, data });
    expect(await b.next('signal')).toEqual({ type: 'signal', from: a.peerId, data });
    // Nothing to the sender (a relayed signal has no answer), nothing to the third member.
    expect(await a.settle()).toEqual([]);
    expect(await c.settle()).toEqual([]);
  });

  it.each([
    ['null', null],
    ['zero', 0],
    ['a string', 'candidate:...'],
    ['false', false],
    ['an empty array', []],
    ['an empty object', {}],
  ])('relays any JSON value as data: %s', async (_what, data) => {
    const { clients } = await joinedRoom(lobby, ['Ann', 'Bob']);
    const [a, b] = clients as [LobbyClient, LobbyClient];
    b.send({ type: 'signal', to: a.peerId, data });
    expect(await a.next('signal')).toEqual({ type: 'signal', from: b.peerId, data });
  });

  it('ignores a forged from in the client message', async () => {
    const { clients } = await joinedRoom(lobby, ['Ann', 'Bob', 'Cy']);
    const [a, b, c] = clients as [LobbyClient, LobbyClient, LobbyClient];
    a.sendJson({ type: 'signal', to: b.peerId, from: c.peerId, data: { hi: 1 } });
    expect(await b.next('signal')).toEqual({ type: 'signal', from: a.peerId, data: { hi: 1 } });
    // A forged from inside data stays data.
    a.sendJson({ type: 'signal', to: b.peerId, data: { from: c.peerId } });
    expect(await b.next('signal')).toEqual({ type: 'signal', from: a.peerId, data: { from: c.peerId } });
  });

  it('keeps order and carries no rid on relayed signals', async () => {
    const { clients } = await joinedRoom(lobby, ['Ann', 'Bob']);
    const [a, b] = clients as [LobbyClient, LobbyClient];
    for (let i = 0; i < 20; i++) a.sendJson({ type: 'signal', to: b.peerId, data: i, rid: `s${i}` });
    for (let i = 0; i < 20; i++) {
      const m = await b.next('signal');
      expect(m).toEqual({ type: 'signal', from: a.peerId, data: i });
    }
    expect(await a.settle()).toEqual([]);
  });

  it('accepts data of exactly 32 KiB as JSON and refuses one byte more with TOO_LARGE', async () => {
    const { clients } = await joinedRoom(lobby, ['Ann', 'Bob']);
    const [a, b] = clients as [LobbyClient, LobbyClient];
    // A JSON string: 2 quote bytes plus its content.
    const exact = 'x'.repeat(Limits.maxSignalBytes - 2);
    a.send({ type: 'signal', to: b.peerId, data: exact });
    expect((await b.next('signal')).data).toBe(exact);
    await a.expectError({ type: 'signal', to: b.peerId, data: `${exact}x`, rid: 'big' }, ErrorCode.TOO_LARGE);
    // UTF-8 bytes count, not characters: fewer than 32768 characters, more than 32768 bytes.
    await a.expectError({ type: 'signal', to: b.peerId, data: 'é'.repeat(16_384) }, ErrorCode.TOO_LARGE);
    expect(await b.settle()).toEqual([]);
  });

  it('refuses a signal to yourself, to an unknown id, to a peer in no room or in another room with PEER_NOT_FOUND', async () => {
    const { clients } = await joinedRoom(lobby, ['Ann', 'Bob']);
    const [a, b] = clients as [LobbyClient, LobbyClient];
    const loner = await lobby.identified('Loner');
    const elsewhere = await joinedRoom(lobby, ['Else']);
    const [e] = elsewhere.clients as [LobbyClient];
    for (const to of [a.peerId, 'nobody-has-this-id', loner.peerId, e.peerId]) {
      const error = await a.expectError({ type: 'signal', to, data: 'x', rid: to }, ErrorCode.PEER_NOT_FOUND);
      expect(error.rid).toBe(to);
    }
    // Not in a room: no one is reachable, not even a peer whose room you are not in.
    await loner.expectError({ type: 'signal', to: a.peerId, data: 'x' }, ErrorCode.PEER_NOT_FOUND);
    await e.expectError({ type: 'signal', to: b.peerId, data: 'x' }, ErrorCode.PEER_NOT_FOUND);
    for (const x of [a, b, loner, e]) expect((await x.settle()).filter((m) => m.type === 'signal')).toEqual([]);
  });

  it('refuses a signal to a member in reconnect grace, and relays again once it is back', async () => {
    const { clients } = await joinedRoom(lobby, ['Ann', 'Bob']);
    const [a, b] = clients as [LobbyClient, LobbyClient];
    await b.terminate();
    await a.next('room.state', (m) => m.room.peers.some((p) => p.id === b.peerId && !p.connected));
    await a.expectError({ type: 'signal', to: b.peerId, data: 'x' }, ErrorCode.PEER_NOT_FOUND);
    const b2 = await lobby.connect();
    await b2.hello('Bob', b.token);
    await a.next('room.state', (m) => m.room.peers.every((p) => p.connected));
    a.send({ type: 'signal', to: b.peerId, data: 'welcome back' });
    expect(await b2.next('signal')).toEqual({ type: 'signal', from: a.peerId, data: 'welcome back' });
    // What was refused during the grace was not queued for later.
    expect((await b2.settle()).filter((m) => m.type === 'signal')).toEqual([]);
  });

  it('refuses a signal to a peer who left or was kicked', async () => {
    const { clients } = await joinedRoom(lobby, ['Ann', 'Bob', 'Cy']);
    const [a, b, c] = clients as [LobbyClient, LobbyClient, LobbyClient];
    await b.expectAnswer({ type: 'room.leave' }, 'room.left');
    await a.expectError({ type: 'signal', to: b.peerId, data: 1 }, ErrorCode.PEER_NOT_FOUND);
    await b.expectError({ type: 'signal', to: a.peerId, data: 1 }, ErrorCode.PEER_NOT_FOUND);
    await a.expectAnswer({ type: 'room.kick', peerId: c.peerId }, 'room.state');
    await a.expectError({ type: 'signal', to: c.peerId, data: 1 }, ErrorCode.PEER_NOT_FOUND);
    await c.expectError({ type: 'signal', to: a.peerId, data: 1 }, ErrorCode.PEER_NOT_FOUND);
    expect((await a.settle()).filter((m) => m.type === 'signal')).toEqual([]);
  });

  it.each([
    ['no to', { data: 1 }],
    ['no data', { to: 'x' }],
    ['a numeric to', { to: 5, data: 1 }],
    ['an over-long to', { to: 'x'.repeat(Limits.maxIdLength + 1), data: 1 }],
  ])('refuses a signal with %s as BAD_MESSAGE', async (_what, fields) => {
    const { clients } = await joinedRoom(lobby, ['Ann', 'Bob']);
    const [a, b] = clients as [LobbyClient, LobbyClient];
    await a.expectError({ type: 'signal', ...fields }, ErrorCode.BAD_MESSAGE);
    expect(await b.settle()).toEqual([]);
  });
});
