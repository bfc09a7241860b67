// The simulated clock (time order, ties in scheduling order, intervals, cancellation) and the
// seeded random source (replayable, uniform enough).
import { createRandom, createSimClock, normalSample } from '@tickmesh/netcode/testing';
import { describe, expect, it } from 'vitest';

describe('sim clock', () => {
  it('runs due timers in time order, ties in scheduling order, with now() at each due time', () => {
    const clock = createSimClock(1000);
    const log: string[] = [];
    const at = (name: string) => () => log.push(`${name}@${clock.now()}`);
    clock.setTimeout(at('c'), 30);
    clock.setTimeout(at('a'), 10);
    clock.setTimeout(at('b1'), 20);
    clock.setTimeout(at('b2'), 20);
    clock.setTimeout(at('late'), 100);
    clock.advance(50);
    expect(log).toEqual(['a@1010', 'b1@1020', 'b2@1020', 'c@1030']);
    expect(clock.now()).toBe(1050);
    expect(clock.pending()).toBe(1);
    clock.advanceTo(1100);
    expect(log.at(-1)).toBe('late@1100');
    clock.advanceTo(900); // the past: nothing moves
    expect(clock.now()).toBe(1100);
  });

  it('runs timers scheduled by timers in the same advance, after those already queued for that instant', () => {
    const clock = createSimClock();
    const log: string[] = [];
    clock.setTimeout(() => {
      log.push('first');
      clock.setTimeout(() => log.push('zero-delay'), 0);
      clock.setTimeout(() => log.push(`nested@${clock.now()}`), 5);
    }, 10);
    clock.setTimeout(() => log.push('second'), 10);
    clock.advance(15);
    expect(log).toEqual(['first', 'second', 'zero-delay', 'nested@15']);
  });

  it('repeats intervals and cancels timers, also from inside a callback', () => {
    const clock = createSimClock();
    const ticks: number[] = [];
    const interval = clock.setInterval(() => {
      ticks.push(clock.now());
      if (ticks.length === 3) clock.clearInterval(interval);
    }, 10);
    const cancelled = clock.setTimeout(() => ticks.push(-1), 15);
    clock.clearTimeout(cancelled);
    clock.advance(100);
    expect(ticks).toEqual([10, 20, 30]);
    expect(clock.pending()).toBe(0);

    let zeroTicks = 0;
    clock.setInterval(() => zeroTicks++, 0); // clamped to 1 ms, so it cannot hang
    clock.advance(10);
    expect(zeroTicks).toBe(10);
  });

  it('runUntil stops when the check holds, or at the deadline', () => {
    const clock = createSimClock();
    let count = 0;
    clock.setInterval(() => count++, 7);
    expect(clock.runUntil(() => count === 3, 1000)).toBe(true);
    expect(clock.now()).toBe(21);
    expect(clock.runUntil(() => count === 1000, 100)).toBe(false);
    expect(clock.now()).toBe(121);
    expect(clock.runNext()).toBe(true);
    expect(clock.now()).toBe(126);
  });

  it('refuses to be advanced from inside a timer, and stops a runaway zero-delay loop', () => {
    const clock = createSimClock();
    clock.setTimeout(() => clock.advance(1), 1);
    expect(() => clock.advance(1)).toThrowError(/inside a timer/);
    const loop = () => clock.setTimeout(loop, 0);
    loop();
    expect(() => clock.advance(1)).toThrowError(/keeps rescheduling/);
  });
});

describe('seeded random', () => {
  it('replays the same sequence from the same seed, another from another seed', () => {
    const take = (seed: number) => Array.from({ length: 5 }, createRandom(seed));
    expect(take(42)).toEqual(take(42));
    expect(take(42)).not.toEqual(take(43));
  });

  it('is uniform on [0, 1), and normalSample is a standard normal', () => {
    const random = createRandom(1);
    const N = 100_000;
    const buckets = new Array<number>(10).fill(0);
    let sum = 0;
    let sumSq = 0;
    let outside = 0;
    for (let i = 0; i < N; i++) {
      const x = random();
      if (!(x >= 0 && x < 1)) outside++;
      buckets[Math.floor(x * 10)] = (buckets[Math.floor(x * 10)] ?? 0) + 1;
      const z = normalSample(random);
      sum += z;
      sumSq += z * z;
    }
    expect(outside).toBe(0);
    for (const b of buckets) expect(Math.abs(b - N / 10)).toBeLessThan(500); // ~5 standard deviations
    expect(Math.abs(sum / N)).toBeLessThan(0.02);
    expect(Math.abs(Math.sqrt(sumSq / N) - 1)).toBeLessThan(0.02);
  });
});
