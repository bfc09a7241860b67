/**
 * What the tickmesh and baseline scenarios share: the bench context, the traffic plans of one run
 * (every peer on one start, paced peers spread over the tick), CPU use over a run's measured
 * window, repeating a window that other processes made noisy, and the open-time result.
 */
import type { Agent, SignalCounts } from './agent-protocol.ts';
import type { BenchConfig } from './bench-config.ts';
import type { LobbyProcess } from './lobby-process.ts';
import { nowMs } from './packet.ts';
import {
  type CpuUse,
  cpuWindow,
  median,
  type PhaseSummary,
  summarizeTraces,
  type TrafficSummary,
  trafficProblems,
} from './summary.ts';
import type { TrafficPlan } from './traffic.ts';

export interface Context {
  config: BenchConfig;
  lobby: LobbyProcess;
  /** At least as many agents as the largest mesh. */
  agents: readonly Agent[];
  log(line: string): void;
  /** Reasons the results cannot be trusted. */
  problems: string[];
  /** Reasons they may be noisy (other processes busy, ticks skipped). */
  noisy: string[];
  /** Findings worth a look that do not make a result unsound: lost frames, signals the lobby
   * dropped, what the mesh logged as warnings. */
  notes: string[];
}

export type TrafficKind = 'latency' | 'throughput';

/** Plans for every peer of one traffic run, sharing one start. */
export function plans(config: BenchConfig, kind: TrafficKind, peers: number): TrafficPlan[] {
  const startAtMs = nowMs() + config.startLeadMs;
  const periodMs = 1000 / config.latencyRateHz;
  return Array.from({ length: peers }, (_, index) =>
    kind === 'latency'
      ? {
          startAtMs,
          warmupMs: config.latencyWarmupMs,
          measureMs: config.latencyMeasureMs,
          drainMs: config.drainMs,
          rateHz: config.latencyRateHz,
          phaseMs: (index * periodMs) / peers,
          burst: config.floodBurst,
        }
      : {
          startAtMs,
          warmupMs: config.throughputWarmupMs,
          measureMs: config.throughputMeasureMs,
          drainMs: config.drainMs,
          rateHz: index === 0 ? 'max' : 0,
          phaseMs: 0,
          burst: config.floodBurst,
        },
  );
}

/** CPU use over the measured window of `plan`. */
export function cpuDuring(plan: TrafficPlan, pids: readonly number[], lobbyPid: number | null): Promise<CpuUse> {
  const windowStart = plan.startAtMs + plan.warmupMs;
  return new Promise((resolve) => {
    setTimeout(() => {
      const stop = cpuWindow(pids, lobbyPid);
      setTimeout(() => resolve(stop()), plan.measureMs);
    }, windowStart - nowMs());
  });
}

/**
 * Runs `measure` and repeats it (up to `noisyRetries` times) while other processes used more than
 * `maxOtherCpuPctOfCore`, keeping the quietest window. Every attempt is checked for soundness.
 */
export async function quietest(
  ctx: Context,
  label: string,
  measure: () => Promise<TrafficSummary>,
): Promise<TrafficSummary> {
  const { maxOtherCpuPctOfCore, noisyRetries } = ctx.config;
  let best: TrafficSummary | null = null;
  for (let attempt = 0; attempt <= noisyRetries; attempt++) {
    const summary = await measure();
    ctx.problems.push(...trafficProblems(label, summary));
    if (!best || summary.cpu.otherPctOfCore < best.cpu.otherPctOfCore) best = summary;
    if (best.cpu.otherPctOfCore <= maxOtherCpuPctOfCore) break;
    if (attempt < noisyRetries) {
      ctx.log(`${label}: other processes used ${summary.cpu.otherPctOfCore.toFixed(0)}% of a core; repeating`);
    }
  }
  if (!best) throw new Error(`${label}: no run`);
  if (best.skippedTicks > 0) ctx.noisy.push(`${label}: ${best.skippedTicks} paced ticks skipped`);
  if (best.lost > 0) ctx.notes.push(`${label}: ${best.lost} of ${best.framesTaken} frames lost`);
  if (best.cpu.otherPctOfCore > maxOtherCpuPctOfCore) {
    ctx.noisy.push(`${label}: other processes used ${best.cpu.otherPctOfCore.toFixed(0)}% of a core`);
  }
  return best;
}

export interface OpenRun {
  openMs: number;
  phases: PhaseSummary;
  /** Signals the busiest peer sent through the lobby (null for the baseline). */
  signals: SignalCounts | null;
  /** Signals the lobby dropped for its rate limit. */
  drops: number;
  /** CPU other processes used during the run (% of a core). */
  otherCpuPctOfCore: number;
}

export interface OpenResult {
  peers: number;
  /** Open time of each run, ms. */
  runsMs: number[];
  medianMs: number;
  /** Milestones of every RTCPeerConnection of the median run. */
  phases: PhaseSummary;
  /** Signals of the peer that sent the most in one run, over all runs (tickmesh only). */
  busiestSignals: SignalCounts | null;
  /** Signals the lobby dropped for its rate limit, over every run (tickmesh only). */
  rateLimitDrops: number;
  /** Median over runs of the CPU other processes used (% of a core). */
  otherCpuPctOfCore: number;
}

export function openResult(ctx: Context, label: string, peers: number, runs: readonly OpenRun[]): OpenResult {
  const runsMs = runs.map((r) => r.openMs);
  const medianMs = median(runsMs);
  const medianRun = runs.find((r) => r.openMs === medianMs) ?? runs[runs.length >> 1];
  const otherCpuPctOfCore = median(runs.map((r) => r.otherCpuPctOfCore));
  if (otherCpuPctOfCore > ctx.config.maxOtherCpuPctOfCore) {
    ctx.noisy.push(`${label} open: other processes used ${otherCpuPctOfCore.toFixed(0)}% of a core (median run)`);
  }
  return {
    peers,
    runsMs,
    medianMs,
    phases: medianRun?.phases ?? summarizeTraces([], 0),
    busiestSignals: runs.reduce<SignalCounts | null>(
      (most, r) => (r.signals && (!most || r.signals.total > most.total) ? r.signals : most),
      null,
    ),
    rateLimitDrops: runs.reduce((sum, r) => sum + r.drops, 0),
    otherCpuPctOfCore,
  };
}

/** An error for a measurement that could not be made, with the problems found so far. */
export function unmeasured(ctx: Context, what: string): Error {
  return new Error([what, ...ctx.problems.map((p) => `UNSOUND: ${p}`)].join('\n'));
}
