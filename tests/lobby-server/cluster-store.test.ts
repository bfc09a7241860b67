// One contract suite for every StateStore: MemoryStore on a fake clock, RedisStore on a real Redis
// and real time (TTLs of a few hundred ms). Then what only Redis can do: go away and come back.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../packages/lobby-server/src/cluster/memory-store.js';
import { RedisStore } from '../../packages/lobby-server/src/cluster/redis-store.js';
import type { RoomSummary, StateStore, StoredRoom } from '../../packages/lobby-server/src/cluster/store.js';
import { type RedisServer, startRedis } from '../helpers/redis.js';
import { letTimePass, waitFor } from '../helpers/wait.js';

/** Lease, heartbeat and peer TTLs, ms: long enough that a check `CHECK_AFTER_MS` in is safe on a busy machine. */
const TTL_MS = 300;
/** When a "not expired yet" check runs, ms after the write. */
const CHECK_AFTER_MS = 100;
/** How long to wait for a write to have expired, ms. */
const EXPIRED_AFTER_MS = TTL_MS + 100;

/** Two nodes' handles on one store, and the store's clock. */
interface Harness {
  a: StateStore;
  b: StateStore;
  /** Lets `ms` go by on the store's clock. */
  pass(ms: number): Promise<void>;
  close(): Promise<void>;
}

let redis: Promise<RedisServer> | undefined;
const sharedRedis = () => {
  redis ??= startRedis();
  return redis;
};
afterAll(async () => {
  await (await redis)?.stop();
});

let prefixes = 0;
const implementations: { kind: string; open: () => Promise<Harness> }[] = [
  {
    kind: 'memory',
    open: async () => {
      const clock = { now: 1_000_000 };
      const a = new MemoryStore({ now: () => clock.now });
      const b = a.connect();
      return {
        a,
        b,
        pass: async (ms) => {
          clock.now += ms;
        },
        close: async () => {
          await Promise.all([a.close(), b.close()]);
        },
      };
    },
  },
  {
    kind: 'redis',
    open: async () => {
      const { url } = await sharedRedis();
      // A prefix per test: the tests share one Redis but never each other's keys or channels.
      const prefix = `t${++prefixes}:`;
      const [a, b] = await Promise.all([RedisStore.connect(url, { prefix }), RedisStore.connect(url, { prefix })]);
      return {
        a,
        b,
        pass: (ms) => letTimePass(ms), // real time is the store's clock
        close: async () => {
          await Promise.all([a.close(), b.close()]);
        },
      };
    },
  },
];

function summary(code: string, listSeq: number, isPublic = true): RoomSummary {
  return { code, public: isPublic, listSeq, players: 1, maxPlayers: 4, state: 'open' };
}

function room(code: string, listSeq: number, isPublic = true): StoredRoom {
  return { snapshot: JSON.stringify({ value: 'open', code }), summary: summary(code, listSeq, isPublic) };
}

