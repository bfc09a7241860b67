/**
 * The cluster scenario (`--cluster N`): what relaying a signal costs when the sender and the
 * receiver are connected to different lobby nodes, against one lone node, and how long a room
 * is gone when its owner node dies (cluster-failover.ts).
 *
 * Both sides run at once and are measured in alternating windows (scenarios.ts): a lone tickmesh
 * node (no Redis), and N nodes on one Redis (cluster-nodes.ts). Each side gets the same clients:
 * `rooms` rooms of N members; on the cluster, each member of a room is connected to a different
 * node (the generator's `urls`, rotated per room so creators, whose nodes run the rooms, spread
 * evenly), so every signal goes from the sender's node through Redis pub/sub to the receiver's.
 * Rooms are made with the ordinary protocol: `room.create` on one node, `room.join` on the others.
 *
 * Per side: delivered msg/s and server CPU per message under the closed loop (the cluster's server
 * CPU is every node's added up; Redis's is counted apart, and added in a total), and one-way
 * latency at a paced `latencyRatePerS`. The nodes' /metrics, read before and after the load, show
 * how many signals crossed nodes and how many room leases each node held.
 *
 * Unsound (in `problems`): failed connections or rooms, lost, refused, repeated or garbled signals
 * (stats.ts), a cluster signal delivered without crossing nodes, rooms that moved between live
 * nodes during the load (their members get `room.state`; the windows no longer measure relaying
 * alone), /metrics that cannot be read.
 */
import { measureFailovers } from './cluster-failover.ts';
import { type BenchCluster, startCluster } from './cluster-nodes.ts';
import type { ClusterResult, CrossNodeView, RedisCost, SideResult } from './cluster-report.ts';
import { shareOf } from './generator-pool.ts';
import type { Window } from './measure-window.ts';
import { type Context, latencyOf, median, type PhasePlan, runRounds, type Side, throughputOf } from './scenarios.ts';
import { type Samples, scrape } from './server-metrics.ts';
import { COMPARISON_FLAGS, type ServerProcess, startServer } from './server-process.ts';
import { problemsOf, sumReports } from './stats.ts';

const SINGLE = 'single node';
const CLUSTER = 'cluster';

/** Redis's CPU per delivered message (µs) in one window. */
const redisUsPerMsg = (window: Window) => (window.sideCpuPctOfCore * 1e4) / window.measure.deliveredPerS;

function redisCost(throughput: readonly Window[], latency: readonly Window[]): RedisCost {
  return {
    cpuUsPerMsg: median(throughput.map(redisUsPerMsg)),
    cpuPctOfCore: median(throughput.map((w) => w.sideCpuPctOfCore)),
    latencyCpuPctOfCore: median(latency.map((w) => w.sideCpuPctOfCore)),
  };
}

/** Every node's /metrics at once. */
async function scrapeNodes(cluster: BenchCluster): Promise<Samples[]> {
  return Promise.all(
    cluster.nodes.map((node) => {
      if (node.server.metricsUrl === null) throw new Error(`${node.id} has no /metrics`);
      return scrape(node.server.metricsUrl);
    }),
  );
}

const sumOf = (all: readonly Samples[], series: string) =>
  all.reduce((n, samples) => n + (samples.get(series) ?? 0), 0);

function crossNodeView(before: readonly Samples[], after: readonly Samples[], delivered: number): CrossNodeView {
  const grew = (series: string) => sumOf(after, series) - sumOf(before, series);
  return {
    delivered,
    published: grew('tickmesh_lobby_cluster_signals_out_total'),
    deliveredFromOtherNodes: grew('tickmesh_lobby_cluster_signals_in_total'),
    undelivered: grew('tickmesh_lobby_cluster_signals_undelivered_total'),
    takeovers: grew('tickmesh_lobby_cluster_takeovers_total'),
    leasesLost: grew('tickmesh_lobby_cluster_leases_lost_total'),
    storeErrors: grew('tickmesh_lobby_cluster_store_errors_total'),
    leasesPerNode: after.map((samples) => samples.get('tickmesh_lobby_cluster_leases') ?? Number.NaN),
  };
}

