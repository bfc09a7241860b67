/**
 * Camera statistics of one link, read from its `RTCPeerConnection.getStats()`: the video
 * `outbound-rtp` (what this side sends that peer) and `inbound-rtp` (what it receives from it)
 * entries (https://www.w3.org/TR/webrtc-stats/). Counters are cumulative since the link opened;
 * sizes and rates are the latest.
 */
import { addCounters, forEachRtp, type StatsSource } from '../media/rtp-stats.js';

export interface VideoLinkStats {
  /** Video RTP packets sent to the peer. */
  packetsSent: number;
  /** Encoded video payload bytes sent to the peer. */
  bytesSent: number;
  /** RTP header bytes sent with them. */
  headerBytesSent: number;
  framesEncoded: number;
  framesSent: number;
  /** Size of the frames sent now, px; 0 before any. */
  sentWidth: number;
  sentHeight: number;
  /** Frames sent per second now; 0 before any. */
  sentFramesPerSecond: number;
  /** Video RTP packets received from the peer. */
  packetsReceived: number;
  packetsLost: number;
  bytesReceived: number;
  /** RTP header bytes received with them. */
  headerBytesReceived: number;
  framesReceived: number;
  /** Frames decoded from the peer's camera: it rises while the peer's video plays. */
  framesDecoded: number;
  framesDropped: number;
  /** Size of the peer's frames now, px; 0 before any. */
  frameWidth: number;
  frameHeight: number;
  /** The peer's frames decoded per second now; 0 before any. */
  framesPerSecond: number;
}

export const emptyVideoLinkStats: VideoLinkStats = {
  packetsSent: 0,
  bytesSent: 0,
  headerBytesSent: 0,
  framesEncoded: 0,
  framesSent: 0,
  sentWidth: 0,
  sentHeight: 0,
  sentFramesPerSecond: 0,
  packetsReceived: 0,
  packetsLost: 0,
  bytesReceived: 0,
  headerBytesReceived: 0,
  framesReceived: 0,
  framesDecoded: 0,
  framesDropped: 0,
  frameWidth: 0,
  frameHeight: 0,
  framesPerSecond: 0,
};

const SENT = ['packetsSent', 'bytesSent', 'headerBytesSent', 'framesEncoded', 'framesSent'] as const;
const RECEIVED = [
  'packetsReceived',
  'packetsLost',
  'bytesReceived',
  'headerBytesReceived',
  'framesReceived',
  'framesDecoded',
  'framesDropped',
] as const;

const latest = (value: unknown, previous: number): number =>
  typeof value === 'number' && Number.isFinite(value) ? Math.max(previous, value) : previous;

/** Sums a report's (or a list's) video RTP entries. */
export function readVideoStats(report: StatsSource): VideoLinkStats {
  const out: VideoLinkStats = { ...emptyVideoLinkStats };
  forEachRtp(report, 'video', (entry, inbound) => {
    if (inbound) {
      addCounters(out, entry, RECEIVED);
      out.frameWidth = latest(entry.frameWidth, out.frameWidth);
      out.frameHeight = latest(entry.frameHeight, out.frameHeight);
      out.framesPerSecond = latest(entry.framesPerSecond, out.framesPerSecond);
    } else {
      addCounters(out, entry, SENT);
      out.sentWidth = latest(entry.frameWidth, out.sentWidth);
      out.sentHeight = latest(entry.frameHeight, out.sentHeight);
      out.sentFramesPerSecond = latest(entry.framesPerSecond, out.sentFramesPerSecond);
    }
  });
  return out;
}
