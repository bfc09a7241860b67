// The real lobby server over real WebSockets: the room lifecycle open → countdown → playing → open,
// who may start and end, what cancels a countdown, and what a room in game accepts.
import { ErrorCode, type ServerMessageOf } from '@tickmesh/protocol';
import { describe, expect, it } from 'vitest';
import { joinedRoom, type LobbyClient, type LobbyFixture, useLobbyServer } from '../helpers/lobby-client.js';

type RoomState = ServerMessageOf<'room.state'>;

/** Ann (host), Bob and Cy, Bob and Cy ready; every member has seen every flag. */
async function readyRoom(lobby: LobbyFixture, create: { settings?: Record<string, unknown>; public?: boolean } = {}) {
  const room = await joinedRoom(lobby, ['Ann', 'Bob', 'Cy'], create);
  const [a, b, c] = room.clients as [LobbyClient, LobbyClient, LobbyClient];
  await b.expectAnswer({ type: 'room.ready', ready: true }, 'room.state');
  // Cy readies last: its answer shows everyone ready; Ann and Bob see it as a broadcast.
  const last = await c.expectAnswer({ type: 'room.ready', ready: true }, 'room.state');
  const allReady = (m: RoomState) => m.room.peers.every((p) => p.id === a.peerId || p.ready);
  expect(allReady(last)).toBe(true);
  for (const x of [a, b]) await x.next('room.state', allReady);
  for (const x of [a, b, c]) x.drain();
  return { ...room, a, b, c };
}

/** `readyRoom` after the host's start, with everyone having seen the countdown. */
async function countdownRoom(
  lobby: LobbyFixture,
  create: { settings?: Record<string, unknown>; public?: boolean } = {},
) {
  const room = await readyRoom(lobby, create);
  const started = await room.a.expectAnswer({ type: 'room.start' }, 'room.state');
  expect(started.room.state).toBe('countdown');
  for (const x of [room.b, room.c]) await x.next('room.state', (m) => m.room.state === 'countdown');
  return { ...room, started };
}

const expectOpenAndUnready = (m: RoomState) => {
  expect(m.room.state).toBe('open');
  expect(m.room).not.toHaveProperty('countdownEndsAt');
  expect(m.room.peers.every((p) => !p.ready)).toBe(true);
};

