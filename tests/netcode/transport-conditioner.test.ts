// The network conditioner over the memory transport, on a simulated clock with a seeded random
// source: every figure below is exact for its seed, and the tolerances are what the statistics
// of the stated sample size allow (about 3 standard deviations), so a change of seed passes too.
import type { LinkConditions } from '@tickmesh/netcode';
import {
  ConditionerError,
  conditionTransport,
  createMemoryNetwork,
  createRandom,
  createSimClock,
} from '@tickmesh/netcode/testing';
import { describe, expect, it } from 'vitest';

interface Probe {
  n: number;
  at: number;
}
interface Arrival {
  n: number;
  delay: number;
  at: number;
  reliable: boolean;
}

interface RunOptions {
  everyMs?: number;
  reliable?: (n: number) => boolean;
  first?: number;
}

/** Peer `a` (conditioned outgoing) sends to peer `b` over a perfect memory network. */
function link(outgoing: Partial<LinkConditions>, seed = 1) {
  const clock = createSimClock();
  const network = createMemoryNetwork<Probe>({ timers: clock });
  const a = conditionTransport(network.join('a'), { outgoing }, { timers: clock, random: createRandom(seed) });
  const b = network.join('b');
  const arrivals: Arrival[] = [];
  b.on('message', ({ payload, reliable }) =>
    arrivals.push({ n: payload.n, delay: clock.now() - payload.at, at: clock.now(), reliable }),
  );
  /** Sends `count` probes, one every `everyMs`, then lets every one arrive. */
  const run = (
    count: number,
    { everyMs = 10, reliable = (_n: number): boolean => false, first = 0 }: RunOptions = {},
  ) => {
    for (let n = first; n < first + count; n++) {
      a.send('b', { n, at: clock.now() }, { reliable: reliable(n) });
      clock.advance(everyMs);
    }
    clock.advance(10_000);
  };
  return { clock, network, a, b, arrivals, run };
}

function meanAndDeviation(values: number[]): { mean: number; sd: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
  return { mean, sd: Math.sqrt(variance) };
}

/** Arrivals whose number is lower than one that arrived before them. */
const outOfOrder = (arrivals: Arrival[]) =>
  arrivals.filter((x, i) => arrivals.slice(0, i).some((earlier) => earlier.n > x.n)).length;

