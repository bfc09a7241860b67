// Model-based test of lease handover between lobby nodes: never two owners acting on one room.
//
// Three nodes, each a LeaseKeeper over its own handle on one store, take, renew and give up the
// leases of two rooms in random order while time passes; a node may crash (stop doing anything,
// its last beliefs left standing, as a paused process's would be). After every step, for every
// room: at most one node believes it holds the lease, and that node is the lease's owner in the
// store. On a MemoryStore and a fake clock the model predicts every answer exactly: each node's
// clock runs at its own rate (within the drift the margin allows), and each store call can take
// time on the way there and back, so the store's view and the node's differ as on a network.
// Then a shorter walk on real Redis and real time, checking the invariant alone.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaseKeeper, type LeaseStore } from '../../packages/lobby-server/src/cluster/leases.js';
import { MemoryStore } from '../../packages/lobby-server/src/cluster/memory-store.js';
import { RedisStore } from '../../packages/lobby-server/src/cluster/redis-store.js';
import { type RedisServer, startRedis } from '../helpers/redis.js';
import { letTimePass } from '../helpers/wait.js';

const NODES = [0, 1, 2] as const;
const CODES = ['A', 'B'] as const;
type NodeIndex = (typeof NODES)[number];
type Code = (typeof CODES)[number];

const node = fc.constantFrom(...NODES);
const code = fc.constantFrom(...CODES);
const nodeId = (n: number) => `node-${n}`;

// ---- on a fake clock ---------------------------------------------------------------------------

const TIMINGS = { ttlMs: 1000, marginMs: 100 };
/** The slowest a node clock may run for the margin to cover it: 1 - marginMs / ttlMs. */
const SLOWEST_SAFE_RATE = 1 - TIMINGS.marginMs / TIMINGS.ttlMs;

interface Lag {
  /** Global ms between a call leaving the node and reaching the store. */
  beforeMs: number;
  /** Global ms between the store's answer and the node reading it. */
  afterMs: number;
}
const NO_LAG: Lag = { beforeMs: 0, afterMs: 0 };

/** Each node's clock: `offset + rate × global time`. */
interface NodeClock {
  rate: number;
  offset: number;
}

interface Model {
  /** Global time, ms. */
  now: number;
  clocks: readonly NodeClock[];
  /** The store's leases; an entry whose `expiresAt` is not after `now` has expired. */
  leases: Map<string, { owner: NodeIndex; expiresAt: number }>;
  /** Per node, what its keeper believes: code → until when, on the node's clock. */
  beliefs: Map<string, number>[];
  crashed: Set<NodeIndex>;
}

interface Real {
  clock: { now: number };
  /** Each node's keeper, and the lag its next store call takes. */
  nodes: { keeper: LeaseKeeper; lag: { current: Lag } }[];
  /** A handle of the store of its own, to read the truth. */
  observer: MemoryStore;
}

const localTime = (m: Model, n: NodeIndex, globalMs: number) => {
  const clock = m.clocks[n] ?? { rate: 1, offset: 0 };
  return clock.offset + clock.rate * globalMs;
};
const beliefsOf = (m: Model, n: NodeIndex) => m.beliefs[n] ?? new Map<string, number>();
const realNode = (r: Real, n: NodeIndex) => {
  const found = r.nodes[n];
  if (!found) throw new Error(`no node ${n}`);
  return found;
};

/** Lease calls that take `lag` of global time, as a network would. */
function lagged(store: LeaseStore, clock: { now: number }, lagOf: () => Lag): LeaseStore {
  const around = async <T>(call: () => Promise<T>): Promise<T> => {
    const lag = lagOf();
    clock.now += lag.beforeMs;
    const answer = await call();
    clock.now += lag.afterMs;
    return answer;
  };
  return {
    acquireLease: (c, n, ttl) => around(() => store.acquireLease(c, n, ttl)),
    renewLeases: (c, n, ttl) => around(() => store.renewLeases(c, n, ttl)),
    releaseLease: (c, n) => store.releaseLease(c, n),
  };
}

