// The in-memory transport on a simulated clock: the Transport contract (plain, and wrapped in the
// conditioner with and without loss), then what is particular to it: latency, leaving, validation.
import type { LinkConditions } from '@tickmesh/netcode';
import {
  conditionTransport,
  createMemoryNetwork,
  createRandom,
  createSimClock,
  MemoryNetworkError,
  type SimClock,
  type Transport,
} from '@tickmesh/netcode/testing';
import { describe, expect, it } from 'vitest';
import { type ContractEndpoints, type ContractPacket, transportContract } from './transport-contract.js';

function simulated(clock: SimClock, transports: Transport<ContractPacket>[], ids: string[]): ContractEndpoints {
  return {
    transports,
    ids,
    async until(check, what) {
      if (!clock.runUntil(check, 60_000)) throw new Error(`timed out (simulated) waiting for ${what}`);
    },
    async settle(ms) {
      clock.advance(ms);
    },
    close() {},
  };
}

const names = (n: number) => Array.from({ length: n }, (_, i) => `peer-${i}`);

transportContract('memory', async (peers) => {
  const clock = createSimClock();
  const network = createMemoryNetwork<ContractPacket>({ timers: clock, latencyMs: 5 });
  const ids = names(peers);
  return simulated(
    clock,
    ids.map((id) => network.join(id)),
    ids,
  );
});

function conditioned(outgoing: Partial<LinkConditions>, incoming: Partial<LinkConditions>) {
  return async (peers: number) => {
    const clock = createSimClock();
    const network = createMemoryNetwork<ContractPacket>({ timers: clock });
    const ids = names(peers);
    const transports = ids.map((id, i) =>
      conditionTransport(network.join(id), { outgoing, incoming }, { timers: clock, random: createRandom(i + 1) }),
    );
    return simulated(clock, transports, ids);
  };
}

transportContract(
  'memory, conditioned (latency, jitter both ways)',
  conditioned({ latencyMs: 40, jitterMs: 30 }, { latencyMs: 10, jitterMs: 5, jitterDistribution: 'normal' }),
);
transportContract(
  'memory, conditioned (20% loss, bursts, reordering)',
  conditioned({ latencyMs: 40, jitterMs: 10, loss: 0.2, lossBurst: 2, reorder: 0.2 }, {}),
  { minUnreliableDelivery: 0.5 },
);

describe('memory network', () => {
  it('delivers after latencyMs, never inside send', () => {
    const clock = createSimClock();
    const network = createMemoryNetwork<number>({ timers: clock, latencyMs: 25 });
    const a = network.join('a');
    const b = network.join('b');
    const arrivals: number[] = [];
    b.on('message', () => arrivals.push(clock.now()));
    a.send('b', 1);
    expect(arrivals).toEqual([]);
    clock.advance(24);
    expect(arrivals).toEqual([]);
    clock.advance(1);
    expect(arrivals).toEqual([25]);

    const zero = createMemoryNetwork<number>({ timers: clock });
    const c = zero.join('c');
    let got = 0;
    zero.join('d').on('message', () => got++);
    c.send('d', 1);
    expect(got).toBe(0);
    clock.advance(0);
    expect(got).toBe(1);
  });

  it('a member that leaves is gone at once; its messages in flight are dropped', () => {
    const clock = createSimClock();
    const network = createMemoryNetwork<string>({ timers: clock, latencyMs: 10 });
    const a = network.join('a');
    const b = network.join('b');
    const c = network.join('c');
    const seen: string[] = [];
    for (const t of [a, b, c]) t.on('message', (m) => seen.push(`${m.from}>${t.id}:${m.payload}`));
    expect(a.send('all', 'one')).toBe(2);
    c.send('a', 'from-c');
    network.leave('c');
    expect(network.members()).toEqual(['a', 'b']);
    expect(a.peers()).toEqual(['b']);
    expect(c.peers()).toEqual([]);
    expect(c.send('all', 'ghost')).toBe(0);
    clock.advance(10);
    expect(seen).toEqual(['a>b:one']); // not a>c, not c>a

    // The id can join again: a new endpoint, which old messages do not reach.
    a.send('c', 'late'); // returns 0: c is not a member now
    const c2 = network.join('c');
    expect(c2).not.toBe(c);
    expect(a.peers()).toEqual(['b', 'c']);
    b.send('c', 'hello');
    clock.advance(10);
    expect(seen).toEqual(['a>b:one']); // c2 has no listener; the old c hears nothing
    expect(c2.counters).toEqual({ sent: 0, received: 1, invalidPayloads: 0 });
  });

  it('refuses a second member with the same id', () => {
    const network = createMemoryNetwork({ timers: createSimClock() });
    network.join('a');
    expect(() => network.join('a')).toThrowError(MemoryNetworkError);
  });

  it('validates payloads as the mesh does, counting the rejected', () => {
    const clock = createSimClock();
    const isNumber = (v: unknown, _from: string): v is number => typeof v === 'number';
    const network = createMemoryNetwork<number>({ timers: clock, validate: isNumber });
    const a = network.join('a');
    const b = network.join('b');
    const got: number[] = [];
    b.on('message', (m) => got.push(m.payload));
    a.send('b', 1);
    (a as Transport<unknown>).send('b', 'not a number');
    clock.advance(0);
    expect(got).toEqual([1]);
    expect(b.counters).toEqual({ sent: 0, received: 1, invalidPayloads: 1 });
    expect(a.counters.sent).toBe(2);
  });
});
