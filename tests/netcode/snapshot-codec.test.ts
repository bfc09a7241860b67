// The snapshot delta codec: quantized worlds survive encode, decode and apply exactly, as one part
// or many, in any order, each part alone; nothing a peer sends makes the decoder throw.
import { defineSnapshotSchema, type EntityState, field, SnapshotError, type WorldState } from '@tickmesh/netcode';
import {
  applySnapshotPart,
  applySnapshotParts,
  createSnapshotHistory,
  createSnapshotReceiver,
  DEFAULT_SNAPSHOT_PART_BYTES,
  decodeSnapshot,
  EntityTable,
  encodeSnapshot,
  fromQuantized,
  MAX_UNRELIABLE_FRAME_BYTES,
  type QuantizedWorld,
  quantizeWorld,
  SNAPSHOT_FORMAT_VERSION,
  type SnapshotPart,
} from '@tickmesh/netcode/internals';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileFieldReader, keyedFieldReader } from '../../packages/netcode/src/sync/snapshot/schema.js';

const SEED = 0x7ac3;

const schema = defineSnapshotSchema({
  player: {
    x: field.fixed(1 / 16),
    y: field.fixed(1 / 16),
    angle: field.angle(256),
    heading: field.angle(360, 'deg'),
    hp: field.uint(255),
    score: field.int(),
    flags: field.bits(8),
    alive: field.bool(),
    target: field.ref(),
    big: field.uint(),
    mask32: field.bits(32),
  },
  projectile: { owner: field.ref(), x: field.fixed(1 / 16), y: field.fixed(1 / 16), vx: field.fixed(0.1) },
  pickup: { item: field.uint(7), x: field.fixed(1) },
});
type Definition = typeof schema.definition;
type Entity = EntityState<Definition>;
type World = WorldState<Definition>;
type Kind = Entity['kind'];

// Raw values, including the ones quantization must clamp or zero.
const wild = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e300, -1e300);
const coordinate = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: -5000, max: 5000, noNaN: true }) },
  { weight: 1, arbitrary: fc.double({ min: -2e8, max: 2e8, noNaN: true }) },
  { weight: 1, arbitrary: wild },
);
const integer = (min: number, max: number) =>
  fc.oneof({ weight: 9, arbitrary: fc.integer({ min, max }) }, { weight: 1, arbitrary: wild });

const entityArbitrary: Record<Kind, fc.Arbitrary<Entity>> = {
  player: fc
    .record({
      x: coordinate,
      y: coordinate,
      angle: fc.double({ min: -20, max: 20, noNaN: true }),
      heading: fc.double({ min: -720, max: 720, noNaN: true }),
      hp: integer(-20, 300),
      score: fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), integer(-100, 5000)),
      flags: integer(0, 255),
      alive: fc.boolean(),
      target: integer(0, 2 ** 32 - 1),
      big: fc.oneof(fc.constantFrom(0, 2 ** 32 - 1, 2 ** 31), fc.integer({ min: 0, max: 2 ** 32 - 1 })),
      mask32: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    })
    .map((fields) => ({ kind: 'player' as const, fields })),
  projectile: fc
    .record({
      owner: integer(0, 64),
      x: coordinate,
      y: coordinate,
      vx: fc.double({ min: -400, max: 400, noNaN: true }),
    })
    .map((fields) => ({ kind: 'projectile' as const, fields })),
  pickup: fc.record({ item: integer(0, 9), x: coordinate }).map((fields) => ({ kind: 'pickup' as const, fields })),
};
const anyEntity = fc.oneof(entityArbitrary.player, entityArbitrary.projectile, entityArbitrary.pickup);

// Ids: dense small ones (as games hand out) mixed with anything up to 2^32 - 1.
const entityId = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 200 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 ** 32 - 1 }) },
);
const tick = fc.integer({ min: 0, max: 2 ** 32 - 1 });

function worldArbitrary(maxEntities: number, minEntities = 0): fc.Arbitrary<World> {
  const entries = fc.uniqueArray(fc.tuple(entityId, anyEntity), {
    minLength: minEntities,
    maxLength: maxEntities,
    selector: ([id]) => id,
  });
  return fc.record({ tick, entries }).map(({ tick, entries }) => ({ tick, entities: new Map(entries) }));
}

