/**
 * The media RTP entries of a link's `RTCPeerConnection.getStats()` report
 * (https://www.w3.org/TR/webrtc-stats/): `outbound-rtp` (what this side sends the peer) and
 * `inbound-rtp` (what it receives from it), of one kind. Voice (voice/voice-stats.ts) and the
 * camera (camera/video-stats.ts) read their counters through this.
 */
import type { Mesh } from '../transport/mesh.js';
import type { Logger } from '../util/logger.js';

export type StatsEntry = Record<string, unknown> & { type: string };

/** A report, or a list of its entries (tests). */
export type StatsSource = RTCStatsReport | readonly StatsEntry[];

/** A finite number, else 0. */
export const statNumber = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** Calls `visit` with each `inbound-rtp` / `outbound-rtp` entry of `kind` (a link may have two after some collisions). */
export function forEachRtp(
  report: StatsSource,
  kind: 'audio' | 'video',
  visit: (entry: StatsEntry, inbound: boolean) => void,
): void {
  // Both hand each entry first: a report's forEach (value, key), an array's (value, index).
  report.forEach((entry: StatsEntry) => {
    if (entry.kind !== kind && entry.mediaType !== kind) return;
    const inbound = entry.type === 'inbound-rtp';
    if (!inbound && entry.type !== 'outbound-rtp') return;
    visit(entry, inbound);
  });
}

/** Adds `entry[key]` to `out[key]` for each key. */
export function addCounters<K extends string>(out: Record<K, number>, entry: StatsEntry, keys: readonly K[]): void {
  for (const key of keys) out[key] += statNumber(entry[key]);
}

/**
 * `read` of every current link's `getStats()` report, by peer id; a link whose report fails is
 * left out (logged at debug as `<what>: getStats failed`).
 */
export async function statsByPeer<T>(
  mesh: Pick<Mesh<unknown>, 'links' | 'peerConnection'>,
  read: (report: RTCStatsReport) => T,
  logger: Logger,
  what: string,
): Promise<Record<string, T>> {
  const out: Record<string, T> = {};
  await Promise.all(
    [...mesh.links.keys()].map(async (peerId) => {
      const pc = mesh.peerConnection(peerId);
      if (!pc) return;
      try {
        out[peerId] = read(await pc.getStats());
      } catch (error) {
        logger.debug(`${what}: getStats failed`, { peer: peerId, error: String(error) });
      }
    }),
  );
  return out;
}