describe('network conditioner', () => {
  it('adds latency with uniform jitter: mean and spread as set, over 1,000 packets', () => {
    const { arrivals, run } = link({ latencyMs: 80, jitterMs: 20 });
    run(1000);
    expect(arrivals).toHaveLength(1000);
    const { mean, sd } = meanAndDeviation(arrivals.map((x) => x.delay));
    expect(Math.abs(mean - 80)).toBeLessThan(1.2); // sd of the mean: 11.5/sqrt(1000) = 0.37
    expect(Math.abs(sd - 20 / Math.sqrt(3))).toBeLessThan(0.8);
    expect(Math.min(...arrivals.map((x) => x.delay))).toBeGreaterThanOrEqual(60);
    expect(Math.max(...arrivals.map((x) => x.delay))).toBeLessThanOrEqual(100);
    expect(outOfOrder(arrivals)).toBeGreaterThan(0); // jitter over 10 ms spacing reorders
  });

  it('adds latency with normal jitter: standard deviation jitterMs', () => {
    const { arrivals, run } = link({ latencyMs: 100, jitterMs: 15, jitterDistribution: 'normal' });
    run(1000);
    const { mean, sd } = meanAndDeviation(arrivals.map((x) => x.delay));
    expect(Math.abs(mean - 100)).toBeLessThan(1.5); // 15/sqrt(1000) = 0.47
    expect(Math.abs(sd - 15)).toBeLessThan(1.1); // sd of the sd: 15/sqrt(2000) = 0.34
  });

  it('loses unreliable packets at the set rate, counting each', () => {
    const { a, arrivals, run } = link({ latencyMs: 20, loss: 0.1 });
    run(5000);
    const counters = a.counters('b').outgoing;
    expect(counters.sent).toBe(5000);
    expect(counters.dropped + counters.delivered).toBe(5000);
    expect(arrivals).toHaveLength(counters.delivered);
    expect(Math.abs(counters.dropped / 5000 - 0.1)).toBeLessThan(0.013); // sd 0.0042
  });

  it('loses in bursts of the set mean length, keeping the mean loss rate', () => {
    const runsOfLoss = (lossBurst: number) => {
      const { a, arrivals, run } = link({ loss: 0.05, lossBurst }, 3);
      run(40_000, { everyMs: 1 });
      const got = new Set(arrivals.map((x) => x.n));
      const runs: number[] = [];
      let current = 0;
      for (let n = 0; n <= 40_000; n++) {
        if (n < 40_000 && !got.has(n)) current++;
        else if (current > 0) {
          runs.push(current);
          current = 0;
        }
      }
      expect(runs.reduce((s, r) => s + r, 0)).toBe(a.counters('b').outgoing.dropped);
      return { rate: a.counters('b').outgoing.dropped / 40_000, meanRun: meanAndDeviation(runs).mean };
    };
    const bursty = runsOfLoss(4);
    expect(Math.abs(bursty.rate - 0.05)).toBeLessThan(0.01);
    expect(Math.abs(bursty.meanRun - 4)).toBeLessThan(0.5); // ~500 runs, sd of the mean 0.15
    const independent = runsOfLoss(0);
    expect(Math.abs(independent.rate - 0.05)).toBeLessThan(0.004);
    expect(Math.abs(independent.meanRun - 1 / 0.95)).toBeLessThan(0.05);
  });

  it('never loses, duplicates or reorders reliable messages under loss and jitter: it delays them', () => {
    const conditions = { latencyMs: 50, jitterMs: 40, loss: 0.3, duplicate: 0.2, reorder: 0.2, retransmitMs: 120 };
    const { a, arrivals, run } = link(conditions);
    run(1000, { reliable: (n) => n % 2 === 0 });
    const reliable = arrivals.filter((x) => x.reliable);
    expect(reliable.map((x) => x.n)).toEqual([...Array(500).keys()].map((i) => 2 * i));
    const counters = a.counters('b').outgoing;
    expect(counters.retransmitted).toBeGreaterThan(100); // 500 * 0.3 / 0.7 attempts lost, on average 214
    // Head-of-line blocking: a retransmission holds back what follows it.
    expect(Math.max(...reliable.map((x) => x.delay))).toBeGreaterThan(50 + 40 + 120);
    expect(meanAndDeviation(reliable.map((x) => x.delay)).mean).toBeGreaterThan(50 + 0.3 * 120);
    // Meanwhile the unreliable half was lost, duplicated and reordered.
    const unreliable = arrivals.filter((x) => !x.reliable);
    expect(counters.dropped).toBeGreaterThan(100);
    expect(unreliable.length).toBe(500 - counters.dropped + counters.duplicated);
    expect(outOfOrder(unreliable)).toBeGreaterThan(0);
  });

  it('duplicates unreliable packets at the set rate', () => {
    const { a, arrivals, run } = link({ latencyMs: 30, jitterMs: 5, duplicate: 0.2 });
    run(2000);
    const { duplicated, delivered } = a.counters('b').outgoing;
    expect(Math.abs(duplicated / 2000 - 0.2)).toBeLessThan(0.027); // sd 0.0089
    expect(delivered).toBe(2000 + duplicated);
    expect(arrivals).toHaveLength(2000 + duplicated);
    expect(new Set(arrivals.map((x) => x.n)).size).toBe(2000);
  });

  it('reorders unreliable packets when asked, and only then', () => {
    const steady = link({ latencyMs: 20 });
    steady.run(1000);
    expect(steady.arrivals.map((x) => x.n)).toEqual([...Array(1000).keys()]);

    const { a, arrivals, run } = link({ latencyMs: 20, reorder: 0.1, reorderDelayMs: 25 });
    run(1000);
    const { reordered } = a.counters('b').outgoing;
    expect(Math.abs(reordered / 1000 - 0.1)).toBeLessThan(0.03);
    expect(arrivals).toHaveLength(1000);
    // Only a held-back packet can arrive after a later one, and most do (the next 2 overtake it,
    // unless they were held back too).
    expect(outOfOrder(arrivals)).toBeLessThanOrEqual(reordered);
    expect(outOfOrder(arrivals)).toBeGreaterThanOrEqual(reordered * 0.8);
  });

  it('takes new conditions at run time, per link, for all links, and per direction', () => {
    const { clock, network, a, arrivals, run } = link({ latencyMs: 20 });
    run(100);
    a.setConditions('b', { latencyMs: 100 });
    run(100, { first: 100 });
    expect(arrivals.slice(0, 100).every((x) => x.delay === 20)).toBe(true);
    expect(arrivals.slice(100).every((x) => x.delay === 100)).toBe(true);
    expect(a.conditions('b')).toMatchObject({ latencyMs: 100, loss: 0 });
    expect(a.conditions('someone-else').latencyMs).toBe(20);

    // 'all' sets the field on every link, keeping the link's other fields.
    a.setConditions('all', { loss: 1 });
    expect(a.conditions('b')).toMatchObject({ latencyMs: 100, loss: 1 });
    expect(a.conditions('someone-else')).toMatchObject({ latencyMs: 20, loss: 1 });
    run(100, { first: 200 });
    expect(arrivals).toHaveLength(200);

    // Incoming: c delays what it receives from a, on top of a's outgoing delay.
    a.setConditions('all', { loss: 0, latencyMs: 10 });
    const c = conditionTransport(network.join('c'), {}, { timers: clock, random: createRandom(5) });
    c.setConditions('a', { latencyMs: 15 }, 'incoming');
    const seen: number[] = [];
    c.on('message', ({ payload }) => seen.push(clock.now() - payload.at));
    a.send('c', { n: 0, at: clock.now() });
    clock.advance(100);
    expect(seen).toEqual([25]);
    expect(c.counters('a').incoming).toMatchObject({ sent: 1, delivered: 1 });

    expect(() => a.setConditions('all', { loss: 1.5 })).toThrowError(ConditionerError);
    expect(() => a.setConditions('b', { latencyMs: -1 })).toThrowError(/latencyMs/);
  });

  it('replays the same delivery schedule from the same seed', () => {
    const schedule = (seed: number) => {
      const conditions = { latencyMs: 60, jitterMs: 30, loss: 0.1, lossBurst: 2, duplicate: 0.1, reorder: 0.1 };
      const { arrivals, run } = link(conditions, seed);
      run(500, { reliable: (n) => n % 5 === 0 });
      return arrivals.map((x) => `${x.n}@${x.at}`);
    };
    expect(schedule(11)).toEqual(schedule(11));
    expect(schedule(11)).not.toEqual(schedule(12));
  });

  it('counts messages whose peer left while they were held, and stops cleanly on close', () => {
    const { clock, network, a, arrivals } = link({ latencyMs: 50 });
    a.send('b', { n: 0, at: 0 });
    a.send('b', { n: 1, at: 0 }, { reliable: true });
    network.leave('b');
    clock.advance(100);
    expect(a.counters('b').outgoing).toMatchObject({ sent: 2, delivered: 0, unreachable: 2 });

    network.join('b').on('message', ({ payload }) => arrivals.push({ ...payload, delay: 0, reliable: false }));
    a.send('b', { n: 2, at: 0 });
    a.close();
    clock.advance(100);
    expect(arrivals).toEqual([]);
    expect(a.send('b', { n: 3, at: 0 })).toBe(0);
    expect(clock.pending()).toBe(0);
  });
});
