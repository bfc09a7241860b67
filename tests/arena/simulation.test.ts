// The arena's pure simulation: movement, walls, shots, kills, respawn, round end, the snapshot
// round trip of its states, determinism, and strict parsing of untrusted inputs and events.
import { dequantizeWorld, quantizeWorld } from '@tickmesh/netcode/internals';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAPS, mapById } from '../../examples/arena-game/src/sim/maps.js';
import {
  type ArenaEvent,
  type ArenaInput,
  type ArenaState,
  aimOf,
  arenaFromWorld,
  arenaSchema,
  arenaToWorld,
  arenaTuning,
  createArenaGame,
  initialArenaState,
  interpolateArena,
  isAlive,
  NEUTRAL_INPUT,
  Phase,
  parseArenaEvent,
  parseArenaInput,
  playerEntityId,
  stepArena,
} from '../../examples/arena-game/src/simulation.js';

const DT = 1 / 60;
const A = 'peer-ann';
const B = 'peer-bob';
const idA = playerEntityId(A);
const idB = playerEntityId(B);

interface Run {
  state: ArenaState;
  tick: number;
  events: { tick: number; event: ArenaEvent }[];
}

function newRun(settings = { roundS: 60, map: 0, seed: 7 }): Run {
  return { state: initialArenaState(settings), tick: 0, events: [] };
}

/** Steps `ticks` times; `seen` stands in for the host's lag-compensation history. */
function advance(
  run: Run,
  inputs: Record<string, ArenaInput>,
  ticks = 1,
  seen?: (playerId: string, state: ArenaState) => ArenaState,
): Run {
  for (let i = 0; i < ticks; i++) {
    run.tick++;
    const tick = run.tick;
    const before = run.state;
    run.state = stepArena(before, new Map(Object.entries(inputs)), DT, {
      tick,
      emit: (event) => run.events.push({ tick, event }),
      seenBy: (playerId) => (seen ? seen(playerId, before) : before),
    });
  }
  return run;
}

const idle: ArenaInput = NEUTRAL_INPUT;
const player = (run: Run, id: number) => {
  const p = run.state.players.get(id);
  if (!p) throw new Error(`no player ${id}`);
  return p;
};

/** Puts both players at fixed points (a state as a snapshot could carry it). */
function place(run: Run, at: Record<number, { x: number; y: number }>): void {
  const players = new Map(run.state.players);
  for (const [id, p] of Object.entries(at)) {
    const old = players.get(Number(id));
    if (old) players.set(Number(id), { ...old, ...p, vx: 0, vy: 0 });
  }
  run.state = { ...run.state, players };
}

/** Two players spawned, their spawn shields over, standing in an open stretch of the courtyard. */
function duel(): Run {
  const run = advance(newRun(), { [A]: idle, [B]: idle }, Math.ceil(arenaTuning.spawnShieldS / DT) + 1);
  place(run, { [idA]: { x: 800, y: 200 }, [idB]: { x: 1100, y: 200 } });
  return run;
}

const aimAt = (run: Run, from: number, to: number) =>
  aimOf(player(run, to).x - player(run, from).x, player(run, to).y - player(run, from).y);

