/**
 * Arithmetic over what peers report: medians of open times, milestones of every
 * RTCPeerConnection relative to the moment the mesh was asked to form, traffic reports added up
 * (frames taken, received, lost; latency percentiles), and CPU use of the processes involved over a
 * window, read from /proc.
 */
import { cpuSeconds, machineBusySeconds } from '../lobby/proc-stats.ts';
import { mergeSorted, percentile } from '../lobby/stats.ts';
import { nowMs } from './packet.ts';
import { MILESTONES, type Milestone, type PcTrace } from './pc-trace.ts';
import type { TrafficReport } from './traffic.ts';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * Per milestone, when the median and the last RTCPeerConnection reached it, in ms after `t0`, over
 * the connections that reached it (@roamhq/wrtc often goes straight from `new` to `connected`
 * without reporting `checking`), and how many did.
 */
export type PhaseSummary = Record<Milestone, { p50Ms: number; lastMs: number; reached: number }>;

export function summarizeTraces(traces: readonly PcTrace[], t0: number): PhaseSummary {
  const summary = {} as PhaseSummary;
  for (const milestone of MILESTONES) {
    const reached = Float64Array.from(traces, (t) => t[milestone] - t0)
      .filter((v) => !Number.isNaN(v))
      .sort();
    summary[milestone] = {
      p50Ms: percentile(reached, 0.5),
      lastMs: reached.at(-1) ?? Number.NaN,
      reached: reached.length,
    };
  }
  return summary;
}

/** CPU use over a window, in % of one core. */
export interface CpuUse {
  /** The processes the peers run in (all their threads: JS and libwebrtc). */
  peersPctOfCore: number;
  lobbyPctOfCore: number;
  /** Everything else on the machine (other processes, hypervisor steal). */
  otherPctOfCore: number;
}

/** Starts a CPU window over `peerPids` (deduplicated) and `lobbyPid`; call the result to end it. */
export function cpuWindow(peerPids: readonly number[], lobbyPid: number | null): () => CpuUse {
  const pids = [...new Set(peerPids)];
  const peerCpu = () => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const lobbyCpu = () => (lobbyPid === null ? 0 : cpuSeconds(lobbyPid));
  const start = { at: nowMs(), peers: peerCpu(), lobby: lobbyCpu(), machine: machineBusySeconds() };
  return () => {
    const seconds = (nowMs() - start.at) / 1000;
    const peers = peerCpu() - start.peers;
    const lobby = lobbyCpu() - start.lobby;
    const other = machineBusySeconds() - start.machine - peers - lobby;
    return {
      peersPctOfCore: (100 * peers) / seconds,
      lobbyPctOfCore: (100 * lobby) / seconds,
      otherPctOfCore: Math.max(0, (100 * other) / seconds),
    };
  };
}

export interface TrafficSummary {
  peers: number;
  /** Broadcasts per second each sending peer was asked for (`max` for the flood). */
  rateHz: number | 'max';
  measureS: number;
  broadcasts: number;
  framesTaken: number;
  framesRefused: number;
  received: number;
  /** Frames taken by a link and never received. */
  lost: number;
  lossPct: number;
  /** Frames taken per second, and packets delivered per second, in the measured window. */
  takenPerS: number;
  deliveredPerS: number;
  /** One-way latency over every packet stamped in the window. */
  samples: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  /** How long one broadcast blocked its sender. */
  broadcastP50Ms: number;
  broadcastP99Ms: number;
  skippedTicks: number;
  /** Received messages that were not test packets. */
  unexpected: number;
  /** The worst peer's event-loop delay over the run: p99 and max (ms). */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** tickmesh only: frames the mesh dropped for backpressure. */
  backpressureDrops: number;
  cpu: CpuUse;
}

export function summarizeTraffic(
  reports: readonly TrafficReport[],
  options: { rateHz: number | 'max'; measureMs: number; cpu: CpuUse; backpressureDrops: number },
): TrafficSummary {
  const sum = (pick: (r: TrafficReport) => number) => reports.reduce((total, r) => total + pick(r), 0);
  const latencies = mergeSorted(reports.map((r) => r.latenciesMs));
  const broadcastMs = mergeSorted(reports.map((r) => r.broadcastMs));
  const framesTaken = sum((r) => r.framesTaken);
  const received = sum((r) => r.received);
  const measureS = options.measureMs / 1000;
  return {
    peers: reports.length,
    rateHz: options.rateHz,
    measureS,
    broadcasts: sum((r) => r.broadcasts),
    framesTaken,
    framesRefused: sum((r) => r.framesRefused),
    received,
    lost: framesTaken - received,
    lossPct: framesTaken > 0 ? (100 * (framesTaken - received)) / framesTaken : 0,
    takenPerS: sum((r) => r.takenInWindow) / measureS,
    deliveredPerS: sum((r) => r.receivedInWindow) / measureS,
    samples: latencies.length,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    p999Ms: percentile(latencies, 0.999),
    maxMs: latencies.at(-1) ?? Number.NaN,
    broadcastP50Ms: percentile(broadcastMs, 0.5),
    broadcastP99Ms: percentile(broadcastMs, 0.99),
    skippedTicks: sum((r) => r.skippedTicks),
    unexpected: sum((r) => r.unexpected),
    loopDelayP99Ms: Math.max(...reports.map((r) => r.loopDelayP99Ms)),
    loopDelayMaxMs: Math.max(...reports.map((r) => r.loopDelayMaxMs)),
    backpressureDrops: options.backpressureDrops,
    cpu: options.cpu,
  };
}

/** Why a traffic summary cannot be trusted (each prefixed with `label`); empty when sound. */
export function trafficProblems(label: string, summary: TrafficSummary): string[] {
  const problems: string[] = [];
  if (summary.lost < 0) problems.push(`${label}: ${-summary.lost} more packets received than links took`);
  if (summary.unexpected > 0) problems.push(`${label}: ${summary.unexpected} messages that were not test packets`);
  if (summary.samples === 0) problems.push(`${label}: no packet received in the measured window`);
  return problems;
}
