// The real lobby server over real WebSockets: room membership (create, join, leave, kick, codes,
// seqs, host migration, deletion), room.list, chat, settings, ready flags, and quick play.
import { randomBytes } from 'node:crypto';
import { ErrorCode, Limits, type ServerMessage } from '@tickmesh/protocol';
import { describe, expect, it } from 'vitest';
import { getHealth } from '../helpers/http.js';
import { joinedRoom, type LobbyClient, useLobbyServer } from '../helpers/lobby-client.js';

const CODE = new RegExp(`^[${Limits.roomCodeAlphabet}]{${Limits.roomCodeLength}}$`);
/** Never a room code: `0` and `1` are not in the alphabet. */
const IMPOSSIBLE_CODE = '0O1I00';

const states = (messages: ServerMessage[]) => messages.filter((m) => m.type === 'room.state');

describe('room membership', () => {
  const lobby = useLobbyServer({ graceMs: 10_000 });

  it('creates a private open room of 8 with the creator as host and seq 1, answering once', async () => {
    const a = await lobby.identified('Ann');
    const state = await a.expectAnswer({ type: 'room.create', rid: 'mk' }, 'room.state');
    expect(state.rid).toBe('mk');
    expect(state.room).toEqual({
      code: state.room.code,
      state: 'open',
      hostId: a.peerId,
      public: false,
      maxPlayers: Limits.defaultMaxPlayers,
      settings: {},
      peers: [{ id: a.peerId, name: 'Ann', ready: false, connected: true, seq: 1 }],
    });
    expect(state.room.code).toMatch(CODE);
    expect(await a.settle()).toEqual([]);
    expect(await getHealth(lobby.server.port)).toMatchObject({ rooms: 1 });
  });

  it('draws six-character codes from 23456789ABCDEFGHJKLMNPQRSTUVWXYZ, never handing out a live or recent one', async () => {
    const codes: string[] = [];
    for (const name of ['Ann', 'Bob', 'Cy']) {
      const c = await lobby.identified(name);
      for (let i = 0; i < 10; i++) {
        codes.push((await c.expectAnswer({ type: 'room.create' }, 'room.state')).room.code);
        await c.expectAnswer({ type: 'room.leave' }, 'room.left');
      }
    }
    for (const code of codes) expect(code).toMatch(CODE);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('creates public rooms with maxPlayers 2 to 16 and the given settings', async () => {
    const settings = { map: 'dust', rounds: 3, teams: [['a'], ['b']], nested: { ok: true, n: null }, ünï: '😀' };
    const a = await lobby.identified('Ann');
    const big = await a.expectAnswer({ type: 'room.create', public: true, maxPlayers: 16, settings }, 'room.state');
    expect(big.room).toMatchObject({ public: true, maxPlayers: 16, settings });
    const b = await lobby.identified('Bob');
    const small = await b.expectAnswer({ type: 'room.create', maxPlayers: 2 }, 'room.state');
    expect(small.room).toMatchObject({ public: false, maxPlayers: 2 });
  });

  it.each([
    ['maxPlayers 1', { maxPlayers: 1 }],
    ['maxPlayers 17', { maxPlayers: 17 }],
    ['maxPlayers 2.5', { maxPlayers: 2.5 }],
    ['maxPlayers "8"', { maxPlayers: '8' }],
    ['public "yes"', { public: 'yes' }],
    ['settings as an array', { settings: [1, 2] }],
    ['settings null', { settings: null }],
    ['settings a string', { settings: 'x' }],
  ])('refuses room.create with %s as BAD_MESSAGE and makes no room', async (_what, fields) => {
    const a = await lobby.identified('Ann');
    await a.expectError({ type: 'room.create', ...fields }, ErrorCode.BAD_MESSAGE);
    expect(await getHealth(lobby.server.port)).toMatchObject({ rooms: 0 });
    await a.expectError({ type: 'room.leave' }, ErrorCode.NOT_IN_ROOM);
  });

  it('accepts settings of exactly 4 KiB as JSON and refuses one byte more with TOO_LARGE, counting UTF-8 bytes', async () => {
    // {"p":"…"} is 8 bytes plus the string.
    const exact = { p: 'x'.repeat(Limits.maxSettingsBytes - 8) };
    expect(Buffer.byteLength(JSON.stringify(exact))).toBe(Limits.maxSettingsBytes);
    const over = { p: 'x'.repeat(Limits.maxSettingsBytes - 7) };
    // Fewer than 4096 characters but more than 4096 bytes.
    const wide = { p: 'é'.repeat(2045) };
    expect(JSON.stringify(wide).length).toBeLessThan(Limits.maxSettingsBytes);

    const a = await lobby.identified('Ann');
    await a.expectError({ type: 'room.create', settings: over }, ErrorCode.TOO_LARGE);
    await a.expectError({ type: 'room.create', settings: wide }, ErrorCode.TOO_LARGE);
    expect(await getHealth(lobby.server.port)).toMatchObject({ rooms: 0 });
    const created = await a.expectAnswer({ type: 'room.create', settings: exact }, 'room.state');
    expect(created.room.settings).toEqual(exact);
    await a.expectError({ type: 'room.settings', settings: over }, ErrorCode.TOO_LARGE);
    await a.expectError({ type: 'room.settings', settings: wide }, ErrorCode.TOO_LARGE);
    const same = await a.expectAnswer({ type: 'room.ready', ready: false }, 'room.state');
    expect(same.room.settings).toEqual(exact);
  });

  it('joins by code case-insensitively: the joiner gets the room with its rid, the host a copy without', async () => {
    const a = await lobby.identified('Ann');
    const { room } = await a.expectAnswer({ type: 'room.create' }, 'room.state');
    const b = await lobby.identified('Bob');
    const joined = await b.expectAnswer({ type: 'room.join', code: room.code.toLowerCase(), rid: 99 }, 'room.state');
    expect(joined.rid).toBe(99);
    expect(joined.room.code).toBe(room.code);
    expect(joined.room.hostId).toBe(a.peerId);
    expect(joined.room.peers).toEqual([
      { id: a.peerId, name: 'Ann', ready: false, connected: true, seq: 1 },
      { id: b.peerId, name: 'Bob', ready: false, connected: true, seq: 2 },
    ]);
    const hostCopy = await a.next('room.state');
    expect(hostCopy).toEqual({ type: 'room.state', room: joined.room, ticket: joined.ticket });
    expect(await a.settle()).toEqual([]);
    expect(await b.settle()).toEqual([]);
    // Mixed case works too.
    const c = await lobby.identified('Cy');
    const mixed = room.code
      .split('')
      .map((ch, i) => (i % 2 ? ch.toLowerCase() : ch))
      .join('');
    expect((await c.expectAnswer({ type: 'room.join', code: mixed }, 'room.state')).room.code).toBe(room.code);
  });

  it('refuses an unknown code with ROOM_NOT_FOUND, and a malformed one with BAD_MESSAGE', async () => {
    const { code, clients } = await joinedRoom(lobby, ['Ann']);
    const [a] = clients as [LobbyClient];
    const b = await lobby.identified('Bob');
    const error = await b.expectError({ type: 'room.join', code: IMPOSSIBLE_CODE, rid: 'j' }, ErrorCode.ROOM_NOT_FOUND);
    expect(error.rid).toBe('j');
    await b.expectError({ type: 'room.join', code: `${code}X` }, ErrorCode.ROOM_NOT_FOUND);
    await b.expectError({ type: 'room.join', code: 'A'.repeat(Limits.maxIdLength + 1) }, ErrorCode.BAD_MESSAGE);
    await b.expectError({ type: 'room.join', code: 123456 }, ErrorCode.BAD_MESSAGE);
    await b.expectError({ type: 'room.join' }, ErrorCode.BAD_MESSAGE);
    expect(await a.settle()).toEqual([]);
  });

  it('refuses create, join and quick play from a member with ALREADY_IN_ROOM, changing nothing', async () => {
    const { code, clients } = await joinedRoom(lobby, ['Ann', 'Bob']);
    const [a, b] = clients as [LobbyClient, LobbyClient];
    const other = await lobby.identified('Cy');
    const otherRoom = (await other.expectAnswer({ type: 'room.create', public: true }, 'room.state')).room;
    for (const c of [a, b]) {
      await c.expectError({ type: 'room.create' }, ErrorCode.ALREADY_IN_ROOM);
      await c.expectError({ type: 'room.join', code }, ErrorCode.ALREADY_IN_ROOM);
      await c.expectError({ type: 'room.join', code: otherRoom.code }, ErrorCode.ALREADY_IN_ROOM);
      await c.expectError({ type: 'room.quickplay' }, ErrorCode.ALREADY_IN_ROOM);
    }
    expect(states(await a.settle())).toEqual([]);
    expect(states(await b.settle())).toEqual([]);
    expect(await other.settle()).toEqual([]);
    expect(await getHealth(lobby.server.port)).toMatchObject({ rooms: 2 });
    const list = await a.expectAnswer({ type: 'room.list' }, 'room.list');
    expect(list.rooms).toEqual([{ code: otherRoom.code, players: 1, maxPlayers: 8, state: 'open' }]);
  });

  it('refuses a join to a full room with ROOM_FULL, counting members in grace', async () => {
    const { code, clients } = await joinedRoom(lobby, ['Ann', 'Bob'], { maxPlayers: 2 });
    const [a, b] = clients as [LobbyClient, LobbyClient];
    const c = await lobby.identified('Cy');
    await c.expectError({ type: 'room.join', code }, ErrorCode.ROOM_FULL);
    expect(await a.settle()).toEqual([]);
    await b.terminate();
    await a.next('room.state', (m) => m.room.peers.some((p) => !p.connected));
    await c.expectError({ type: 'room.join', code }, ErrorCode.ROOM_FULL);
    expect(await a.settle()).toEqual([]);
    // Once a slot frees up, the join succeeds.
    await a.expectAnswer({ type: 'room.kick', peerId: b.peerId }, 'room.state');
    await c.expectAnswer({ type: 'room.join', code }, 'room.state');
  });

  it('refuses room messages from a peer in no room with NOT_IN_ROOM', async () => {
    const a = await lobby.identified('Ann');
    const b = await lobby.identified('Bob');
    const msgs = [
      { type: 'room.leave' },
      { type: 'room.ready', ready: true },
      { type: 'room.settings', settings: { x: 1 } },
      { type: 'room.start' },
      { type: 'room.end' },
      { type: 'room.kick', peerId: b.peerId },
      { type: 'room.chat', text: 'anyone?' },
    ] as const;
    for (const msg of msgs) await a.expectError(msg, ErrorCode.NOT_IN_ROOM);
    expect(await b.settle()).toEqual([]);
    expect(await getHealth(lobby.server.port)).toMatchObject({ rooms: 0 });
  });

  it('answers room.leave with room.left (reason left, its rid) and tells the others', async () => {
    const { code, clients } = await joinedRoom(lobby, ['Ann', 'Bob', 'Cy']);
    const [a, b, c] = clients as [LobbyClient, LobbyClient, LobbyClient];
    const left = await c.expectAnswer({ type: 'room.leave', rid: 5 }, 'room.left');
    expect(left).toEqual({ type: 'room.left', code, reason: 'left', rid: 5 });
    for (const other of [a, b]) {
      const seen = await other.next('room.state');
      expect(seen).not.toHaveProperty('rid');
      expect(seen.room.peers.map((p) => p.id)).toEqual([a.peerId, b.peerId]);
    }
    expect(await c.settle()).toEqual([]);
    // C is in no room any more, and may join again.
    await c.expectError({ type: 'room.leave' }, ErrorCode.NOT_IN_ROOM);
    await c.expectAnswer({ type: 'room.join', code }, 'room.state');
  });

  it('makes the connected peer with the lowest seq host at once when the host leaves', async () => {
    const { clients } = await joinedRoom(lobby, ['Ann', 'Bob', 'Cy', 'Dee']);
    const [a, b, c, d] = clients as [LobbyClient, LobbyClient, LobbyClient, LobbyClient];
    // Bob (seq 2) is in grace: he keeps his slot but cannot be host.
    await b.terminate();
    await c.next('room.state', (m) => m.room.peers.some((p) => p.id === b.peerId && !p.connected));
    await d.next('room.state', (m) => m.room.peers.some((p) => p.id === b.peerId && !p.connected));
    await a.expectAnswer({ type: 'room.leave' }, 'room.left');
    const seen = await c.next('room.state', (m) => !m.room.peers.some((p) => p.id === a.peerId));
    expect(seen.room.hostId).toBe(c.peerId);
    expect((await d.next('room.state', (m) => !m.room.peers.some((p) => p.id === a.peerId))).room.hostId).toBe(
      c.peerId,
    );
    // The new host has the host's powers at once; the others do not.
    await d.expectError({ type: 'room.settings', settings: {} }, ErrorCode.NOT_HOST);
    await c.expectAnswer({ type: 'room.kick', peerId: d.peerId }, 'room.state');
  });

  it('kicks: only the host, never itself; the kicked peer gets room.left kicked and the others room.state', async () => {
    const { code, clients } = await joinedRoom(lobby, ['Ann', 'Bob', 'Cy']);
    const [a, b, c] = clients as [LobbyClient, LobbyClient, LobbyClient];
    const stranger = await lobby.identified('Stranger');
    await stranger.expectAnswer({ type: 'room.create' }, 'room.state');

    await b.expectError({ type: 'room.kick', peerId: c.peerId }, ErrorCode.NOT_HOST);
    await a.expectError({ type: 'room.kick', peerId: a.peerId }, ErrorCode.PEER_NOT_FOUND);
    await a.expectError({ type: 'room.kick', peerId: 'nobody' }, ErrorCode.PEER_NOT_FOUND);
    await a.expectError({ type: 'room.kick', peerId: stranger.peerId }, ErrorCode.PEER_NOT_FOUND);
    await a.expectError({ type: 'room.kick', peerId: 7 }, ErrorCode.BAD_MESSAGE);
    for (const x of [a, b, c, stranger]) expect(states(await x.settle())).toEqual([]);

    const after = await a.expectAnswer({ type: 'room.kick', peerId: c.peerId, rid: 'k' }, 'room.state');
    expect(after.room.peers.map((p) => p.id)).toEqual([a.peerId, b.peerId]);
    expect(await c.next('room.left')).toEqual({ type: 'room.left', code, reason: 'kicked' });
    const bCopy = await b.next('room.state');
    expect(bCopy).toEqual({ type: 'room.state', room: after.room, ticket: after.ticket });
    expect(await c.settle()).toEqual([]);
    // The kicked peer is in no room, and may come back (with a new seq).
    await c.expectError({ type: 'room.chat', text: 'hey' }, ErrorCode.NOT_IN_ROOM);
    const back = await c.expectAnswer({ type: 'room.join', code }, 'room.state');
    expect(back.room.peers.find((p) => p.id === c.peerId)?.seq).toBe(4);
  });

  it('never reuses a seq within a room', async () => {
    const { code, clients } = await joinedRoom(lobby, ['Ann', 'Bob', 'Cy']);
    const [a, b, c] = clients as [LobbyClient, LobbyClient, LobbyClient];
    await b.expectAnswer({ type: 'room.leave' }, 'room.left');
    const d = await lobby.identified('Dee');
    const dJoin = await d.expectAnswer({ type: 'room.join', code }, 'room.state');
    expect(dJoin.room.peers.map((p) => p.seq)).toEqual([1, 3, 4]);
    const bBack = await b.expectAnswer({ type: 'room.join', code }, 'room.state');
    expect(bBack.room.peers.map((p) => p.seq)).toEqual([1, 3, 4, 5]);
    await a.expectAnswer({ type: 'room.kick', peerId: c.peerId }, 'room.state');
    const e = await lobby.identified('Eve');
    const eJoin = await e.expectAnswer({ type: 'room.join', code }, 'room.state');
    expect(eJoin.room.peers.map((p) => [p.name, p.seq])).toEqual([
      ['Ann', 1],
      ['Dee', 4],
      ['Bob', 5],
      ['Eve', 6],
    ]);
  });

  it('deletes a room when its last member leaves', async () => {
    const { code, clients } = await joinedRoom(lobby, ['Ann', 'Bob'], { public: true });
    const [a, b] = clients as [LobbyClient, LobbyClient];
    await a.expectAnswer({ type: 'room.leave' }, 'room.left');
    expect((await b.next('room.state')).room.hostId).toBe(b.peerId);
    expect(await getHealth(lobby.server.port)).toMatchObject({ rooms: 1 });
    await b.expectAnswer({ type: 'room.leave' }, 'room.left');
    expect(await getHealth(lobby.server.port)).toMatchObject({ rooms: 0 });
    await a.expectError({ type: 'room.join', code }, ErrorCode.ROOM_NOT_FOUND);
    expect((await a.expectAnswer({ type: 'room.list' }, 'room.list')).rooms).toEqual([]);
  });

  it('lists public rooms only, counting members in grace, echoing the rid', async () => {
    const pub = await joinedRoom(lobby, ['Ann', 'Bob', 'Cy'], { public: true, maxPlayers: 4 });
    const priv = await joinedRoom(lobby, ['Dee', 'Eve']);
    const [a, b] = pub.clients as [LobbyClient, LobbyClient];
    await b.terminate();
    await a.next('room.state', (m) => m.room.peers.some((p) => p.id === b.peerId && !p.connected));
    const [dee] = priv.clients as [LobbyClient];
    const lonely = await lobby.identified('Fay');
    const second = (await lonely.expectAnswer({ type: 'room.create', public: true }, 'room.state')).room.code;
    const list = await dee.expectAnswer({ type: 'room.list', rid: 'ls' }, 'room.list');
    expect(list.rid).toBe('ls');
    expect(list.rooms).toEqual([
      { code: pub.code, players: 3, maxPlayers: 4, state: 'open' },
      { code: second, players: 1, maxPlayers: 8, state: 'open' },
    ]);
    expect(list.rooms.some((r) => r.code === priv.code)).toBe(false);
  });

  it('broadcasts chat to the room only, with from, name, text and at; the sender copy echoes its rid', async () => {
    const { clients } = await joinedRoom(lobby, ['Ann', 'Bob', 'Cy']);
    const [a, b, c] = clients as [LobbyClient, LobbyClient, LobbyClient];
    const outsider = await joinedRoom(lobby, ['Out']);
    const before = Date.now();
    const text = `gl hf ${'😀'.repeat(Limits.maxChatLength - 6)}`;
    const mine = await b.expectAnswer({ type: 'room.chat', text, rid: 'say' }, 'room.chat');
    const after = Date.now();
    expect(mine).toEqual({ type: 'room.chat', from: b.peerId, name: 'Bob', text, at: mine.at, rid: 'say' });
    expect(mine.at).toBeGreaterThanOrEqual(before);
    expect(mine.at).toBeLessThanOrEqual(after);
    for (const other of [a, c]) {
      expect(await other.next('room.chat')).toEqual({
        type: 'room.chat',
        from: b.peerId,
        name: 'Bob',
        text,
        at: mine.at,
      });
    }
    expect(await outsider.clients[0]?.settle()).toEqual([]);
  });

  it('refuses chat text that is empty, over 280 code points or not a string with BAD_MESSAGE', async () => {
    const { clients } = await joinedRoom(lobby, ['Ann', 'Bob']);
    const [a, b] = clients as [LobbyClient, LobbyClient];
    await a.expectError({ type: 'room.chat', text: '' }, ErrorCode.BAD_MESSAGE);
    await a.expectError({ type: 'room.chat', text: '😀'.repeat(Limits.maxChatLength + 1) }, ErrorCode.BAD_MESSAGE);
    await a.expectError({ type: 'room.chat', text: 5 }, ErrorCode.BAD_MESSAGE);
    await a.expectError({ type: 'room.chat' }, ErrorCode.BAD_MESSAGE);
    expect(await b.settle()).toEqual([]);
  });

  it('lets only the host replace the settings while open, and every member sees them', async () => {
    const { clients } = await joinedRoom(lobby, ['Ann', 'Bob'], { settings: { map: 'dust', rounds: 3 } });
    const [a, b] = clients as [LobbyClient, LobbyClient];
    await b.expectError({ type: 'room.settings', settings: { map: 'mine' } }, ErrorCode.NOT_HOST);
    expect(await a.settle()).toEqual([]);
    const changed = await a.expectAnswer({ type: 'room.settings', settings: { mode: 'ctf' } }, 'room.state');
    // Replaced, not merged.
    expect(changed.room.settings).toEqual({ mode: 'ctf' });
    expect((await b.next('room.state')).room.settings).toEqual({ mode: 'ctf' });
    await a.expectError({ type: 'room.settings', settings: ['mode'] }, ErrorCode.BAD_MESSAGE);
    await a.expectError({ type: 'room.settings' }, ErrorCode.BAD_MESSAGE);
    expect(await b.settle()).toEqual([]);
  });

  it('sets ready flags for everyone to see; an unchanged flag answers only the sender', async () => {
    const { clients } = await joinedRoom(lobby, ['Ann', 'Bob']);
    const [a, b] = clients as [LobbyClient, LobbyClient];
    const mine = await b.expectAnswer({ type: 'room.ready', ready: true, rid: 1 }, 'room.state');
    expect(mine.room.peers.map((p) => p.ready)).toEqual([false, true]);
    const seen = await a.next('room.state');
    expect(seen).toEqual({ type: 'room.state', room: mine.room, ticket: mine.ticket });
    const again = await b.expectAnswer({ type: 'room.ready', ready: true, rid: 2 }, 'room.state');
    expect(again.room).toEqual(mine.room);
    expect(await a.settle()).toEqual([]);
    await b.expectError({ type: 'room.ready', ready: 'yes' }, ErrorCode.BAD_MESSAGE);
    await b.expectError({ type: 'room.ready' }, ErrorCode.BAD_MESSAGE);
    expect(await a.settle()).toEqual([]);
  });
});

describe('room codes with an injected id source and wall clock', () => {
  let wall = 1_700_000_000_000;
  const lobby = useLobbyServer({}, () => {
    wall = 1_700_000_000_000;
    // Hands out AAAAAA until told otherwise; then BBBBBB, then CCCCCC...
    const queue = ['AAAAAA', 'AAAAAA', 'BBBBBB', 'AAAAAA'];
    const ids = {
      peerId: () => randomBytes(9).toString('base64url'),
      token: () => randomBytes(32).toString('base64url'),
      roomCode: () => queue.shift() ?? 'CCCCCC',
    };
    return { ids, now: () => wall };
  });

  it('does not hand out a deleted room code again for 10 minutes', async () => {
    const a = await lobby.identified('Ann');
    expect((await a.expectAnswer({ type: 'room.create' }, 'room.state')).room.code).toBe('AAAAAA');
    await a.expectAnswer({ type: 'room.leave' }, 'room.left');
    // AAAAAA was just retired: the generator is asked again.
    expect((await a.expectAnswer({ type: 'room.create' }, 'room.state')).room.code).toBe('BBBBBB');
    await a.expectAnswer({ type: 'room.leave' }, 'room.left');
    wall += 10 * 60 * 1000 + 1;
    expect((await a.expectAnswer({ type: 'room.create' }, 'room.state')).room.code).toBe('AAAAAA');
  });
});

describe('quick play', () => {
  const lobby = useLobbyServer({ countdownMs: 20 });

  it('fills public rooms: 10 quick players with the default maxPlayers end in rooms of 8 and 2', async () => {
    const players: LobbyClient[] = [];
    const codes: string[] = [];
    for (let i = 0; i < 10; i++) {
      const p = await lobby.identified(`P${i}`);
      const state = await p.expectAnswer({ type: 'room.quickplay' }, 'room.state');
      expect(state.room.public).toBe(true);
      expect(state.room.maxPlayers).toBe(Limits.defaultMaxPlayers);
      expect(state.room.peers.at(-1)).toMatchObject({ id: p.peerId, seq: state.room.peers.length });
      players.push(p);
      codes.push(state.room.code);
    }
    const [first] = codes;
    expect(codes.slice(0, 8).every((c) => c === first)).toBe(true);
    expect(codes[8]).not.toBe(first);
    expect(codes[9]).toBe(codes[8]);
    const list = await players[0]?.expectAnswer({ type: 'room.list' }, 'room.list');
    expect(list?.rooms).toEqual([
      { code: first, players: 8, maxPlayers: 8, state: 'open' },
      { code: codes[8], players: 2, maxPlayers: 8, state: 'open' },
    ]);
    // The creator of the second room is its host.
    const last = await players[9]?.settle();
    expect(last).toEqual([]);
  });

  it('never picks a private room, a full room or one that is not open', async () => {
    await joinedRoom(lobby, ['Priv']);
    await joinedRoom(lobby, ['Full1', 'Full2'], { public: true, maxPlayers: 2 });
    const playing = await joinedRoom(lobby, ['Play1', 'Play2'], { public: true });
    const [h, g] = playing.clients as [LobbyClient, LobbyClient];
    await g.expectAnswer({ type: 'room.ready', ready: true }, 'room.state');
    await h.next('room.state', (m) => m.room.peers.every((p) => p.id === h.peerId || p.ready));
    await h.expectAnswer({ type: 'room.start' }, 'room.state');
    await h.next('room.state', (m) => m.room.state === 'playing');

    const q = await lobby.identified('Quick');
    const state = await q.expectAnswer({ type: 'room.quickplay' }, 'room.state');
    expect(state.room.peers.map((p) => p.id)).toEqual([q.peerId]);
    expect(state.room).toMatchObject({ public: true, hostId: q.peerId, state: 'open' });
    expect(await getHealth(lobby.server.port)).toMatchObject({ rooms: 4 });
  });

  it('prefers the open public room with the most players, the oldest on a tie', async () => {
    const one = await joinedRoom(lobby, ['A1'], { public: true });
    const threeOld = await joinedRoom(lobby, ['B1', 'B2', 'B3'], { public: true });
    const threeNew = await joinedRoom(lobby, ['C1', 'C2', 'C3'], { public: true });
    const q1 = await lobby.identified('Q1');
    expect((await q1.expectAnswer({ type: 'room.quickplay' }, 'room.state')).room.code).toBe(threeOld.code);
    const q2 = await lobby.identified('Q2');
    expect((await q2.expectAnswer({ type: 'room.quickplay' }, 'room.state')).room.code).toBe(threeOld.code);
    // The newer room gains players until it leads.
    const extra = await lobby.identified('C4');
    await extra.expectAnswer({ type: 'room.join', code: threeNew.code }, 'room.state');
    const extra2 = await lobby.identified('C5');
    await extra2.expectAnswer({ type: 'room.join', code: threeNew.code }, 'room.state');
    const extra3 = await lobby.identified('C6');
    await extra3.expectAnswer({ type: 'room.join', code: threeNew.code }, 'room.state');
    const q3 = await lobby.identified('Q3');
    expect((await q3.expectAnswer({ type: 'room.quickplay' }, 'room.state')).room.code).toBe(threeNew.code);
    expect(one.code).not.toBe(threeNew.code);
  });
});

describe('server shutdown', () => {
  const lobby = useLobbyServer();

  it('tells every room member its room is closed, then closes with 1001', async () => {
    const { code, clients } = await joinedRoom(lobby, ['Ann', 'Bob']);
    const loner = await lobby.identified('Cy');
    await lobby.server.close();
    for (const c of clients) {
      expect(await c.next('room.left')).toEqual({ type: 'room.left', code, reason: 'closed' });
      expect((await c.closed).code).toBe(1001);
    }
    expect((await loner.closed).code).toBe(1001);
    expect(loner.drain().some((m) => m.type === 'room.left')).toBe(false);
  });
});
