/**
 * Failover: how long a room is gone when the node running it dies (kill -9: no goodbye, its
 * leases run out).
 *
 * Each time, on a cluster (cluster-nodes.ts) with no other load: a creator connected to the oldest
 * node, the victim, makes a room (`room.create`: the victim takes its lease and runs it); a member
 * connected to the next node joins it (its session moves to the victim, its socket stays on its
 * own node, the gateway). One `room.chat` of the member must be answered before anything is
 * killed. Then the victim gets SIGKILL, and from the moment it is gone the member sends a
 * `room.chat` with a fresh `rid` every `failoverProbeEveryMs` over the socket it kept: a chat
 * needs the node that runs the room, and every member may send one. The failover time runs from
 * the kill to the first answer to one of them (the member's own copy, which carries its `rid`).
 * Chats sent while nothing runs the room vanish (published to the dead node) or are refused
 * (BAD_STATE while the cluster moves rooms); refusals are counted. A new node then replaces the
 * victim, so every run kills a node of a full cluster.
 *
 * Unsound (in `problems`): a room that could not be set up or did not answer before the kill, and
 * an answer after the kill without any node having taken a room over (then the victim did not run
 * the room, and the time measures nothing). A room that stays gone is the result, not a problem.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClusterConfig } from './bench-config.ts';
import type { BenchCluster, ClusterNode } from './cluster-nodes.ts';
import type { FailoverResult, FailoverRun } from './cluster-report.ts';
import { connectLoadClient, type LoadClient, type LoadClientEvents } from './load-client.ts';
import { median } from './scenarios.ts';
import { scrape } from './server-metrics.ts';

/** How long the room may take to answer the chat sent before the kill. */
const CHECK_TIMEOUT_MS = 5_000;
const POLL_MS = 5;

/** What one probe connection heard, besides answers to its requests. */
interface Heard {
  /** When each chat with a `rid` came back (performance.now()). */
  answeredAt: Map<string, number>;
  /** `error` messages, by code. */
  errors: Record<string, number>;
  /** The close code once its connection closed (null: without a close frame); undefined while open. */
  closedWith: number | null | undefined;
}

function listener(): { events: LoadClientEvents; heard: Heard } {
  const heard: Heard = { answeredAt: new Map(), errors: {}, closedWith: undefined };
  const events: LoadClientEvents = {
    onSignal() {},
    onMessage(_client, message) {
      if (message?.type === 'room.chat' && typeof message.rid === 'string') {
        heard.answeredAt.set(message.rid, performance.now());
      } else if (message?.type === 'error') {
        const code = String(message.code);
        heard.errors[code] = (heard.errors[code] ?? 0) + 1;
      }
    },
    onClose(_client, code) {
      heard.closedWith = code;
    },
  };
  return { events, heard };
}

async function connectProbe(node: ClusterNode, index: number): Promise<{ client: LoadClient; heard: Heard }> {
  const { events, heard } = listener();
  const connected = await connectLoadClient(new URL(node.server.url), index, events);
  if (!connected.ok) throw new Error(`failover: connecting to ${node.id}: ${connected.error}`);
  return { client: connected.client, heard };
}

const chat = (rid: string) => JSON.stringify({ type: 'room.chat', text: 'still there?', rid });

/** Resolves with the time of the first answer to one of `rids` (a growing list), or null after `deadline`. */
async function firstAnswer(heard: Heard, rids: readonly string[], deadline: number): Promise<number | null> {
  for (;;) {
    const times = rids.map((rid) => heard.answeredAt.get(rid)).filter((t) => t !== undefined);
    if (times.length > 0) return Math.min(...times);
    if (performance.now() > deadline || heard.closedWith !== undefined) return null;
    await sleep(POLL_MS);
  }
}

/** Rooms taken over so far by the nodes of `nodes`, from their /metrics. */
async function takeovers(nodes: readonly ClusterNode[]): Promise<number> {
  let total = 0;
  for (const node of nodes) {
    if (node.server.metricsUrl === null) continue;
    total += (await scrape(node.server.metricsUrl)).get('tickmesh_lobby_cluster_takeovers_total') ?? 0;
  }
  return total;
}

