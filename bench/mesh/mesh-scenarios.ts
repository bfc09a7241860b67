/**
 * tickmesh, for each mesh size, `openRuns` times over fresh peers:
 * 1. every peer's agent makes a fresh lobby client and mesh and identifies; the first creates a
 *    room, the others join it all at once;
 * 2. the run times from the moment the last `joinRoom` resolved to the moment the last link of
 *    every peer reported `connected` (ICE connected and both data channels open; rechecked by
 *    `readyState` before the run counts), then one reliable message crosses every link both ways;
 * 3. the last run's mesh carries the latency test (every peer broadcasting paced packets) and, at
 *    `throughputPeers`, the flood (one peer broadcasting as fast as the mesh takes frames);
 * 4. every peer closes its mesh, leaves and disconnects, and the lobby's connection count is
 *    waited down to 0 before the next run.
 * Signals each peer sent and signals the lobby dropped for its rate limit are counted per run.
 */
import type { AgentReplies, SignalCounts } from './agent-protocol.ts';
import type { LobbyCounters } from './lobby-process.ts';
import { nowMs } from './packet.ts';
import type { PcTrace } from './pc-trace.ts';
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
import type { TrafficPlan } from './traffic.ts';

export interface SizeResult {
  peers: number;
  open: OpenResult;
  latency: TrafficSummary;
}

export interface MeshResults {
  sizes: SizeResult[];
  throughput: TrafficSummary;
}

