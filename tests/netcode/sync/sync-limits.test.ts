/**
 * The sync layer's limits on what one peer can make another do or hold (tuning.ts): the input tick
 * window, the input log's cap, each peer's packet budget and the host's event rate, counted in
 * `stats().dropped`; and a client noticing a silent host. One hostile endpoint on the memory
 * network against a real engine, on a simulated clock.
 */
import { type SyncStatus, syncDefaults } from '@tickmesh/netcode';
import { createInputLog, createTokenBuckets, PacketTag, resolveTuning } from '@tickmesh/netcode/internals';
import {
  conditionTransport,
  createMemoryNetwork,
  createRandom,
  createSimClock,
  createSyncEngine,
  type DotsInput,
  dotsGame,
} from '@tickmesh/netcode/testing';
import { describe, expect, it } from 'vitest';

const still: DotsInput = { dx: 0, dy: 0, fire: false };
const LEAD_TICKS = Math.ceil((syncDefaults.maxInputLeadMs * syncDefaults.tickRateHz) / 1000);

/**
 * An engine `self` and a raw endpoint `x` in a two-player game hosted by `hostId` (`self` or `x`):
 * the stranger sends whatever it likes.
 */
function engineAndStranger(self: string, hostId: string) {
  const clock = createSimClock(1_000);
  const network = createMemoryNetwork<unknown>({ timers: clock });
  const engine = createSyncEngine({
    game: dotsGame,
    transport: network.join(self),
    selfId: self,
    timers: clock,
    sampleInput: () => still,
  });
  const stranger = network.join('x');
  engine.start({ hostId, players: [self, 'x'] });
  return { clock, engine, stranger };
}

describe('token buckets', () => {
  it('give a burst, then the rate, per key, never more than the burst', () => {
    const buckets = createTokenBuckets(10, 3);
    const takes = (key: string, now: number, n: number) =>
      Array.from({ length: n }, () => buckets.take(key, now)).filter(Boolean).length;
    expect(takes('a', 0, 5)).toBe(3);
    expect(takes('b', 0, 5)).toBe(3);
    expect(takes('a', 100, 5)).toBe(1); // 10/s: one token per 100 ms
    expect(takes('a', 10_000, 5)).toBe(3);
    buckets.retain(['b']);
    expect(takes('a', 10_000, 5)).toBe(3); // forgotten: a fresh, full bucket
  });
});

describe('the input log', () => {
  it('keeps at most its cap of inputs per player', () => {
    const log = createInputLog<string>(3);
    expect([1, 2, 3, 4].map((t) => log.put('p', t, 'i'))).toEqual(['added', 'added', 'added', 'full']);
    expect(log.put('p', 2, 'j')).toBe('known');
    expect(log.put('q', 4, 'i')).toBe('added');
    log.prune(3);
    expect(log.put('p', 4, 'i')).toBe('added');
  });

  it('cap must cover the tick window, or the tuning is refused', () => {
    expect(() => resolveTuning({ maxInputsPerPlayer: 100 })).toThrowError(RangeError);
    expect(() => resolveTuning({ peerPacketBurst: 0 })).toThrowError(RangeError);
    expect(resolveTuning({ maxInputLeadMs: 500, maxInputsPerPlayer: 400 }).maxInputsPerPlayer).toBe(400);
  });
});

describe('the input tick window', () => {
  it('takes inputs from inputHistoryTicks behind the host tick to maxInputLeadMs ahead, drops the rest', () => {
    const { clock, engine: host, stranger } = engineAndStranger('h', 'h');
    clock.advance(10_000);
    const tick = host.stats().tick;
    expect(tick).toBeGreaterThan(syncDefaults.inputHistoryTicks + 64);
    const send = (firstTick: number, count: number) => {
      stranger.send('h', [PacketTag.input, -1, -1, firstTick, count, still]);
      clock.advance(0);
    };
    send(tick + LEAD_TICKS - 9, 10); // the last one is the newest tick taken
    expect(host.inputAt('x', tick + LEAD_TICKS)).toEqual(still);
    expect(host.stats().dropped.tickWindow).toBe(0);
    send(tick + LEAD_TICKS - 4, 10); // 5 past the window
    expect(host.stats().dropped.tickWindow).toBe(5);
    expect(host.inputAt('x', tick + LEAD_TICKS + 1)).toBeUndefined();
    send(2 ** 32 - 64, 64);
    send(tick - syncDefaults.inputHistoryTicks - 64, 64); // all before the history
    expect(host.stats().dropped.tickWindow).toBe(5 + 128);
    expect(host.inputAt('x', 2 ** 32 - 1)).toBeUndefined();
    expect(host.stats().inputsReceived).toBe(10); // the second packet's first 5 were known
    host.close();
  });
});

