/**
 * Voice statistics of one link, read from its `RTCPeerConnection.getStats()`: the audio
 * `outbound-rtp` (what this side sends that peer) and `inbound-rtp` (what it hears from it)
 * entries (https://www.w3.org/TR/webrtc-stats/). Counters are cumulative since the link opened.
 * A game reads them with {@link voiceStats}, its own import: a voice game that does not ships none of this.
 */
import { addCounters, forEachRtp, type StatsSource, statsByPeer } from '../media/rtp-stats.js';
import type { Mesh } from '../transport/mesh.js';
import { type Logger, silentLogger } from '../util/logger.js';

export interface VoiceLinkStats {
  /** Audio RTP packets sent to the peer. */
  packetsSent: number;
  /** Opus payload bytes sent to the peer. */
  bytesSent: number;
  /** RTP header bytes (with extensions) sent with them; SRTP, UDP and IP add about 40 more per packet. */
  headerBytesSent: number;
  /** Audio RTP packets received from the peer. */
  packetsReceived: number;
  /** Audio RTP packets from the peer that never arrived. */
  packetsLost: number;
  /** Opus payload bytes received. */
  bytesReceived: number;
  /** Interarrival jitter of the peer's audio, ms; null before any packet. */
  jitterMs: number | null;
  /** Level of the peer's voice as last played out, 0..1; null before any packet. */
  audioLevel: number | null;
  /** Sum of squared levels times duration (seconds): rises while the peer's voice has sound. */
  totalAudioEnergy: number;
  /** Samples the jitter buffer made up (packet loss concealment) of all it played out. */
  concealedSamples: number;
  totalSamplesReceived: number;
  /** `concealedSamples / totalSamplesReceived`, 0..1. */
  concealmentRate: number;
}

export const emptyVoiceLinkStats: VoiceLinkStats = {
  packetsSent: 0,
  bytesSent: 0,
  headerBytesSent: 0,
  packetsReceived: 0,
  packetsLost: 0,
  bytesReceived: 0,
  jitterMs: null,
  audioLevel: null,
  totalAudioEnergy: 0,
  concealedSamples: 0,
  totalSamplesReceived: 0,
  concealmentRate: 0,
};

/** The counters summed from `outbound-rtp` entries, and from `inbound-rtp` ones. */
const SENT = ['packetsSent', 'bytesSent', 'headerBytesSent'] as const;
const RECEIVED = [
  'packetsReceived',
  'packetsLost',
  'bytesReceived',
  'totalAudioEnergy',
  'concealedSamples',
  'totalSamplesReceived',
] as const;

/** Sums a report's (or a list's) audio RTP entries (a link has one audio transceiver, but two after some collisions). */
export function readVoiceStats(report: StatsSource): VoiceLinkStats {
  const out: VoiceLinkStats = { ...emptyVoiceLinkStats };
  forEachRtp(report, 'audio', (entry, inbound) => {
    addCounters(out, entry, inbound ? RECEIVED : SENT);
    if (typeof entry.jitter === 'number') out.jitterMs = Math.max(out.jitterMs ?? 0, entry.jitter * 1000);
    if (typeof entry.audioLevel === 'number') out.audioLevel = Math.max(out.audioLevel ?? 0, entry.audioLevel);
  });
  out.concealmentRate = out.totalSamplesReceived > 0 ? out.concealedSamples / out.totalSamplesReceived : 0;
  return out;
}

/**
 * Voice stats of every current link of `mesh`, by peer id (a link whose `getStats()` fails is
 * left out and logged at debug).
 *
 * @example
 * const byPeer = await voiceStats(session.mesh);
 * netgraph.show(byPeer[peerId]?.jitterMs);
 */
export async function voiceStats(
  mesh: Pick<Mesh<unknown>, 'links' | 'peerConnection'>,
  logger: Logger = silentLogger,
): Promise<Record<string, VoiceLinkStats>> {
  return statsByPeer(mesh, readVoiceStats, logger, 'voice');
}
