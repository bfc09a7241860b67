// The file sender's delay-based window (packages/netcode/src/files/send-window.ts), as pure logic:
// its rules one by one, then a model link (one FIFO bottleneck shared with the game's packets, a
// fixed base round trip, a receiver acknowledging every 32 KiB) on which the window must keep
// the bottleneck busy while the game's packets wait about the target, where a fixed 1 MiB window
// makes them wait for everything queued.
import { describe, expect, it } from 'vitest';
import { createSendWindow, type SendWindowTuning } from '../../packages/netcode/src/files/send-window.ts';
import { fileTransferDefaults } from '../../packages/netcode/src/files/types.ts';

const KiB = 1024;
const tuning: SendWindowTuning = {
  chunkBytes: 16 * KiB,
  initialWindowBytes: 64 * KiB,
  minWindowBytes: 32 * KiB,
  windowBytes: 1024 * KiB,
  queueDelayTargetMs: 4,
};

/** Fills the window, then acknowledges it all in one step with this round trip; returns the new size. */
function roundTrip(window: ReturnType<typeof createSendWindow>, rttMs: number, at: number): number {
  let sent = 0;
  while (window.open()) {
    window.sent(tuning.chunkBytes);
    sent += tuning.chunkBytes;
  }
  for (let acked = 0; acked < sent; acked += 32 * KiB) window.acked(Math.min(32 * KiB, sent - acked), rttMs, at);
  return window.size;
}

describe('send window rules', () => {
  it('doubles per round trip while there is no queueing (slow start), up to its cap', () => {
    const window = createSendWindow(tuning);
    const sizes = [window.size];
    for (let i = 0; i < 6; i++) sizes.push(roundTrip(window, 2, i * 2));
    expect(sizes.slice(0, 4)).toEqual([64 * KiB, 128 * KiB, 256 * KiB, 512 * KiB]);
    expect(window.size).toBe(tuning.windowBytes);
  });

  it('shrinks to its floor while chunks wait well over the target, and grows again once they do not', () => {
    const window = createSendWindow(tuning);
    roundTrip(window, 2, 0); // base 2 ms
    roundTrip(window, 2, 2);
    const before = window.size;
    for (let i = 0; i < 20; i++) roundTrip(window, 2 + 40, 10 + i);
    expect(window.queueDelayMs).toBe(40);
    expect(window.size).toBeLessThan(before);
    expect(window.size).toBe(tuning.minWindowBytes);
    for (let i = 0; i < 20; i++) roundTrip(window, 2, 100 + i);
    expect(window.queueDelayMs).toBe(0);
    // Out of slow start it grows about a chunk per round trip: linear, not doubling.
    expect(window.size).toBeGreaterThan(tuning.minWindowBytes + 10 * tuning.chunkBytes);
    expect(window.size).toBeLessThan(tuning.minWindowBytes + 30 * tuning.chunkBytes);
  });

  it('does not grow while the sender leaves it unfilled (nothing to earn it)', () => {
    const window = createSendWindow(tuning);
    for (let i = 0; i < 10; i++) {
      window.sent(tuning.chunkBytes);
      window.acked(tuning.chunkBytes, 2, i);
    }
    expect(window.size).toBe(tuning.initialWindowBytes);
  });

  it('reads one late acknowledgment among prompt ones as no queueing (the current delay is a minimum of recent ones)', () => {
    const window = createSendWindow(tuning);
    for (let i = 0; i < 5; i++) window.acked(0, 2, i);
    window.acked(0, 50, 6);
    expect(window.queueDelayMs).toBe(0);
  });

  it('learns a base delay that rose for good within its history (a minute or so)', () => {
    const window = createSendWindow(tuning);
    window.acked(0, 2, 0);
    for (let at = 1_000; at < 120_000; at += 1_000) window.acked(0, 30, at);
    expect(window.queueDelayMs).toBe(0);
  });

  it('counts bytes in flight, frees them on release, and wakes waiters on acknowledgment and release', async () => {
    const window = createSendWindow(tuning);
    while (window.open()) window.sent(tuning.chunkBytes);
    expect(window.inFlight).toBe(tuning.initialWindowBytes);
    const woken = window.changed();
    window.released(16 * KiB);
    await woken;
    expect(window.open()).toBe(true);
    const again = window.changed();
    window.acked(16 * KiB, null, 0);
    await again;
    expect(window.inFlight).toBe(tuning.initialWindowBytes - 32 * KiB);
  });

  it('takes its defaults from the file-transfer tuning', () => {
    const window = createSendWindow(fileTransferDefaults);
    expect(window.size).toBe(fileTransferDefaults.initialWindowBytes);
  });
});

