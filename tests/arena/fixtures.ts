/** Rooms and players the arena's unit tests share: Ann (seq 1) and Bob (seq 2), both connected and ready. */
import type { Room } from '@tickmesh/netcode';
import { type ArenaEntity, PlayerFlag } from '../../examples/arena-game/src/simulation.js';

/** A room of Ann and Bob in `state`, hosted by `hostId`. */
export const arenaRoom = (state: Room['state'] = 'playing', hostId = 'ann', code = 'AAAAAA'): Room => ({
  code,
  state,
  hostId,
  public: false,
  maxPlayers: 8,
  settings: {},
  peers: [
    { id: 'ann', name: 'Ann', ready: true, connected: true, seq: 1 },
    { id: 'bob', name: 'Bob', ready: true, connected: true, seq: 2 },
  ],
});

/** A player entity: alive, full health, at the origin, unless `fields` says otherwise. */
export const player = (fields: Partial<Extract<ArenaEntity, { kind: 'player' }>['fields']> = {}): ArenaEntity => ({
  kind: 'player',
  fields: {
    x: 0,
    y: 0,
    vx: 0,
    vy: 0,
    angle: 0,
    hp: 100,
    score: 0,
    deaths: 0,
    flags: PlayerFlag.alive,
    respawnTick: 0,
    nextFireTick: 0,
    spawnTick: 0,
    ...fields,
  },
});
