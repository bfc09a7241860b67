import { describe, expect, it } from 'vitest';
import { createMatchSounds, OTHERS_VOLUME } from '../../examples/arena-game/src/app/match-sounds.js';
import type { RenderFrame } from '../../examples/arena-game/src/scenes/arena-scene.js';
import type { ArenaEntity } from '../../examples/arena-game/src/simulation.js';
import { player } from './fixtures.js';

const ME = 101;
const BOB = 102;

function setup(self: number | null = ME) {
  const played: [string, number | undefined][] = [];
  const sounds = createMatchSounds({ play: (kind, volume) => played.push([kind, volume]), selfEntityId: () => self });
  return { sounds, played };
}

const shot = (owner: number): ArenaEntity => ({
  kind: 'projectile',
  fields: { x: 0, y: 0, vx: 720, vy: 0, owner, expireTick: 1000 },
});

/** A frame with both players and projectiles by id and owner. */
const frame = (tick: number, shots: [id: number, owner: number][], overview = false): RenderFrame => ({
  world: new Map<number, ArenaEntity>([
    [ME, player()],
    [BOB, player()],
    ...shots.map(([id, owner]): [number, ArenaEntity] => [id, shot(owner)]),
  ]),
  tick,
  dt: 1 / 60,
  self: overview ? null : ME,
  looks: new Map(),
  overview,
});

describe('match sounds', () => {
  it('a shot for each new projectile, others quieter; none for those already flying, none in the attract mode', () => {
    const { sounds, played } = setup();
    sounds.frame(frame(1, [[7, BOB]])); // joined with a shot in the air
    sounds.frame(frame(2, [[7, BOB]]));
    sounds.frame(
      frame(2, [
        [7, BOB],
        [8, ME],
        [9, BOB],
      ]),
    );
    sounds.frame(
      frame(2, [
        [8, ME],
        [9, BOB],
      ]),
    ); // the same frame drawn again, one projectile gone
    // A slow page: ticks skipped between frames, the shot still flying.
    sounds.frame(frame(9, [[10, ME]]));
    sounds.frame(frame(10, [[11, BOB]], true));
    sounds.frame(frame(11, [[11, BOB]]));
    expect(played).toEqual([
      ['shot', 1],
      ['shot', OTHERS_VOLUME.shot],
      ['shot', 1],
    ]);
  });

  it('hits and kills: hurt and death for this player, hit and kill for its shots, softer for others', () => {
    const { sounds, played } = setup();
    sounds.event({ type: 'hit', shooter: BOB, victim: ME, hp: 60 });
    sounds.event({ type: 'hit', shooter: ME, victim: BOB, hp: 60 });
    sounds.event({ type: 'hit', shooter: BOB, victim: 103, hp: 60 });
    sounds.event({ type: 'kill', killer: BOB, victim: ME });
    sounds.event({ type: 'kill', killer: ME, victim: BOB });
    sounds.event({ type: 'kill', killer: BOB, victim: 103 });
    sounds.event({ type: 'round-end' });
    expect(played).toEqual([
      ['hurt', undefined],
      ['hit', undefined],
      ['hit', OTHERS_VOLUME.hit],
      ['death', undefined],
      ['kill', undefined],
      ['kill', OTHERS_VOLUME.kill],
    ]);
  });

  it('a beep each second of the countdown, then the start; the end when the round is over', () => {
    const { sounds, played } = setup();
    sounds.clock('lobby', null);
    for (const s of [3, 3, 2, 2, 1, 1, 0]) sounds.clock('countdown', s);
    sounds.clock('playing', null);
    sounds.clock('playing', null);
    sounds.clock('ended', null);
    sounds.clock('lobby', null);
    expect(played.map(([kind]) => kind)).toEqual(['beep', 'beep', 'beep', 'go', 'end']);
  });

  it('joining a match already running: no start sound', () => {
    const { sounds, played } = setup();
    sounds.clock('menu', null);
    sounds.clock('playing', null);
    expect(played).toEqual([]);
  });
});
