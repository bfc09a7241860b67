/**
 * The arena game as tickmesh runs it: one pure, deterministic module that the host steps as the
 * authority and every client steps to predict its own avatar (packages/netcode/src/sync/game.ts).
 *
 * Rules: top-down movement with acceleration, axis-separated collision against the map's walls
 * (so players slide along them), projectiles with a fire cooldown, swept hit tests against the
 * targets as the shooter saw them (`context.seenBy`: lag compensation), 25 damage a hit, death,
 * respawn after a delay at the spawn point farthest from everyone, one point a kill, and a round
 * that ends at a tick fixed when it starts.
 *
 * Determinism: no clock and no `Math.random()`. Time is the tick number (`context.tick`), chance
 * is a 32-bit seed kept in the match entity, iteration follows sorted ids, and directions come
 * from a 256-entry table indexed by the quantized aim. Every value `step` reads is a field of an
 * entity, quantized as the schema says, so a state rebuilt from a snapshot steps exactly like the
 * host's (the host quantizes its own state every tick too).
 *
 * Entity ids (uint32): the match is 0; a player's id is netcode's `playerEntityId` (a hash of its
 * peer id in the upper half of the range: stateless, so any peer maps ids both ways from the room's
 * member list and a new host needs no table); projectiles count up from 1, wrapping below 2^31.
 */
import {
  defaultInterpolate,
  defineSnapshotSchema,
  type Entities,
  type EntityState,
  field,
  type GameDefinition,
  playerEntityId,
} from '@tickmesh/netcode';
import { type ArenaMap, mapById, type Point, type Rect } from './sim/maps.js';

/** Gameplay tuning; units in the names. */
export const arenaTuning = {
  playerRadiusPx: 14,
  maxSpeedPxPerS: 230,
  /** Fraction of the gap to the target velocity closed per second (exponential approach). */
  accelPerS: 14,
  projectileRadiusPx: 4,
  projectileSpeedPxPerS: 720,
  projectileLifeS: 1.1,
  fireCooldownS: 0.2,
  /** A projectile starts this far from the shooter's centre. */
  muzzlePx: 22,
  maxHp: 100,
  damage: 25,
  respawnS: 2,
  /** No damage is taken this long after a spawn. */
  spawnShieldS: 1,
  defaultRoundS: 180,
};

/** Player flag bits. */
export const PlayerFlag = { alive: 1, fired: 2, hit: 4 } as const;
/** Match phases. */
export const Phase = { playing: 0, ended: 1 } as const;

export const MATCH_ID = 0;
/** Projectiles count up from here (players' ids are in the upper half of the uint32 range). */
const PROJECTILE_BASE = 1;

export const arenaSchema = defineSnapshotSchema({
  player: {
    x: field.fixed(1 / 16),
    y: field.fixed(1 / 16),
    vx: field.fixed(1 / 16),
    vy: field.fixed(1 / 16),
    angle: field.angle(256),
    hp: field.uint(255),
    score: field.int(),
    deaths: field.uint(65535),
    flags: field.bits(4),
    respawnTick: field.uint(),
    nextFireTick: field.uint(),
    spawnTick: field.uint(),
  },
  match: {
    map: field.uint(255),
    phase: field.uint(3),
    roundS: field.uint(3600),
    endTick: field.uint(),
    seed: field.uint(),
    nextProjectile: field.uint(0x7fffffff),
  },
  projectile: {
    owner: field.ref(),
    x: field.fixed(1 / 16),
    y: field.fixed(1 / 16),
    vx: field.fixed(1 / 16),
    vy: field.fixed(1 / 16),
    expireTick: field.uint(),
  },
});
export type ArenaSchema = typeof arenaSchema.definition;
export type ArenaEntity = EntityState<ArenaSchema>;

export interface PlayerState {
  x: number;
  y: number;
  vx: number;
  vy: number;
  /** Radians, a multiple of a 256th of a turn. */
  angle: number;
  hp: number;
  score: number;
  deaths: number;
  flags: number;
  respawnTick: number;
  nextFireTick: number;
  spawnTick: number;
}
export interface ProjectileState {
  owner: number;
  x: number;
  y: number;
  vx: number;
  vy: number;
  expireTick: number;
}
export interface MatchState {
  map: number;
  phase: number;
  roundS: number;
  /** The tick the round ends at; 0 until the first step fixes it. */
  endTick: number;
  seed: number;
  nextProjectile: number;
}
export interface ArenaState {
  match: MatchState;
  /** By entity id. */
  players: ReadonlyMap<number, PlayerState>;
  projectiles: ReadonlyMap<number, ProjectileState>;
}

