/**
 * `@colyseus/schema` (v5) coding the arena with quantized fields, the way a Colyseus game would:
 * positions and velocities as int16 in 1/16 px, angle as uint8 (1/256 turn), hp, flags and owner
 * as uint8, score as int32, entities in maps keyed by id. Its deltas are the changes since its
 * last `encode()`, so they need an ordered, reliable channel; the bench only compares sizes and
 * speed.
 */
import { Decoder, Encoder, schema, t } from '@colyseus/schema';
import type { ArenaWorld, Scenario } from './arena.ts';
import type { Prepared } from './measure.ts';

const Player = schema(
  {
    x: t.int16(),
    y: t.int16(),
    vx: t.int16(),
    vy: t.int16(),
    angle: t.uint8(),
    hp: t.uint8(),
    score: t.int32(),
    flags: t.uint8(),
  },
  'Player',
);
const Projectile = schema({ owner: t.uint8(), x: t.int16(), y: t.int16(), vx: t.int16(), vy: t.int16() }, 'Projectile');
const State = schema({ tick: t.uint32(), players: t.map(Player), projectiles: t.map(Projectile) }, 'State');
type State = InstanceType<typeof State>;

const q16 = (v: number) => Math.round(v * 16);
const qAngle = (radians: number) => Math.round((radians / (2 * Math.PI)) * 256) & 255;

type PlayerState = InstanceType<typeof Player>;
type ProjectileState = InstanceType<typeof Projectile>;

/**
 * Writes worlds into one Colyseus state, quantizing as the game would. A Colyseus game holds its
 * schema instances directly, so the writer keeps a reference per entity: each write is then only
 * the setters, which is where Colyseus tracks changes.
 */
function createWriter(state: State): (world: ArenaWorld) => void {
  const players = new Map<number, PlayerState>();
  const projectiles = new Map<number, ProjectileState>();
  return (world) => {
    state.tick = world.tick;
    for (const [id, entity] of world.entities) {
      if (entity.kind === 'player') {
        const f = entity.fields;
        let player = players.get(id);
        if (player === undefined) {
          player = new Player();
          players.set(id, player);
          state.players.set(String(id), player);
        }
        player.x = q16(f.x);
        player.y = q16(f.y);
        player.vx = q16(f.vx);
        player.vy = q16(f.vy);
        player.angle = qAngle(f.angle);
        player.hp = f.hp;
        player.score = f.score;
        player.flags = f.flags;
      } else {
        const f = entity.fields;
        let projectile = projectiles.get(id);
        if (projectile === undefined) {
          projectile = new Projectile();
          projectiles.set(id, projectile);
          state.projectiles.set(String(id), projectile);
        }
        projectile.owner = f.owner;
        projectile.x = q16(f.x);
        projectile.y = q16(f.y);
        projectile.vx = q16(f.vx);
        projectile.vy = q16(f.vy);
      }
    }
  };
}

/** Checks the decoded state against the world it should mirror; returns a problem or null. */
function check(decoded: State, world: ArenaWorld): string | null {
  for (const [id, entity] of world.entities) {
    const mirror = entity.kind === 'player' ? decoded.players.get(String(id)) : decoded.projectiles.get(String(id));
    if (mirror === undefined || mirror.x !== q16(entity.fields.x) || mirror.y !== q16(entity.fields.y)) {
      return `colyseus: entity ${id} decoded wrong`;
    }
  }
  return null;
}

export function prepareColyseus(scenario: Scenario): Prepared {
  if (scenario.baseline === null) {
    const state = new State();
    createWriter(state)(scenario.next);
    const encoder = new Encoder(state);
    const bytes = encoder.encodeAll().slice();
    const decoder = new Decoder(new State());
    decoder.decode(bytes);
    return {
      bytes: bytes.length,
      parts: 1,
      problem: check(decoder.state, scenario.next),
      run: () => {
        new Decoder(new State()).decode(encoder.encodeAll());
      },
    };
  }
  const { baseline, next } = scenario;
  const state = new State();
  const write = createWriter(state);
  write(baseline);
  const encoder = new Encoder(state);
  const decoder = new Decoder(new State());
  decoder.decode(encoder.encodeAll());
  encoder.discardChanges();
  write(next);
  const delta = encoder.encode().slice();
  encoder.discardChanges();
  decoder.decode(delta);
  const problem = check(decoder.state, next);
  // Each run flips the state between the two worlds: every run carries the same changes.
  let flip = false;
  return {
    bytes: delta.length,
    parts: 1,
    problem,
    run: () => {
      write(flip ? next : baseline);
      flip = !flip;
      decoder.decode(encoder.encode());
      encoder.discardChanges();
    },
  };
}
