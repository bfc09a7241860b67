import { describe, expect, it } from 'vitest';
import { type ArenaSnapshot, createAutomation } from '../../examples/arena-game/src/app/automation.js';
import type { AppPhase } from '../../examples/arena-game/src/app/match-flow.js';
import { type NetFigures, NO_NET_FIGURES, type PeerNet } from '../../examples/arena-game/src/net.js';
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
    } satisfies ArenaSnapshot);
  });

  it('in a match: the room, every peer as a player (null until in the world), every link, voice and figures', () => {
    const automation = setup(true);
    const snapshot = automation.snapshot();
    expect(Object.keys(snapshot)).toEqual(['room', 'selfId', 'phase', 'players', 'peers', 'voice', 'net', 'lobby']);
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
    } satisfies ArenaSnapshot);
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
    expect(automation.screenOf('ann')).toEqual({ x: 50, y: 100 });
    expect(automation.screenOf('bob')).toBeNull();
  });
});