/** One tick of a player's controls. */
export interface ArenaInput {
  /** Horizontal and vertical movement: -1, 0 or 1. */
  mx: -1 | 0 | 1;
  my: -1 | 0 | 1;
  /** Aim direction in 256ths of a turn (0 = +x, clockwise on screen). */
  aim: number;
  fire: boolean;
}

/** A movement an input can make: -1, 0 or 1 on each axis. */
export type MoveDirection = readonly [ArenaInput['mx'], ArenaInput['my']];

/** The eight movements, from +x clockwise on screen (y grows down), an eighth of a turn apart. */
export const MOVE_DIRECTIONS: readonly MoveDirection[] = [
  [1, 0],
  [1, 1],
  [0, 1],
  [-1, 1],
  [-1, 0],
  [-1, -1],
  [0, -1],
  [1, -1],
];

export type ArenaEvent =
  | { type: 'hit'; shooter: number; victim: number; hp: number }
  | { type: 'kill'; killer: number; victim: number }
  | { type: 'round-end' };

export interface ArenaSettings {
  /** Round length, s (10..3600). */
  roundS: number;
  /** Map id (see maps.ts). */
  map: number;
  /** Seed of the match's random choices (spawn tie-breaks). */
  seed: number;
}

const AIM_STEPS = 256;
const TURN = 2 * Math.PI;
/** Unit vectors for the 256 aim directions. */
const DIRECTIONS: readonly Point[] = Array.from({ length: AIM_STEPS }, (_, i) => ({
  x: Math.cos((i / AIM_STEPS) * TURN),
  y: Math.sin((i / AIM_STEPS) * TURN),
}));

export { playerEntityId };

/** Quantizes like the `fixed(1/16)` fields: what the state holds after every snapshot. */
const q16 = (v: number): number => Math.round(v * 16) / 16;

/** A 32-bit xorshift step of the match seed, and a number in [0, 1) from it. */
function nextSeed(seed: number): number {
  let s = seed >>> 0 || 0x9e3779b9;
  s ^= s << 13;
  s >>>= 0;
  s ^= s >>> 17;
  s ^= s << 5;
  return s >>> 0;
}

function circleHitsRect(x: number, y: number, r: number, rect: Rect): boolean {
  const cx = Math.max(rect.x, Math.min(x, rect.x + rect.w));
  const cy = Math.max(rect.y, Math.min(y, rect.y + rect.h));
  const dx = x - cx;
  const dy = y - cy;
  return dx * dx + dy * dy < r * r;
}

function blocked(map: ArenaMap, x: number, y: number, r: number): boolean {
  return map.walls.some((w) => circleHitsRect(x, y, r, w));
}

/** Whether the segment p→p+d passes within `r` of c (closest point, no square root). */
function segmentNear(px: number, py: number, dx: number, dy: number, cx: number, cy: number, r: number): boolean {
  const len2 = dx * dx + dy * dy;
  let t = len2 === 0 ? 0 : ((cx - px) * dx + (cy - py) * dy) / len2;
  t = Math.max(0, Math.min(1, t));
  const ex = px + t * dx - cx;
  const ey = py + t * dy - cy;
  return ex * ex + ey * ey <= r * r;
}

