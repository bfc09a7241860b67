// The room and session machines alone, on XState's simulated clock: every transition and guard.
import {
  persistRoom,
  type RoomContext,
  type RoomEvent,
  restoredRoom,
  roomMachine,
  runMachine,
  sessionMachine,
  takenOverRoom,
} from '@tickmesh/lobby-server';
import { ErrorCode } from '@tickmesh/protocol';
import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';

const COUNTDOWN_MS = 3000;
const WALL_START = 1_700_000_000_000;

function room(options: { maxPlayers?: number; settings?: Record<string, unknown> } = {}) {
  const clock = new SimulatedClock();
  const actor = createActor(roomMachine, {
    clock,
    input: {
      code: 'ABCDEF',
      public: true,
      maxPlayers: options.maxPlayers ?? 8,
      settings: options.settings ?? {},
      creator: { id: 'a', name: 'Ann' },
      countdownMs: COUNTDOWN_MS,
      now: () => WALL_START + clock.now(),
    },
  });
  const rejections: ErrorCode[] = [];
  actor.on('rejected', (e) => rejections.push(e.code));
  actor.start();
  /** Sends an event; returns the refusal code, or null when accepted. */
  const send = (event: RoomEvent): ErrorCode | null => {
    const before = rejections.length;
    actor.send(event);
    return rejections.length > before ? (rejections.at(-1) ?? null) : null;
  };
  const ctx = (): RoomContext => actor.getSnapshot().context;
  const state = () => actor.getSnapshot().value;
  const peer = (id: string) => ctx().peers.find((p) => p.id === id);
  return { actor, clock, send, ctx, state, peer };
}

/** A room with members a (host), b, c; b and c ready. */
function readyRoom() {
  const r = room();
  r.send({ type: 'join', peer: { id: 'b', name: 'Bob' } });
  r.send({ type: 'join', peer: { id: 'c', name: 'Cy' } });
  r.send({ type: 'ready', by: 'b', ready: true });
  r.send({ type: 'ready', by: 'c', ready: true });
  return r;
}

function countdownRoom() {
  const r = readyRoom();
  expect(r.send({ type: 'start', by: 'a' })).toBeNull();
  expect(r.state()).toBe('countdown');
  return r;
}

describe('room machine: membership', () => {
  it('starts open with the creator as host and seq 1', () => {
    const r = room();
    expect(r.state()).toBe('open');
    expect(r.ctx().hostId).toBe('a');
    expect(r.ctx().peers).toEqual([{ id: 'a', name: 'Ann', ready: false, connected: true, seq: 1 }]);
  });

  it('gives joiners rising seqs that are never reused', () => {
    const r = room();
    r.send({ type: 'join', peer: { id: 'b', name: 'Bob' } });
    r.send({ type: 'leave', by: 'b' });
    r.send({ type: 'join', peer: { id: 'c', name: 'Cy' } });
    r.send({ type: 'join', peer: { id: 'b', name: 'Bob' } });
    expect(r.ctx().peers.map((p) => [p.id, p.seq])).toEqual([
      ['a', 1],
      ['c', 3],
      ['b', 4],
    ]);
  });

  it('refuses a join when full, counting members in grace', () => {
    const r = room({ maxPlayers: 2 });
    r.send({ type: 'join', peer: { id: 'b', name: 'Bob' } });
    r.send({ type: 'disconnect', by: 'b' });
    expect(r.send({ type: 'join', peer: { id: 'c', name: 'Cy' } })).toBe(ErrorCode.ROOM_FULL);
    expect(r.ctx().peers).toHaveLength(2);
  });

  it('refuses a member joining twice', () => {
    const r = room();
    expect(r.send({ type: 'join', peer: { id: 'a', name: 'Ann' } })).toBe(ErrorCode.ALREADY_IN_ROOM);
  });

  it('closes (final) when the last member leaves', () => {
    const r = room();
    r.send({ type: 'join', peer: { id: 'b', name: 'Bob' } });
    r.send({ type: 'leave', by: 'a' });
    expect(r.actor.getSnapshot().status).toBe('active');
    r.send({ type: 'leave', by: 'b' });
    expect(r.state()).toBe('closed');
    expect(r.actor.getSnapshot().status).toBe('done');
  });

  it('keeps a room whose only members are in grace', () => {
    const r = room();
    r.send({ type: 'disconnect', by: 'a' });
    expect(r.actor.getSnapshot().status).toBe('active');
    expect(r.peer('a')?.connected).toBe(false);
  });

  it('ignores leave, disconnect and resume from non-members', () => {
    const r = room();
    const before = r.ctx();
    r.send({ type: 'leave', by: 'zz' });
    r.send({ type: 'disconnect', by: 'zz' });
    r.send({ type: 'resume', by: 'zz', name: 'Z' });
    expect(r.ctx()).toBe(before);
  });
});

