/**
 * The arena snapshot for `bench:codec`: 8 players (position, velocity, angle, hp, score,
 * flags) and 32 projectiles (owner, position, velocity) in a 2000 × 2000 px arena, velocities up
 * to 300 px/s, moved one snapshot interval (1/30 s, so a few px) at a time. A seeded PRNG makes
 * every run code the same worlds.
 */
import { defineSnapshotSchema, type EntityState, field, type WorldState } from '@tickmesh/netcode';

export const ARENA_PX = 2000;
export const MAX_SPEED_PX_S = 300;
export const SNAPSHOT_INTERVAL_S = 1 / 30;
export const PLAYER_COUNT = 8;
export const PROJECTILE_COUNT = 32;
/** Ids as a game would hand them out: players first, projectiles from a later counter. */
export const FIRST_PROJECTILE_ID = 1000;

export const arenaSchema = defineSnapshotSchema({
  player: {
    x: field.fixed(1 / 16),
    y: field.fixed(1 / 16),
    vx: field.fixed(1 / 16),
    vy: field.fixed(1 / 16),
    angle: field.angle(256),
    hp: field.uint(255),
    score: field.int(),
    flags: field.bits(8),
  },
  projectile: {
    owner: field.ref(),
    x: field.fixed(1 / 16),
    y: field.fixed(1 / 16),
    vx: field.fixed(1 / 16),
    vy: field.fixed(1 / 16),
  },
});

export type ArenaDefinition = typeof arenaSchema.definition;
export type ArenaWorld = WorldState<ArenaDefinition>;
export type ArenaEntity = EntityState<ArenaDefinition>;

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function velocity(random: () => number, minSpeed: number): [number, number] {
  const heading = random() * 2 * Math.PI;
  const speed = minSpeed + random() * (MAX_SPEED_PX_S - minSpeed);
  return [Math.cos(heading) * speed, Math.sin(heading) * speed];
}

export function createArena(seed: number, tick: number): ArenaWorld {
  const random = createRandom(seed);
  const entities = new Map<number, ArenaEntity>();
  for (let id = 1; id <= PLAYER_COUNT; id++) {
    const [vx, vy] = velocity(random, 0);
    entities.set(id, {
      kind: 'player',
      fields: {
        x: 100 + random() * (ARENA_PX - 200),
        y: 100 + random() * (ARENA_PX - 200),
        vx,
        vy,
        angle: Math.atan2(vy, vx),
        hp: 50 + Math.floor(random() * 206),
        score: Math.floor(random() * 40),
        flags: Math.floor(random() * 256),
      },
    });
  }
  for (let n = 0; n < PROJECTILE_COUNT; n++) {
    const [vx, vy] = velocity(random, 150);
    entities.set(FIRST_PROJECTILE_ID + n, {
      kind: 'projectile',
      fields: {
        owner: 1 + Math.floor(random() * PLAYER_COUNT),
        x: random() * ARENA_PX,
        y: random() * ARENA_PX,
        vx,
        vy,
      },
    });
  }
  return { tick, entities };
}

/** Moves along the velocity for `dt`, bouncing off the walls. */
function advance(x: number, v: number, dt: number): [number, number] {
  const next = x + v * dt;
  if (next < 0) return [-next, -v];
  if (next > ARENA_PX) return [2 * ARENA_PX - next, -v];
  return [next, v];
}

/**
 * The world one snapshot interval later (`ticks` simulation ticks). Players steer (a random
 * acceleration up to 600 px/s², speed capped at 300 px/s) and face where they go; projectiles fly
 * straight. Only entities whose id `moves` accepts move.
 */
export function stepArena(
  world: ArenaWorld,
  random: () => number,
  ticks: number,
  moves: (id: number) => boolean = () => true,
): ArenaWorld {
  const dt = SNAPSHOT_INTERVAL_S;
  const entities = new Map<number, ArenaEntity>();
  for (const [id, entity] of world.entities) {
    if (!moves(id)) {
      entities.set(id, entity);
    } else if (entity.kind === 'player') {
      const f = entity.fields;
      let vx = f.vx + (random() * 2 - 1) * 600 * dt;
      let vy = f.vy + (random() * 2 - 1) * 600 * dt;
      const speed = Math.hypot(vx, vy);
      if (speed > MAX_SPEED_PX_S) {
        vx *= MAX_SPEED_PX_S / speed;
        vy *= MAX_SPEED_PX_S / speed;
      }
      const [x, nvx] = advance(f.x, vx, dt);
      const [y, nvy] = advance(f.y, vy, dt);
      entities.set(id, { kind: 'player', fields: { ...f, x, y, vx: nvx, vy: nvy, angle: Math.atan2(nvy, nvx) } });
    } else {
      const f = entity.fields;
      const [x, vx] = advance(f.x, f.vx, dt);
      const [y, vy] = advance(f.y, f.vy, dt);
      entities.set(id, { kind: 'projectile', fields: { ...f, x, y, vx, vy } });
    }
  }
  return { tick: world.tick + ticks, entities };
}

export interface Scenario {
  readonly name: 'full' | 'allMoved' | 'twoMoved';
  readonly title: string;
  /** The world the receiver has (null: a full snapshot). */
  readonly baseline: ArenaWorld | null;
  readonly next: ArenaWorld;
}

/** The three scenarios of the issue, from one seeded arena. */
export function arenaScenarios(seed: number): Scenario[] {
  const random = createRandom(seed ^ 0x5eed);
  const start = createArena(seed, 1000);
  const baseline = stepArena(start, random, 2); // warmed up: velocities already steered once
  const allMoved = stepArena(baseline, random, 2);
  const twoMoved = stepArena(baseline, random, 2, (id) => id === 1 || id === 2);
  return [
    { name: 'full', title: 'full snapshot', baseline: null, next: baseline },
    { name: 'allMoved', title: 'delta, everything moved', baseline, next: allMoved },
    { name: 'twoMoved', title: 'delta, 2 players moved', baseline, next: twoMoved },
  ];
}

export interface PlainState {
  tick: number;
  players: Record<string, number>[];
  projectiles: Record<string, number>[];
}

/** The same state as a plain object, as a game would hand it to JSON or MessagePack. */
export function toPlainState(world: ArenaWorld): PlainState {
  const players: Record<string, number>[] = [];
  const projectiles: Record<string, number>[] = [];
  for (const [id, entity] of world.entities) {
    (entity.kind === 'player' ? players : projectiles).push({ id, ...entity.fields });
  }
  return { tick: world.tick, players, projectiles };
}