describe('start and countdown (a countdown long enough never to elapse in a test)', () => {
  const COUNTDOWN_MS = 60_000;
  const lobby = useLobbyServer({ countdownMs: COUNTDOWN_MS, graceMs: 10_000 });

  it('refuses start from a lone host, from a non-host, and while a non-host is not ready', async () => {
    const solo = await joinedRoom(lobby, ['Solo']);
    await solo.clients[0]?.expectError({ type: 'room.start' }, ErrorCode.NOT_READY);

    const { clients } = await joinedRoom(lobby, ['Ann', 'Bob', 'Cy']);
    const [a, b, c] = clients as [LobbyClient, LobbyClient, LobbyClient];
    await b.expectError({ type: 'room.start', rid: 's' }, ErrorCode.NOT_HOST);
    await a.expectError({ type: 'room.start' }, ErrorCode.NOT_READY);
    await b.expectAnswer({ type: 'room.ready', ready: true }, 'room.state');
    await a.next('room.state', (m) => m.room.peers.some((p) => p.id === b.peerId && p.ready));
    // Cy is still not ready.
    await a.expectError({ type: 'room.start' }, ErrorCode.NOT_READY);
    for (const x of [a, b, c]) {
      const seen = (await x.settle()).filter((m) => m.type === 'room.state');
      for (const m of seen) expect(m.room.state).toBe('open');
    }
  });

  it('counts only connected peers for start: a peer in grace need not be ready, but 2 must be connected', async () => {
    const { clients } = await joinedRoom(lobby, ['Ann', 'Bob', 'Cy']);
    const [a, b, c] = clients as [LobbyClient, LobbyClient, LobbyClient];
    await c.terminate();
    await a.next('room.state', (m) => m.room.peers.some((p) => p.id === c.peerId && !p.connected));
    await a.expectError({ type: 'room.start' }, ErrorCode.NOT_READY);
    await b.expectAnswer({ type: 'room.ready', ready: true }, 'room.state');
    await a.next('room.state', (m) => m.room.peers.some((p) => p.id === b.peerId && p.ready));
    expect((await a.expectAnswer({ type: 'room.start' }, 'room.state')).room.state).toBe('countdown');
    // With Bob gone too, one connected peer is not enough.
    const solo = await joinedRoom(lobby, ['Dee', 'Eve']);
    const [d, e] = solo.clients as [LobbyClient, LobbyClient];
    await e.expectAnswer({ type: 'room.ready', ready: true }, 'room.state');
    await e.terminate();
    await d.next('room.state', (m) => m.room.peers.some((p) => p.id === e.peerId && !p.connected));
    await d.expectError({ type: 'room.start' }, ErrorCode.NOT_READY);
  });

  it('enters countdown with countdownEndsAt = now + countdownMs, the host copy echoing its rid', async () => {
    const { a, b, c } = await readyRoom(lobby);
    const before = Date.now();
    const started = await a.expectAnswer({ type: 'room.start', rid: 'go' }, 'room.state');
    const after = Date.now();
    expect(started.rid).toBe('go');
    expect(started.room.state).toBe('countdown');
    expect(started.room.countdownEndsAt).toBeGreaterThanOrEqual(before + COUNTDOWN_MS);
    expect(started.room.countdownEndsAt).toBeLessThanOrEqual(after + COUNTDOWN_MS);
    // Ready flags stay set through the countdown.
    expect(started.room.peers.map((p) => p.ready)).toEqual([false, true, true]);
    for (const x of [b, c]) {
      const copy = await x.next('room.state');
      expect(copy).toEqual({ type: 'room.state', room: started.room, ticket: started.ticket });
    }
  });

  it('refuses start, settings and end during the countdown with BAD_STATE, changing nothing', async () => {
    const { a, b, c, started } = await countdownRoom(lobby);
    await a.expectError({ type: 'room.start' }, ErrorCode.BAD_STATE);
    await a.expectError({ type: 'room.settings', settings: { map: 'x' } }, ErrorCode.BAD_STATE);
    await a.expectError({ type: 'room.end' }, ErrorCode.BAD_STATE);
    await b.expectError({ type: 'room.start' }, ErrorCode.NOT_HOST);
    await b.expectError({ type: 'room.end' }, ErrorCode.NOT_HOST);
    // A ready flag set to what it already is changes nothing either: no cancel.
    const same = await b.expectAnswer({ type: 'room.ready', ready: true }, 'room.state');
    expect(same.room).toEqual(started.room);
    for (const x of [a, b, c]) expect(await x.settle()).toEqual([]);
  });

  const cancels: [string, (r: Awaited<ReturnType<typeof countdownRoom>>) => Promise<LobbyClient[]>][] = [
    [
      'a join',
      async (r) => {
        const d = await lobby.identified('Dee');
        const joined = await d.expectAnswer({ type: 'room.join', code: r.code }, 'room.state');
        expectOpenAndUnready(joined);
        return [r.a, r.b, r.c];
      },
    ],
    [
      'a leave',
      async (r) => {
        await r.c.expectAnswer({ type: 'room.leave' }, 'room.left');
        return [r.a, r.b];
      },
    ],
    [
      'a disconnect',
      async (r) => {
        await r.c.terminate();
        return [r.a, r.b];
      },
    ],
    [
      'a ready change',
      async (r) => {
        const mine = await r.c.expectAnswer({ type: 'room.ready', ready: false }, 'room.state');
        expectOpenAndUnready(mine);
        return [r.a, r.b];
      },
    ],
    [
      'a kick',
      async (r) => {
        await r.a.expectAnswer({ type: 'room.kick', peerId: r.c.peerId }, 'room.state');
        expect(await r.c.next('room.left')).toMatchObject({ reason: 'kicked' });
        return [r.b];
      },
    ],
  ];

  it.each(cancels)('cancels the countdown on %s: back to open, every ready flag cleared', async (_what, act) => {
    const room = await countdownRoom(lobby);
    const observers = await act(room);
    for (const x of observers) expectOpenAndUnready(await x.next('room.state', (m) => m.room.state === 'open'));
    // Start is refused again until everyone readies up anew.
    await room.a.expectError({ type: 'room.start' }, ErrorCode.NOT_READY);
  });

  it('cancels the countdown when a member in grace who is not ready comes back', async () => {
    const { code, clients } = await joinedRoom(lobby, ['Ann', 'Bob', 'Cy']);
    const [a, b, c] = clients as [LobbyClient, LobbyClient, LobbyClient];
    await c.terminate();
    await a.next('room.state', (m) => m.room.peers.some((p) => p.id === c.peerId && !p.connected));
    await b.expectAnswer({ type: 'room.ready', ready: true }, 'room.state');
    await a.next('room.state', (m) => m.room.peers.some((p) => p.id === b.peerId && p.ready));
    expect((await a.expectAnswer({ type: 'room.start' }, 'room.state')).room.state).toBe('countdown');
    const c2 = await lobby.connect();
    await c2.hello('Cy', c.token);
    const back = await c2.next('room.state');
    expect(back.room.code).toBe(code);
    expectOpenAndUnready(back);
    expectOpenAndUnready(await a.next('room.state', (m) => m.room.peers.every((p) => p.connected)));
  });

  it('keeps the countdown when a member in grace who is ready comes back', async () => {
    const room = await readyRoom(lobby);
    await room.c.terminate();
    await room.a.next('room.state', (m) => m.room.peers.some((p) => p.id === room.c.peerId && !p.connected));
    const started = await room.a.expectAnswer({ type: 'room.start' }, 'room.state');
    expect(started.room.state).toBe('countdown');
    const c2 = await lobby.connect();
    await c2.hello('Cy', room.c.token);
    const back = await c2.next('room.state');
    expect(back.room.state).toBe('countdown');
    expect(back.room.countdownEndsAt).toBe(started.room.countdownEndsAt);
    expect(back.room.peers.map((p) => [p.ready, p.connected])).toEqual([
      [false, true],
      [true, true],
      [true, true],
    ]);
  });

  it('refuses end while open with BAD_STATE (NOT_HOST for a non-host)', async () => {
    const { clients } = await joinedRoom(lobby, ['Ann', 'Bob']);
    const [a, b] = clients as [LobbyClient, LobbyClient];
    await a.expectError({ type: 'room.end' }, ErrorCode.BAD_STATE);
    await b.expectError({ type: 'room.end' }, ErrorCode.NOT_HOST);
    expect(await a.settle()).toEqual([]);
    expect(await b.settle()).toEqual([]);
  });
});