const sortedKeys = <K extends number | string>(m: ReadonlyMap<K, unknown>): K[] =>
  [...m.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

export const isAlive = (p: PlayerState): boolean => (p.flags & PlayerFlag.alive) !== 0;

/** The spawn point farthest from every living player (ties broken by the seed). */
function pickSpawn(map: ArenaMap, players: ReadonlyMap<number, PlayerState>, seed: number): Point {
  const others = [...players.values()].filter(isAlive);
  let best: Point[] = [];
  let bestD = -1;
  for (const s of map.spawns) {
    let d = Number.POSITIVE_INFINITY;
    for (const o of others) d = Math.min(d, (o.x - s.x) ** 2 + (o.y - s.y) ** 2);
    // Within a player's width of each other counts as a tie.
    if (d > bestD + 900) {
      best = [s];
      bestD = d;
    } else if (d >= bestD - 900) best.push(s);
  }
  return best[seed % best.length] ?? { x: map.width / 2, y: map.height / 2 };
}

function spawned(base: PlayerState | null, at: Point, tick: number): PlayerState {
  return {
    x: at.x,
    y: at.y,
    vx: 0,
    vy: 0,
    angle: base?.angle ?? 0,
    hp: arenaTuning.maxHp,
    score: base?.score ?? 0,
    deaths: base?.deaths ?? 0,
    flags: PlayerFlag.alive,
    respawnTick: 0,
    nextFireTick: tick,
    spawnTick: tick,
  };
}

/** Moves one axis at a time, undoing the move on an axis that runs into a wall. */
function move(map: ArenaMap, p: PlayerState, input: ArenaInput, dt: number): void {
  const t = arenaTuning;
  const len = input.mx !== 0 && input.my !== 0 ? Math.SQRT1_2 : 1;
  const k = Math.min(1, t.accelPerS * dt);
  p.vx = q16(p.vx + (input.mx * len * t.maxSpeedPxPerS - p.vx) * k);
  p.vy = q16(p.vy + (input.my * len * t.maxSpeedPxPerS - p.vy) * k);
  const nx = q16(p.x + p.vx * dt);
  if (blocked(map, nx, p.y, t.playerRadiusPx)) p.vx = 0;
  else p.x = nx;
  const ny = q16(p.y + p.vy * dt);
  if (blocked(map, p.x, ny, t.playerRadiusPx)) p.vy = 0;
  else p.y = ny;
}

/** Seconds to whole ticks (at least one). */
const ticksOf = (seconds: number, dt: number): number => Math.max(1, Math.round(seconds / dt));

/**
 * One tick. Pure: returns a new state and leaves `state` as it was.
 */
export function stepArena(
  state: ArenaState,
  inputs: ReadonlyMap<string, ArenaInput>,
  dt: number,
  context: { tick: number; emit(event: ArenaEvent): void; seenBy(playerId: string): ArenaState },
): ArenaState {
  const t = arenaTuning;
  const tick = context.tick;
  const map = mapById(state.match.map);
  const match: MatchState = { ...state.match };
  if (match.endTick === 0) match.endTick = tick + ticksOf(match.roundS, dt);
  const players = new Map<number, PlayerState>();
  const peerOf = new Map<number, string>();
  const ids = [...inputs.keys()].sort();

  // Joins and leaves: the players are exactly the session's.
  for (const peerId of ids) {
    const id = playerEntityId(peerId);
    peerOf.set(id, peerId);
    const old = state.players.get(id);
    if (old) players.set(id, { ...old, flags: old.flags & PlayerFlag.alive });
  }
  for (const peerId of ids) {
    const id = playerEntityId(peerId);
    if (players.has(id)) continue;
    match.seed = nextSeed(match.seed);
    players.set(id, spawned(null, pickSpawn(map, players, match.seed), tick));
  }

  const ended = match.phase === Phase.ended;
  if (!ended && tick >= match.endTick) {
    match.phase = Phase.ended;
    context.emit({ type: 'round-end' });
  }
  const playing = match.phase === Phase.playing;

  const projectiles = new Map<number, ProjectileState>();
  for (const id of sortedKeys(state.projectiles)) {
    const p = state.projectiles.get(id) as ProjectileState;
    if (players.has(p.owner) && p.expireTick > tick && playing) projectiles.set(id, { ...p });
  }

  // Movement, aim, respawn and fire.
  for (const id of sortedKeys(players)) {
    const p = players.get(id) as PlayerState;
    const input = inputs.get(peerOf.get(id) as string) as ArenaInput;
    if (!isAlive(p)) {
      if (playing && tick >= p.respawnTick) {
        match.seed = nextSeed(match.seed);
        players.set(id, spawned(p, pickSpawn(map, players, match.seed), tick));
      }
      continue;
    }
    if (!playing) {
      p.vx = 0;
      p.vy = 0;
      continue;
    }
    p.angle = (input.aim / AIM_STEPS) * TURN;
    move(map, p, input, dt);
    if (input.fire && tick >= p.nextFireTick) {
      const dir = DIRECTIONS[input.aim] as Point;
      const sx = q16(p.x + dir.x * t.muzzlePx);
      const sy = q16(p.y + dir.y * t.muzzlePx);
      p.nextFireTick = tick + ticksOf(t.fireCooldownS, dt);
      p.flags |= PlayerFlag.fired;
      if (!blocked(map, sx, sy, t.projectileRadiusPx)) {
        projectiles.set(PROJECTILE_BASE + match.nextProjectile, {
          owner: id,
          x: sx,
          y: sy,
          vx: q16(dir.x * t.projectileSpeedPxPerS),
          vy: q16(dir.y * t.projectileSpeedPxPerS),
          expireTick: tick + ticksOf(t.projectileLifeS, dt),
        });
        match.nextProjectile = (match.nextProjectile + 1) % 0x7ffffffe;
      }
    }
  }

  // Projectiles: walls first, then targets where the shooter saw them.
  const hitRadius = t.playerRadiusPx + t.projectileRadiusPx;
  for (const id of sortedKeys(projectiles)) {
    const pr = projectiles.get(id) as ProjectileState;
    const dx = pr.vx * dt;
    const dy = pr.vy * dt;
    const shooter = peerOf.get(pr.owner);
    const seen = shooter === undefined ? state : context.seenBy(shooter);
    let victim: number | null = null;
    for (const target of sortedKeys(players)) {
      if (target === pr.owner) continue;
      const now = players.get(target) as PlayerState;
      const then = seen.players.get(target) ?? now;
      if (!isAlive(now) || !isAlive(then) || tick < now.spawnTick + ticksOf(t.spawnShieldS, dt)) continue;
      if (segmentNear(pr.x, pr.y, dx, dy, then.x, then.y, hitRadius)) {
        victim = target;
        break;
      }
    }
    if (victim !== null) {
      projectiles.delete(id);
      damage(players, pr.owner, victim, tick, dt, context);
      continue;
    }
    pr.x = q16(pr.x + dx);
    pr.y = q16(pr.y + dy);
    if (blocked(map, pr.x, pr.y, t.projectileRadiusPx)) projectiles.delete(id);
  }

  return { match, players, projectiles };
}

function damage(
  players: Map<number, PlayerState>,
  shooterId: number,
  victimId: number,
  tick: number,
  dt: number,
  context: { emit(event: ArenaEvent): void },
): void {
  const victim = players.get(victimId) as PlayerState;
  victim.hp = Math.max(0, victim.hp - arenaTuning.damage);
  victim.flags |= PlayerFlag.hit;
  context.emit({ type: 'hit', shooter: shooterId, victim: victimId, hp: victim.hp });
  if (victim.hp > 0) return;
  victim.flags &= ~PlayerFlag.alive;
  victim.deaths++;
  victim.vx = 0;
  victim.vy = 0;
  victim.respawnTick = tick + ticksOf(arenaTuning.respawnS, dt);
  const shooter = players.get(shooterId);
  if (shooter) shooter.score++;
  context.emit({ type: 'kill', killer: shooterId, victim: victimId });
}

/** A fresh match: no players yet (they spawn on their first tick), the round not yet started. */
export function initialArenaState(settings: ArenaSettings): ArenaState {
  return {
    match: {
      map: mapById(settings.map).id,
      phase: Phase.playing,
      roundS: Math.max(10, Math.min(3600, Math.round(settings.roundS))),
      endTick: 0,
      seed: settings.seed >>> 0,
      nextProjectile: 0,
    },
    players: new Map(),
    projectiles: new Map(),
  };
}

export function arenaToWorld(state: ArenaState): Map<number, ArenaEntity> {
  const entities = new Map<number, ArenaEntity>();
  entities.set(MATCH_ID, { kind: 'match', fields: { ...state.match } });
  for (const id of sortedKeys(state.players))
    entities.set(id, { kind: 'player', fields: { ...(state.players.get(id) as PlayerState) } });
  for (const id of sortedKeys(state.projectiles))
    entities.set(id, { kind: 'projectile', fields: { ...(state.projectiles.get(id) as ProjectileState) } });
  return entities;
}

export function arenaFromWorld(entities: Entities<ArenaSchema>): ArenaState {
  let match: MatchState = initialArenaState({ roundS: arenaTuning.defaultRoundS, map: 0, seed: 0 }).match;
  const players = new Map<number, PlayerState>();
  const projectiles = new Map<number, ProjectileState>();
  for (const id of sortedKeys(entities)) {
    const e = entities.get(id) as ArenaEntity;
    if (e.kind === 'match') match = { ...e.fields };
    else if (e.kind === 'player') players.set(id, { ...e.fields });
    else projectiles.set(id, { ...e.fields });
  }
  return { match, players, projectiles };
}

const MOVES: readonly unknown[] = [-1, 0, 1];

/** Checks an input from the network: exactly `{mx, my, aim, fire}` with valid values, else null. */
export function parseArenaInput(raw: unknown): ArenaInput | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const keys = Object.keys(raw);
  if (keys.length !== 4) return null;
  const { mx, my, aim, fire } = raw as Record<string, unknown>;
  if (!MOVES.includes(mx) || !MOVES.includes(my)) return null;
  if (typeof aim !== 'number' || !Number.isInteger(aim) || aim < 0 || aim >= AIM_STEPS) return null;
  if (typeof fire !== 'boolean') return null;
  return { mx: mx as ArenaInput['mx'], my: my as ArenaInput['my'], aim, fire };
}

