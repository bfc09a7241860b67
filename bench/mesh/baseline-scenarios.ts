/**
 * The baseline: bare @roamhq/wrtc in this process (bare-mesh.ts), `openRuns` fresh meshes of
 * `peers`, timed from the moment it starts creating connections to the last data channel open;
 * the last one then carries the same latency test and flood as tickmesh's.
 */
import { type BareMesh, openBareMesh } from './bare-mesh.ts';
import {
  type Context,
  cpuDuring,
  type OpenResult,
  type OpenRun,
  openResult,
  plans,
  quietest,
  type TrafficKind,
  unmeasured,
} from './runs.ts';
import { cpuWindow, summarizeTraces, summarizeTraffic, type TrafficSummary } from './summary.ts';
import { runTraffic, type TrafficPlan } from './traffic.ts';

export interface BaselineResults {
  peers: number;
  open: OpenResult;
  latency: TrafficSummary;
  throughput: TrafficSummary;
}

async function bareTraffic(ctx: Context, mesh: BareMesh, kind: TrafficKind): Promise<TrafficSummary> {
  const all = plans(ctx.config, kind, mesh.endpoints.length);
  const first = all[0] as TrafficPlan;
  const cpu = cpuDuring(first, [process.pid], null);
  const reports = await Promise.all(mesh.endpoints.map((e, i) => runTraffic(e, all[i] as TrafficPlan)));
  return summarizeTraffic(reports, {
    rateHz: first.rateHz,
    measureMs: first.measureMs,
    cpu: await cpu,
    backpressureDrops: 0,
  });
}

export async function measureBaseline(ctx: Context, peers: number): Promise<BaselineResults> {
  const { config } = ctx;
  const runs: OpenRun[] = [];
  let traffic: { latency: TrafficSummary; throughput: TrafficSummary } | null = null;
  for (let run = 0; run < config.openRuns; run++) {
    const label = `bare ${peers} peers, run ${run + 1}`;
    const cpu = cpuWindow([process.pid], null);
    const mesh = await openBareMesh(peers, config.openTimeoutMs);
    const openMs = mesh.openAtMs - mesh.startedAtMs;
    runs.push({
      openMs,
      phases: summarizeTraces(mesh.traces, mesh.startedAtMs),
      signals: null,
      drops: 0,
      otherCpuPctOfCore: cpu().otherPctOfCore,
    });
    ctx.log(`${label}: open in ${openMs.toFixed(0)} ms`);
    if (!mesh.verified) ctx.problems.push(`${label}: not every channel opened and carried a message`);
    else if (run === config.openRuns - 1) {
      const latency = await quietest(ctx, `bare ${peers} peers latency`, () => bareTraffic(ctx, mesh, 'latency'));
      ctx.log(`bare ${peers} peers latency: p50 ${latency.p50Ms.toFixed(2)} ms, p99 ${latency.p99Ms.toFixed(2)} ms`);
      const throughput = await quietest(ctx, `bare ${peers} peers flood`, () => bareTraffic(ctx, mesh, 'throughput'));
      ctx.log(`bare flood: ${throughput.deliveredPerS.toFixed(0)} delivered/s`);
      traffic = { latency, throughput };
    }
    mesh.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (!traffic) throw unmeasured(ctx, `bare ${peers} peers: the last open run failed, so no traffic runs`);
  return { peers, open: openResult(ctx, `bare ${peers} peers`, peers, runs), ...traffic };
}
