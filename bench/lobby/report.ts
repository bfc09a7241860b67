/**
 * Turns both servers' results into the targets verdict and the human table (or one JSON object).
 * Ratios are tickmesh / ws relay. Targets come from the lobby's performance goals.
 */
import type { IdleResult, LatencyResult, ThroughputResult } from './scenarios.ts';
import { count, fixed, renderRows } from './table.ts';
import { checkTarget, type TargetResult, verdict } from './targets.ts';

export interface ServerResult {
  throughput: ThroughputResult;
  latency: LatencyResult;
  idle: IdleResult;
}

/** The goals, as `as const` data: what is compared, against what. */
export const TARGETS = {
  throughputRatio: { min: 1.3, label: '>= 1.3x' },
  cpuPerMessageRatio: { max: 0.75, label: '<= 0.75x' },
  p99LatencyMs: { below: 5, label: '< 5 ms (ours)' },
  idleKiBPerConnection: { below: 4, label: '< 4 KB (ours)' },
} as const;

export function evaluateTargets(ours: ServerResult, ws: ServerResult): Record<keyof typeof TARGETS, TargetResult> {
  const throughputRatio = ours.throughput.deliveredPerS / ws.throughput.deliveredPerS;
  const cpuRatio = ours.throughput.serverCpuUsPerMsg / ws.throughput.serverCpuUsPerMsg;
  return {
    throughputRatio: checkTarget('delivered msg/s, tickmesh / ws', TARGETS.throughputRatio, throughputRatio),
    cpuPerMessageRatio: checkTarget('server CPU per message, tickmesh / ws', TARGETS.cpuPerMessageRatio, cpuRatio),
    p99LatencyMs: checkTarget('tickmesh p99 latency (ms)', TARGETS.p99LatencyMs, ours.latency.p99Ms),
    idleKiBPerConnection: checkTarget(
      'tickmesh RSS per idle connection (KiB)',
      TARGETS.idleKiBPerConnection,
      ours.idle.perConnectionKiB,
    ),
  };
}

/** `error` messages received and signals never delivered, over every scenario. */
function failures(result: ServerResult): { errors: number; lost: number } {
  let errors = 0;
  let lost = 0;
  for (const totals of [result.throughput.totals, result.latency.totals, result.idle.totals]) {
    for (const n of Object.values(totals.errors)) errors += n;
    lost += totals.inFlight;
  }
  return { errors, lost };
}

/** What two measured sides have in common, as the rows of a table comparing them. */
interface Measured {
  throughput: ThroughputResult;
  latency: LatencyResult;
}

/** Rows of where the CPU went during the closed loop: the server's (`who`) kernel share, the load and the rest. */
export function machineRows(who: string, a: Measured, b: Measured): string[][] {
  return [
    [
      `share of ${who} CPU in kernel (%)`,
      fixed(a.throughput.serverKernelPct, 0),
      fixed(b.throughput.serverKernelPct, 0),
      '',
      '',
    ],
    [
      'load-gen CPU (% of a core)',
      fixed(a.throughput.loadGenCpuPctOfCore, 0),
      fixed(b.throughput.loadGenCpuPctOfCore, 0),
      '',
      '',
    ],
    [
      'other processes CPU (% of a core)',
      fixed(a.throughput.otherCpuPctOfCore, 0),
      fixed(b.throughput.otherCpuPctOfCore, 0),
      '',
      '',
    ],
  ];
}

/** Rows of the paced phase: delivered rate and latency percentiles, the p99 with its verdict. */
export function latencyRows(rate: string, a: Measured, b: Measured, p99Verdict: string): string[][] {
  return [
    [`delivered msg/s ${rate}`, count(a.latency.deliveredPerS), count(b.latency.deliveredPerS), '', ''],
    [`p50 latency ${rate} (ms)`, fixed(a.latency.p50Ms, 2), fixed(b.latency.p50Ms, 2), '', ''],
    [`p99 latency ${rate} (ms)`, fixed(a.latency.p99Ms, 2), fixed(b.latency.p99Ms, 2), '', p99Verdict],
    [`p99.9 latency ${rate} (ms)`, fixed(a.latency.p999Ms, 2), fixed(b.latency.p999Ms, 2), '', ''],
  ];
}

/** The row of the load generators' own stalls in the paced phase (a noisy machine shows there). */
export function stallRow(a: Measured, b: Measured): string[] {
  const stall = (m: Measured) => `${fixed(m.latency.loadGenStallP99Ms, 2)} / ${fixed(m.latency.loadGenStallMaxMs, 1)}`;
  return ['load-gen stall p99 / max (ms)', stall(a), stall(b), '', ''];
}

/** The human table. */
export function renderTable(ours: ServerResult, ws: ServerResult, ratePerS: number): string {
  const targets = evaluateTargets(ours, ws);
  const rate = `@${ratePerS / 1000}k msg/s`;
  const rows: string[][] = [
    ['', 'tickmesh (uWS)', 'ws relay', 'ratio', 'target'],
    [
      'delivered msg/s',
      count(ours.throughput.deliveredPerS),
      count(ws.throughput.deliveredPerS),
      `${fixed(targets.throughputRatio.value, 3)}x`,
      verdict(targets.throughputRatio),
    ],
    [
      'server CPU µs / msg',
      fixed(ours.throughput.serverCpuUsPerMsg, 2),
      fixed(ws.throughput.serverCpuUsPerMsg, 2),
      `${fixed(targets.cpuPerMessageRatio.value, 3)}x`,
      verdict(targets.cpuPerMessageRatio),
    ],
    [
      'server CPU (% of a core)',
      fixed(ours.throughput.serverCpuPctOfCore, 0),
      fixed(ws.throughput.serverCpuPctOfCore, 0),
      '',
      '',
    ],
    ...machineRows('server', ours, ws),
    ...latencyRows(rate, ours, ws, verdict(targets.p99LatencyMs)),
    stallRow(ours, ws),
    [
      `RSS per idle conn, marginal (KB, n=${ours.idle.clients})`,
      fixed(ours.idle.perConnectionKiB, 2),
      fixed(ws.idle.perConnectionKiB, 2),
      `${fixed(ours.idle.perConnectionKiB / ws.idle.perConnectionKiB, 3)}x`,
      verdict(targets.idleKiBPerConnection),
    ],
    [
      'RSS growth / idle conns, incl. one-off heap (KB)',
      fixed(ours.idle.averageKiB, 2),
      fixed(ws.idle.averageKiB, 2),
      `${fixed(ours.idle.averageKiB / ws.idle.averageKiB, 3)}x`,
      '',
    ],
  ];
  const oursFailures = failures(ours);
  const wsFailures = failures(ws);
  const clean = oursFailures.errors + oursFailures.lost + wsFailures.errors + wsFailures.lost === 0;
  rows.push([
    'error msgs / lost signals',
    `${oursFailures.errors} / ${oursFailures.lost}`,
    `${wsFailures.errors} / ${wsFailures.lost}`,
    '',
    `0 / 0 ${clean ? 'PASS' : 'FAIL'}`,
  ]);
  return renderRows(rows);
}