/** One failover: a room on `victim` with a member on `memberNode`; the victim killed. */
async function failoverOnce(
  cluster: BenchCluster,
  victim: ClusterNode,
  memberNode: ClusterNode,
  run: number,
  tuning: ClusterConfig,
): Promise<FailoverRun> {
  const creator = await connectProbe(victim, 2 * run);
  const member = await connectProbe(memberNode, 2 * run + 1);
  try {
    const created = await creator.client.request({ type: 'room.create' }, 'room.state');
    const code = (created.room as { code?: unknown } | undefined)?.code;
    if (typeof code !== 'string') throw new Error(`failover: room.create failed: ${JSON.stringify(created)}`);
    const joined = await member.client.request({ type: 'room.join', code }, 'room.state');
    if (joined.type !== 'room.state') throw new Error(`failover: room.join failed: ${JSON.stringify(joined)}`);
    member.client.send(chat('before'));
    const answered = await firstAnswer(member.heard, ['before'], performance.now() + CHECK_TIMEOUT_MS);
    if (answered === null) throw new Error(`failover: room ${code} did not answer a chat before the kill`);
    const survivors = cluster.nodes.filter((node) => node !== victim);
    const takeoversBefore = await takeovers(survivors);
    const errorsBefore = { ...member.heard.errors };

    const killedAt = performance.now();
    await cluster.crash(victim);
    const rids: string[] = [];
    let probe = 0;
    const send = () => {
      const rid = `after-${probe++}`;
      rids.push(rid);
      member.client.send(chat(rid));
    };
    send();
    const prober = setInterval(send, tuning.failoverProbeEveryMs);
    const answeredAt = await firstAnswer(member.heard, rids, killedAt + tuning.failoverTimeoutMs);
    clearInterval(prober);
    const refused: Record<string, number> = {};
    for (const [code, n] of Object.entries(member.heard.errors)) {
      const grew = n - (errorsBefore[code] ?? 0);
      if (grew > 0) refused[code] = grew;
    }
    return {
      victim: victim.id,
      memberNode: memberNode.id,
      ms: answeredAt === null ? null : answeredAt - killedAt,
      probes: probe,
      refused,
      memberClosedWith: member.heard.closedWith ?? null,
      takeovers: (await takeovers(survivors)) - takeoversBefore,
    };
  } finally {
    creator.client.destroy();
    member.client.destroy();
  }
}

/** `tuning.failovers` failovers one after another, each on a full cluster (a new node replaces the victim). */
export async function measureFailovers(
  cluster: BenchCluster,
  tuning: ClusterConfig,
  log: (line: string) => void,
): Promise<{ result: FailoverResult; problems: string[] }> {
  const runs: FailoverRun[] = [];
  const problems: string[] = [];
  for (let run = 0; run < tuning.failovers; run++) {
    const [victim, memberNode] = cluster.nodes;
    if (!victim || !memberNode) throw new Error('failover needs at least 2 nodes');
    let result: FailoverRun;
    try {
      result = await failoverOnce(cluster, victim, memberNode, run, tuning);
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
      break;
    }
    runs.push(result);
    const took = result.ms === null ? `no answer within ${tuning.failoverTimeoutMs} ms` : `${result.ms.toFixed(0)} ms`;
    log(`  failover ${run + 1}/${tuning.failovers}: killed ${victim.id}, member on ${memberNode.id}: ${took}`);
    if (result.ms !== null && result.takeovers === 0) {
      problems.push(`failover ${run + 1}: answered after killing ${victim.id}, but no node took a room over`);
    }
    const added = await cluster.addNode();
    log(`    ${added.id} replaces ${victim.id}`);
  }
  // A room that never came back counts as the longest failover of all (JSON: null).
  const times = runs.map((run) => run.ms ?? Number.POSITIVE_INFINITY);
  return {
    result: {
      leaseMs: tuning.leaseMs,
      probeEveryMs: tuning.failoverProbeEveryMs,
      runs,
      medianMs: median(times),
      maxMs: times.length === 0 ? Number.NaN : Math.max(...times),
      notAnswered: runs.filter((run) => run.ms === null).length,
    },
    problems,
  };
}