/**
 * A model link: chunks and game packets share one FIFO bottleneck serving `bytesPerMs`; a packet's
 * one-way trip is its wait there plus its service plus half the base round trip; acknowledgments
 * come back in the other half, every `ackEvery` bytes. The sender refills whenever the window is open.
 */
function modelLink(options: { window: ReturnType<typeof createSendWindow>; bytesPerMs: number; baseRttMs: number }) {
  const { window, bytesPerMs, baseRttMs } = options;
  const stepMs = 0.05;
  const ackEvery = 32 * KiB;
  let queueBytes = 0;
  let delivered = 0;
  let unacked = 0;
  let ackedBytes = 0;
  const inQueue: { bytes: number; sentAt: number }[] = [];
  const acks: { at: number; bytes: number; sentAt: number }[] = [];
  const gameDelays: number[] = [];
  let nextGameAt = 0;
  const gamePackets: { sentAt: number; ahead: number }[] = [];
  for (let t = 0; t < 3_000; t += stepMs) {
    while (window.open()) {
      window.sent(tuning.chunkBytes);
      inQueue.push({ bytes: tuning.chunkBytes, sentAt: t });
      queueBytes += tuning.chunkBytes;
    }
    if (t >= nextGameAt) {
      nextGameAt += 1000 / 60;
      gamePackets.push({ sentAt: t, ahead: queueBytes });
    }
    let budget = bytesPerMs * stepMs;
    for (const packet of gamePackets) packet.ahead -= budget;
    while (gamePackets.length > 0 && (gamePackets[0]?.ahead ?? 1) <= 0) {
      gameDelays.push(t - (gamePackets.shift()?.sentAt ?? t) + baseRttMs / 2);
    }
    while (budget > 0 && inQueue.length > 0) {
      const head = inQueue[0];
      if (!head) break;
      const take = Math.min(budget, head.bytes);
      head.bytes -= take;
      budget -= take;
      queueBytes -= take;
      if (head.bytes === 0) {
        inQueue.shift();
        delivered += tuning.chunkBytes;
        unacked += tuning.chunkBytes;
        if (unacked >= ackEvery) {
          acks.push({ at: t + baseRttMs, bytes: unacked, sentAt: head.sentAt });
          unacked = 0;
        }
      }
    }
    while (acks.length > 0 && (acks[0]?.at ?? Number.POSITIVE_INFINITY) <= t) {
      const ack = acks.shift();
      if (!ack) break;
      ackedBytes += ack.bytes;
      window.acked(ack.bytes, t - ack.sentAt, t);
    }
  }
  const late = gameDelays.slice(Math.floor(gameDelays.length / 3)).sort((a, b) => a - b);
  return {
    throughputShare: delivered / (bytesPerMs * 3_000),
    gameP99Ms: late[Math.ceil(late.length * 0.99) - 1] ?? Number.NaN,
    ackedBytes,
  };
}

describe('send window on a model link', () => {
  it('keeps a 16 MB/s bottleneck busy while game packets wait about the target, where a fixed 1 MiB window queues them for its whole size', () => {
    const bytesPerMs = 16_000; // 16 MB/s, loopback between two pages on this machine
    const paced = modelLink({ window: createSendWindow(tuning), bytesPerMs, baseRttMs: 2 });
    const fixed = modelLink({
      window: createSendWindow({ ...tuning, initialWindowBytes: 1024 * KiB, minWindowBytes: 1024 * KiB }),
      bytesPerMs,
      baseRttMs: 2,
    });
    expect(paced.throughputShare).toBeGreaterThan(0.95);
    expect(fixed.throughputShare).toBeGreaterThan(0.95);
    expect(paced.gameP99Ms).toBeLessThan(1 + tuning.queueDelayTargetMs * 2.5);
    expect(fixed.gameP99Ms).toBeGreaterThan(50);
  });

  it('on a slow, long path (1 MB/s, 40 ms round trip) still uses most of it with the game far less delayed than behind a fixed window', () => {
    // A 16 KiB chunk takes 16 ms to pass this bottleneck and acknowledgments come every 32 ms of
    // it: the queue cannot be held at 4 ms, only at a few chunks.
    const paced = modelLink({ window: createSendWindow(tuning), bytesPerMs: 1_000, baseRttMs: 40 });
    const fixed = modelLink({
      window: createSendWindow({ ...tuning, initialWindowBytes: 1024 * KiB, minWindowBytes: 1024 * KiB }),
      bytesPerMs: 1_000,
      baseRttMs: 40,
    });
    expect(paced.throughputShare).toBeGreaterThan(0.75);
    expect(paced.gameP99Ms).toBeLessThan(20 + 4 * 16);
    expect(fixed.gameP99Ms).toBeGreaterThan(10 * paced.gameP99Ms);
  });
});