describe('room machine: host', () => {
  it('passes the host role to the lowest connected seq when the host leaves', () => {
    const r = readyRoom();
    r.send({ type: 'leave', by: 'a' });
    expect(r.ctx().hostId).toBe('b');
  });

  it('passes it on when the host drops, skipping peers in grace', () => {
    const r = readyRoom();
    r.send({ type: 'disconnect', by: 'b' });
    r.send({ type: 'disconnect', by: 'a' });
    expect(r.ctx().hostId).toBe('c');
  });

  it('a returning former host does not take the role back', () => {
    const r = readyRoom();
    r.send({ type: 'disconnect', by: 'a' });
    r.send({ type: 'resume', by: 'a', name: 'Ann' });
    expect(r.ctx().hostId).toBe('b');
  });

  it('the first to come back hosts a room whose members all dropped', () => {
    const r = readyRoom();
    for (const id of ['a', 'b', 'c']) r.send({ type: 'disconnect', by: id });
    r.send({ type: 'resume', by: 'c', name: 'Cy2' });
    expect(r.ctx().hostId).toBe('c');
    expect(r.peer('c')).toMatchObject({ connected: true, name: 'Cy2' });
  });

  it('a peer in grace keeps its slot and ready flag', () => {
    const r = readyRoom();
    r.send({ type: 'disconnect', by: 'b' });
    expect(r.peer('b')).toMatchObject({ connected: false, ready: true, seq: 2 });
  });

  it('kick: host only, of another member', () => {
    const r = readyRoom();
    expect(r.send({ type: 'kick', by: 'b', target: 'c' })).toBe(ErrorCode.NOT_HOST);
    expect(r.send({ type: 'kick', by: 'a', target: 'a' })).toBe(ErrorCode.PEER_NOT_FOUND);
    expect(r.send({ type: 'kick', by: 'a', target: 'zz' })).toBe(ErrorCode.PEER_NOT_FOUND);
    expect(r.send({ type: 'kick', by: 'a', target: 'b' })).toBeNull();
    expect(r.ctx().peers.map((p) => p.id)).toEqual(['a', 'c']);
  });

  it('settings: host only, only while open', () => {
    const r = readyRoom();
    expect(r.send({ type: 'settings', by: 'b', settings: { map: 'x' } })).toBe(ErrorCode.NOT_HOST);
    expect(r.send({ type: 'settings', by: 'a', settings: { map: 'x' } })).toBeNull();
    expect(r.ctx().settings).toEqual({ map: 'x' });
    r.send({ type: 'start', by: 'a' });
    expect(r.send({ type: 'settings', by: 'a', settings: { map: 'y' } })).toBe(ErrorCode.BAD_STATE);
    r.clock.increment(COUNTDOWN_MS);
    expect(r.send({ type: 'settings', by: 'a', settings: { map: 'y' } })).toBe(ErrorCode.BAD_STATE);
    expect(r.ctx().settings).toEqual({ map: 'x' });
  });
});