/** Throughput and latency on the lone node and the cluster; then failovers on the cluster. */
export async function measureCluster(
  ctx: Context,
): Promise<{ result: ClusterResult | null; problems: string[]; warnings: string[] }> {
  const { config, pool, log } = ctx;
  const tuning = config.cluster;
  const roomSize = tuning.nodes;
  const clients = tuning.rooms * roomSize;
  const problems: string[] = [];
  const warnings: string[] = [];
  let single: ServerProcess | null = null;
  let cluster: BenchCluster | null = null;
  try {
    single = await startServer('tickmesh', { ...ctx.serverOptions, flags: COMPARISON_FLAGS, label: SINGLE });
    cluster = await startCluster({ nodes: tuning.nodes, leaseMs: tuning.leaseMs, server: ctx.serverOptions });
    log(`${SINGLE}: ${clients} clients in rooms of ${roomSize} on ${single.url}`);
    log(`${CLUSTER}: the same on ${tuning.nodes} nodes and ${cluster.redis.url}, each room on every node`);
    const nodeUrls = cluster.nodes.map((node) => node.server.url);
    for (const [group, urls] of [
      [SINGLE, [single.url]],
      [CLUSTER, nodeUrls],
    ] as const) {
      const setup = await pool.run((i) => ({
        type: 'connect',
        group,
        urls,
        clients: shareOf(clients, roomSize, i, pool.size),
        roomSize,
        concurrency: config.connectConcurrency,
      }));
      problems.push(...problemsOf(`${group} setup`, sumReports(setup)));
    }
    if (problems.length > 0) return { result: null, problems, warnings };

    const sides: Side[] = [
      { group: SINGLE, serverPids: [single.pid] },
      { group: CLUSTER, serverPids: cluster.nodes.map((node) => node.server.pid), sidePids: [cluster.redis.pid] },
    ];
    const throughputPlan: PhasePlan = {
      name: 'throughput',
      rounds: tuning.throughputRounds,
      warmupMs: tuning.throughputWarmupMs,
      measureMs: tuning.throughputMeasureMs,
      load: (group) => ({ type: 'closed-loop', group, window: tuning.windowPerClient }),
    };
    const latencyPlan: PhasePlan = {
      name: 'latency',
      rounds: tuning.latencyRounds,
      warmupMs: tuning.latencyWarmupMs,
      measureMs: tuning.latencyMeasureMs,
      load: (group) => ({ type: 'paced', group, ratePerS: tuning.latencyRatePerS / pool.size }),
    };
    const before = await scrapeNodes(cluster);
    const throughput = await runRounds(sides, ctx, throughputPlan, warnings);
    const latency = await runRounds(sides, ctx, latencyPlan, warnings);
    const after = await scrapeNodes(cluster);

    const resultOf = (group: string): SideResult => ({
      throughput: throughputOf(throughput.get(group) ?? []),
      latency: latencyOf(latency.get(group) ?? [], tuning.latencyRatePerS),
    });
    const redis = redisCost(throughput.get(CLUSTER) ?? [], latency.get(CLUSTER) ?? []);
    const results = { single: resultOf(SINGLE), cluster: { ...resultOf(CLUSTER), redis } };
    for (const [group, result] of [
      [SINGLE, results.single],
      [CLUSTER, results.cluster],
    ] as const) {
      problems.push(
        ...problemsOf(`${group} throughput`, result.throughput.totals),
        ...problemsOf(`${group} latency`, result.latency.totals),
      );
    }
    const delivered = results.cluster.throughput.totals.received + results.cluster.latency.totals.received;
    const crossNode = crossNodeView(before, after, delivered);
    if (crossNode.deliveredFromOtherNodes !== delivered) {
      problems.push(
        `${CLUSTER}: ${delivered} signals delivered, ${crossNode.deliveredFromOtherNodes} of them from another node ` +
          '(every one should cross)',
      );
    }
    if (crossNode.takeovers + crossNode.leasesLost > 0) {
      problems.push(
        `${CLUSTER}: rooms moved between live nodes under load (${crossNode.takeovers} taken over, ` +
          `${crossNode.leasesLost} leases lost, ${crossNode.storeErrors} Redis errors): lease renewals came too late`,
      );
    }
    for (const group of [SINGLE, CLUSTER]) {
      const teardown = await pool.run(() => ({ type: 'disconnect', group }));
      problems.push(...problemsOf(`${group} teardown`, sumReports(teardown)));
    }
    await single.stop();
    single = null;

    log(`${CLUSTER}: failover, ${tuning.failovers} times: kill -9 a room's owner node`);
    const failover = await measureFailovers(cluster, tuning, log);
    problems.push(...failover.problems);
    return {
      result: {
        nodes: tuning.nodes,
        rooms: tuning.rooms,
        roomSize,
        clients,
        ...results,
        crossNode,
        failover: failover.result,
      },
      problems,
      warnings,
    };
  } finally {
    await single?.stop();
    await cluster?.stop();
  }
}