describe.each(implementations)('$kind store', ({ open }) => {
  let h: Harness;
  beforeEach(async () => {
    h = await open();
  });
  afterEach(async () => {
    await h.close();
  });

  describe('nodes', () => {
    it('is alive while its heartbeat lasts, and not after it expires or is forgotten', async () => {
      expect(await h.a.heartbeat('node-a', TTL_MS), 'a first heartbeat follows none').toBe(false);
      expect(await h.b.isAlive('node-a')).toBe(true);
      expect(await h.b.isAlive('node-b')).toBe(false);
      expect(await h.a.heartbeat('node-a', TTL_MS), 'a heartbeat in time follows the last').toBe(true);
      await h.pass(EXPIRED_AFTER_MS);
      expect(await h.b.isAlive('node-a')).toBe(false);
      expect(await h.a.heartbeat('node-a', TTL_MS), 'one after a gap of a TTL follows none').toBe(false);
      await h.a.forgetNode('node-a');
      expect(await h.b.isAlive('node-a')).toBe(false);
    });
  });

  describe('leases', () => {
    it('goes to one node at a time; the holder renews, releases, and then another may take it', async () => {
      expect(await h.a.acquireLease('ROOM', 'node-a', TTL_MS)).toBe(true);
      expect(await h.b.acquireLease('ROOM', 'node-b', TTL_MS)).toBe(false);
      expect(await h.b.leaseOwner('ROOM')).toBe('node-a');
      expect(await h.a.acquireLease('ROOM', 'node-a', TTL_MS), 'acquiring a held lease renews it').toBe(true);
      expect(await h.a.renewLeases(['ROOM', 'NONE'], 'node-a', TTL_MS)).toEqual(['NONE']);
      expect(await h.b.renewLeases(['ROOM'], 'node-b', TTL_MS)).toEqual(['ROOM']);
      expect(await h.a.renewLeases([], 'node-a', TTL_MS)).toEqual([]);

      await h.b.releaseLease('ROOM', 'node-b');
      expect(await h.a.leaseOwner('ROOM'), 'only the holder releases').toBe('node-a');
      await h.a.releaseLease('ROOM', 'node-a');
      expect(await h.a.leaseOwner('ROOM')).toBeNull();
      expect(await h.b.acquireLease('ROOM', 'node-b', TTL_MS)).toBe(true);
    });

    it('expires TTL after the last renewal, and then another node may take it', async () => {
      expect(await h.a.acquireLease('ROOM', 'node-a', TTL_MS)).toBe(true);
      await h.pass(CHECK_AFTER_MS);
      expect(await h.a.renewLeases(['ROOM'], 'node-a', TTL_MS)).toEqual([]);
      await h.pass(TTL_MS - CHECK_AFTER_MS / 2);
      expect(await h.b.acquireLease('ROOM', 'node-b', TTL_MS), 'the renewal moved the expiry').toBe(false);
      await h.pass(EXPIRED_AFTER_MS);
      expect(await h.b.leaseOwner('ROOM')).toBeNull();
      expect(await h.b.acquireLease('ROOM', 'node-b', TTL_MS)).toBe(true);
      expect(await h.a.renewLeases(['ROOM'], 'node-a', TTL_MS), 'the old holder learns it lost it').toEqual(['ROOM']);
      expect(await h.a.leaseOwner('ROOM')).toBe('node-b');
    });

    it('does not come back to a holder whose lease expired, even if nobody took it', async () => {
      expect(await h.a.acquireLease('ROOM', 'node-a', TTL_MS)).toBe(true);
      await h.pass(EXPIRED_AFTER_MS);
      expect(await h.a.renewLeases(['ROOM'], 'node-a', TTL_MS)).toEqual(['ROOM']);
      expect(await h.a.leaseOwner('ROOM')).toBeNull();
    });
  });

  describe('rooms', () => {
    it('are written only by the lease holder (fenced)', async () => {
      expect(await h.b.saveRoom('ROOM', 'node-b', room('ROOM', 1)), 'no lease at all').toBe(false);
      expect(await h.a.acquireLease('ROOM', 'node-a', TTL_MS)).toBe(true);
      expect(await h.b.saveRoom('ROOM', 'node-b', room('ROOM', 1)), 'another node holds the lease').toBe(false);
      expect(await h.a.loadRoom('ROOM')).toBeNull();
      expect(await h.a.publicRooms()).toEqual([]);

      expect(await h.a.saveRoom('ROOM', 'node-a', room('ROOM', 1))).toBe(true);
      expect(await h.b.loadRoom('ROOM')).toEqual(room('ROOM', 1));

      await h.b.deleteRoom('ROOM', 'node-b', TTL_MS);
      expect(await h.b.loadRoom('ROOM'), 'a node without the lease cannot delete').toEqual(room('ROOM', 1));
      expect(await h.b.isRetired('ROOM')).toBe(false);
      expect(await h.b.publicRooms()).toEqual([summary('ROOM', 1)]);
    });

    it('stay fenced against the old holder once its lease expired and another node took it', async () => {
      expect(await h.a.acquireLease('ROOM', 'node-a', TTL_MS)).toBe(true);
      expect(await h.a.saveRoom('ROOM', 'node-a', room('ROOM', 1))).toBe(true);
      await h.pass(EXPIRED_AFTER_MS);
      expect(await h.b.acquireLease('ROOM', 'node-b', TTL_MS)).toBe(true);
      const taken = { ...room('ROOM', 1), snapshot: '{"by":"node-b"}' };
      expect(await h.b.saveRoom('ROOM', 'node-b', taken)).toBe(true);

      const stale = { ...room('ROOM', 1), snapshot: '{"by":"node-a"}' };
      expect(await h.a.saveRoom('ROOM', 'node-a', stale)).toBe(false);
      await h.a.deleteRoom('ROOM', 'node-a', TTL_MS);
      expect(await h.a.loadRoom('ROOM')).toEqual(taken);
      expect(await h.a.leaseOwner('ROOM')).toBe('node-b');
    });

    it('when deleted by the holder lose room, summary and lease, and keep the code retired for a while', async () => {
      expect(await h.a.codeTaken('ROOM')).toBe(false);
      expect(await h.a.acquireLease('ROOM', 'node-a', 60_000)).toBe(true);
      expect(await h.b.codeTaken('ROOM'), 'a lease takes the code').toBe(true);
      expect(await h.a.saveRoom('ROOM', 'node-a', room('ROOM', 1))).toBe(true);
      await h.a.releaseLease('ROOM', 'node-a');
      expect(await h.b.codeTaken('ROOM'), 'a saved room takes the code').toBe(true);

      expect(await h.a.acquireLease('ROOM', 'node-a', 60_000)).toBe(true);
      await h.a.deleteRoom('ROOM', 'node-a', TTL_MS);
      expect(await h.b.loadRoom('ROOM')).toBeNull();
      expect(await h.b.leaseOwner('ROOM')).toBeNull();
      expect(await h.b.publicRooms()).toEqual([]);
      expect(await h.b.listPublic(0, 10)).toEqual({ rooms: [], more: false });
      expect(await h.b.isRetired('ROOM')).toBe(true);
      expect(await h.b.codeTaken('ROOM'), 'a retired code is taken').toBe(true);
      await h.pass(EXPIRED_AFTER_MS);
      expect(await h.b.isRetired('ROOM')).toBe(false);
      expect(await h.b.codeTaken('ROOM')).toBe(false);
    });

    it('without a lease are orphans, until a node takes them or they are deleted', async () => {
      expect(await h.a.acquireLease('ROOM', 'node-a', 60_000)).toBe(true);
      expect(await h.a.saveRoom('ROOM', 'node-a', room('ROOM', 1))).toBe(true);
      expect(await h.b.orphans(8), 'its owner holds it').toEqual([]);
      await h.a.releaseLease('ROOM', 'node-a');
      expect(await h.b.orphans(8), 'its owner let it go').toEqual(['ROOM']);
      expect(await h.b.acquireLease('ROOM', 'node-b', 60_000)).toBe(true);
      expect(await h.a.orphans(8), 'node b took it').toEqual([]);
      await h.b.deleteRoom('ROOM', 'node-b', 0);
      expect(await h.a.orphans(8), 'it ended').toEqual([]);
    });

    it('are copies: changing what was saved or loaded changes nothing stored', async () => {
      expect(await h.a.acquireLease('ROOM', 'node-a', 60_000)).toBe(true);
      const saved = room('ROOM', 1);
      expect(await h.a.saveRoom('ROOM', 'node-a', saved)).toBe(true);
      saved.summary.players = 99;
      const loaded = await h.a.loadRoom('ROOM');
      expect(loaded).toEqual(room('ROOM', 1));
      if (loaded) loaded.summary.players = 98;
      expect(await h.b.loadRoom('ROOM')).toEqual(room('ROOM', 1));
      expect(await h.b.publicRooms()).toEqual([summary('ROOM', 1)]);
    });
  });

  describe('room list', () => {
    it('draws rising listSeqs from one counter for every node', async () => {
      const seqs = [await h.a.nextListSeq(), await h.b.nextListSeq(), await h.a.nextListSeq()];
      expect(seqs[1]).toBeGreaterThan(seqs[0] ?? Number.POSITIVE_INFINITY);
      expect(seqs[2]).toBeGreaterThan(seqs[1] ?? Number.POSITIVE_INFINITY);
    });

    it('pages the public rooms in listSeq order, and follows rooms that turn private or end', async () => {
      const codes = ['R1', 'R2', 'R3', 'R4', 'R5', 'R6'];
      for (const [i, code] of codes.entries()) {
        const owner = i % 2 === 0 ? h.a : h.b;
        const node = i % 2 === 0 ? 'node-a' : 'node-b';
        expect(await owner.acquireLease(code, node, 60_000)).toBe(true);
        // R4 is private; listSeqs run against the saving order, so the list cannot be insertion order.
        const seq = codes.length - i;
        expect(await owner.saveRoom(code, node, room(code, seq, code !== 'R4'))).toBe(true);
      }
      // listSeqs: R6=1, R5=2, R4=3 (private), R3=4, R2=5, R1=6
      const first = await h.a.listPublic(0, 2);
      expect(first).toEqual({ rooms: [summary('R6', 1), summary('R5', 2)], more: true });
      const second = await h.b.listPublic(2, 2);
      expect(second).toEqual({ rooms: [summary('R3', 4), summary('R2', 5)], more: true });
      const last = await h.a.listPublic(5, 2);
      expect(last).toEqual({ rooms: [summary('R1', 6)], more: false });
      expect(await h.a.listPublic(6, 2)).toEqual({ rooms: [], more: false });
      expect(await h.a.listPublic(0, 0)).toEqual({ rooms: [], more: true });
      const all = await h.b.publicRooms();
      expect(all.map((s) => s.code).sort()).toEqual(['R1', 'R2', 'R3', 'R5', 'R6']);

      expect(await h.a.saveRoom('R5', 'node-a', room('R5', 2, false)), 'R5 turns private').toBe(true);
      await h.b.deleteRoom('R6', 'node-b', TTL_MS);
      const changed = await h.a.listPublic(0, 10);
      expect(changed).toEqual({ rooms: [summary('R3', 4), summary('R2', 5), summary('R1', 6)], more: false });
      expect((await h.a.publicRooms()).map((s) => s.code).sort()).toEqual(['R1', 'R2', 'R3']);
    });
  });

  describe('peers', () => {
    it('are kept for their TTL, and deleted on request', async () => {
      const peer = { tokenHash: 'ab'.repeat(32), name: 'Ann', room: 'ROOM', node: 'node-a' };
      await h.a.savePeer('p1', peer, TTL_MS);
      await h.a.savePeer('p2', { ...peer, room: null }, TTL_MS);
      expect(await h.b.loadPeer('p1')).toEqual(peer);
      expect(await h.b.loadPeer('p2')).toEqual({ ...peer, room: null });
      expect(await h.b.loadPeer('p3')).toBeNull();
      await h.b.deletePeer('p2');
      expect(await h.a.loadPeer('p2')).toBeNull();
      await h.pass(CHECK_AFTER_MS);
      await h.a.savePeer('p1', peer, TTL_MS); // a resume renews it
      await h.pass(TTL_MS - CHECK_AFTER_MS / 2);
      expect(await h.b.loadPeer('p1')).toEqual(peer);
      await h.pass(EXPIRED_AFTER_MS);
      expect(await h.b.loadPeer('p1')).toBeNull();
    });
  });

  describe('messages', () => {
    it('reach every subscribed handle, later than publish, in order; publish counts the receivers', async () => {
      const atA: string[] = [];
      const atB: string[] = [];
      await h.a.subscribe('n:x', (m) => atA.push(m));
      await h.b.subscribe('n:x', (m) => atB.push(m));
      const first = h.a.publish('n:x', 'first');
      expect([atA, atB], 'nothing is delivered inside publish').toEqual([[], []]);
      expect(await first).toBe(2);

      const rest = Array.from({ length: 30 }, (_, i) => `m${i}`);
      const counts = await Promise.all(rest.map((m) => h.b.publish('n:x', m)));
      expect(counts.every((n) => n === 2)).toBe(true);
      const expected = ['first', ...rest];
      await waitFor(() => atA.length === expected.length && atB.length === expected.length, 'every message at both');
      expect(atA).toEqual(expected);
      expect(atB).toEqual(expected);
      expect(await h.a.publish('n:nobody', 'x')).toBe(0);
    });

    it('posted ones arrive in order with published ones, pieces joined, any text intact', async () => {
      const atB: string[] = [];
      await h.b.subscribe('b:x', (m) => atB.push(m));
      expect(h.a.post('b:x', 'one')).toBe(true);
      expect(h.a.post('b:x', ['t', 'wö', '', 'rld ✓ \u0000\u0001 😀'])).toBe(true);
      expect(h.a.post('b:x', [])).toBe(true);
      expect(await h.a.publish('b:x', 'three')).toBe(1);
      expect(h.a.post('b:x', 'x'.repeat(100_000))).toBe(true);
      await waitFor(() => atB.length === 5, 'every message at b');
      expect(atB.slice(0, 4)).toEqual(['one', 'twörld ✓ \u0000\u0001 😀', '', 'three']);
      expect(atB[4]).toHaveLength(100_000);
    });

    it('stop after unsubscribe or close; a second subscribe replaces the handler', async () => {
      const atA: string[] = [];
      const atB: string[] = [];
      const replaced: string[] = [];
      await h.a.subscribe('p:1', (m) => replaced.push(m));
      await h.a.subscribe('p:1', (m) => atA.push(m));
      await h.b.subscribe('p:1', (m) => atB.push(m));
      expect(await h.a.publish('p:1', 'both')).toBe(2);
      await waitFor(() => atA.length === 1 && atB.length === 1, 'the message at both');

      await h.b.unsubscribe('p:1');
      expect(await h.a.publish('p:1', 'only a')).toBe(1);
      await waitFor(() => atA.length === 2, 'the second message at a');
      expect(atB).toEqual(['both']);
      expect(replaced).toEqual([]);

      await h.b.subscribe('p:2', (m) => atB.push(m));
      expect(await h.a.publish('p:2', 'to b')).toBe(1);
      await waitFor(() => atB.length === 2, 'the message on p:2 at b');
      await h.b.close();
      expect(await h.a.publish('p:2', 'to nobody'), 'close drops the subscriptions').toBe(0);
      expect(atA).toEqual(['both', 'only a']);
    });
  });
});

