import { describe, expect, it } from 'vitest';
import { type ArenaSnapshot, createAutomation } from '../../examples/arena-game/src/app/automation.js';
import type { AppPhase } from '../../examples/arena-game/src/app/match-flow.js';
import type { SoundStats } from '../../examples/arena-game/src/audio/sound-board.js';
import { type NetFigures, NO_NET_FIGURES, type PeerNet } from '../../examples/arena-game/src/net.js';
import { MAPS } from '../../examples/arena-game/src/sim/maps.js';
import { arenaToWorld, initialArenaState, playerEntityId } from '../../examples/arena-game/src/simulation.js';
import { arenaRoom, player } from './fixtures.js';

const room = arenaRoom('playing', 'ann');
const annPlayer = player({ x: 100, y: 200, hp: 80, score: 3, deaths: 1 });

const figures: NetFigures = {
  snapshotBytesAvg: 120,
  interpDelayMs: 80,
  tickOffsetMs: 1.5,
  hostRttMs: 4,
  inputWaitMs: 30,
  snapshotJitterMs: 2,
  correctionsPerSec: 0.5,
  inputsResent: 2,
};

const bobLink: PeerNet = {
  id: 'bob',
  link: 'connected',
  rttMs: 12,
  candidateType: 'host',
  kbpsIn: 30,
  kbpsOut: 20,
  lossRate: 0.01,
};

const sound: SoundStats = {
  state: 'on',
  volume: 0.5,
  muted: false,
  played: 3,
  limited: 1,
  failed: 0,
  recent: ['shot', 'hit', 'shot'],
};

function setup(inMatch: boolean) {
  const world = arenaToWorld(initialArenaState({ roundS: 60, map: 0, seed: 1 }));
  world.set(playerEntityId('ann'), annPlayer);
  const net = {
    view: () => ({ world, tick: 10, dt: 1 / 60 }),
    peers: () =>
      new Map([
        ['bob', bobLink],
        ['cy', { ...bobLink, id: 'cy', link: null, rttMs: null, candidateType: 'unknown' as const }],
      ]),
    figures: () => figures,
  };
  const phase: AppPhase = inMatch ? 'playing' : 'menu';
  return createAutomation({
    lobby: {
      room: () => (inMatch ? room : null),
      selfId: () => (inMatch ? 'ann' : null),
      net: () => (inMatch ? net : null),
      connection: () => (inMatch ? 'reconnecting' : 'offline'),
    },
    phase: () => phase,
    voiceStatus: () => (inMatch ? 'on' : 'off'),
    speaking: new Set(inMatch ? ['bob'] : []),
    screenOf: (x, y) => ({ x: x / 2, y: y / 2 }),
    sound: () => sound,
    // Bob's marker, and one of an entity no peer of the room has (left out).
    edgeMarkers: () =>
      inMatch
        ? [
            { id: playerEntityId('bob'), x: 935.6, y: 20.2 },
            { id: 987, x: 1, y: 1 },
          ]
        : [],
  });
}

describe('the automation surface', () => {
  it('before a room: empty lists and the figures of no session', () => {
    const snapshot = setup(false).snapshot();
    expect(snapshot).toEqual({
      room: null,
      selfId: null,
      phase: 'menu',
      players: [],
      peers: [],
      voice: { state: 'off', speaking: [] },
      net: NO_NET_FIGURES,
      lobby: 'offline',
      sound,
      map: null,
      edgeMarkers: [],
    } satisfies ArenaSnapshot);
  });

  it('in a match: the room, every peer as a player (null until in the world), every link, voice and figures', () => {
    const automation = setup(true);
    const snapshot = automation.snapshot();
    expect(Object.keys(snapshot)).toEqual([
      'room',
      'selfId',
      'phase',
      'players',
      'peers',
      'voice',
      'net',
      'lobby',
      'sound',
      'map',
      'edgeMarkers',
    ]);
    expect(snapshot).toEqual({
      room: { code: 'AAAAAA', state: 'playing', hostId: 'ann' },
      selfId: 'ann',
      phase: 'playing',
      players: [
        { id: 'ann', name: 'Ann', x: 100, y: 200, hp: 80, score: 3, alive: true },
        { id: 'bob', name: 'Bob', x: null, y: null, hp: null, score: 0, alive: false },
      ],
      peers: [
        { id: 'bob', link: 'connected', rttMs: 12, candidateType: 'host', kbpsIn: 30, kbpsOut: 20 },
        { id: 'cy', link: 'connecting', rttMs: null, candidateType: 'unknown', kbpsIn: 30, kbpsOut: 20 },
      ],
      voice: { state: 'on', speaking: ['bob'] },
      net: figures,
      lobby: 'reconnecting',
      sound,
      map: { id: 0, name: 'Courtyard', walls: MAPS[0]?.walls.length ?? 0 },
      edgeMarkers: [{ id: 'bob', x: 936, y: 20 }],
    } satisfies ArenaSnapshot);
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
    expect(automation.screenOf('ann')).toEqual({ x: 50, y: 100 });
    expect(automation.screenOf('bob')).toBeNull();
  });
});
