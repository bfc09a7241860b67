/** The pure parts of the sync layer: packets, input log, interpolation, render clock, corrections. */
import { defaultInterpolate, defineSnapshotSchema, field } from '@tickmesh/netcode';
import {
  createCorrections,
  createInputLog,
  createInterpolationBuffer,
  createRenderClock,
  encodeSnapshotPacket,
  inputsEqual,
  PacketTag,
  parsePacket,
} from '@tickmesh/netcode/internals';
import {
  createMemoryNetwork,
  createSimClock,
  createSyncEngine,
  type DotsInput,
  dotsGame,
} from '@tickmesh/netcode/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const parseDots = (raw: unknown) => dotsGame.parseInput(raw);
const still: DotsInput = { dx: 0, dy: 0, fire: false };
const left: DotsInput = { dx: -1, dy: 0, fire: false };

describe('input packets', () => {
  it('carry runs of equal inputs and expand them back, tick by tick', () => {
    const inputs = [still, still, still, left, left, still];
    const payload = [PacketTag.input, 7, 5, 100, 3, still, 2, left, 1, still];
    expect(parsePacket(payload, parseDots, 64)).toEqual({
      type: 'input',
      ackTick: 7,
      viewTick: 5,
      firstTick: 100,
      inputs,
    });
  });

  it('reject malformed packets, bad inputs and expansions past the limit', () => {
    const bad: unknown[] = [
      null,
      [],
      [PacketTag.input, 1, 1, 1],
      [PacketTag.input, 1, 1, -5, 1, still],
      [PacketTag.input, 1, 1, 1, 0, still],
      [PacketTag.input, 1, 1, 1, 1, { dx: 2, dy: 0, fire: false }],
      [PacketTag.input, 1, 1, 1, 65, still],
      [PacketTag.snapshot, 1, 'bytes'],
      [PacketTag.snapshot, 1, new Uint8Array(1), 5],
      [PacketTag.snapshot, 1, new Uint8Array(1), 1.5, 1],
      [PacketTag.snapshot, 1, new Uint8Array(1), 10 ** 9, 0],
      [PacketTag.snapshot, 1, new Uint8Array(1), 5, 'least'],
      [PacketTag.snapshot, 1, new Uint8Array(1), 5, 9],
      [PacketTag.snapshot, 1, new Uint8Array(1), 5, 1, 'extra'],
      [PacketTag.ping, 1.5, 0],
      [PacketTag.pong, 1, 0, Number.NaN],
      [PacketTag.event, -2, {}],
      [99, 1, 2],
    ];
    for (const payload of bad) expect(parsePacket(payload, parseDots, 64), JSON.stringify(payload)).toBeNull();
  });

  it('snapshots carry the input waits the host measured (median, shortest), when it has them', () => {
    const part = new Uint8Array([1, 2]);
    expect(parsePacket(encodeSnapshotPacket(4, part, null), parseDots, 64)).toEqual({
      type: 'snapshot',
      lastInputTick: 4,
      part,
      inputWaitMs: null,
      inputWaitMinMs: null,
    });
    for (const [medianMs, minMs] of [
      [-3, -17],
      [0, 0],
      [33, 12],
    ] as const) {
      expect(parsePacket(encodeSnapshotPacket(4, part, { medianMs, minMs }), parseDots, 64)).toMatchObject({
        inputWaitMs: medianMs,
        inputWaitMinMs: minMs,
      });
    }
    expect(parsePacket(encodeSnapshotPacket(4, part, { medianMs: 12.6, minMs: 2.2 }), parseDots, 64)).toMatchObject({
      inputWaitMs: 13,
      inputWaitMinMs: 2,
    });
  });

  it('never throw on any value', () => {
    fc.assert(
      fc.property(fc.anything(), fc.array(fc.anything()), (value, tail) => {
        parsePacket(value, parseDots, 64);
        parsePacket([PacketTag.input, ...tail], parseDots, 64);
      }),
    );
  });

  it('compare inputs structurally', () => {
    expect(inputsEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(inputsEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(inputsEqual([1, 2], { 0: 1, 1: 2 })).toBe(false);
  });
});

describe('input log', () => {
  it('keeps the first copy, repeats the latest within a window, and prunes', () => {
    const log = createInputLog<string>();
    expect(log.put('p', 10, 'a')).toBe('added');
    expect(log.put('p', 10, 'b')).toBe('known');
    expect(log.latest('p', 14, 4)).toBe('a');
    expect(log.latest('p', 15, 4)).toBeUndefined();
    log.set('p', 10, 'c');
    expect(log.get('p', 10)).toBe('c');
    log.prune(11);
    expect(log.get('p', 10)).toBeUndefined();
    expect(log.newestTick('q')).toBe(-1);
  });
});

const schema = defineSnapshotSchema({
  ball: { x: field.fixed(1 / 16), heading: field.angle(256, 'deg'), hp: field.uint(100) },
});
type Ball = { kind: 'ball'; fields: { x: number; heading: number; hp: number } };
const ball = (x: number, heading: number, hp: number): Ball => ({ kind: 'ball', fields: { x, heading, hp } });

describe('interpolation', () => {
  const lerp = defaultInterpolate(schema);

  it('blends fixed fields linearly, angles the short way, and switches integers at the end', () => {
    expect(lerp(ball(0, 350, 10), ball(10, 10, 5), 0.5)).toEqual(ball(5, 0, 10));
    expect(lerp(ball(0, 10, 10), ball(10, 350, 5), 0.25).fields.heading).toBeCloseTo(5);
    expect(lerp(ball(0, 0, 10), ball(10, 0, 5), 1).fields.hp).toBe(5);
  });

  it('samples between the worlds around the render tick, out of order or not', () => {
    const buffer = createInterpolationBuffer(lerp);
    buffer.push(20, new Map([[1, ball(20, 0, 1)]]));
    buffer.push(10, new Map([[1, ball(10, 0, 1)]]));
    buffer.push(10, new Map([[1, ball(99, 0, 1)]]));
    expect(buffer.sample(15, 0)?.get(1)?.fields.x).toBe(15);
    expect(buffer.sample(5, 0)?.get(1)?.fields.x).toBe(10);
    expect(buffer.depth(15)).toBe(1);
    expect(buffer.newestTick()).toBe(20);
  });

  it('extrapolates past the newest world only up to the cap', () => {
    const buffer = createInterpolationBuffer(lerp);
    buffer.push(10, new Map([[1, ball(10, 0, 1)]]));
    buffer.push(12, new Map([[1, ball(12, 0, 1)]]));
    expect(buffer.sample(14, 6)?.get(1)?.fields.x).toBe(14);
    expect(buffer.sample(40, 6)?.get(1)?.fields.x).toBe(18);
  });

  it('shows a removed entity until the newer world, a created one from it', () => {
    const buffer = createInterpolationBuffer(lerp);
    buffer.push(10, new Map([[1, ball(10, 0, 1)]]));
    buffer.push(12, new Map([[2, ball(0, 0, 1)]]));
    expect([...(buffer.sample(11, 0)?.keys() ?? [])].sort()).toEqual([1, 2]);
    expect([...(buffer.sample(12, 0)?.keys() ?? [])]).toEqual([2]);
  });
});

describe('render clock', () => {
  const options = { tickMs: 10, snapshotIntervalMs: 20, interpolationSnapshots: 2, jitterFactor: 2 };

  it('draws two snapshot intervals behind the best arrival when there is no jitter', () => {
    const clock = createRenderClock(options);
    expect(clock.renderTick(0)).toBeNull();
    for (let tick = 0; tick <= 40; tick += 2) clock.onSnapshot(tick, 1000 + tick * 10 + 50);
    // Tick 40 arrived at 1450; 40 ms of delay puts tick 40 on screen at 1490.
    expect(clock.renderTick(1490)).toBeCloseTo(40);
    expect(clock.delayMs).toBeCloseTo(40);
  });

  it('adds jitter to the delay, and moves the render time only gently when it changes', () => {
    const clock = createRenderClock(options);
    for (let tick = 0; tick <= 40; tick += 2) clock.onSnapshot(tick, 1000 + tick * 10 + 50);
    const before = clock.renderTick(1450) ?? 0;
    // Most snapshots now come 20 ms late: the delay grows by 40 ms.
    for (let tick = 42; tick <= 160; tick += 2)
      clock.onSnapshot(tick, 1000 + tick * 10 + 50 + (tick % 8 === 0 ? 0 : 20));
    expect(clock.jitterMs).toBeGreaterThan(5);
    const after = clock.renderTick(1460) ?? 0;
    // 10 ms of real time moves the render time by 10 ms ± 5%.
    expect((after - before) * 10).toBeGreaterThanOrEqual(9.5 - 1e-9);
    expect((after - before) * 10).toBeLessThanOrEqual(10.5 + 1e-9);
  });

  it('keeps its delay through one stall of the page (the median), where the mean would grow it for seconds', () => {
    const delays = { median: 0, mean: 0 };
    for (const statistic of ['median', 'mean'] as const) {
      const clock = createRenderClock({ ...options, jitterStatistic: statistic });
      // 60 snapshots on time but for a stall of 100 ms that delivers four of them at its end.
      for (let tick = 0; tick < 120; tick += 2) {
        const onTime = 1000 + tick * 10 + 20;
        clock.onSnapshot(tick, tick >= 60 && tick < 68 ? 1000 + 68 * 10 + 20 : onTime);
      }
      delays[statistic] = clock.delayMs;
    }
    const base = options.interpolationSnapshots * options.snapshotIntervalMs;
    expect(delays.median).toBe(base);
    expect(delays.mean).toBeGreaterThan(base + 5);
  });
});

describe('corrections', () => {
  it('hide a correction behind an offset that halves every half-life', () => {
    const corrections = createCorrections(100);
    corrections.add(1, 'x', 8, 0);
    const at = (now: number) => {
      const entities = new Map([[1, ball(50, 0, 1)]]);
      corrections.apply(entities, now);
      return entities.get(1)?.fields.x;
    };
    expect(at(0)).toBe(58);
    expect(at(100)).toBeCloseTo(54);
    expect(at(200)).toBeCloseTo(52);
    expect(at(5000)).toBe(50);
  });
});

describe('the engine against a hostile peer', () => {
  it('drops garbage, forged snapshots and bad inputs without throwing, and counts them', () => {
    const clock = createSimClock();
    const network = createMemoryNetwork<unknown>({ timers: clock });
    const transport = network.join('host');
    const evil = network.join('evil');
    const engine = createSyncEngine({
      game: dotsGame,
      transport,
      selfId: 'host',
      timers: clock,
      sampleInput: () => still,
    });
    engine.start({ hostId: 'host', players: ['host', 'evil'] });
    fc.assert(
      fc.property(fc.anything(), (value) => {
        try {
          evil.send('host', value);
        } catch {
          // not encodable by MessagePack: the sender's problem, not the host's
        }
        clock.advance(5);
      }),
      { numRuns: 300 },
    );
    evil.send('host', [PacketTag.snapshot, 1, new Uint8Array([1, 2, 3])]);
    evil.send('host', [PacketTag.input, -1, -1, 0, 1, { dx: 5 }]);
    clock.advance(20);
    const stats = engine.stats();
    expect(stats.packetsInvalid).toBeGreaterThan(250);
    expect(stats.packetsIgnored).toBe(1);
    expect(engine.status.kind).toBe('hosting');
    expect(engine.view()?.state.dots.size).toBe(2);
    engine.close();
  });
});
