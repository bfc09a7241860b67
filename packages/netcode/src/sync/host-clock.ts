/**
 * A client's view of the host's clock: NTP-style pings on the unreliable channel, fast while the
 * estimate is young (clock/clock-estimator.ts does the filtering), and the lead it derives: how
 * far ahead of the host's timeline the client's tick should run so that its inputs reach the host
 * just before the tick that needs them,
 *
 *   lead = RTT/2 + 2 × jitter + inputBufferTicks × tick
 *
 * where RTT is the lowest recent round trip and jitter the median excess of the others over it
 * (`tuning.jitterStatistic`; a page's stall delays a pong or two, which would raise a mean for
 * the whole window), halved (one way). Until 8 samples show the jitter, it is taken as RTT/4: an
 * input that comes early costs a little latency, one that comes late is not stepped.
 *
 * Reference: Timothy Ford, "Overwatch Gameplay Architecture and Netcode" (GDC 2017): clients run
 * ahead of the server by half the RTT plus a buffer, adjusted continuously.
 */
import { type ClockEstimator, createClockEstimator } from './clock/clock-estimator.js';
import { jitterOf } from './render-clock.js';
import type { SyncTuning } from './tuning.js';

export interface HostClock {
  readonly estimate: ClockEstimator;
  /** Sends a ping when one is due. */
  maybePing(now: number): void;
  /** Takes the answer to one of our pings (others and duplicates are ignored). */
  onPong(id: number, sentAt: number, hostTime: number, now: number): void;
  /** Host timeline minus local clock, ms: the estimate, else the last one known; null before any. */
  offsetMs(): number | null;
  /** Assumes an offset until the next samples (a former host knows its own timeline). */
  assumeOffset(offsetMs: number): void;
  leadMs(): number;
  /**
   * Forgets the samples; a new host's timeline continues the old one's, so `keepOffset` keeps the
   * last offset until new samples come. A new session forgets it too.
   */
  reset(keepOffset: boolean): void;
}

export function createHostClock(
  tuning: Readonly<SyncTuning>,
  sendPing: (id: number, sentAt: number) => void,
): HostClock {
  const estimate = createClockEstimator();
  const tickMs = 1000 / tuning.tickRateHz;
  let excess: number[] = [];
  let pingId = 0;
  let lastPingAt = Number.NEGATIVE_INFINITY;
  const inFlight = new Map<number, number>();
  let lastOffset: number | null = null;

  return {
    estimate,
    maybePing(now) {
      const interval = estimate.samples < 10 ? tuning.pingFastIntervalMs : tuning.pingIntervalMs;
      if (now - lastPingAt < interval) return;
      lastPingAt = now;
      pingId = (pingId + 1) >>> 0;
      inFlight.set(pingId, now);
      if (inFlight.size > 16) inFlight.delete(inFlight.keys().next().value as number);
      sendPing(pingId, now);
    },
    onPong(id, sentAt, hostTime, now) {
      if (inFlight.get(id) !== sentAt) return;
      inFlight.delete(id);
      if (!estimate.addSample({ sentAt, hostReceivedAt: hostTime, hostSentAt: hostTime, receivedAt: now })) return;
      lastOffset = estimate.offsetMs;
      excess.push(now - sentAt - (estimate.rttMs ?? 0));
      if (excess.length > 32) excess = excess.slice(excess.length - 32);
    },
    offsetMs() {
      return lastOffset;
    },
    assumeOffset(offsetMs) {
      lastOffset = offsetMs;
    },
    leadMs() {
      const rtt = estimate.rttMs ?? 0;
      const jitter = excess.length < 8 ? rtt / 4 : jitterOf(excess, tuning.jitterStatistic) / 2;
      return rtt / 2 + 2 * jitter + tuning.inputBufferTicks * tickMs;
    },
    reset(keepOffset) {
      if (!keepOffset) lastOffset = null;
      estimate.reset();
      excess = [];
      inFlight.clear();
      lastPingAt = Number.NEGATIVE_INFINITY;
    },
  };
}
