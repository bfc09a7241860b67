/**
 * What the report viewer plots, read out of a stats dump (docs/stats-dump.md): for the page that
 * saved it, the sync layer's interpolation delay and corrections; for each peer it was linked to,
 * RTT, loss, bitrates in and out, jitter of the RTP it received, and the candidate types of the
 * selected pair as a step series (a switch to TURN shows as a step to `relay`). Pure: the viewer
 * hands each plot to uPlot, the tests read it directly.
 */
import type { StatsDump, StatsObject, StatValue } from '@tickmesh/netcode/stats-dump';

export interface PlotSeries {
  label: string;
  values: (number | null)[];
  /** Drawn as steps (a state, not a measure). */
  stepped?: boolean;
}

export interface Plot {
  /** `rtt`, `loss`, `bitrate`, `jitter`, `candidates`, `interpolation`, `corrections`. */
  figure: string;
  title: string;
  unit: string;
  /** Sample times, seconds since the epoch (uPlot's time scale). */
  times: number[];
  series: PlotSeries[];
  /** Names of the values of a stepped scale (the candidate types). */
  levels?: readonly string[];
}

export interface PlotSection {
  /** The peer the plots are about; `self` for the page that saved the dump. */
  peerId: string;
  title: string;
  plots: Plot[];
}

/** Levels of the candidate-type plot, bottom to top. */
export const CANDIDATE_LEVELS = ['unknown', 'host', 'srflx', 'prflx', 'relay'] as const;

const num = (v: StatValue | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function column(object: StatsObject | null | undefined, field: string): StatValue[] {
  return object?.series[field]?.values ?? [];
}

function timesOf(object: StatsObject | null | undefined): number[] {
  return column(object, 'timestamp').map((t) => (num(t) ?? 0) / 1000);
}

/** One field mapped sample by sample. */
function mapped(object: StatsObject, field: string, f: (v: number) => number): (number | null)[] {
  return column(object, field).map((v) => {
    const n = num(v);
    return n === null ? null : f(n);
  });
}

function level(v: StatValue | undefined): number | null {
  const i = CANDIDATE_LEVELS.indexOf(v as (typeof CANDIDATE_LEVELS)[number]);
  return i < 0 ? null : i;
}

/** Jitter of every inbound RTP stream the peer's connections received, on one time axis, ms. */
function jitterPlot(peer: StatsDump['peers'][string]): Plot {
  const streams = peer.connections.flatMap((c) =>
    Object.values(c.stats).filter((o) => o.type === 'inbound-rtp' && o.series.jitter !== undefined),
  );
  const points = new Map<number, (number | null)[]>();
  streams.forEach((stream, i) => {
    const times = timesOf(stream);
    column(stream, 'jitter').forEach((v, k) => {
      const t = times[k];
      const n = num(v);
      if (t === undefined || n === null) return;
      const row = points.get(t) ?? new Array<number | null>(streams.length).fill(null);
      row[i] = n * 1000;
      points.set(t, row);
    });
  });
  const times = [...points.keys()].sort((a, b) => a - b);
  return {
    figure: 'jitter',
    title: streams.length === 0 ? 'jitter (no RTP received)' : 'jitter of received RTP',
    unit: 'ms',
    times,
    series: streams.map((s, i) => ({
      label: String(column(s, 'kind')[0] ?? `stream ${i + 1}`),
      values: times.map((t) => points.get(t)?.[i] ?? null),
    })),
  };
}

function peerPlots(peer: StatsDump['peers'][string]): Plot[] {
  const link = peer.link;
  const times = timesOf(link);
  return [
    {
      figure: 'rtt',
      title: 'round trip',
      unit: 'ms',
      times,
      series: [{ label: 'rtt', values: mapped(link, 'rttMs', (v) => v) }],
    },
    {
      figure: 'loss',
      title: 'loss (unreliable channel)',
      unit: '%',
      times,
      series: [{ label: 'lost', values: mapped(link, 'lossRate', (v) => v * 100) }],
    },
    {
      figure: 'bitrate',
      title: 'bitrate (selected pair)',
      unit: 'kbit/s',
      times,
      series: [
        { label: 'in', values: mapped(link, 'bytesInPerS', (v) => (v * 8) / 1000) },
        { label: 'out', values: mapped(link, 'bytesOutPerS', (v) => (v * 8) / 1000) },
      ],
    },
    jitterPlot(peer),
    {
      figure: 'candidates',
      title: 'candidate types (selected pair)',
      unit: '',
      times,
      levels: CANDIDATE_LEVELS,
      series: [
        { label: 'local', values: column(link, 'localCandidateType').map(level), stepped: true },
        { label: 'remote', values: column(link, 'remoteCandidateType').map(level), stepped: true },
      ],
    },
  ];
}

function syncPlots(sync: StatsObject | null): Plot[] {
  const times = timesOf(sync);
  const series = (label: string, field: string) => ({
    label,
    values: sync ? mapped(sync, field, (v) => v) : [],
  });
  return [
    {
      figure: 'interpolation',
      title: 'interpolation delay',
      unit: 'ms',
      times,
      series: [series('delay', 'interpDelayMs'), series('snapshot jitter', 'snapshotJitterMs')],
    },
    {
      figure: 'corrections',
      title: 'prediction corrections',
      unit: '/s',
      times,
      series: [series('per second', 'correctionsPerSec')],
    },
  ];
}

/** Every section the viewer draws for one dump: the saving page's own, then one per peer. */
export function sectionsOf(dump: StatsDump): PlotSection[] {
  const selfName = dump.self.name ?? dump.self.peerId ?? 'this page';
  return [
    { peerId: 'self', title: `${selfName}: sync`, plots: syncPlots(dump.sync) },
    ...Object.entries(dump.peers).map(([peerId, peer]) => ({
      peerId,
      title: `${selfName} → ${peer.name ?? peerId}`,
      plots: peerPlots(peer),
    })),
  ];
}