async function checkInvariants(m: Model, r: Real): Promise<void> {
  for (const c of CODES) {
    const holders = NODES.filter((n) => realNode(r, n).keeper.holds(c));
    expect(holders.length, `nodes acting on ${c}: ${holders.join(', ')}`).toBeLessThanOrEqual(1);
    const lease = m.leases.get(c);
    const owner = lease && lease.expiresAt > m.now ? lease.owner : null;
    for (const holder of holders) expect(owner, `${nodeId(holder)} acts on ${c}: it owns the lease`).toBe(holder);
    expect(await r.observer.leaseOwner(c), `the store's owner of ${c}`).toBe(owner === null ? null : nodeId(owner));
    for (const n of NODES) {
      const believed = (beliefsOf(m, n).get(c) ?? Number.NEGATIVE_INFINITY) > localTime(m, n, m.now);
      expect(realNode(r, n).keeper.holds(c), `${nodeId(n)} holds ${c} as the model says`).toBe(believed);
    }
  }
}

class Acquire implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly n: NodeIndex,
    readonly code: Code,
    readonly lag: Lag,
  ) {}
  check = (m: Readonly<Model>) => !m.crashed.has(this.n);
  async run(m: Model, r: Real): Promise<void> {
    const start = m.now;
    const arrival = start + this.lag.beforeMs;
    const end = arrival + this.lag.afterMs;
    const lease = m.leases.get(this.code);
    const free = !lease || lease.expiresAt <= arrival || lease.owner === this.n;
    const until = localTime(m, this.n, start) + TIMINGS.ttlMs - TIMINGS.marginMs;
    const inTime = until > localTime(m, this.n, end);

    const real = realNode(r, this.n);
    real.lag.current = this.lag;
    const acquired = await real.keeper.acquire(this.code);
    real.lag.current = NO_LAG;

    expect(acquired, 'a lease nobody holds (or whose holder let it expire) goes to whoever asks').toBe(free && inTime);
    m.now = end;
    if (acquired) {
      m.leases.set(this.code, { owner: this.n, expiresAt: arrival + TIMINGS.ttlMs });
      beliefsOf(m, this.n).set(this.code, until);
    } else {
      beliefsOf(m, this.n).delete(this.code);
      if (free) m.leases.delete(this.code); // granted too late to act on: given back
    }
    await checkInvariants(m, r);
  }
  toString = () => `acquire(${nodeId(this.n)}, ${this.code}, lag ${this.lag.beforeMs}+${this.lag.afterMs})`;
}

class RenewAll implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly n: NodeIndex,
    readonly lag: Lag,
  ) {}
  check = (m: Readonly<Model>) => !m.crashed.has(this.n);
  async run(m: Model, r: Real): Promise<void> {
    const beliefs = beliefsOf(m, this.n);
    const asked = [...beliefs.entries()];
    const real = realNode(r, this.n);
    real.lag.current = this.lag;
    const lost = await real.keeper.renewAll();
    real.lag.current = NO_LAG;

    const expected: string[] = [];
    if (asked.length > 0) {
      const start = m.now;
      const arrival = start + this.lag.beforeMs;
      const end = arrival + this.lag.afterMs;
      for (const [c, until] of asked) {
        const lease = m.leases.get(c);
        const renewed = lease !== undefined && lease.owner === this.n && lease.expiresAt > arrival;
        if (renewed) lease.expiresAt = arrival + TIMINGS.ttlMs;
        if (renewed && until > localTime(m, this.n, end)) {
          beliefs.set(c, Math.max(until, localTime(m, this.n, start) + TIMINGS.ttlMs - TIMINGS.marginMs));
        } else {
          expected.push(c);
          beliefs.delete(c);
          // Renewed too late to act on: lost to the node, kept by the store until it expires.
        }
      }
      m.now = end;
    }
    expect([...lost].sort()).toEqual(expected.sort());
    await checkInvariants(m, r);
  }
  toString = () => `renewAll(${nodeId(this.n)}, lag ${this.lag.beforeMs}+${this.lag.afterMs})`;
}

