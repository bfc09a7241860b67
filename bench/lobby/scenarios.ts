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
import type { GeneratorCommand } from './generator-protocol.ts';
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

export function median(values: readonly number[]): number {
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

/**
 * One side of an alternating comparison: the generator group of its clients (also its name in
 * progress lines and warnings) and the processes whose CPU is its server's.
 */
export interface Side {
  group: string;
  serverPids: readonly number[];
  /** Processes whose CPU is counted apart from the server's (a cluster's Redis). */
  sidePids?: readonly number[];
}

/** What one phase runs on each side, how often and how long. */
export interface PhasePlan {
  name: string;
  rounds: number;
  warmupMs: number;
  measureMs: number;
  /** The command generator `index` gets to load `group`. */
  load: (group: string, index: number) => GeneratorCommand;
}

/** The comparison's throughput phase: every client keeps `windowPerClient` signals in flight. */
export const throughputPlan = (config: BenchConfig): PhasePlan => ({
  name: 'throughput',
  rounds: config.throughputRounds,
  warmupMs: config.throughputWarmupMs,
  measureMs: config.throughputMeasureMs,
  load: (group) => ({ type: 'closed-loop', group, window: config.windowPerClient }),
});

/** The comparison's latency phase: `latencyRatePerS` in all, shared by the generators. */
export const latencyPlan = (config: BenchConfig, pool: GeneratorPool): PhasePlan => ({
  name: 'latency',
  rounds: config.latencyRounds,
  warmupMs: config.latencyWarmupMs,
  measureMs: config.latencyMeasureMs,
  load: (group) => ({ type: 'paced', group, ratePerS: config.latencyRatePerS / pool.size }),
});

const isNoisy = (window: Window, config: BenchConfig) => window.measure.otherCpuPctOfCore > config.maxOtherCpuPctOfCore;

/**
 * Alternates `plan.rounds` windows between the sides (A B, then B A, ...); returns each side's
 * windows by its group.
 */
export async function runRounds(
  sides: readonly Side[],
  ctx: Context,
  plan: PhasePlan,
  warnings: string[],
): Promise<Map<string, Window[]>> {
  const { config, pool } = ctx;
  const windows = new Map<string, Window[]>(sides.map((side) => [side.group, []]));
  for (let round = 0; round < plan.rounds; round++) {
    for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
      ctx.log(`  ${plan.name} round ${round + 1}/${plan.rounds}: ${side.group}`);
      const once = () =>
        runWindow(side.serverPids, pool, (i) => plan.load(side.group, i), {
          warmupMs: plan.warmupMs,
          measureMs: plan.measureMs,
          drainTimeoutMs: config.drainTimeoutMs,
          ...(side.sidePids ? { sidePids: side.sidePids } : {}),
        });
      let window = await once();
      for (let retry = 0; isNoisy(window, config) && retry < config.noisyRetries; retry++) {
        ctx.log(`    other processes used ${window.measure.otherCpuPctOfCore.toFixed(0)}% of a core: repeating`);
        const again = await once();
        // The discarded window's counters still count towards the soundness checks.
        window = { ...again, reports: [...window.reports, ...again.reports] };
      }
      if (isNoisy(window, config)) {
        warnings.push(
          `${side.group} ${plan.name} round ${round + 1}: other processes used ${window.measure.otherCpuPctOfCore.toFixed(0)}% of a core`,
        );
      }
      windows.get(side.group)?.push(window);
    }
  }
  return windows;
}

export function throughputOf(windows: readonly Window[]): ThroughputResult {
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
    const sides: Side[] = [];
    for (const kind of SERVER_KINDS) {
      const server = await startServer(kind, { ...ctx.serverOptions, flags: COMPARISON_FLAGS });
      servers.set(kind, server);
      sides.push({ group: kind, serverPids: [server.pid] });
      ctx.log(`${kind}: ${config.roomClients} clients in rooms of ${config.roomSize} on ${server.url}`);
      const setup = await pool.run((i) => ({
        type: 'connect',
        group: kind,
        urls: [server.url],
        clients: shareOf(config.roomClients, config.roomSize, i, pool.size),
        roomSize: config.roomSize,
        concurrency: config.connectConcurrency,
      }));
      problems.push(...problemsOf(`${kind} setup`, sumReports(setup)));
    }
    const throughput = await runRounds(sides, ctx, throughputPlan(config), warnings);
    const latency = await runRounds(sides, ctx, latencyPlan(config, pool), warnings);
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
        urls: [server.url],
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