describe('arena simulation', () => {
  it('spawns each player of the session at distinct spawn points, and removes one who leaves', () => {
    const run = advance(newRun(), { [A]: idle, [B]: idle });
    expect([...run.state.players.keys()].sort()).toEqual([idA, idB].sort());
    const a = player(run, idA);
    const b = player(run, idB);
    expect(a.hp).toBe(arenaTuning.maxHp);
    expect(isAlive(a)).toBe(true);
    expect(a.x !== b.x || a.y !== b.y).toBe(true);
    advance(run, { [A]: idle });
    expect([...run.state.players.keys()]).toEqual([idA]);
  });

  it('moves toward the input, accelerating to full speed, and aims where told', () => {
    const run = duel();
    const x0 = player(run, idA).x;
    advance(run, { [A]: { mx: 1, my: 0, aim: 64, fire: false }, [B]: idle }, 60);
    const a = player(run, idA);
    expect(a.x - x0).toBeGreaterThan(arenaTuning.maxSpeedPxPerS * 0.85);
    expect(a.x - x0).toBeLessThanOrEqual(arenaTuning.maxSpeedPxPerS);
    expect(a.vx).toBeCloseTo(arenaTuning.maxSpeedPxPerS, 0);
    expect(a.y).toBe(200);
    expect(a.angle).toBeCloseTo(Math.PI / 2, 10);
  });

  it('stops at walls and slides along them', () => {
    const run = duel();
    // The top border wall ends at y = 32: walking up-right for two seconds slides along it.
    advance(run, { [A]: { mx: 1, my: -1, aim: 0, fire: false }, [B]: idle }, 120);
    const a = player(run, idA);
    expect(a.y).toBeGreaterThanOrEqual(32 + arenaTuning.playerRadiusPx);
    expect(a.y).toBeLessThan(32 + arenaTuning.playerRadiusPx + 2);
    expect(a.x).toBeGreaterThan(900);
    for (const wall of mapById(0).walls) {
      const inside = a.x > wall.x && a.x < wall.x + wall.w && a.y > wall.y && a.y < wall.y + wall.h;
      expect(inside).toBe(false);
    }
  });

  it('keeps every spawn point of every map clear of walls', () => {
    for (const map of MAPS)
      for (const s of map.spawns)
        for (const w of map.walls) {
          const r = arenaTuning.playerRadiusPx;
          const clear = s.x + r <= w.x || s.x - r >= w.x + w.w || s.y + r <= w.y || s.y - r >= w.y + w.h;
          expect(clear, `${map.name} spawn ${s.x},${s.y} vs wall ${JSON.stringify(w)}`).toBe(true);
        }
  });

  it('fires at the cooldown rate, and a hit costs the target 25 hp', () => {
    const run = duel();
    const fire = { mx: 0, my: 0, aim: aimAt(run, idA, idB), fire: true } as const;
    advance(run, { [A]: fire, [B]: idle }, 1);
    expect(run.state.projectiles.size).toBe(1);
    advance(run, { [A]: { ...fire, fire: false }, [B]: idle }, 40);
    expect(player(run, idB).hp).toBe(arenaTuning.maxHp - arenaTuning.damage);
    expect(run.events.map((e) => e.event)).toContainEqual({ type: 'hit', shooter: idA, victim: idB, hp: 75 });
    expect(run.state.projectiles.size).toBe(0);
    // Holding fire for one second: one shot per cooldown.
    const shotsBefore = run.state.match.nextProjectile;
    advance(run, { [A]: fire, [B]: idle }, 60);
    expect(run.state.match.nextProjectile - shotsBefore).toBe(Math.ceil(1 / arenaTuning.fireCooldownS));
  });

  it('tests hits against the target where the shooter saw it (lag compensation)', () => {
    const run = duel();
    const aim = aimAt(run, idA, idB);
    // B has moved far off the line, but A's view (the seenBy state) still shows it at 1100,200.
    const seenState = run.state;
    place(run, { [idB]: { x: 1100, y: 600 } });
    advance(run, { [A]: { mx: 0, my: 0, aim, fire: true }, [B]: idle }, 30, (id, now) => (id === A ? seenState : now));
    expect(player(run, idB).hp).toBeLessThan(arenaTuning.maxHp);
    // Without it (the current state), the same shot misses.
    const miss = duel();
    place(miss, { [idB]: { x: 1100, y: 600 } });
    advance(miss, { [A]: { mx: 0, my: 0, aim, fire: true }, [B]: idle }, 30);
    expect(player(miss, idB).hp).toBe(arenaTuning.maxHp);
  });

  it('stops projectiles at walls', () => {
    const run = duel();
    place(run, { [idA]: { x: 700, y: 500 }, [idB]: { x: 1000, y: 500 } }); // the centre block between them
    advance(run, { [A]: { mx: 0, my: 0, aim: aimAt(run, idA, idB), fire: true }, [B]: idle }, 60);
    expect(player(run, idB).hp).toBe(arenaTuning.maxHp);
  });

  it('kills at zero hp, scores the killer, and respawns the victim after the delay', () => {
    const run = duel();
    const fire = { mx: 0, my: 0, aim: aimAt(run, idA, idB), fire: true } as const;
    let ticks = 0;
    while (isAlive(player(run, idB)) && ticks < 600) {
      advance(run, { [A]: fire, [B]: idle });
      ticks++;
    }
    const b = player(run, idB);
    expect(isAlive(b)).toBe(false);
    expect(b.deaths).toBe(1);
    expect(player(run, idA).score).toBe(1);
    const kill = run.events.find((e) => e.event.type === 'kill');
    expect(kill?.event).toEqual({ type: 'kill', killer: idA, victim: idB });
    // Dead: no more hits, no movement; then back after respawnS with full hp, score kept.
    advance(run, { [A]: idle, [B]: { mx: 1, my: 0, aim: 0, fire: true } }, Math.round(arenaTuning.respawnS / DT) - 1);
    expect(isAlive(player(run, idB))).toBe(false);
    advance(run, { [A]: idle, [B]: idle }, 1);
    const back = player(run, idB);
    expect(isAlive(back)).toBe(true);
    expect(back.hp).toBe(arenaTuning.maxHp);
    expect(back.deaths).toBe(1);
    expect(player(run, idA).score).toBe(1);
  });

  it('ends the round at its length and freezes play', () => {
    const run = newRun({ roundS: 10, map: 1, seed: 1 });
    // The first tick fixes the end: ten seconds of ticks are played, the next one ends it.
    advance(run, { [A]: idle, [B]: idle }, 10 * 60);
    expect(run.state.match.phase).toBe(Phase.playing);
    advance(run, { [A]: idle, [B]: idle }, 1);
    expect(run.state.match.phase).toBe(Phase.ended);
    expect(run.events.filter((e) => e.event.type === 'round-end')).toHaveLength(1);
    const x = player(run, idA).x;
    advance(run, { [A]: { mx: 1, my: 1, aim: 0, fire: true }, [B]: idle }, 30);
    expect(player(run, idA).x).toBe(x);
    expect(run.state.projectiles.size).toBe(0);
    expect(run.events.filter((e) => e.event.type === 'round-end')).toHaveLength(1);
  });

  it('survives the snapshot round trip exactly (toWorld, quantize, dequantize, fromWorld)', () => {
    const run = duel();
    const fire = { mx: 1, my: -1, aim: aimAt(run, idA, idB), fire: true } as const;
    advance(run, { [A]: fire, [B]: { mx: -1, my: 1, aim: 17, fire: true } }, 45);
    expect(run.state.projectiles.size).toBeGreaterThan(0);
    const roundTrip = (s: ArenaState) =>
      arenaFromWorld(
        dequantizeWorld(arenaSchema, quantizeWorld(arenaSchema, { tick: 1, entities: arenaToWorld(s) })).entities,
      );
    expect(roundTrip(run.state)).toEqual(run.state);
    // And stepping the rebuilt state gives the same next state as stepping the original.
    const a = advance({ ...run, events: [] }, { [A]: fire, [B]: idle }, 20).state;
    const b = advance({ ...run, state: roundTrip(run.state), events: [] }, { [A]: fire, [B]: idle }, 20).state;
    expect(b).toEqual(a);
  });

  it('is deterministic: the same inputs give the same states and events', () => {
    const script = (tick: number): Record<string, ArenaInput> => ({
      [A]: {
        mx: ((tick >> 4) % 3) - 1,
        my: ((tick >> 5) % 3) - 1,
        aim: (tick * 7) % 256,
        fire: tick % 3 === 0,
      } as ArenaInput,
      [B]: {
        mx: ((tick >> 3) % 3) - 1,
        my: ((tick >> 6) % 3) - 1,
        aim: (tick * 13) % 256,
        fire: tick % 2 === 0,
      } as ArenaInput,
    });
    const play = () => {
      const run = newRun({ roundS: 30, map: 1, seed: 99 });
      for (let t = 0; t < 900; t++) advance(run, script(t));
      return run;
    };
    const one = play();
    const two = play();
    expect(two.state).toEqual(one.state);
    expect(two.events).toEqual(one.events);
  });

  it('leaves the state it was given untouched (prediction replays from stored states)', () => {
    const run = duel();
    const before = structuredClone(run.state);
    const start = run.state;
    advance(run, { [A]: { mx: 1, my: 1, aim: 3, fire: true }, [B]: idle }, 5);
    expect(start).toEqual(before);
  });

  it('rejects garbage inputs and events', () => {
    expect(parseArenaInput({ mx: 1, my: 0, aim: 255, fire: true })).toEqual({ mx: 1, my: 0, aim: 255, fire: true });
    for (const bad of [
      null,
      undefined,
      42,
      'input',
      [1, 0, 0, false],
      {},
      { mx: 2, my: 0, aim: 0, fire: false },
      { mx: 0.5, my: 0, aim: 0, fire: false },
      { mx: 0, my: 0, aim: 256, fire: false },
      { mx: 0, my: 0, aim: -1, fire: false },
      { mx: 0, my: 0, aim: 1.5, fire: false },
      { mx: 0, my: 0, aim: Number.NaN, fire: false },
      { mx: 0, my: 0, aim: 0, fire: 1 },
      { mx: 0, my: 0, aim: 0, fire: false, extra: 1 },
      { mx: '1', my: 0, aim: 0, fire: false },
    ])
      expect(parseArenaInput(bad), JSON.stringify(bad)).toBeNull();
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        const parsed = parseArenaInput(raw);
        return parsed === null || JSON.stringify(parseArenaInput(parsed)) === JSON.stringify(parsed);
      }),
    );
    expect(parseArenaEvent({ type: 'kill', killer: 1, victim: 2 })).toEqual({ type: 'kill', killer: 1, victim: 2 });
    expect(parseArenaEvent({ type: 'kill', killer: -1, victim: 2 })).toBeNull();
    expect(parseArenaEvent({ type: 'hit', shooter: 1, victim: 2, hp: 900 })).toBeNull();
    expect(parseArenaEvent({ type: 'boom' })).toBeNull();
    expect(parseArenaEvent('kill')).toBeNull();
  });

  it('plugs into the game contract with stable player entity ids', () => {
    const game = createArenaGame(() => ({ roundS: 60, map: 0, seed: 3 }));
    expect([...game.localEntities(game.initialState(), A)]).toEqual([idA]);
    expect(playerEntityId(A)).toBe(idA);
    expect(idA).toBeGreaterThanOrEqual(2 ** 31);
    expect(game.parseInput(game.neutralInput)).toEqual(game.neutralInput);
  });

  it('draws a respawn as a jump, ordinary movement as a glide', () => {
    const player = (x: number, y: number) => {
      const run = advance(newRun(), { [A]: NEUTRAL_INPUT });
      const entity = arenaToWorld(run.state).get(idA);
      if (entity?.kind !== 'player') throw new Error('no player after the first tick');
      return { kind: 'player' as const, fields: { ...entity.fields, x, y } };
    };
    const mid = interpolateArena(player(100, 100), player(110, 100), 0.5);
    expect(mid.kind === 'player' && mid.fields.x).toBe(105);
    const early = interpolateArena(player(100, 100), player(900, 600), 0.5);
    expect(early.kind === 'player' && early.fields.x).toBe(100);
    const late = interpolateArena(player(100, 100), player(900, 600), 1);
    expect(late.kind === 'player' && late.fields.x).toBe(900);
  });
});
