// NTP-style clock offset estimation with minimum-RTT filtering, on simulated exchanges.

import { createClockEstimator } from '@tickmesh/netcode/internals';
import { createRandom } from '@tickmesh/netcode/testing';
import { describe, expect, it } from 'vitest';

/** One ping/pong over legs of `up` and `down` ms, host clock ahead by `offset`, host turnaround 0.2 ms. */
function exchange(localAt: number, offset: number, up: number, down: number) {
  const t0 = localAt;
  const t1 = t0 + up + offset;
  const t2 = t1 + 0.2;
  const t3 = t2 - offset + down;
  return { sentAt: t0, hostReceivedAt: t1, hostSentAt: t2, receivedAt: t3 };
}

describe('clock estimator', () => {
  it('is exact on symmetric legs', () => {
    const clock = createClockEstimator();
    clock.addSample(exchange(1000, 1234.5, 40, 40));
    expect(clock.offsetMs).toBeCloseTo(1234.5, 6);
    expect(clock.rttMs).toBeCloseTo(80, 6);
    expect(clock.errorMs).toBeCloseTo(40, 6);
  });

  it('finds the offset within a few ms under asymmetric jitter and queueing spikes', () => {
    const random = createRandom(7);
    const clock = createClockEstimator();
    const trueOffset = -5432.1;
    for (let i = 0; i < 64; i++) {
      // 50 ms each way, up to 20 ms of jitter per leg, and one exchange in four stuck in a queue.
      const up = 50 + random() * 20 + (i % 4 === 0 ? 80 * random() : 0);
      const down = 50 + random() * 20;
      clock.addSample(exchange(i * 100, trueOffset, up, down));
    }
    expect(Math.abs(clock.offsetMs - trueOffset)).toBeLessThan(5);
    expect(clock.errorMs).toBeLessThan(60);
    expect(Math.abs(clock.offsetMs - trueOffset)).toBeLessThanOrEqual(clock.errorMs);
    expect(clock.samples).toBe(32);
  });

  it('follows a clock that changes, as old samples leave the window', () => {
    const clock = createClockEstimator({ windowSize: 8, bestOf: 3 });
    for (let i = 0; i < 8; i++) clock.addSample(exchange(i * 100, 100, 30, 30));
    for (let i = 8; i < 16; i++) clock.addSample(exchange(i * 100, 250, 30, 30));
    expect(clock.offsetMs).toBeCloseTo(250, 6);
  });

  it('ignores impossible samples (a hostile or broken pong cannot throw or poison it)', () => {
    const clock = createClockEstimator();
    clock.addSample(exchange(0, 10, 20, 20));
    expect(clock.addSample({ sentAt: 100, hostReceivedAt: 5, hostSentAt: 1, receivedAt: 140 })).toBe(false);
    expect(clock.addSample({ sentAt: 100, hostReceivedAt: Number.NaN, hostSentAt: 1, receivedAt: 140 })).toBe(false);
    expect(clock.addSample({ sentAt: 100, hostReceivedAt: 0, hostSentAt: 1000, receivedAt: 140 })).toBe(false);
    expect(clock.samples).toBe(1);
    expect(clock.offsetMs).toBeCloseTo(10, 6);
    clock.reset();
    expect(clock).toMatchObject({ offsetMs: 0, rttMs: null, samples: 0 });
  });
});