interface FormedMesh {
  agents: Context['agents'];
  /** When the last `joinRoom` resolved. */
  t0: number;
  openMs: number;
  traces: PcTrace[];
  /** Signals sent by the peer that sent the most. */
  busiestSignals: SignalCounts;
  rateLimitDrops: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** What peers logged, as notes; the lobby's RATE_LIMITED refusals are counted per run instead. */
function note(ctx: Context, label: string, replies: readonly { warnings: string[] }[]): void {
  for (const warning of replies.flatMap((r) => r.warnings)) {
    if (!warning.includes('RATE_LIMITED')) ctx.notes.push(`${label}: ${warning}`);
  }
}

async function formMesh(ctx: Context, peers: number, label: string): Promise<FormedMesh> {
  const agents = ctx.agents.slice(0, peers);
  const [host, ...joiners] = agents;
  if (!host) throw new Error('no agents');
  const before = await ctx.lobby.counters();
  await Promise.all(agents.map((agent, i) => agent.call({ type: 'connect', url: ctx.lobby.url, name: `p${i}` })));
  const { code } = await host.call({ type: 'create', maxPlayers: Math.max(8, peers) });
  const joins = await Promise.all(joiners.map((agent) => agent.call({ type: 'join', code })));
  const t0 = Math.max(...joins.map((j) => j.joinedAtMs));
  const timeoutMs = ctx.config.openTimeoutMs;
  const reports = await Promise.all(agents.map((agent) => agent.call({ type: 'awaitMesh', peers, timeoutMs })));
  note(ctx, label, reports);
  const notOpen = reports.filter((r) => !r.open);
  let openMs = Math.max(...reports.flatMap((r) => r.linkConnectedAtMs)) - t0;
  if (notOpen.length > 0) {
    openMs = Number.NaN;
    ctx.problems.push(`${label}: no full mesh after ${timeoutMs} ms: ${JSON.stringify(notOpen.map((r) => r.states))}`);
  } else {
    const verified = await Promise.all(agents.map((agent) => agent.call({ type: 'verify', peers, timeoutMs: 2_000 })));
    const missing = verified.reduce((sum, v) => sum + v.missing, 0);
    if (missing > 0) ctx.problems.push(`${label}: ${missing} links carried no reliable message`);
  }
  const rateLimitDrops = (await ctx.lobby.counters()).rateLimitDrops - before.rateLimitDrops;
  if (rateLimitDrops > 0) ctx.notes.push(`${label}: the lobby dropped ${rateLimitDrops} signals (rate limit)`);
  return {
    agents,
    t0,
    openMs,
    traces: reports.flatMap((r) => r.traces),
    busiestSignals: reports.map((r) => r.signalsSent).reduce((a, b) => (b.total > a.total ? b : a)),
    rateLimitDrops,
  };
}

async function dissolve(ctx: Context, formed: FormedMesh, label: string): Promise<void> {
  await Promise.all(formed.agents.map((agent) => agent.call({ type: 'leave' })));
  const deadline = nowMs() + 5_000;
  let connections = await ctx.lobby.connections();
  while (connections > 0 && nowMs() < deadline) {
    await sleep(10);
    connections = await ctx.lobby.connections();
  }
  if (connections > 0) ctx.problems.push(`${label}: ${connections} lobby connections still open 5 s after leaving`);
}

async function meshTraffic(ctx: Context, formed: FormedMesh, kind: TrafficKind, label: string) {
  const all = plans(ctx.config, kind, formed.agents.length);
  const first = all[0] as TrafficPlan;
  const pids = formed.agents.map((a) => a.pid);
  const cpu = cpuDuring(first, pids, ctx.lobby.pid);
  const replies: AgentReplies['traffic'][] = await Promise.all(
    formed.agents.map((agent, i) => agent.call({ type: 'traffic', plan: all[i] as TrafficPlan })),
  );
  note(ctx, label, replies);
  const malformed = replies.reduce((sum, r) => sum + r.counters.malformedFrames + r.counters.invalidPayloads, 0);
  if (malformed > 0) ctx.problems.push(`${label}: ${malformed} frames failed to decode or validate`);
  return summarizeTraffic(replies, {
    rateHz: first.rateHz,
    measureMs: first.measureMs,
    cpu: await cpu,
    backpressureDrops: replies.reduce((sum, r) => sum + r.counters.backpressureDrops, 0),
  });
}

/** Lobby refusals other than the rate limit's (a warning per run), and connections the server closed. */
function lobbyProblems(before: LobbyCounters, after: LobbyCounters): string[] {
  const problems: string[] = [];
  for (const key of ['errors', 'serverCloses'] as const) {
    const delta = after[key] - before[key];
    if (delta > 0) problems.push(`lobby: ${delta} ${key} during the mesh runs`);
  }
  return problems;
}

export async function measureMesh(ctx: Context): Promise<MeshResults> {
  const { config } = ctx;
  const before = await ctx.lobby.counters();
  const sizes: SizeResult[] = [];
  let throughput: TrafficSummary | null = null;
  for (const peers of config.meshSizes) {
    const runs: OpenRun[] = [];
    let latency: TrafficSummary | null = null;
    for (let run = 0; run < config.openRuns; run++) {
      const label = `tickmesh ${peers} peers, run ${run + 1}`;
      const cpu = cpuWindow(
        ctx.agents.slice(0, peers).map((a) => a.pid),
        ctx.lobby.pid,
      );
      const formed = await formMesh(ctx, peers, label);
      runs.push({
        openMs: formed.openMs,
        phases: summarizeTraces(formed.traces, formed.t0),
        signals: formed.busiestSignals,
        drops: formed.rateLimitDrops,
        otherCpuPctOfCore: cpu().otherPctOfCore,
      });
      ctx.log(`${label}: open in ${formed.openMs.toFixed(0)} ms`);
      if (run === config.openRuns - 1 && Number.isFinite(formed.openMs)) {
        const what = `tickmesh ${peers} peers`;
        latency = await quietest(ctx, `${what} latency`, () => meshTraffic(ctx, formed, 'latency', `${what} latency`));
        ctx.log(`${what} latency: p50 ${latency.p50Ms.toFixed(2)} ms, p99 ${latency.p99Ms.toFixed(2)} ms`);
        if (peers === config.throughputPeers) {
          throughput = await quietest(ctx, `${what} flood`, () =>
            meshTraffic(ctx, formed, 'throughput', `${what} flood`),
          );
          ctx.log(`tickmesh flood: ${throughput.deliveredPerS.toFixed(0)} delivered/s`);
        }
      }
      await dissolve(ctx, formed, label);
    }
    if (!latency) throw unmeasured(ctx, `tickmesh ${peers} peers: the last open run failed, so no latency run`);
    sizes.push({ peers, open: openResult(ctx, `tickmesh ${peers} peers`, peers, runs), latency });
  }
  if (!throughput) throw unmeasured(ctx, 'no flood run: throughputPeers must be one of meshSizes');
  ctx.problems.push(...lobbyProblems(before, await ctx.lobby.counters()));
  return { sizes, throughput };
}