const isId = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

/** Checks an event from the host, else null. */
export function parseArenaEvent(raw: unknown): ArenaEvent | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const e = raw as Record<string, unknown>;
  switch (e.type) {
    case 'hit':
      return isId(e.shooter) && isId(e.victim) && isId(e.hp) && e.hp <= arenaTuning.maxHp
        ? { type: 'hit', shooter: e.shooter, victim: e.victim, hp: e.hp }
        : null;
    case 'kill':
      return isId(e.killer) && isId(e.victim) ? { type: 'kill', killer: e.killer, victim: e.victim } : null;
    case 'round-end':
      return { type: 'round-end' };
    default:
      return null;
  }
}

export const NEUTRAL_INPUT: ArenaInput = { mx: 0, my: 0, aim: 0, fire: false };

/** Farther than a player can run between two snapshots, even with a few lost: a respawn. */
const TELEPORT_PX = 96;
const blendByField = defaultInterpolate(arenaSchema);

/**
 * Blends two states of an entity for drawing: as the schema says (positions linearly, aim the
 * short way round), except a player who respawned, which jumps instead of streaking across the map.
 */
export function interpolateArena(a: ArenaEntity, b: ArenaEntity, t: number): ArenaEntity {
  if (a.kind === 'player' && b.kind === 'player') {
    const jumped = Math.hypot(b.fields.x - a.fields.x, b.fields.y - a.fields.y) > TELEPORT_PX;
    if (jumped) return t < 1 ? a : b;
  }
  return blendByField(a, b, t);
}