class Release implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly n: NodeIndex,
    readonly code: Code,
  ) {}
  check = (m: Readonly<Model>) => !m.crashed.has(this.n);
  async run(m: Model, r: Real): Promise<void> {
    await realNode(r, this.n).keeper.release(this.code);
    beliefsOf(m, this.n).delete(this.code);
    const lease = m.leases.get(this.code);
    if (lease && lease.owner === this.n && lease.expiresAt > m.now) m.leases.delete(this.code);
    await checkInvariants(m, r);
  }
  toString = () => `release(${nodeId(this.n)}, ${this.code})`;
}

class Advance implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    m.now += this.ms;
    r.clock.now += this.ms;
    await checkInvariants(m, r);
  }
  toString = () => `advance(${this.ms})`;
}

class Crash implements fc.AsyncCommand<Model, Real> {
  constructor(readonly n: NodeIndex) {}
  check = (m: Readonly<Model>) => !m.crashed.has(this.n);
  async run(m: Model, r: Real): Promise<void> {
    m.crashed.add(this.n);
    await checkInvariants(m, r);
  }
  toString = () => `crash(${nodeId(this.n)})`;
}

const lag: fc.Arbitrary<Lag> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(NO_LAG) },
  { weight: 2, arbitrary: fc.record({ beforeMs: fc.nat(700), afterMs: fc.nat(700) }) },
);
const fakeClockCommands = fc.commands(
  [
    fc.tuple(node, code, lag).map(([n, c, l]) => new Acquire(n, c, l)),
    fc.tuple(node, lag).map(([n, l]) => new RenewAll(n, l)),
    fc.tuple(node, code).map(([n, c]) => new Release(n, c)),
    fc.integer({ min: 1, max: 1500 }).map((ms) => new Advance(ms)),
    node.map((n) => new Crash(n)),
  ],
  { maxCommands: 40 },
);

function setup(clocks: readonly NodeClock[]): { model: Model; real: Real } {
  const clock = { now: 0 };
  const store = new MemoryStore({ now: () => clock.now });
  const nodes = NODES.map((n) => {
    const { rate, offset } = clocks[n] ?? { rate: 1, offset: 0 };
    const lag = { current: NO_LAG };
    const handle = lagged(store.connect(), clock, () => lag.current);
    return { keeper: new LeaseKeeper(handle, nodeId(n), TIMINGS, () => offset + rate * clock.now), lag };
  });
  return {
    model: { now: 0, clocks, leases: new Map(), beliefs: NODES.map(() => new Map()), crashed: new Set() },
    real: { clock, nodes, observer: store.connect() },
  };
}

const nodeClocks = (rate: fc.Arbitrary<number>) =>
  fc.array(fc.record({ rate, offset: fc.integer({ min: 0, max: 1_000_000 }) }), {
    minLength: NODES.length,
    maxLength: NODES.length,
  });

const handover = (rate: fc.Arbitrary<number>) =>
  fc.asyncProperty(nodeClocks(rate), fakeClockCommands, (clocks, commands) =>
    fc.asyncModelRun(() => setup(clocks), commands),
  );

describe('lease handover (fake clock, MemoryStore)', () => {
  it('never lets two nodes act on one room, and hands expired leases over', async () => {
    const safeRate = fc.double({ min: SLOWEST_SAFE_RATE + 0.005, max: 1.1, noNaN: true });
    await fc.assert(handover(safeRate), { numRuns: 300 });
  });

  it('catches a node whose clock runs slower than the margin covers (the model has teeth)', async () => {
    const tooSlow = fc.double({ min: 0.5, max: SLOWEST_SAFE_RATE - 0.05, noNaN: true });
    const result = await fc.check(handover(tooSlow), { numRuns: 300 });
    expect(result.failed).toBe(true);
  });
});

// ---- on real Redis and real time -----------------------------------------------------------------

const REAL_TIMINGS = { ttlMs: 200, marginMs: 40 };

interface RealTimeModel {
  crashed: Set<NodeIndex>;
}
interface RealTimeReal {
  keepers: LeaseKeeper[];
  stores: RedisStore[];
  /** This run's codes: CODES under a prefix of the run's own. */
  code: (c: Code) => string;
}