/** How an entity of the baseline fares in the next world. */
const fate = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ type: 'keep' as const }) },
  {
    weight: 6,
    arbitrary: fc.record({
      type: fc.constant('move' as const),
      // Per field: keep it, nudge it, or set it to anything.
      how: fc.array(fc.constantFrom('same', 'nudge', 'any'), { minLength: 11, maxLength: 11 }),
      nudge: fc.double({ min: -8, max: 8, noNaN: true }),
      fresh: anyEntity,
    }),
  },
  { weight: 2, arbitrary: fc.constant({ type: 'remove' as const }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('rekind' as const), entity: anyEntity }) },
);
type Fate = typeof fate extends fc.Arbitrary<infer F> ? F : never;

function nudge(value: number | boolean, by: number): number | boolean {
  return typeof value === 'boolean' ? !value : value + by;
}

function evolve(entity: Entity, f: Fate): Entity | null {
  switch (f.type) {
    case 'keep':
      return entity;
    case 'remove':
      return null;
    case 'rekind':
      return f.entity;
    case 'move': {
      const fields: Record<string, number | boolean> = { ...entity.fields };
      const fresh: Record<string, number | boolean> = f.fresh.fields;
      Object.keys(fields).forEach((name, i) => {
        const how = f.how[i];
        const current = fields[name] as number | boolean;
        if (how === 'nudge') fields[name] = nudge(current, f.nudge);
        else if (how === 'any' && f.fresh.kind === entity.kind) fields[name] = fresh[name] ?? current;
      });
      // Rebuilt with the same keys as the original entity: a valid entity of its kind.
      return { kind: entity.kind, fields } as Entity;
    }
  }
}

/** A baseline and the next world: entities kept, moved, removed, re-kinded, and created. */
const transitionArbitrary = (minEntities: number) =>
  worldArbitrary(60, minEntities).chain((baseline) =>
    fc
      .record({
        fates: fc.array(fate, { minLength: baseline.entities.size, maxLength: baseline.entities.size }),
        created: fc.uniqueArray(fc.tuple(entityId, anyEntity), { maxLength: 20, selector: ([id]) => id }),
        ticks: fc.integer({ min: 1, max: 1000 }),
      })
      .map(({ fates, created, ticks }) => {
        const entities = new Map<number, Entity>();
        [...baseline.entities].forEach(([id, entity], i) => {
          const next = evolve(entity, fates[i] as Fate);
          if (next !== null) entities.set(id, next);
        });
        for (const [id, entity] of created) if (!baseline.entities.has(id)) entities.set(id, entity);
        const next: World = { tick: (baseline.tick + ticks) >>> 0, entities };
        return { baseline, next };
      }),
  );
const transition = transitionArbitrary(0);

function decodeAll(parts: readonly Uint8Array[]): SnapshotPart[] {
  return parts.map((bytes) => {
    const decoded = decodeSnapshot(schema, bytes);
    if (!decoded.ok) throw new Error(`a valid part failed to decode: ${decoded.reason}`);
    return decoded.part;
  });
}

function applyAll(baseline: QuantizedWorld | null, parts: readonly SnapshotPart[]): QuantizedWorld {
  const applied = applySnapshotParts(schema, baseline, parts);
  if (!applied.ok) throw new Error(`valid parts failed to apply: ${applied.reason}`);
  return applied.world;
}

function shuffle<T>(items: readonly T[], keys: readonly number[]): T[] {
  return items
    .map((item, i) => ({ item, key: keys[i % Math.max(1, keys.length)] ?? 0, i }))
    .sort((a, b) => a.key - b.key || a.i - b.i)
    .map(({ item }) => item);
}

/** Ids a part touches. */
function idsOf(part: SnapshotPart): number[] {
  return [...part.created.map((e) => e.id), ...part.changed.map((e) => e.id), ...part.removed];
}