describe('room machine: start and countdown', () => {
  it('refuses start from a non-host', () => {
    expect(readyRoom().send({ type: 'start', by: 'b' })).toBe(ErrorCode.NOT_HOST);
  });

  it('refuses start with one connected peer', () => {
    const r = room();
    expect(r.send({ type: 'start', by: 'a' })).toBe(ErrorCode.NOT_READY);
    r.send({ type: 'join', peer: { id: 'b', name: 'Bob' } });
    r.send({ type: 'ready', by: 'b', ready: true });
    r.send({ type: 'disconnect', by: 'b' });
    expect(r.send({ type: 'start', by: 'a' })).toBe(ErrorCode.NOT_READY);
    expect(r.state()).toBe('open');
  });

  it('refuses start while a connected non-host is not ready, ignoring peers in grace', () => {
    const r = readyRoom();
    r.send({ type: 'join', peer: { id: 'd', name: 'Di' } });
    expect(r.send({ type: 'start', by: 'a' })).toBe(ErrorCode.NOT_READY);
    r.send({ type: 'disconnect', by: 'd' });
    expect(r.send({ type: 'start', by: 'a' })).toBeNull();
  });

  it('the host need not be ready', () => {
    const r = readyRoom();
    expect(r.peer('a')?.ready).toBe(false);
    expect(r.send({ type: 'start', by: 'a' })).toBeNull();
  });

  it('counts down for countdownMs, then plays', () => {
    const r = countdownRoom();
    expect(r.ctx().countdownEndsAt).toBe(WALL_START + COUNTDOWN_MS);
    r.clock.increment(COUNTDOWN_MS - 1);
    expect(r.state()).toBe('countdown');
    r.clock.increment(1);
    expect(r.state()).toBe('playing');
    expect(r.ctx().countdownEndsAt).toBeNull();
  });

  it('refuses start while counting down or playing', () => {
    const r = countdownRoom();
    expect(r.send({ type: 'start', by: 'a' })).toBe(ErrorCode.BAD_STATE);
    r.clock.increment(COUNTDOWN_MS);
    expect(r.send({ type: 'start', by: 'a' })).toBe(ErrorCode.BAD_STATE);
  });

  const cancels: [string, RoomEvent][] = [
    ['a join', { type: 'join', peer: { id: 'd', name: 'Di' } }],
    ['a leave', { type: 'leave', by: 'c' }],
    ['a disconnect', { type: 'disconnect', by: 'c' }],
    ['a kick', { type: 'kick', by: 'a', target: 'c' }],
    ['a ready change', { type: 'ready', by: 'c', ready: false }],
    ['the host readying', { type: 'ready', by: 'a', ready: true }],
  ];
  for (const [what, event] of cancels) {
    it(`${what} cancels the countdown and clears every ready flag`, () => {
      const r = countdownRoom();
      expect(r.send(event)).toBeNull();
      expect(r.state()).toBe('open');
      expect(r.ctx().countdownEndsAt).toBeNull();
      expect(r.ctx().peers.every((p) => !p.ready)).toBe(true);
      r.clock.increment(COUNTDOWN_MS * 2);
      expect(r.state()).toBe('open');
    });
  }

  it('a ready message that changes nothing does not cancel it', () => {
    const r = countdownRoom();
    r.send({ type: 'ready', by: 'b', ready: true });
    expect(r.state()).toBe('countdown');
  });

  it('a peer back from grace cancels it only if not ready', () => {
    const r = readyRoom();
    r.send({ type: 'join', peer: { id: 'd', name: 'Di' } });
    r.send({ type: 'join', peer: { id: 'e', name: 'Ed' } });
    r.send({ type: 'ready', by: 'e', ready: true });
    r.send({ type: 'disconnect', by: 'd' });
    r.send({ type: 'disconnect', by: 'e' });
    r.send({ type: 'start', by: 'a' });
    expect(r.state()).toBe('countdown');
    r.send({ type: 'resume', by: 'e', name: 'Ed' });
    expect(r.state()).toBe('countdown');
    r.send({ type: 'resume', by: 'd', name: 'Di' });
    expect(r.state()).toBe('open');
  });
});

