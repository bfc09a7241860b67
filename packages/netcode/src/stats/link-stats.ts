/**
 * Per-link statistics, sampled from `RTCPeerConnection.getStats()` (the selected candidate pair
 * and its candidates) plus the transport's own counters (frames, loss from sequence gaps).
 */
import { type FrameDrops, noFrameDrops } from '../transport/transport.js';

export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay' | 'unknown';

export interface LinkStats {
  /** Round trip time of the selected candidate pair (STUN consent checks), ms; null until measured. */
  rttMs: number | null;
  /** Bytes per second over the selected pair, both directions, everything included (DTLS, SCTP, audio). */
  bytesInPerS: number;
  bytesOutPerS: number;
  /** Transport frames (our packets) per second on both data channels. */
  packetsInPerS: number;
  packetsOutPerS: number;
  /** Unreliable frames lost since the link opened, from gaps in their sequence numbers. */
  packetsLost: number;
  /** Fraction of unreliable frames lost over the last sample, 0..1. */
  lossRate: number;
  /** Candidate types of the selected pair; `relay` means TURN carries the traffic. */
  localCandidateType: CandidateType;
  remoteCandidateType: CandidateType;
  /** TURN transport when relayed (`udp`, `tcp`, `tls`). */
  relayProtocol: string | null;
  /** Frames from this peer dropped undecoded since the link opened, by reason (`oversize`, `extension`, `depth`, ...). */
  dropped: Readonly<FrameDrops>;
}

export const emptyLinkStats: LinkStats = {
  rttMs: null,
  bytesInPerS: 0,
  bytesOutPerS: 0,
  packetsInPerS: 0,
  packetsOutPerS: 0,
  packetsLost: 0,
  lossRate: 0,
  localCandidateType: 'unknown',
  remoteCandidateType: 'unknown',
  relayProtocol: null,
  dropped: noFrameDrops(),
};

interface PairSample {
  bytesSent: number;
  bytesReceived: number;
  rttMs: number | null;
  localCandidateType: CandidateType;
  remoteCandidateType: CandidateType;
  relayProtocol: string | null;
}

type StatsEntry = Record<string, unknown> & { type: string; id: string };

function candidateType(value: unknown): CandidateType {
  return value === 'host' || value === 'srflx' || value === 'prflx' || value === 'relay' ? value : 'unknown';
}

/** Reads the selected candidate pair out of a stats report; null before ICE has selected one. */
export function readSelectedPair(report: RTCStatsReport): PairSample | null {
  const byId = new Map<string, StatsEntry>();
  report.forEach((entry: StatsEntry) => {
    byId.set(entry.id, entry);
  });
  let pair: StatsEntry | undefined;
  for (const entry of byId.values()) {
    if (entry.type === 'transport' && typeof entry.selectedCandidatePairId === 'string') {
      pair = byId.get(entry.selectedCandidatePairId);
      if (pair) break;
    }
  }
  // Some stacks omit the transport's pointer: fall back to the nominated, succeeded pair.
  if (!pair) {
    for (const entry of byId.values()) {
      if (entry.type === 'candidate-pair' && entry.nominated === true && entry.state === 'succeeded') pair = entry;
    }
  }
  if (!pair) return null;
  const local = typeof pair.localCandidateId === 'string' ? byId.get(pair.localCandidateId) : undefined;
  const remote = typeof pair.remoteCandidateId === 'string' ? byId.get(pair.remoteCandidateId) : undefined;
  const rtt = typeof pair.currentRoundTripTime === 'number' ? pair.currentRoundTripTime * 1000 : null;
  return {
    bytesSent: typeof pair.bytesSent === 'number' ? pair.bytesSent : 0,
    bytesReceived: typeof pair.bytesReceived === 'number' ? pair.bytesReceived : 0,
    rttMs: rtt,
    localCandidateType: candidateType(local?.candidateType),
    remoteCandidateType: candidateType(remote?.candidateType),
    relayProtocol: typeof local?.relayProtocol === 'string' ? local.relayProtocol : null,
  };
}

/** Counts unreliable frames received and lost from their sequence numbers (wrap-safe, reorder-tolerant). */
export class LossCounter {
  private first = -1;
  private highest = -1;
  private received = 0;
  private windowExpected = 0;
  private windowReceived = 0;

  /** Records one frame's sequence number (uint32). */
  record(seq: number): void {
    this.received++;
    if (this.first < 0) {
      this.first = seq;
      this.highest = seq;
      return;
    }
    const ahead = (seq - this.highest) >>> 0;
    if (ahead !== 0 && ahead < 0x80000000) this.highest = seq;
  }

  /** Frames from the first seen through the highest seen. */
  get expected(): number {
    return this.first < 0 ? 0 : ((this.highest - this.first) >>> 0) + 1;
  }

  /** Expected minus received (a late frame counts as received; duplicates can only lower it). */
  get lost(): number {
    return Math.max(0, this.expected - this.received);
  }

  /** Fraction of frames lost since the previous call, 0..1. */
  takeWindowLossRate(): number {
    const expected = this.expected - this.windowExpected;
    const received = this.received - this.windowReceived;
    this.windowExpected = this.expected;
    this.windowReceived = this.received;
    return expected > 0 ? Math.min(1, Math.max(0, 1 - received / expected)) : 0;
  }
}