describe('quantization', () => {
  it('quantizes each field type to its precision and range', () => {
    const world = quantizeWorld(schema, {
      tick: 5,
      entities: new Map<number, Entity>([
        [
          1,
          {
            kind: 'player',
            fields: {
              x: 10.03,
              y: -0.01,
              angle: -Math.PI / 2,
              heading: 721,
              hp: 300,
              score: -7.6,
              flags: 0x1ff,
              alive: true,
              target: -5,
              big: 2 ** 40,
              mask32: -1,
            },
          },
        ],
        [2, { kind: 'projectile', fields: { owner: Number.NaN, x: 1e300, y: -1e300, vx: 0.25 } }],
      ]),
    });
    expect(world.entities.get(1)?.values).toEqual([160, 0, 192, 1, 255, -8, 0xff, 1, 0, 2 ** 32 - 1, 2 ** 32 - 1]);
    expect(world.entities.get(2)?.values).toEqual([0, 2 ** 31 - 1, -(2 ** 31), 3]);
    const player = fromQuantized(schema, world.entities.get(1) ?? { kind: 'x', values: [] });
    expect(player).toEqual({
      kind: 'player',
      fields: {
        x: 10,
        y: 0,
        angle: 1.5 * Math.PI,
        heading: 1,
        hp: 255,
        score: -8,
        flags: 255,
        alive: true,
        target: 0,
        big: 2 ** 32 - 1,
        mask32: 2 ** 32 - 1,
      },
    });
  });

  it('codes an angle across its wrap as a small delta', () => {
    const at = (tick: number, angle: number): QuantizedWorld =>
      quantizeWorld(schema, {
        tick,
        entities: new Map([
          [1, { kind: 'pickup', fields: { item: 1, x: 0 } }],
          [2, player(angle)],
        ]),
      });
    // -0.02 rad is step 255 of 256, 0.02 rad step 1: across the wrap, a delta of 2 like 126 → 128.
    const across = encodeSnapshot(schema, at(1, -0.02), at(2, 0.02));
    const plain = encodeSnapshot(schema, at(1, 3.1), at(2, 3.15));
    expect(across[0]?.length).toBe(plain[0]?.length);
    const decoded = decodeAll(across);
    expect(decoded[0]?.changed[0]?.deltas).toEqual([2]);
    expect(applyAll(at(1, -0.02), decoded)).toEqual(at(2, 0.02));
  });

  it('reads fields the same with generated code and with the keyed fallback', () => {
    const names = ['x', 'a"b', "it's", '\u2028', 'constructor', 'toString', '0', 'ünï'];
    const source = Object.fromEntries(names.map((name, i) => [name, i * 1.5]));
    const generated: unknown[] = [];
    const keyed: unknown[] = [];
    compileFieldReader(names)?.(source, generated);
    keyedFieldReader(names)(source, keyed);
    expect(generated).toEqual(names.map((_, i) => i * 1.5));
    expect(keyed).toEqual(generated);
  });

  it('rejects a schema it cannot code', () => {
    expect(() => defineSnapshotSchema({})).toThrow(SnapshotError);
    expect(() => defineSnapshotSchema({ a: {} })).toThrow(/needs 1\.\.32 fields/);
    expect(() => defineSnapshotSchema({ a: { x: field.fixed(0) } })).toThrow(/a\.x: fixed step/);
    expect(() => defineSnapshotSchema({ a: { x: field.bits(33) } })).toThrow(/bits count/);
    expect(() => defineSnapshotSchema({ a: { x: field.angle(1) } })).toThrow(/angle steps/);
    expect(() => defineSnapshotSchema({ a: { x: field.uint(2 ** 32) } })).toThrow(/uint max/);
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`f${i}`, field.int()]));
    expect(() => defineSnapshotSchema({ a: many })).toThrow(/needs 1\.\.32 fields/);
  });
});

function player(angle: number): Entity {
  return {
    kind: 'player',
    fields: {
      x: 100,
      y: 200,
      angle,
      heading: 0,
      hp: 100,
      score: 0,
      flags: 0,
      alive: true,
      target: 0,
      big: 0,
      mask32: 0,
    },
  };
}

