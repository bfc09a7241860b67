import { describe, expect, it } from 'vitest';
import { hudModel } from '../../examples/arena-game/src/app/hud-model.js';
import { colorOfSeq } from '../../examples/arena-game/src/colors.js';
import type { PeerNet } from '../../examples/arena-game/src/net.js';
import {
  arenaToWorld,
  arenaTuning,
  initialArenaState,
  MATCH_ID,
  playerEntityId,
} from '../../examples/arena-game/src/simulation.js';
import { arenaRoom, player } from './fixtures.js';

const room = arenaRoom('playing', 'bob');
const deadAnn = player({ hp: 0, score: 2, deaths: 4, flags: 0, respawnTick: 130 });

const people = {
  room,
  selfId: 'ann',
  peers: new Map<string, PeerNet>([
    ['bob', { id: 'bob', link: 'connected', rttMs: 9, candidateType: 'host', kbpsIn: 1, kbpsOut: 1, lossRate: 0 }],
  ]),
  speaking: new Set(['bob']),
  muted: new Set(['bob']),
};
const shown = { scoreboard: true, ended: null, micOn: false, micLabel: 'Mic off', killer: 'Bob' };

describe('hudModel', () => {
  it('reads the round, this player and the scoreboard from the world', () => {
    const world = arenaToWorld(initialArenaState({ roundS: 60, map: 0, seed: 1 }));
    const match = world.get(MATCH_ID);
    if (match?.kind === 'match') match.fields.endTick = 600;
    world.set(playerEntityId('ann'), deadAnn);
    const model = hudModel({ world, tick: 100, dt: 0.01 }, people, shown);
    expect(model.timeLeftS).toBeCloseTo(5);
    expect(model).toMatchObject({
      hp: 0,
      maxHp: arenaTuning.maxHp,
      alive: false,
      scoreboard: true,
      ended: null,
      killer: 'Bob',
    });
    expect(model.respawnInS).toBeCloseTo(0.3);
    expect(model.rows).toEqual([
      {
        peerId: 'ann',
        name: 'Ann',
        color: colorOfSeq(1),
        score: 2,
        deaths: 4,
        pingMs: null,
        self: true,
        host: false,
        speaking: false,
        muted: false,
      },
      {
        peerId: 'bob',
        name: 'Bob',
        color: colorOfSeq(2),
        score: 0,
        deaths: 0,
        pingMs: 9,
        self: false,
        host: true,
        speaking: true,
        muted: true,
      },
    ]);
  });

  it('before there is a world: no time, no health, alive', () => {
    const model = hudModel(null, people, shown);
    expect(model).toMatchObject({ timeLeftS: 0, hp: null, alive: true, respawnInS: 0 });
    expect(model.rows.map((r) => [r.score, r.deaths])).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });
});