describe('room machine: playing', () => {
  function playingRoom(settings: Record<string, unknown> = {}) {
    const r = room({ settings });
    r.send({ type: 'join', peer: { id: 'b', name: 'Bob' } });
    r.send({ type: 'join', peer: { id: 'c', name: 'Cy' } });
    r.send({ type: 'ready', by: 'b', ready: true });
    r.send({ type: 'ready', by: 'c', ready: true });
    r.send({ type: 'start', by: 'a' });
    r.clock.increment(COUNTDOWN_MS);
    expect(r.state()).toBe('playing');
    return r;
  }

  it('refuses joins unless settings say lateJoin', () => {
    expect(playingRoom().send({ type: 'join', peer: { id: 'd', name: 'Di' } })).toBe(ErrorCode.ROOM_IN_GAME);
    const late = playingRoom({ lateJoin: true });
    expect(late.send({ type: 'join', peer: { id: 'd', name: 'Di' } })).toBeNull();
    expect(late.state()).toBe('playing');
  });

  it('refuses ready changes', () => {
    const r = playingRoom();
    expect(r.send({ type: 'ready', by: 'b', ready: false })).toBe(ErrorCode.BAD_STATE);
    expect(r.peer('b')?.ready).toBe(true);
  });

  it('end: host only, back to open with ready flags cleared', () => {
    const r = playingRoom();
    expect(r.send({ type: 'end', by: 'b' })).toBe(ErrorCode.NOT_HOST);
    expect(r.send({ type: 'end', by: 'a' })).toBeNull();
    expect(r.state()).toBe('open');
    expect(r.ctx().peers.every((p) => !p.ready)).toBe(true);
    expect(r.send({ type: 'end', by: 'a' })).toBe(ErrorCode.BAD_STATE);
  });

  it('drops to open when fewer than 2 connected peers are left', () => {
    const r = playingRoom();
    r.send({ type: 'disconnect', by: 'b' });
    expect(r.state()).toBe('playing');
    r.send({ type: 'leave', by: 'c' });
    expect(r.state()).toBe('open');
    expect(r.ctx().peers.every((p) => !p.ready)).toBe(true);
  });

  it('goes on under a new host when the host drops', () => {
    const r = playingRoom();
    r.send({ type: 'disconnect', by: 'a' });
    expect(r.state()).toBe('playing');
    expect(r.ctx().hostId).toBe('b');
  });
});

