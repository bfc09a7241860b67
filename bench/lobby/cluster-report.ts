/**
 * The cluster scenario's results, its targets' verdicts and its table. Ratios are cluster / lone
 * node. The cluster's server CPU is every lobby node's added up; Redis's is shown apart and in a
 * total, and the CPU target is on the lobby nodes (what the cluster code spends; Redis's share
 * is the price of the store it chose).
 */

import { latencyRows, machineRows, stallRow } from './report.ts';
import type { LatencyResult, ThroughputResult } from './scenarios.ts';
import { count, fixed, renderRows } from './table.ts';
import { checkTarget, type TargetResult, verdict } from './targets.ts';

export interface SideResult {
  throughput: ThroughputResult;
  latency: LatencyResult;
}

/** Redis's CPU while the cluster relayed (its median over the windows). */
export interface RedisCost {
  /** Under the closed loop, per delivered message (µs). */
  cpuUsPerMsg: number;
  /** Under the closed loop (% of a core). */
  cpuPctOfCore: number;
  /** At the paced latency rate (% of a core). */
  latencyCpuPctOfCore: number;
}

/** The nodes' own count of the cluster's signals over the whole load (warm-ups and drains too). */
export interface CrossNodeView {
  /** Signals the cluster's clients received. */
  delivered: number;
  /** Signals a node published for a peer connected to another node. */
  published: number;
  /** Of the delivered, those that came from another node (all of them, by the scenario's design). */
  deliveredFromOtherNodes: number;
  /** Published signals no node delivered. */
  undelivered: number;
  /** Rooms a node took over from another, and leases a node found it had lost (0 with no node dead). */
  takeovers: number;
  leasesLost: number;
  /** Calls to Redis that failed (timed out, connection closed). */
  storeErrors: number;
  /** Room leases each node held after the load. */
  leasesPerNode: number[];
}

export interface FailoverRun {
  victim: string;
  memberNode: string;
  /** From the kill to the first answer; null when none came within the timeout. */
  ms: number | null;
  /** Chats the member sent after the kill. */
  probes: number;
  /** Of them, those refused, by error code. */
  refused: Record<string, number>;
  /** How the member's own connection closed meanwhile (null: still open). */
  memberClosedWith: number | null;
  /** Rooms the surviving nodes took over meanwhile. */
  takeovers: number;
}

export interface FailoverResult {
  leaseMs: number;
  probeEveryMs: number;
  runs: FailoverRun[];
  /** Over every run, a run without an answer counting as infinitely long. */
  medianMs: number;
  maxMs: number;
  notAnswered: number;
}

export interface ClusterResult {
  nodes: number;
  rooms: number;
  roomSize: number;
  clients: number;
  single: SideResult;
  cluster: SideResult & { redis: RedisCost };
  crossNode: CrossNodeView;
  failover: FailoverResult;
}

/** The goals of issue 12, as data. */
export const CLUSTER_TARGETS = {
  cpuPerMessageRatio: { max: 2, label: '<= 2x' },
  p99LatencyMs: { below: 10, label: '< 10 ms (cluster)' },
  failoverMaxMs: { below: 3_000, label: '< 3 s (max)' },
} as const;

export function evaluateClusterTargets(result: ClusterResult): Record<keyof typeof CLUSTER_TARGETS, TargetResult> {
  const { single, cluster, failover } = result;
  return {
    cpuPerMessageRatio: checkTarget(
      'server CPU per message, cluster lobby nodes / lone node',
      CLUSTER_TARGETS.cpuPerMessageRatio,
      cluster.throughput.serverCpuUsPerMsg / single.throughput.serverCpuUsPerMsg,
    ),
    p99LatencyMs: checkTarget('cluster p99 latency (ms)', CLUSTER_TARGETS.p99LatencyMs, cluster.latency.p99Ms),
    failoverMaxMs: checkTarget('longest failover (ms)', CLUSTER_TARGETS.failoverMaxMs, failover.maxMs),
  };
}

/** `error` messages received and signals never delivered, over both phases of a side. */
function failures(side: SideResult): string {
  let errors = 0;
  let lost = 0;
  for (const totals of [side.throughput.totals, side.latency.totals]) {
    for (const n of Object.values(totals.errors)) errors += n;
    lost += totals.inFlight;
  }
  return `${errors} / ${lost}`;
}