async function checkRealTime(r: RealTimeReal): Promise<void> {
  for (const c of CODES) {
    const holders = NODES.filter((n) => r.keepers[n]?.holds(r.code(c)));
    expect(holders.length, `nodes acting on ${c}: ${holders.join(', ')}`).toBeLessThanOrEqual(1);
    for (const holder of holders) {
      const owner = await r.stores[0]?.leaseOwner(r.code(c));
      // A belief that lasted past the answer was true when the store answered.
      if (r.keepers[holder]?.holds(r.code(c))) expect(owner).toBe(nodeId(holder));
    }
  }
}

const keeperOf = (r: RealTimeReal, n: NodeIndex) => {
  const keeper = r.keepers[n];
  if (!keeper) throw new Error(`no node ${n}`);
  return keeper;
};

const realTimeCommands = fc.commands<RealTimeModel, RealTimeReal, false>(
  [
    fc.tuple(node, code).map(([n, c]) => ({
      check: (m: Readonly<RealTimeModel>) => !m.crashed.has(n),
      run: async (_m: RealTimeModel, r: RealTimeReal) => {
        await keeperOf(r, n).acquire(r.code(c));
        await checkRealTime(r);
      },
      toString: () => `acquire(${nodeId(n)}, ${c})`,
    })),
    node.map((n) => ({
      check: (m: Readonly<RealTimeModel>) => !m.crashed.has(n),
      run: async (_m: RealTimeModel, r: RealTimeReal) => {
        await keeperOf(r, n).renewAll();
        await checkRealTime(r);
      },
      toString: () => `renewAll(${nodeId(n)})`,
    })),
    fc.tuple(node, code).map(([n, c]) => ({
      check: (m: Readonly<RealTimeModel>) => !m.crashed.has(n),
      run: async (_m: RealTimeModel, r: RealTimeReal) => {
        await keeperOf(r, n).release(r.code(c));
        await checkRealTime(r);
      },
      toString: () => `release(${nodeId(n)}, ${c})`,
    })),
    fc.integer({ min: 1, max: 120 }).map((ms) => ({
      check: () => true,
      run: async (_m: RealTimeModel, r: RealTimeReal) => {
        await letTimePass(ms); // the walk's clock is real time
        await checkRealTime(r);
      },
      toString: () => `advance(${ms})`,
    })),
    node.map((n) => ({
      check: (m: Readonly<RealTimeModel>) => !m.crashed.has(n),
      run: async (m: RealTimeModel, r: RealTimeReal) => {
        m.crashed.add(n);
        await checkRealTime(r);
      },
      toString: () => `crash(${nodeId(n)})`,
    })),
  ],
  { maxCommands: 12 },
);

describe('lease handover (real time, Redis)', () => {
  let server: RedisServer;
  let stores: RedisStore[] = [];
  const storeOf = (n: number) => {
    const store = stores[n];
    if (!store) throw new Error(`no store ${n}`);
    return store;
  };
  beforeAll(async () => {
    server = await startRedis();
    stores = await Promise.all(NODES.map(() => RedisStore.connect(server.url)));
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await server?.stop();
  });

  it('never lets two nodes act on one room, and hands expired leases over', async () => {
    let runs = 0;
    const now = () => performance.now();
    await fc.assert(
      fc.asyncProperty(realTimeCommands, async (commands) => {
        const run = ++runs;
        const real: RealTimeReal = {
          keepers: NODES.map((n) => new LeaseKeeper(storeOf(n), nodeId(n), REAL_TIMINGS, now)),
          stores,
          code: (c) => `run${run}-${c}`,
        };
        await fc.asyncModelRun(() => ({ model: { crashed: new Set<NodeIndex>() }, real }), commands);
        // Nobody renews any more: once a TTL has gone by, a newcomer gets every lease.
        await letTimePass(REAL_TIMINGS.ttlMs + 20);
        const newcomer = new LeaseKeeper(storeOf(0), 'newcomer', REAL_TIMINGS, now);
        for (const c of CODES) expect(await newcomer.acquire(real.code(c)), `${c} after a TTL`).toBe(true);
      }),
      { numRuns: 6 },
    );
  });
});