describe('room machine: restored after a lobby restart', () => {
  /** A playing room of a (host), b and c, restored by c: a and b are away. */
  function restored() {
    const clock = new SimulatedClock();
    const wire = {
      code: 'ABCDEF',
      state: 'playing' as const,
      hostId: 'a',
      public: false,
      maxPlayers: 8,
      settings: { map: 2 },
      peers: [
        { id: 'a', name: 'Ann', ready: false, connected: true, seq: 1 },
        { id: 'b', name: 'Bob', ready: true, connected: true, seq: 2 },
        { id: 'c', name: 'Cy', ready: true, connected: true, seq: 4 },
      ],
    };
    const snapshot = restoredRoom({ room: wire, by: 'c', countdownMs: COUNTDOWN_MS, now: () => clock.now() });
    const input = { ...wire, creator: { id: 'c', name: 'Cy' }, countdownMs: COUNTDOWN_MS, now: () => clock.now() };
    const actor = createActor(roomMachine, { clock, snapshot, input });
    actor.start();
    return { actor, ctx: () => actor.getSnapshot().context, state: () => actor.getSnapshot().value };
  }

  it('starts where the ticket was: playing, ready flags and seqs kept, only the restorer connected', () => {
    const r = restored();
    expect(r.state()).toBe('playing');
    expect(r.ctx()).toMatchObject({ hostId: 'a', nextSeq: 5, restoring: true });
    expect(r.ctx().peers.map((p) => [p.id, p.ready, p.connected])).toEqual([
      ['a', false, false],
      ['b', true, false],
      ['c', true, true],
    ]);
  });

  it('keeps the away host and stays playing with one connected member while restoring', () => {
    const r = restored();
    r.actor.send({ type: 'resume', by: 'b', name: 'Bob' });
    r.actor.send({ type: 'disconnect', by: 'b' });
    expect(r.state()).toBe('playing');
    expect(r.ctx().hostId).toBe('a');
    r.actor.send({ type: 'leave', by: 'a' });
    expect(r.ctx().hostId).toBe('c');
  });

  it('applies the usual rules once the restore ends: a new host, and open with fewer than 2 connected', () => {
    const r = restored();
    r.actor.send({ type: 'restoreEnded' });
    expect(r.ctx()).toMatchObject({ restoring: false, hostId: 'c' });
    expect(r.state()).toBe('open');
  });

  it('plays on after the restore ends when members came back', () => {
    const r = restored();
    r.actor.send({ type: 'resume', by: 'a', name: 'Ann' });
    r.actor.send({ type: 'restoreEnded' });
    expect(r.state()).toBe('playing');
    expect(r.ctx().hostId).toBe('a');
  });
});

describe('session machine', () => {
  function session(graceMs = 15_000) {
    const clock = new SimulatedClock();
    const actor = createActor(sessionMachine, { clock, input: { peerId: 'p1', name: 'Ann', graceMs } });
    const expired: unknown[] = [];
    actor.on('expired', (e) => expired.push(e));
    actor.start();
    return { actor, clock, expired, state: () => actor.getSnapshot().value, ctx: () => actor.getSnapshot().context };
  }

  it('identified → inRoom → identified', () => {
    const s = session();
    expect(s.state()).toBe('identified');
    s.actor.send({ type: 'joined', code: 'ABCDEF' });
    expect(s.state()).toBe('inRoom');
    expect(s.ctx().roomCode).toBe('ABCDEF');
    s.actor.send({ type: 'left', code: 'ABCDEF', reason: 'left' });
    expect(s.state()).toBe('identified');
    expect(s.ctx().roomCode).toBeNull();
  });

  it('a drop enters grace; resuming inside it returns to the room with the new name', () => {
    const s = session();
    s.actor.send({ type: 'joined', code: 'ABCDEF' });
    s.actor.send({ type: 'disconnected' });
    expect(s.state()).toBe('grace');
    s.clock.increment(14_999);
    s.actor.send({ type: 'resumed', name: 'Ann2' });
    expect(s.state()).toBe('inRoom');
    expect(s.ctx()).toMatchObject({ roomCode: 'ABCDEF', name: 'Ann2' });
    s.clock.increment(60_000);
    expect(s.expired).toEqual([]);
  });

  it('a session outside any room resumes outside any room', () => {
    const s = session();
    s.actor.send({ type: 'disconnected' });
    s.actor.send({ type: 'resumed', name: 'Ann' });
    expect(s.state()).toBe('identified');
  });

  it('the grace running out ends the session and says so once', () => {
    const s = session(1000);
    s.actor.send({ type: 'joined', code: 'ABCDEF' });
    s.actor.send({ type: 'disconnected' });
    s.clock.increment(1000);
    expect(s.state()).toBe('gone');
    expect(s.actor.getSnapshot().status).toBe('done');
    expect(s.expired).toEqual([{ type: 'expired', peerId: 'p1', roomCode: 'ABCDEF' }]);
  });

  it('remembers a removal while away, and forgets it once resumed', () => {
    const s = session();
    s.actor.send({ type: 'joined', code: 'ABCDEF' });
    s.actor.send({ type: 'disconnected' });
    s.actor.send({ type: 'left', code: 'ABCDEF', reason: 'kicked' });
    expect(s.ctx().leftWhileAway).toEqual({ code: 'ABCDEF', reason: 'kicked' });
    s.actor.send({ type: 'resumed', name: 'Ann' });
    expect(s.state()).toBe('identified');
    expect(s.ctx().leftWhileAway).toBeNull();
  });

  it('a takeover renames without leaving the room', () => {
    const s = session();
    s.actor.send({ type: 'joined', code: 'ABCDEF' });
    s.actor.send({ type: 'renamed', name: 'Ann3' });
    expect(s.state()).toBe('inRoom');
    expect(s.ctx().name).toBe('Ann3');
  });
});

