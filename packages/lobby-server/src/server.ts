/**
 * Composes the lobby server: config, counters, registry (machines), connection handler, metrics
 * and the uWS transport.
 *
 * @example
 * const server = await startLobbyServer({ port: 0, host: '127.0.0.1' });
 * console.log(server.url); // ws://127.0.0.1:PORT/lobby
 * await server.close();
 */
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { CloseCode } from '@tickmesh/protocol';
import { AddressBook } from './addresses.js';
import { type ClusterNode, createClusterNode } from './cluster/node.js';
import { RedisStore } from './cluster/redis-store.js';
import type { StateStore } from './cluster/store.js';
import { type LobbyConfig, resolveConfig } from './config.js';
import { createConnectionHandler } from './connection-handler.js';
import { cryptoIds, type IdSource } from './ids.js';
import { type Logger, silentLogger } from './logger.js';
import { createCounters, createMetricsRegistry, type LobbyCounters } from './metrics.js';
import { createRegistry, type MachineClock } from './registry.js';
import { loadSessionSecret } from './session-secret.js';
import { createSigner } from './signing.js';
import { startUwsServer } from './uws/app.js';

export interface LobbyServerDeps {
  logger?: Logger;
  ids?: IdSource;
  /** Wall clock, epoch ms. */
  now?: () => number;
  /** Timer clock for the machines (grace, countdown). */
  clock?: MachineClock;
  /**
   * The store of a cluster this node joins (tests pass a `MemoryStore` handle, several nodes in one
   * process); by default a `RedisStore` when `config.redisUrl` is set, else no cluster.
   */
  store?: StateStore;
}

export interface LobbyServer {
  readonly config: LobbyConfig;
  /** The bound port (useful with `port: 0`). */
  readonly port: number;
  /** The bound port of the `/metrics` listener (on `config.metricsHost`). */
  readonly metricsPort: number;
  /** `ws://host:port/lobby` (or `wss://` with TLS). */
  readonly url: string;
  readonly counters: LobbyCounters;
  /** This node's name in its cluster; null for a lone node. */
  readonly nodeId: string | null;
  /** Tells room members their room is closed, closes every socket (1001), stops listening and every machine. Idempotent. */
  close(): Promise<void>;
}

export async function startLobbyServer(
  overrides: Partial<LobbyConfig> = {},
  deps: LobbyServerDeps = {},
): Promise<LobbyServer> {
  const config = resolveConfig(overrides);
  const logger = deps.logger ?? silentLogger;
  const counters = createCounters();
  const monotonicMs = () => performance.now();
  const addresses = new AddressBook(config);
  const signer = createSigner(loadSessionSecret(config, logger));
  const store = deps.store ?? (config.redisUrl === null ? null : await RedisStore.connect(config.redisUrl, { logger }));
  const cluster: ClusterNode | null =
    store === null
      ? null
      : createClusterNode({
          store,
          nodeId: config.nodeId ?? `${hostname()}-${process.pid}`,
          signer,
          config,
          counters,
          logger,
          monotonicMs,
        });
  const registry = createRegistry({
    config,
    counters,
    ids: deps.ids ?? cryptoIds,
    signer,
    addresses,
    now: deps.now ?? Date.now,
    monotonicMs,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(cluster ? { cluster: cluster.hooks } : {}),
  });
  await cluster?.attach(registry);
  const handler = createConnectionHandler({
    config,
    registry,
    counters,
    addresses,
    monotonicMs,
    ...(cluster ? { router: cluster.router } : {}),
  });
  const metrics = createMetricsRegistry(counters, {
    connections: handler.connectionCount,
    sessions: registry.sessionCount,
    roomsByState: registry.roomsByState,
    addresses: () => addresses.size,
    ...(cluster ? { leases: cluster.leaseCount } : {}),
  });
  const transport = await startUwsServer({
    config,
    handler,
    metrics,
    health: () => ({ connections: handler.connectionCount(), rooms: registry.roomCount() }),
    onInternalError(where, error) {
      counters.internalErrors++;
      logger.error(`internal error in ${where}; that connection was closed`, {
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    },
    logger,
  });
  // Hello deadlines and stale failed-join windows: a sweep a second is plenty for 10 s deadlines.
  const sweeper = setInterval(() => handler.sweep(), Math.min(1000, config.helloTimeoutMs));
  sweeper.unref();
  const secure = config.tlsCert !== null;
  let closing: Promise<void> | null = null;
  const displayHost =
    config.host === '0.0.0.0' ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    config,
    port: transport.port,
    metricsPort: transport.metricsPort,
    url: `${secure ? 'wss' : 'ws'}://${displayHost}:${transport.port}/lobby`,
    counters,
    nodeId: cluster?.nodeId ?? null,
    close() {
      // Idempotent: closing a uWS listen socket twice aborts the process.
      closing ??= (async () => {
        clearInterval(sweeper);
        if (!cluster) {
          registry.shutdown();
          transport.close();
          return;
        }
        // In a cluster the rooms live on: leases go back, clients move to another node (1012).
        await cluster.shutdown();
        registry.shutdown(false);
        transport.close(CloseCode.SERVICE_RESTART, 'lobby node restarting');
        await cluster.close();
      })();
      return closing;
    },
  };
}