/** The arena as a tickmesh game; a match starts with the settings `settings()` gives then. */
export function createArenaGame(
  settings: () => ArenaSettings,
): GameDefinition<ArenaState, ArenaInput, ArenaEvent, ArenaSchema> {
  return {
    schema: arenaSchema,
    initialState: () => initialArenaState(settings()),
    step: stepArena,
    toWorld: arenaToWorld,
    fromWorld: arenaFromWorld,
    neutralInput: NEUTRAL_INPUT,
    parseInput: parseArenaInput,
    parseEvent: parseArenaEvent,
    localEntities: (_state, peerId) => [playerEntityId(peerId)],
    interpolate: interpolateArena,
    smoothFields: { player: ['x', 'y'], projectile: ['x', 'y'] },
  };
}

/** Round time left in seconds at `tick`. */
export function timeLeftS(match: MatchState, tick: number, dt: number): number {
  if (match.endTick === 0) return match.roundS;
  return Math.max(0, (match.endTick - tick) * dt);
}

/** Aim (256ths of a turn) from a direction vector. */
export function aimOf(dx: number, dy: number): number {
  const a = Math.atan2(dy, dx) / TURN;
  return ((Math.round(a * AIM_STEPS) % AIM_STEPS) + AIM_STEPS) % AIM_STEPS;
}