describe('redis store', () => {
  it('refuses to connect, quickly, when nothing listens', async () => {
    const server = await startRedis();
    const { url } = server;
    await server.stop();
    const started = performance.now();
    await expect(RedisStore.connect(url)).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('reads a value that is not what it wrote as missing, and says so', async () => {
    const { url } = await sharedRedis();
    const warnings: string[] = [];
    const prefix = `t${++prefixes}:`;
    const store = await RedisStore.connect(url, { prefix, logger: { warn: (m) => warnings.push(m) } });
    const raw = new Redis(url);
    try {
      await raw.set(`${prefix}room:BAD`, '{"snapshot": 1');
      await raw.set(`${prefix}peer:bad`, '{"name": "no token"}');
      await raw.hset(`${prefix}summary`, 'BAD', '[]');
      await raw.zadd(`${prefix}public`, 1, 'BAD');
      expect(await store.loadRoom('BAD')).toBeNull();
      expect(await store.loadPeer('bad')).toBeNull();
      expect(await store.publicRooms()).toEqual([]);
      expect(await store.listPublic(0, 10)).toEqual({ rooms: [], more: false });
      expect(warnings).toHaveLength(4);
    } finally {
      raw.disconnect();
      await store.close();
    }
  });

  it('refuses a publish that a hung Redis leaves unanswered, within about a second, then publishes again', async () => {
    const server = await startRedis();
    const a = await RedisStore.connect(server.url);
    const b = await RedisStore.connect(server.url);
    try {
      const atB: string[] = [];
      await b.subscribe('n:b', (m) => atB.push(m));
      server.pause(true);
      const started = performance.now();
      await expect(a.publish('n:b', 'unanswered')).rejects.toThrow();
      // Refused after the command timeout (1 s, checked every quarter of it), not left hanging:
      // the bound only tells those apart, with room for a busy machine.
      expect(performance.now() - started).toBeLessThan(5_000);
      server.pause(false);
      await waitFor(async () => (await a.publish('n:b', 'after')) === 1, 'publishing again', { retryOnError: true });
      await waitFor(() => atB.includes('after'), 'the message after the hang');
    } finally {
      server.pause(false);
      await Promise.all([a.close(), b.close()]);
      await server.stop();
    }
  });

  it('fails fast while Redis is down, and comes back by itself with its subscriptions', async () => {
    const server = await startRedis();
    const warnings: { message: string; fields?: object }[] = [];
    const logger = {
      warn: (message: string, fields?: object) => warnings.push({ message, ...(fields && { fields }) }),
    };
    const a = await RedisStore.connect(server.url, { logger });
    const b = await RedisStore.connect(server.url);
    try {
      const atB: string[] = [];
      await b.subscribe('n:b', (m) => atB.push(m));
      await b.subscribe('n:gone', (m) => atB.push(m));
      expect(await a.publish('n:b', 'before')).toBe(1);
      await waitFor(() => atB.length === 1, 'the message before the outage');

      await server.kill();
      // Every kind of command fails within ~1 s, whether sent before or after the client noticed.
      for (const command of [
        () => a.isAlive('node-a'),
        () => a.acquireLease('ROOM', 'node-a', TTL_MS),
        () => a.publish('n:b', 'during'),
        () => b.unsubscribe('n:gone'),
        () => b.subscribe('n:new', () => {}),
      ]) {
        const started = performance.now();
        await expect(command()).rejects.toThrow();
        expect(performance.now() - started).toBeLessThan(2_000);
      }
      expect(a.post('n:b', 'during'), 'nothing is queued to go late').toBe(false);

      await server.restart();
      await waitFor(() => a.isAlive('node-a').then(() => true), 'commands to work again', { retryOnError: true });
      // The subscriber reconnects on its own schedule: publish reaches it once it is back.
      await waitFor(async () => (await a.publish('n:b', 'after')) === 1, 'n:b subscribed again', {
        retryOnError: true,
      });
      await waitFor(() => atB.includes('after'), 'the message after the outage');
      expect(a.post('n:b', 'posted after')).toBe(true);
      await waitFor(() => atB.includes('posted after'), 'a posted message after the outage');
      expect(atB.includes('during')).toBe(false);
      // n:gone, whose UNSUBSCRIBE failed during the outage, came back with autoResubscribe: the first
      // message on it has no handler and makes the store leave it.
      await a.publish('n:gone', 'stray');
      await waitFor(async () => (await a.publish('n:gone', 'stray')) === 0, 'the stray subscription dropped');
      expect(atB.filter((m) => m === 'stray')).toEqual([]);

      // Logged once each, however many attempts it took: recovered when both connections are back.
      await waitFor(() => warnings.length >= 2, 'the recovery logged');
      expect(warnings.map((w) => w.message)).toEqual(['redis connection lost; retrying', 'redis connection recovered']);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await server.stop();
    }
  });
});
