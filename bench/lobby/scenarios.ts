/**
 * The three measurements. Throughput and latency run both servers side by side, each with its own
 * clients, and alternate short measured windows between them (A B, B A, A B ...), so that load
 * from anything else on the machine falls on both alike; idle runs each server fresh, alone.
 *
 * - throughput: a server's clients run the closed loop; after a warm-up, delivered signals and
 *   the CPU time of the server, of the generators and of the whole machine are read at the start
 *   and end of the window (measure-window.ts). Each figure is the median over the rounds.
 * - latency: paced signals at a fixed total rate; after a warm-up, every delivery's one-way
 *   latency is recorded; percentiles are over every sample of every round.
 * - idle: identified clients that send nothing more; the server's RSS before any connection and
 *   after all of them, each after a settling pause. Per connection = the difference / clients.
 *
 * After every window the load stops and signals in flight drain; the counters are checked, and
 * anything that makes the numbers untrustworthy comes back in `problems`. A window during which
 * other processes took more than `maxOtherCpuPctOfCore` is repeated; if it stays noisy it is kept
 * and named in `warnings`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchConfig } from './bench-config.ts';
import { type GeneratorPool, shareOf } from './generator-pool.ts';
import { runWindow, type Window, type WindowMeasure } from './measure-window.ts';
import { rssKiB } from './proc-stats.ts';
import {
  COMPARISON_FLAGS,
  type ServerKind,
  type ServerProcess,
  type StartOptions,
  startServer,
} from './server-process.ts';
import { mergeSorted, percentile, problemsOf, sumReports, type Totals } from './stats.ts';

export const SERVER_KINDS = ['tickmesh', 'ws'] as const satisfies readonly ServerKind[];

export interface ThroughputResult extends WindowMeasure {
  rounds: WindowMeasure[];
  totals: Totals;
}

export interface LatencyResult extends WindowMeasure {
  offeredPerS: number;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  /** The generators' own stalls (late pacer ticks), which inflate the latencies above. */
  loadGenStallP99Ms: number;
  loadGenStallMaxMs: number;
  totals: Totals;
}

export interface IdleResult {
  clients: number;
  rssBeforeKiB: number;
  /** RSS with the first half of the clients connected. */
  rssHalfKiB: number;
  rssAfterKiB: number;
  /**
   * What one more idle connection costs: the RSS growth over the second half of the clients.
   * The first half also pays for one-off growth (V8's young generation expands to tens of MB
   * under the connect burst), which is not a per-connection cost.
   */
  perConnectionKiB: number;
  /** (RSS after - RSS before) / clients: the one-off growth spread over these clients. */
  averageKiB: number;
  totals: Totals;
}