describe('the packet budget', () => {
  it('takes peerPacketBurst packets at once from a peer, then peerPacketsPerS', () => {
    const { clock, engine: host, stranger } = engineAndStranger('h', 'h');
    clock.advance(1_000);
    let pongs = 0;
    stranger.on('message', ({ payload }) => {
      if (Array.isArray(payload) && payload[0] === PacketTag.pong) pongs++;
    });
    const flood = (n: number) => {
      for (let i = 0; i < n; i++) stranger.send('h', [PacketTag.ping, i, 5]);
      clock.advance(0);
    };
    flood(1_000);
    clock.advance(0);
    expect(pongs).toBe(syncDefaults.peerPacketBurst);
    expect(host.stats().dropped.budget).toBe(1_000 - syncDefaults.peerPacketBurst);
    clock.advance(250); // refills a quarter of a second's worth
    flood(1_000);
    clock.advance(0);
    expect(pongs).toBe(syncDefaults.peerPacketBurst + syncDefaults.peerPacketsPerS / 4);
    expect(host.status.kind).toBe('hosting');
    host.close();
  });
});

describe('the event rate', () => {
  it('passes peerEventBurst events of a flooding host to the game, then peerEventsPerS', () => {
    const { clock, engine: client, stranger: host } = engineAndStranger('c', 'x');
    let seen = 0;
    client.on('event', () => seen++);
    const flood = (n: number) => {
      for (let i = 0; i < n; i++) host.send('c', [PacketTag.event, 1, { type: 'scored', player: 'x', score: i }]);
      clock.advance(0);
    };
    flood(1_000);
    expect(seen).toBe(syncDefaults.peerEventBurst);
    const dropped = client.stats().dropped;
    expect(dropped.budget).toBe(1_000 - syncDefaults.peerPacketBurst);
    expect(dropped.eventRate).toBe(syncDefaults.peerPacketBurst - syncDefaults.peerEventBurst);
    clock.advance(500);
    flood(1_000);
    expect(seen).toBe(syncDefaults.peerEventBurst + syncDefaults.peerEventsPerS / 2);
    client.close();
  });
});

describe('a silent host', () => {
  it('shows in a client status after hostSilenceMs without a snapshot, and clears at the next one', () => {
    const clock = createSimClock(1_000);
    const network = createMemoryNetwork<unknown>({ timers: clock, latencyMs: 20 });
    const hostLink = conditionTransport(network.join('h'), {}, { timers: clock, random: createRandom(3) });
    const host = createSyncEngine({
      game: dotsGame,
      transport: hostLink,
      selfId: 'h',
      timers: clock,
      sampleInput: () => still,
    });
    const client = createSyncEngine({
      game: dotsGame,
      transport: network.join('c'),
      selfId: 'c',
      timers: clock,
      sampleInput: () => still,
    });
    const statuses: SyncStatus[] = [];
    client.on('status', (status) => statuses.push(status));
    host.start({ hostId: 'h', players: ['h', 'c'] });
    client.start({ hostId: 'h', players: ['h', 'c'] });
    clock.advance(2_000);
    expect(client.status).toEqual({ kind: 'playing', hostId: 'h', hostSilent: false });
    expect(client.stats().hostSilentMs).toBeLessThan(100);

    hostLink.setConditions('all', { loss: 1 }); // every snapshot lost from now on
    const silentAt = clock.now();
    expect(clock.runUntil(() => client.status.kind === 'playing' && client.status.hostSilent, 10_000)).toBe(true);
    const noticedAfter = clock.now() - silentAt;
    expect(noticedAfter).toBeGreaterThanOrEqual(syncDefaults.hostSilenceMs - 50);
    expect(noticedAfter).toBeLessThan(syncDefaults.hostSilenceMs + 100);
    clock.advance(2_000);
    expect(client.stats().hostSilentMs).toBeGreaterThan(syncDefaults.hostSilenceMs + 1_900);

    hostLink.setConditions('all', { loss: 0 });
    expect(clock.runUntil(() => client.status.kind === 'playing' && !client.status.hostSilent, 1_000)).toBe(true);
    expect(client.stats().hostSilentMs).toBeLessThan(100);
    expect(statuses).toEqual([
      { kind: 'joining', hostId: 'h' },
      { kind: 'playing', hostId: 'h', hostSilent: false },
      { kind: 'playing', hostId: 'h', hostSilent: true },
      { kind: 'playing', hostId: 'h', hostSilent: false },
    ]);
    host.close();
    client.close();
  });
});