describe('session machine on pure transitions (how the registry runs it)', () => {
  it('times the grace on the given clock, emits expired once, and cancels on resume', () => {
    const clock = new SimulatedClock();
    const expired: unknown[] = [];
    const run = () =>
      runMachine<typeof sessionMachine, { type: 'expired' }>(
        sessionMachine,
        { peerId: 'p1', name: 'Ann', graceMs: 1000 },
        clock,
        (e) => expired.push(e),
      );
    const resumed = run();
    resumed.send({ type: 'disconnected' });
    clock.increment(999);
    resumed.send({ type: 'resumed', name: 'Ann' });
    clock.increment(5000);
    expect(resumed.value).toBe('identified');
    expect(expired).toEqual([]);

    const lost = run();
    lost.send({ type: 'joined', code: 'ABCDEF' });
    lost.send({ type: 'disconnected' });
    clock.increment(1000);
    expect(lost.done).toBe(true);
    expect(expired).toEqual([{ type: 'expired', peerId: 'p1', roomCode: 'ABCDEF' }]);
    lost.send({ type: 'resumed', name: 'Ann' });
    expect(lost.value).toBe('gone');
  });
});

describe('room machine: taken over by another node of a cluster', () => {
  /** A countdown room saved by one node (its persisted snapshot) and run by another from it. */
  function takenOver() {
    const old = countdownRoom();
    const deadline = old.ctx().countdownEndsAt;
    const persisted = persistRoom(old.actor.getPersistedSnapshot());
    old.actor.stop();
    const clock = new SimulatedClock();
    const snapshot = takenOverRoom({ persisted, countdownMs: COUNTDOWN_MS, now: () => WALL_START + clock.now() });
    const input = { ...snapshot.context, creator: { id: 'a', name: 'Ann' } };
    const actor = createActor(roomMachine, { clock, snapshot, input });
    actor.start();
    return { actor, deadline, ctx: () => actor.getSnapshot().context, state: () => actor.getSnapshot().value };
  }

  it('is saved as JSON without its clock and comes back in the same state, every member away', () => {
    const r = takenOver();
    expect(r.state()).toBe('countdown');
    expect(r.ctx()).toMatchObject({ hostId: 'a', nextSeq: 4, restoring: true, countdownEndsAt: r.deadline });
    expect(r.ctx().peers.map((p) => [p.id, p.ready, p.connected])).toEqual([
      ['a', false, false],
      ['b', true, false],
      ['c', true, false],
    ]);
  });

  it('keeps counting down as members come back, and plays when its deadline is reported', () => {
    const r = takenOver();
    // The host is never ready: on a lone node its return would reopen the room.
    r.actor.send({ type: 'resume', by: 'a', name: 'Ann' });
    r.actor.send({ type: 'resume', by: 'b', name: 'Bob' });
    expect(r.state()).toBe('countdown');
    r.actor.send({ type: 'countdownElapsed' });
    expect(r.state()).toBe('playing');
    expect(r.ctx().countdownEndsAt).toBeNull();
  });

  it('ignores a countdown deadline outside a countdown', () => {
    const r = room();
    r.send({ type: 'countdownElapsed' });
    expect(r.state()).toBe('open');
  });
});
