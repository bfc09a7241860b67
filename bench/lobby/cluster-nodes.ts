/**
 * A lobby cluster for the bench: one `redis-server` (redis-process.ts) and tickmesh nodes started
 * on it with `--redis`, one shared `--session-secret`, `--node-id nodeK` and `--lease-ms`, each its
 * own child process like the lone server (server-process.ts), with the comparison's limits raised
 * out of the way ({@link COMPARISON_FLAGS}). Nodes can be crashed (SIGKILL) and new ones added
 * under fresh ids, as an operator replaces a dead machine.
 */
import { randomBytes } from 'node:crypto';
import { type RedisProcess, startRedis } from './redis-process.ts';
import { COMPARISON_FLAGS, type ServerProcess, type StartOptions, startServer } from './server-process.ts';

export interface ClusterNode {
  /** Its `--node-id`: node1, node2, ... */
  readonly id: string;
  readonly server: ServerProcess;
}

export interface BenchCluster {
  readonly redis: RedisProcess;
  /** The live nodes, oldest first. */
  readonly nodes: readonly ClusterNode[];
  /** Ends `node` with SIGKILL (no goodbye to the cluster); resolves once the process is gone. */
  crash(node: ClusterNode): Promise<void>;
  /** Starts one more node, under the next unused id. */
  addNode(): Promise<ClusterNode>;
  /** Stops every node, then Redis. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  nodes: number;
  leaseMs: number;
  server: StartOptions;
}

/** Starts Redis and `options.nodes` nodes on it; on failure stops what it started. */
export async function startCluster(options: ClusterOptions): Promise<BenchCluster> {
  const redis = await startRedis();
  const secret = randomBytes(24).toString('hex');
  const nodes: ClusterNode[] = [];
  let started = 0;
  const addNode = async (): Promise<ClusterNode> => {
    const id = `node${++started}`;
    const flags = [
      ...COMPARISON_FLAGS,
      ...['--redis', redis.url, '--session-secret', secret],
      ...['--node-id', id, '--lease-ms', String(options.leaseMs)],
    ];
    const server = await startServer('tickmesh', { ...options.server, flags, label: id });
    const node = { id, server };
    nodes.push(node);
    return node;
  };
  const stop = async () => {
    await Promise.all(nodes.splice(0).map((node) => node.server.stop()));
    await redis.stop();
  };
  try {
    for (let i = 0; i < options.nodes; i++) await addNode();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    redis,
    nodes,
    async crash(node) {
      const at = nodes.indexOf(node);
      if (at >= 0) nodes.splice(at, 1);
      await node.server.kill();
    },
    addNode,
    stop,
  };
}
