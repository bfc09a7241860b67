/**
 * The check on what a peer's camera sends us: each link asks its peer to keep its video under a
 * cap (`b=AS`/`b=TIAS` in our SDP, transport/video-sdp.ts); this measures what really comes in,
 * from the video receiver's cumulative `bytesReceived` + `headerBytesReceived` sampled over time,
 * and counts every sample over the cap by more than `slack` (a keyframe may overshoot one sample),
 * so a peer that ignores the cap shows in a metric instead of only in a player's lag.
 */

export interface InboundCapCounters {
  /** Samples in which a peer's video came in over the cap by more than the slack. */
  overCap: number;
  /** The highest inbound video rate of any peer over one sample, bit/s. */
  maxBps: number;
}

export interface InboundCap {
  /** A peer's cumulative received bytes at `nowMs`: the rate since its last sample, bit/s (null for its first). */
  sample(peerId: string, bytes: number, nowMs: number): number | null;
  /** Forgets a peer (its link went; a new one restarts its counters). */
  forget(peerId: string): void;
  readonly counters: Readonly<InboundCapCounters>;
}

/**
 * @example
 * const cap = createInboundCap(150_000, 0.5);
 * cap.sample('bob', 0, 0);
 * cap.sample('bob', 25_000, 500); // 400 000 bit/s: over 150 000 × 1.5, counted
 */
export function createInboundCap(capBps: number, slack: number): InboundCap {
  const last = new Map<string, { bytes: number; atMs: number }>();
  const counters: InboundCapCounters = { overCap: 0, maxBps: 0 };
  return {
    sample(peerId, bytes, nowMs) {
      const before = last.get(peerId);
      last.set(peerId, { bytes, atMs: nowMs });
      // A counter that went back is a new receiver: start again from it.
      if (!before || nowMs <= before.atMs || bytes < before.bytes) return null;
      const bps = ((bytes - before.bytes) * 8 * 1000) / (nowMs - before.atMs);
      counters.maxBps = Math.max(counters.maxBps, bps);
      if (bps > capBps * (1 + slack)) counters.overCap++;
      return bps;
    },
    forget: (peerId) => void last.delete(peerId),
    counters,
  };
}