describe('playing (a short countdown)', () => {
  const COUNTDOWN_MS = 120;
  const lobby = useLobbyServer({ countdownMs: COUNTDOWN_MS, graceMs: 10_000 });

  async function playingRoom(create: { settings?: Record<string, unknown>; public?: boolean } = {}) {
    const room = await countdownRoom(lobby, create);
    const playing: RoomState[] = [];
    for (const x of [room.a, room.b, room.c])
      playing.push(await x.next('room.state', (m) => m.room.state === 'playing'));
    return { ...room, playing };
  }

  it('turns the countdown into playing after countdownMs, for every member, with no countdownEndsAt', async () => {
    const { a, b, c } = await readyRoom(lobby);
    // The countdown starts after this instant, however slowly the answer travels.
    const startedAt = Date.now();
    const started = await a.expectAnswer({ type: 'room.start' }, 'room.state');
    const endsAt = started.room.countdownEndsAt ?? 0;
    const playing = await a.next('room.state', (m) => m.room.state === 'playing');
    // Timers never fire early (a millisecond of rounding aside).
    expect(Date.now()).toBeGreaterThanOrEqual(endsAt - 1);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(COUNTDOWN_MS - 1);
    expect(playing).not.toHaveProperty('rid');
    expect(playing.room).not.toHaveProperty('countdownEndsAt');
    // Entering playing keeps the ready flags (only entering open clears them).
    expect(playing.room.peers.map((p) => p.ready)).toEqual([false, true, true]);
    for (const x of [b, c]) {
      await x.next('room.state', (m) => m.room.state === 'countdown');
      expect(await x.next('room.state')).toEqual({ type: 'room.state', room: playing.room, ticket: playing.ticket });
    }
    for (const x of [a, b, c]) expect(await x.settle()).toEqual([]);
  });

  it('refuses ready, start and settings while playing with BAD_STATE, and joins with ROOM_IN_GAME', async () => {
    const { a, b, c, code } = await playingRoom();
    await b.expectError({ type: 'room.ready', ready: false, rid: 'r' }, ErrorCode.BAD_STATE);
    await b.expectError({ type: 'room.ready', ready: true }, ErrorCode.BAD_STATE);
    await a.expectError({ type: 'room.start' }, ErrorCode.BAD_STATE);
    await a.expectError({ type: 'room.settings', settings: { lateJoin: true } }, ErrorCode.BAD_STATE);
    const d = await lobby.identified('Dee');
    await d.expectError({ type: 'room.join', code }, ErrorCode.ROOM_IN_GAME);
    for (const x of [a, b, c]) expect(await x.settle()).toEqual([]);
    await b.expectError({ type: 'room.end' }, ErrorCode.NOT_HOST);
    expect(await a.settle()).toEqual([]);
  });

  it('lets players join a room in game when its settings say lateJoin: true', async () => {
    const { a, code } = await playingRoom({ settings: { lateJoin: true } });
    const d = await lobby.identified('Dee');
    const joined = await d.expectAnswer({ type: 'room.join', code }, 'room.state');
    expect(joined.room.state).toBe('playing');
    expect(joined.room.peers.at(-1)).toEqual({ id: d.peerId, name: 'Dee', ready: false, connected: true, seq: 4 });
    expect(await a.next('room.state')).toEqual({ type: 'room.state', room: joined.room, ticket: joined.ticket });
    // lateJoin: false (or anything but true) does not.
    const strict = await playingRoom({ settings: { lateJoin: 'yes' } });
    const e = await lobby.identified('Eve');
    await e.expectError({ type: 'room.join', code: strict.code }, ErrorCode.ROOM_IN_GAME);
  });

  it('answers a join to a full room in game with ROOM_IN_GAME, and to a full late-join room with ROOM_FULL', async () => {
    for (const [settings, code] of [
      [{}, ErrorCode.ROOM_IN_GAME],
      [{ lateJoin: true }, ErrorCode.ROOM_FULL],
    ] as const) {
      const room = await joinedRoom(lobby, ['Ann', 'Bob'], { maxPlayers: 2, settings });
      const [a, b] = room.clients as [LobbyClient, LobbyClient];
      await b.expectAnswer({ type: 'room.ready', ready: true }, 'room.state');
      await a.next('room.state', (m) => m.room.peers.some((p) => p.ready));
      await a.expectAnswer({ type: 'room.start' }, 'room.state');
      await a.next('room.state', (m) => m.room.state === 'playing');
      const d = await lobby.identified('Dee');
      await d.expectError({ type: 'room.join', code: room.code }, code);
    }
  });

  it('goes back to open on room.end from the host, clearing every ready flag', async () => {
    const { a, b, c } = await playingRoom();
    const ended = await a.expectAnswer({ type: 'room.end', rid: 'end' }, 'room.state');
    expect(ended.rid).toBe('end');
    expectOpenAndUnready(ended);
    for (const x of [b, c])
      expect(await x.next('room.state')).toEqual({ type: 'room.state', room: ended.room, ticket: ended.ticket });
    await a.expectError({ type: 'room.end' }, ErrorCode.BAD_STATE);
    // Settings may be edited again.
    await a.expectAnswer({ type: 'room.settings', settings: { round: 2 } }, 'room.state');
  });

  it('stays playing while 2 are connected, and drops to open when fewer than 2 connected remain', async () => {
    const { a, b, c } = await playingRoom();
    await c.terminate();
    const oneGone = await a.next('room.state', (m) => m.room.peers.some((p) => p.id === c.peerId && !p.connected));
    expect(oneGone.room.state).toBe('playing');
    await b.next('room.state', (m) => m.room.peers.some((p) => p.id === c.peerId && !p.connected));
    await b.terminate();
    const open = await a.next('room.state', (m) => m.room.peers.some((p) => p.id === b.peerId && !p.connected));
    expectOpenAndUnready(open);
    expect(open.room.peers.map((p) => p.connected)).toEqual([true, false, false]);
  });

  it('drops to open when a leave leaves a single player', async () => {
    const room = await joinedRoom(lobby, ['Ann', 'Bob']);
    const [a, b] = room.clients as [LobbyClient, LobbyClient];
    await b.expectAnswer({ type: 'room.ready', ready: true }, 'room.state');
    await a.next('room.state', (m) => m.room.peers.some((p) => p.ready));
    await a.expectAnswer({ type: 'room.start' }, 'room.state');
    await a.next('room.state', (m) => m.room.state === 'playing');
    await b.expectAnswer({ type: 'room.leave' }, 'room.left');
    expectOpenAndUnready(await a.next('room.state', (m) => m.room.peers.length === 1));
  });

  it('lists public rooms in every state, with their players', async () => {
    const { a, code } = await playingRoom({ public: true });
    const waiting = await joinedRoom(lobby, ['Dee', 'Eve'], { public: true });
    const list = await a.expectAnswer({ type: 'room.list' }, 'room.list');
    expect(list.rooms).toEqual([
      { code, players: 3, maxPlayers: 8, state: 'playing' },
      { code: waiting.code, players: 2, maxPlayers: 8, state: 'open' },
    ]);
  });
});
