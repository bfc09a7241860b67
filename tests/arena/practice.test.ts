// The practice round while a room waits alone: the real simulation stepped on the page's own clock
// with the player's input and three bots, shown as the room with the bots added, and gone on stop.
import type { Room } from '@tickmesh/netcode';
import { createRandom } from '@tickmesh/netcode/testing';
import { describe, expect, it } from 'vitest';
import { botPeerId, createPractice, practiceDefaults } from '../../examples/arena-game/src/app/practice.js';
import { type ArenaEvent, type ArenaInput, playerEntityId } from '../../examples/arena-game/src/simulation.js';

const room: Room = {
  code: 'AAAAAA',
  state: 'open',
  hostId: 'me',
  public: true,
  maxPlayers: 8,
  settings: { map: 2 },
  peers: [{ id: 'me', name: 'Me', ready: false, connected: true, seq: 1 }],
};

function setup() {
  let nowMs = 0;
  let input: ArenaInput = { mx: 0, my: 0, aim: 0, fire: false };
  const events: ArenaEvent[] = [];
  const practice = createPractice({
    now: () => nowMs,
    random: createRandom(7),
    sampleInput: () => input,
    onEvent: (e) => events.push(e),
  });
  return {
    practice,
    events,
    pass(ms: number) {
      // As a renderer calls it: a view every frame.
      for (let t = 0; t < ms; t += 16) {
        nowMs += 16;
        practice.view();
      }
    },
    press(next: ArenaInput) {
      input = next;
    },
    /** Time passes with no frame drawn (a hidden tab). */
    jump(ms: number) {
      nowMs += ms;
    },
  };
}

const at = (t: ReturnType<typeof setup>, id: string) => {
  const e = t.practice.view()?.world.get(playerEntityId(id));
  return e?.kind === 'player' ? { x: e.fields.x, y: e.fields.y, score: e.fields.score } : null;
};

describe('createPractice', () => {
  it('is off until started: the room as it is, no world', () => {
    const t = setup();
    expect(t.practice.active()).toBe(false);
    expect(t.practice.view()).toBeNull();
    expect(t.practice.shownRoom(room)).toBe(room);
  });

  it('shows the room playing with the bots in it, on the room’s map', () => {
    const t = setup();
    t.practice.start(room, 'me');
    const shown = t.practice.shownRoom(room);
    expect(shown?.state).toBe('playing');
    expect(shown?.peers.map((p) => p.name)).toEqual(['Me', ...practiceDefaults.bots.map((b) => `${b} (bot)`)]);
    expect(new Set(shown?.peers.map((p) => p.seq)).size).toBe(4);
    t.pass(100);
    const match = t.practice.view()?.world.get(0);
    expect(match?.kind === 'match' && match.fields.map).toBe(2);
  });

  it('moves the player with their input and the bots by themselves', () => {
    const t = setup();
    t.practice.start(room, 'me');
    t.pass(50);
    const bot = botPeerId(practiceDefaults.bots[0] as string);
    const me0 = at(t, 'me');
    const bot0 = at(t, bot);
    expect(me0).not.toBeNull();
    expect(bot0).not.toBeNull();
    t.press({ mx: 1, my: 0, aim: 0, fire: false });
    t.pass(3000);
    const me1 = at(t, 'me');
    const bot1 = at(t, bot);
    expect(Math.hypot((me1?.x ?? 0) - (me0?.x ?? 0), (me1?.y ?? 0) - (me0?.y ?? 0))).toBeGreaterThan(50);
    expect(Math.hypot((bot1?.x ?? 0) - (bot0?.x ?? 0), (bot1?.y ?? 0) - (bot0?.y ?? 0))).toBeGreaterThan(20);
  });

  it('hands on the game’s events (the bots fight on the small map)', () => {
    const t = setup();
    t.practice.start(room, 'me');
    t.pass(20_000);
    expect(t.events.some((e) => e.type === 'hit')).toBe(true);
  });

  it('ends when a player joins (saying who) or the room is left, not on other changes', () => {
    const t = setup();
    expect(t.practice.roomChanged({ before: room, room })).toBeNull();
    t.practice.start(room, 'me');
    expect(t.practice.roomChanged({ before: room, room: { ...room, settings: { map: 1 } } })).toBeNull();
    expect(t.practice.active()).toBe(true);
    const ann = { id: 'ann', name: 'Ann', ready: false, connected: true, seq: 2 };
    const joined = { ...room, peers: [...room.peers, ann] };
    expect(t.practice.roomChanged({ before: room, room: joined })).toBe('Ann joined: practice ended.');
    expect(t.practice.active()).toBe(false);
    t.practice.start(room, 'me');
    expect(t.practice.roomChanged({ before: room, room: null })).toBeNull();
    expect(t.practice.active()).toBe(false);
  });

  it('catches up at most a quarter second after a pause, and stops', () => {
    const t = setup();
    t.practice.start(room, 'me');
    t.pass(16);
    const tick = t.practice.view()?.tick ?? 0;
    t.jump(10_000);
    expect(t.practice.view()?.tick).toBe(tick + practiceDefaults.maxCatchUpS * practiceDefaults.tickRateHz);
    t.practice.stop();
    expect(t.practice.active()).toBe(false);
    expect(t.practice.view()).toBeNull();
  });
});