export interface Context {
  config: BenchConfig;
  pool: GeneratorPool;
  serverOptions: StartOptions;
  log: (line: string) => void;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function medianOf(rounds: readonly WindowMeasure[]): WindowMeasure {
  return {
    deliveredPerS: median(rounds.map((r) => r.deliveredPerS)),
    serverCpuUsPerMsg: median(rounds.map((r) => r.serverCpuUsPerMsg)),
    serverCpuPctOfCore: median(rounds.map((r) => r.serverCpuPctOfCore)),
    serverKernelPct: median(rounds.map((r) => r.serverKernelPct)),
    loadGenCpuPctOfCore: median(rounds.map((r) => r.loadGenCpuPctOfCore)),
    otherCpuPctOfCore: median(rounds.map((r) => r.otherCpuPctOfCore)),
  };
}

/** Round `r` runs the servers in this order: A B, then B A, ... */
const orderFor = (round: number): readonly ServerKind[] =>
  round % 2 === 0 ? SERVER_KINDS : [...SERVER_KINDS].reverse();

type Phase = 'throughput' | 'latency';

const isNoisy = (window: Window, config: BenchConfig) => window.measure.otherCpuPctOfCore > config.maxOtherCpuPctOfCore;

/** Alternates `rounds` windows of `phase` between the servers; returns each server's windows. */
async function runRounds(
  servers: ReadonlyMap<ServerKind, ServerProcess>,
  ctx: Context,
  phase: Phase,
  warnings: string[],
): Promise<Map<ServerKind, Window[]>> {
  const { config, pool } = ctx;
  const rounds = phase === 'throughput' ? config.throughputRounds : config.latencyRounds;
  const windows = new Map<ServerKind, Window[]>(SERVER_KINDS.map((kind) => [kind, []]));
  for (let round = 0; round < rounds; round++) {
    for (const kind of orderFor(round)) {
      const server = servers.get(kind);
      if (!server) throw new Error(`no ${kind} server`);
      ctx.log(`  ${phase} round ${round + 1}/${rounds}: ${kind}`);
      const { drainTimeoutMs } = config;
      const once = () =>
        phase === 'throughput'
          ? runWindow(
              server,
              pool,
              { type: 'closed-loop', group: kind, window: config.windowPerClient },
              { warmupMs: config.throughputWarmupMs, measureMs: config.throughputMeasureMs, drainTimeoutMs },
            )
          : runWindow(
              server,
              pool,
              { type: 'paced', group: kind, ratePerS: config.latencyRatePerS / pool.size },
              { warmupMs: config.latencyWarmupMs, measureMs: config.latencyMeasureMs, drainTimeoutMs },
            );
      let window = await once();
      for (let retry = 0; isNoisy(window, config) && retry < config.noisyRetries; retry++) {
        ctx.log(`    other processes used ${window.measure.otherCpuPctOfCore.toFixed(0)}% of a core: repeating`);
        const again = await once();
        // The discarded window's counters still count towards the soundness checks.
        window = { ...again, reports: [...window.reports, ...again.reports] };
      }
      if (isNoisy(window, config)) {
        warnings.push(
          `${kind} ${phase} round ${round + 1}: other processes used ${window.measure.otherCpuPctOfCore.toFixed(0)}% of a core`,
        );
      }
      windows.get(kind)?.push(window);
    }
  }
  return windows;
}

function throughputOf(windows: readonly Window[]): ThroughputResult {
  const rounds = windows.map((w) => w.measure);
  return { ...medianOf(rounds), rounds, totals: sumReports(windows.flatMap((w) => w.reports)) };
}

export function latencyOf(windows: readonly Window[], offeredPerS: number): LatencyResult {
  const sorted = mergeSorted(windows.flatMap((w) => w.latencies));
  const stalls = mergeSorted(windows.flatMap((w) => w.stalls));
  return {
    ...medianOf(windows.map((w) => w.measure)),
    offeredPerS,
    samples: sorted.length,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    p999Ms: percentile(sorted, 0.999),
    maxMs: sorted.at(-1) ?? Number.NaN,
    loadGenStallP99Ms: percentile(stalls, 0.99),
    loadGenStallMaxMs: stalls.at(-1) ?? Number.NaN,
    totals: sumReports(windows.flatMap((w) => w.reports)),
  };
}

export type RoomResults = Record<ServerKind, { throughput: ThroughputResult; latency: LatencyResult }>;

/** Throughput, then latency, on both servers at once, each with `roomClients` clients in rooms. */
export async function measureRooms(
  ctx: Context,
): Promise<{ results: RoomResults; problems: string[]; warnings: string[] }> {
  const { config, pool } = ctx;
  const servers = new Map<ServerKind, ServerProcess>();
  try {
    const problems: string[] = [];
    const warnings: string[] = [];
    for (const kind of SERVER_KINDS) {
      const server = await startServer(kind, { ...ctx.serverOptions, flags: COMPARISON_FLAGS });
      servers.set(kind, server);
      ctx.log(`${kind}: ${config.roomClients} clients in rooms of ${config.roomSize} on ${server.url}`);
      const setup = await pool.run((i) => ({
        type: 'connect',
        group: kind,
        url: server.url,
        clients: shareOf(config.roomClients, config.roomSize, i, pool.size),
        roomSize: config.roomSize,
        concurrency: config.connectConcurrency,
      }));
      problems.push(...problemsOf(`${kind} setup`, sumReports(setup)));
    }
    const throughput = await runRounds(servers, ctx, 'throughput', warnings);
    const latency = await runRounds(servers, ctx, 'latency', warnings);
    const summarize = (kind: ServerKind) => {
      const result = {
        throughput: throughputOf(throughput.get(kind) ?? []),
        latency: latencyOf(latency.get(kind) ?? [], config.latencyRatePerS),
      };
      problems.push(
        ...problemsOf(`${kind} throughput`, result.throughput.totals),
        ...problemsOf(`${kind} latency`, result.latency.totals),
      );
      return result;
    };
    const results: RoomResults = { tickmesh: summarize('tickmesh'), ws: summarize('ws') };
    for (const kind of SERVER_KINDS) {
      const teardown = await pool.run(() => ({ type: 'disconnect', group: kind }));
      problems.push(...problemsOf(`${kind} teardown`, sumReports(teardown)));
    }
    return { results, problems, warnings };
  } finally {
    for (const server of servers.values()) await server.stop();
  }
}

/** RSS per idle identified connection, on a fresh server. */
export async function measureIdle(kind: ServerKind, ctx: Context): Promise<{ idle: IdleResult; problems: string[] }> {
  const { config, pool } = ctx;
  const server = await startServer(kind, { ...ctx.serverOptions, flags: COMPARISON_FLAGS });
  try {
    ctx.log(`${kind}: ${config.idleClients} idle clients`);
    await sleep(config.idleSettleMs);
    const rssBeforeKiB = rssKiB(server.pid);
    const connectHalf = (group: string, share: number) =>
      pool.run((i) => ({
        type: 'connect',
        group,
        url: server.url,
        clients: shareOf(share, 1, i, pool.size),
        roomSize: 0,
        concurrency: config.connectConcurrency,
      }));
    const firstHalf = Math.floor(config.idleClients / 2);
    await connectHalf('idle-a', firstHalf);
    await sleep(config.idleSettleMs);
    const rssHalfKiB = rssKiB(server.pid);
    const secondConnected = sumReports(await connectHalf('idle-b', config.idleClients - firstHalf)).connected;
    await sleep(config.idleSettleMs);
    const rssAfterKiB = rssKiB(server.pid);
    const firstReports = await pool.run(() => ({ type: 'disconnect', group: 'idle-a' }));
    const secondReports = await pool.run(() => ({ type: 'disconnect', group: 'idle-b' }));
    const totals = sumReports([...firstReports, ...secondReports]);
    return {
      idle: {
        clients: totals.connected,
        rssBeforeKiB,
        rssHalfKiB,
        rssAfterKiB,
        perConnectionKiB: (rssAfterKiB - rssHalfKiB) / Math.max(1, secondConnected),
        averageKiB: (rssAfterKiB - rssBeforeKiB) / Math.max(1, totals.connected),
        totals,
      },
      problems: problemsOf(`${kind} idle`, totals),
    };
  } finally {
    await server.stop();
  }
}