const ms = (value: number) => (Number.isFinite(value) ? `${(value / 1000).toFixed(2)} s` : 'never');

/** The human table. */
export function renderClusterTable(result: ClusterResult, ratePerS: number): string {
  const { single, cluster, failover, crossNode } = result;
  const targets = evaluateClusterTargets(result);
  const rate = `@${ratePerS / 1000}k msg/s`;
  const ratio = (a: number, b: number) => `${fixed(a / b, 2)}x`;
  const totalUs = cluster.throughput.serverCpuUsPerMsg + cluster.redis.cpuUsPerMsg;
  const clusterName = `${result.nodes} nodes + Redis`;
  const rows: string[][] = [
    ['', 'lone node', clusterName, 'ratio', 'target'],
    [
      'delivered msg/s (closed loop)',
      count(single.throughput.deliveredPerS),
      count(cluster.throughput.deliveredPerS),
      ratio(cluster.throughput.deliveredPerS, single.throughput.deliveredPerS),
      '',
    ],
    [
      'lobby CPU µs / msg (all nodes)',
      fixed(single.throughput.serverCpuUsPerMsg, 2),
      fixed(cluster.throughput.serverCpuUsPerMsg, 2),
      `${fixed(targets.cpuPerMessageRatio.value, 2)}x`,
      verdict(targets.cpuPerMessageRatio),
    ],
    ['Redis CPU µs / msg', '-', fixed(cluster.redis.cpuUsPerMsg, 2), '', ''],
    [
      'total CPU µs / msg, Redis included',
      fixed(single.throughput.serverCpuUsPerMsg, 2),
      fixed(totalUs, 2),
      ratio(totalUs, single.throughput.serverCpuUsPerMsg),
      '',
    ],
    [
      'lobby / Redis CPU (% of a core)',
      fixed(single.throughput.serverCpuPctOfCore, 0),
      `${fixed(cluster.throughput.serverCpuPctOfCore, 0)} / ${fixed(cluster.redis.cpuPctOfCore, 0)}`,
      '',
      '',
    ],
    ...machineRows('lobby', single, cluster),
    ...latencyRows(rate, single, cluster, verdict(targets.p99LatencyMs)),
    [
      `lobby / Redis CPU ${rate} (% of a core)`,
      fixed(single.latency.serverCpuPctOfCore, 0),
      `${fixed(cluster.latency.serverCpuPctOfCore, 0)} / ${fixed(cluster.redis.latencyCpuPctOfCore, 0)}`,
      '',
      '',
    ],
    stallRow(single, cluster),
    [
      'signals from another node',
      '0%',
      `${fixed((100 * crossNode.deliveredFromOtherNodes) / crossNode.delivered, 1)}%`,
      '',
      '',
    ],
    ['error msgs / lost signals', failures(single), failures(cluster), '', ''],
    [
      'rooms taken over / leases lost / Redis errors under load',
      '-',
      `${crossNode.takeovers} / ${crossNode.leasesLost} / ${crossNode.storeErrors}`,
      '',
      '',
    ],
    [
      `failover, kill -9 of a room's owner: median / max (n=${failover.runs.length})`,
      '-',
      `${ms(failover.medianMs)} / ${ms(failover.maxMs)}`,
      '',
      verdict(targets.failoverMaxMs),
    ],
  ];
  const each = failover.runs.map((run) => (run.ms === null ? 'never' : (run.ms / 1000).toFixed(2))).join(', ');
  const refused = failover.runs.reduce((n, run) => n + Object.values(run.refused).reduce((a, b) => a + b, 0), 0);
  const probes = failover.runs.reduce((n, run) => n + run.probes, 0);
  return [
    renderRows(rows),
    '',
    `${result.clients} clients in ${result.rooms} rooms of ${result.roomSize}; on the cluster each member of a room ` +
      `is on another node (room leases per node after the load: ${crossNode.leasesPerNode.join(' / ')}).`,
    `failovers (s, lease ${failover.leaseMs} ms, a chat every ${failover.probeEveryMs} ms): ${each}; ` +
      `${refused} of ${probes} chats refused meanwhile.`,
  ].join('\n');
}