describe('encode, decode, apply', () => {
  it('a full snapshot without a baseline rebuilds the quantized world', () => {
    fc.assert(
      fc.property(worldArbitrary(80), (world) => {
        const next = quantizeWorld(schema, world);
        const parts = decodeAll(encodeSnapshot(schema, null, next));
        for (const part of parts) {
          expect(part.baselineTick).toBeNull();
          expect(part.changed).toEqual([]);
          expect(part.removed).toEqual([]);
        }
        expect(applyAll(null, parts)).toEqual(next);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('a delta rebuilds the quantized next world, its parts applied in any order', () => {
    fc.assert(
      fc.property(
        transition,
        fc.option(fc.integer({ min: 96, max: 1400 }), { nil: undefined }),
        fc.array(fc.double({ noNaN: true }), { maxLength: 64 }),
        ({ baseline, next }, maxBytes, order) => {
          const base = quantizeWorld(schema, baseline);
          const expected = quantizeWorld(schema, next);
          const bytes = encodeSnapshot(schema, base, expected, maxBytes === undefined ? {} : { maxBytes });
          for (const part of bytes) expect(part.length).toBeLessThanOrEqual(maxBytes ?? DEFAULT_SNAPSHOT_PART_BYTES);
          const parts = decodeAll(shuffle(bytes, order));
          for (const part of parts) {
            expect(part).toMatchObject({ tick: expected.tick, baselineTick: base.tick, partCount: bytes.length });
          }
          expect(applyAll(base, parts)).toEqual(expected);
        },
      ),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('each part applies alone: a lost part leaves only its entities at their baseline state', () => {
    fc.assert(
      fc.property(
        transitionArbitrary(30),
        fc.integer({ min: 96, max: 240 }),
        fc.boolean(),
        ({ baseline, next }, maxBytes, full) => {
          const base = full ? null : quantizeWorld(schema, baseline);
          const expected = quantizeWorld(schema, next);
          const parts = decodeAll(encodeSnapshot(schema, base, expected, { maxBytes }));
          fc.pre(parts.length >= 2);
          for (const [lost, dropped] of parts.entries()) {
            const world = applyAll(
              base,
              parts.filter((_, i) => i !== lost),
            );
            const lostIds = new Set(idsOf(dropped));
            const ids = new Set([...expected.entities.keys(), ...(base?.entities.keys() ?? [])]);
            for (const id of ids) {
              const want = lostIds.has(id) ? base?.entities.get(id) : expected.entities.get(id);
              expect(world.entities.get(id)).toEqual(want);
            }
          }
        },
      ),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('puts the most important entities in the first part', () => {
    const world: World = {
      tick: 9,
      entities: new Map(Array.from({ length: 120 }, (_, i) => [i, player(i / 10)] as [number, Entity])),
    };
    const q = quantizeWorld(schema, world);
    const closeness = (id: number) => Math.abs(id - 60); // e.g. the distance to the receiver
    const parts = decodeAll(encodeSnapshot(schema, null, q, { maxBytes: 200, priority: closeness }));
    expect(parts.length).toBeGreaterThan(2);
    const order = parts.map((part) => Math.max(...idsOf(part).map(closeness)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(idsOf(parts[0] as SnapshotPart)).toContain(60);
    // Default: kinds in schema order, then ids.
    const mixed: World = {
      tick: 9,
      entities: new Map<number, Entity>([
        ...Array.from({ length: 40 }, (_, i) => [i, { kind: 'pickup', fields: { item: 1, x: i } }] as [number, Entity]),
        ...Array.from({ length: 40 }, (_, i) => [100 + i, player(i)] as [number, Entity]),
      ]),
    };
    const first = decodeAll(encodeSnapshot(schema, null, quantizeWorld(schema, mixed), { maxBytes: 160 }))[0];
    expect(first?.created.every((e) => e.kind === 'player')).toBe(true);
    expect(first?.created[0]?.id).toBe(100);
  });

  it('is deterministic and small: an unchanged world is a few bytes, a moved arena fits the targets', () => {
    const world = quantizeWorld(schema, {
      tick: 1,
      entities: new Map(Array.from({ length: 8 }, (_, i) => [i + 1, player(i)] as [number, Entity])),
    });
    const again = { tick: 2, entities: world.entities };
    const empty = encodeSnapshot(schema, world, again);
    expect(empty).toEqual(encodeSnapshot(schema, world, again));
    expect(empty[0]?.length).toBeLessThanOrEqual(5);
    expect(applyAll(world, decodeAll(empty))).toEqual(again);
    const moved = quantizeWorld(schema, {
      tick: 3,
      entities: new Map(
        Array.from({ length: 8 }, (_, i) => {
          const p = player(i);
          return [i + 1, { ...p, fields: { ...p.fields, x: 100 + i, y: 205 } }] as [number, Entity];
        }),
      ),
    });
    // 8 players moved a few px in x and y: 2 columns of small deltas, one mask for all.
    expect(encodeSnapshot(schema, world, moved)[0]?.length).toBeLessThanOrEqual(30);
  });

  it('refuses sender-side mistakes with a SnapshotError', () => {
    const world = quantizeWorld(schema, { tick: 4, entities: new Map([[1, player(0)]]) });
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return error instanceof SnapshotError ? error.code : 'other';
      }
      return 'none';
    };
    expect(code(() => encodeSnapshot(schema, world, world))).toBe('INVALID_OPTIONS');
    expect(code(() => encodeSnapshot(schema, { ...world, tick: 5 }, world))).toBe('INVALID_OPTIONS');
    expect(code(() => encodeSnapshot(schema, null, world, { maxBytes: 8 }))).toBe('INVALID_OPTIONS');
    const alien = { tick: 5, entities: EntityTable.from([[1, { kind: 'tank', values: [1] }]]) };
    expect(code(() => encodeSnapshot(schema, null, alien))).toBe('UNKNOWN_KIND');
    const bad = { tick: 5, entities: EntityTable.from([[1, { kind: 'pickup', values: [99, 0] }]]) };
    expect(code(() => encodeSnapshot(schema, null, bad))).toBe('INVALID_ENTITY');
    const entities = new Map<number, Entity>([[-1, player(0)]]);
    expect(code(() => quantizeWorld(schema, { tick: 1, entities }))).toBe('INVALID_ENTITY');
    const huge = quantizeWorld(schema, {
      tick: 1,
      entities: new Map(Array.from({ length: 3000 }, (_, i) => [i * 7919, player(i)] as [number, Entity])),
    });
    expect(code(() => encodeSnapshot(schema, null, huge, { maxBytes: 96 }))).toBe('TOO_LARGE');
  });
});

describe('hostile bytes', () => {
  const validParts = transition.map(({ baseline, next }) => {
    const base = quantizeWorld(schema, baseline);
    return { base, parts: encodeSnapshot(schema, base, quantizeWorld(schema, next), { maxBytes: 400 }) };
  });

  /** Decodes and, when that works, applies against the baseline: neither may throw. */
  function digest(bytes: Uint8Array, base: QuantizedWorld | null): void {
    const decoded = decodeSnapshot(schema, bytes);
    expect(typeof decoded.ok).toBe('boolean');
    if (!decoded.ok) return;
    const applied = applySnapshotPart(schema, base, decoded.part);
    expect(typeof applied.ok).toBe('boolean');
    if (applied.ok) for (const entity of applied.world.entities.values()) fromQuantized(schema, entity);
  }

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1200 }), fc.boolean(), (bytes, versioned) => {
        if (versioned && bytes.length > 0) bytes[0] = SNAPSHOT_FORMAT_VERSION;
        digest(bytes, null);
      }),
      { seed: SEED, numRuns: 5000 },
    );
  });

  it('never throws on truncated or mutated valid parts', () => {
    fc.assert(
      fc.property(
        validParts,
        fc.nat(),
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 4 }),
        ({ base, parts }, which, cut, flips) => {
          const original = parts[which % parts.length] as Uint8Array;
          digest(original.slice(0, cut % (original.length + 1)), base);
          const mutated = original.slice();
          for (const [at, bit] of flips) {
            const i = at % mutated.length;
            mutated[i] = (mutated[i] as number) ^ (1 << bit);
          }
          digest(mutated, base);
          digest(new Uint8Array([...original, extraByte(flips)]), base);
        },
      ),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('names what is wrong with a bad part', () => {
    const world = quantizeWorld(schema, { tick: 7, entities: new Map([[3, player(1)]]) });
    const [bytes] = encodeSnapshot(schema, null, world);
    if (bytes === undefined) throw new Error('no part');
    expect(decodeSnapshot(schema, new Uint8Array())).toEqual({ ok: false, reason: 'truncated' });
    expect(decodeSnapshot(schema, new Uint8Array([SNAPSHOT_FORMAT_VERSION + 1, ...bytes.slice(1)]))).toEqual({
      ok: false,
      reason: 'version',
    });
    expect(decodeSnapshot(schema, bytes.slice(0, bytes.length - 2))).toEqual({ ok: false, reason: 'truncated' });
    expect(decodeSnapshot(schema, new Uint8Array([...bytes, 0]))).toEqual({ ok: false, reason: 'trailing' });
    // A delta against a world the receiver does not have, or of another tick.
    const moved = quantizeWorld(schema, { tick: 8, entities: new Map([[3, player(2)]]) });
    const delta = decodeAll(encodeSnapshot(schema, world, moved))[0] as SnapshotPart;
    expect(applySnapshotPart(schema, null, delta)).toEqual({ ok: false, reason: 'baseline' });
    expect(applySnapshotPart(schema, moved, delta)).toEqual({ ok: false, reason: 'baseline' });
    const other = { tick: 7, entities: EntityTable.from([[4, world.entities.get(3) ?? { kind: '', values: [] }]]) };
    expect(applySnapshotPart(schema, other, delta)).toEqual({ ok: false, reason: 'entity' });
    expect(applySnapshotParts(schema, world, [delta, delta])).toEqual({ ok: false, reason: 'parts' });
  });
});

function extraByte(flips: readonly (readonly [number, number])[]): number {
  return (flips[0]?.[0] ?? 0) & 0xff;
}

describe('snapshot receiver', () => {
  const arena = (tick: number, shift: number, count = 90): QuantizedWorld =>
    quantizeWorld(schema, {
      tick,
      entities: new Map(
        Array.from({ length: count }, (_, i) => {
          const p = player(i);
          return [i, { ...p, fields: { ...p.fields, x: i * 40 + shift, y: shift } }] as [number, Entity];
        }),
      ),
    });

  it('gathers the parts of a tick in any order and keeps complete ticks as baselines', () => {
    const receiver = createSnapshotReceiver(schema);
    const first = arena(100, 0);
    const full = encodeSnapshot(schema, null, first, { maxBytes: 150 });
    expect(full.length).toBeGreaterThan(2);
    const reversed = [...full].reverse();
    reversed.forEach((bytes, i) => {
      const got = receiver.receive(bytes);
      expect(got.ok && got.complete).toBe(i === reversed.length - 1);
    });
    expect(receiver.receive(full[0] as Uint8Array)).toEqual({ ok: false, reason: 'duplicate' });
    expect(receiver.history.get(100)).toEqual(first);

    const second = arena(102, 3);
    const delta = encodeSnapshot(schema, first, second, { maxBytes: 60 });
    const [head, ...rest] = delta;
    if (head === undefined) throw new Error('no part');
    const partial = receiver.receive(head);
    expect(partial.ok && !partial.complete).toBe(true);
    expect(receiver.receive(head)).toEqual({ ok: false, reason: 'duplicate' });
    if (partial.ok) expect(partial.world.entities.get(0)).toEqual(second.entities.get(0)); // renderable already
    let last = partial;
    for (const bytes of rest) last = receiver.receive(bytes);
    expect(last.ok && last.complete).toBe(true);
    expect(receiver.history.latest()).toEqual(second);

    // A delta against a tick the receiver never completed.
    const third = arena(104, 5);
    const orphan = encodeSnapshot(schema, arena(103, 4), third)[0] as Uint8Array;
    expect(receiver.receive(orphan)).toEqual({ ok: false, reason: 'no-baseline' });
    expect(receiver.receive(new Uint8Array([1, 2, 3]))).toMatchObject({ ok: false });
    receiver.reset();
    expect(receiver.history.latest()).toBeUndefined();
  });

  it('keeps a ring of worlds by tick', () => {
    const history = createSnapshotHistory(4);
    for (const t of [1, 2, 3, 4, 5]) history.put({ tick: t, entities: EntityTable.empty });
    expect(history.get(1)).toBeUndefined();
    expect(history.get(5)?.tick).toBe(5);
    expect(history.latest()?.tick).toBe(5);
    const wrapping = createSnapshotHistory(4);
    for (const t of [2 ** 32 - 2, 2 ** 32 - 1, 0, 1]) wrapping.put({ tick: t, entities: EntityTable.empty });
    expect(wrapping.latest()?.tick).toBe(1); // after the wrap, 1 is the newest
    expect(wrapping.get(2 ** 32 - 2)?.tick).toBe(2 ** 32 - 2);
  });

  it('sizes parts for the unreliable channel by default', () => {
    const big = arena(1, 0, 2000);
    for (const part of encodeSnapshot(schema, null, big)) {
      expect(part.length).toBeLessThanOrEqual(MAX_UNRELIABLE_FRAME_BYTES - 5 - 16);
    }
  });
});

describe('EntityTable', () => {
  it('reads like a map, in id order', () => {
    const e = (n: number) => ({ kind: 'pickup', values: [n, 0] });
    const table = EntityTable.from([
      [9, e(1)],
      [2, e(2)],
      [5, e(3)],
      [2, e(4)],
    ]);
    expect([...table.keys()]).toEqual([2, 5, 9]);
    expect(table.get(2)).toEqual(e(4));
    expect(table.has(5) && !table.has(6)).toBe(true);
    expect(table.size).toBe(3);
    expect([...table].map(([id]) => id)).toEqual([2, 5, 9]);
    const seen: number[] = [];
    table.forEach((_, id) => {
      seen.push(id);
    });
    expect(seen).toEqual([2, 5, 9]);
  });
});
