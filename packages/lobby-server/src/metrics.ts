/**
 * Server counters. The hot path bumps plain numbers; prom-client reads them only when /metrics is
 * scraped, so counting costs a property increment per message.
 */
import { ErrorCode } from '@tickmesh/protocol';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

export interface LobbyCounters {
  /** Accepted messages by type (`invalid` for ones that failed to parse). */
  messagesByType: Map<string, number>;
  signalsRelayed: number;
  errorsByCode: Map<ErrorCode, number>;
  rateLimitDrops: number;
  /** Connections closed by the server, by reason. */
  closesByReason: Map<string, number>;
  /** Refusals by the limit that made them (see {@link LimitName}). */
  limitHits: Map<LimitName, number>;
  /** Exceptions thrown while handling a connection's event (each closed that connection with 1011). */
  internalErrors: number;
  /** Signal data relayed, in characters of its JSON text (UTF-16 units; bytes for ASCII). */
  relayedBytes: number;
  /** Characters of `room.state` and `room.chat` copies sent to members other than the one who caused them. */
  fanoutBytes: number;
  /** What a cluster node did (cluster/node.ts); zero on a lone node. */
  cluster: ClusterCounters;
}

export interface ClusterCounters {
  /** Client messages sent to the node holding the client's session. */
  forwarded: number;
  /** Signals published to a peer connected to another node. */
  signalsOut: number;
  /** Signals from another node delivered here. */
  signalsIn: number;
  /** Signals from another node not delivered: the peer was gone, or in another room. */
  signalsUndelivered: number;
  /** Rooms this node took over from a node that died or shut down. */
  takeovers: number;
  /** Rooms this node stopped running because another node holds their lease. */
  leasesLost: number;
  /** Calls to the shared store that failed (Redis unreachable). */
  storeErrors: number;
}

/** Every limit a remote can run into; each is a flag of the server (docs/security.md). */
export const LimitName = {
  connsPerIp: 'conns_per_ip',
  conns: 'conns',
  helloTimeout: 'hello_timeout',
  inBytes: 'in_bytes',
  roomsPerIp: 'rooms_per_ip',
  rooms: 'rooms',
  joinFailures: 'join_failures',
  relayBytes: 'relay_bytes',
  fanoutBytes: 'fanout_bytes',
  depth: 'json_depth',
} as const;
export type LimitName = (typeof LimitName)[keyof typeof LimitName];

export function createCounters(): LobbyCounters {
  return {
    messagesByType: new Map(),
    signalsRelayed: 0,
    errorsByCode: new Map(),
    rateLimitDrops: 0,
    closesByReason: new Map(),
    limitHits: new Map(),
    internalErrors: 0,
    relayedBytes: 0,
    fanoutBytes: 0,
    cluster: {
      forwarded: 0,
      signalsOut: 0,
      signalsIn: 0,
      signalsUndelivered: 0,
      takeovers: 0,
      leasesLost: 0,
      storeErrors: 0,
    },
  };
}

export function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export interface LiveGauges {
  connections(): number;
  sessions(): number;
  roomsByState(): Record<string, number>;
  /** Client addresses the server holds counts for. */
  addresses(): number;
  /** Room leases this node holds in a cluster. */
  leases?(): number;
}

/** A prom-client registry exposing `counters` and `gauges` (plus Node process metrics). */
export function createMetricsRegistry(counters: LobbyCounters, gauges: LiveGauges): Registry {
  const register = new Registry();
  collectDefaultMetrics({ register, prefix: 'tickmesh_lobby_' });

  const fromMap = <K extends string>(counter: Counter<string>, label: string, map: Map<K, number>) => {
    counter.reset();
    for (const [key, value] of map) counter.inc({ [label]: key }, value);
  };

  /** A counter that reads a plain number when scraped. */
  const total = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [register],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  new Gauge({
    name: 'tickmesh_lobby_connections',
    help: 'Open WebSocket connections.',
    registers: [register],
    collect() {
      this.set(gauges.connections());
    },
  });
  new Gauge({
    name: 'tickmesh_lobby_sessions',
    help: 'Sessions, live or in reconnect grace.',
    registers: [register],
    collect() {
      this.set(gauges.sessions());
    },
  });
  new Gauge({
    name: 'tickmesh_lobby_rooms',
    help: 'Live rooms by state.',
    labelNames: ['state'],
    registers: [register],
    collect() {
      const byState = gauges.roomsByState();
      for (const state of ['open', 'countdown', 'playing']) this.set({ state }, byState[state] ?? 0);
    },
  });
  new Counter({
    name: 'tickmesh_lobby_messages_total',
    help: 'Client messages received, by type ("invalid" when they failed to parse).',
    labelNames: ['type'],
    registers: [register],
    collect() {
      fromMap(this, 'type', counters.messagesByType);
    },
  });
  total(
    'tickmesh_lobby_signals_relayed_total',
    'Signals relayed between members of a room.',
    () => counters.signalsRelayed,
  );
  new Counter({
    name: 'tickmesh_lobby_errors_total',
    help: 'Error messages sent, by code.',
    labelNames: ['code'],
    registers: [register],
    collect() {
      this.reset();
      for (const code of Object.values(ErrorCode)) this.inc({ code }, counters.errorsByCode.get(code) ?? 0);
    },
  });
  total(
    'tickmesh_lobby_rate_limit_drops_total',
    'Messages dropped by the per-connection rate limit.',
    () => counters.rateLimitDrops,
  );
  new Counter({
    name: 'tickmesh_lobby_server_closes_total',
    help: 'Connections closed by the server, by reason.',
    labelNames: ['reason'],
    registers: [register],
    collect() {
      fromMap(this, 'reason', counters.closesByReason);
    },
  });
  new Counter({
    name: 'tickmesh_lobby_limit_hits_total',
    help: 'Requests and connections refused by a limit, by limit.',
    labelNames: ['limit'],
    registers: [register],
    collect() {
      this.reset();
      for (const limit of Object.values(LimitName)) this.inc({ limit }, counters.limitHits.get(limit) ?? 0);
    },
  });
  total(
    'tickmesh_lobby_internal_errors_total',
    'Exceptions while handling a connection (each closed only that connection, 1011).',
    () => counters.internalErrors,
  );
  total(
    'tickmesh_lobby_relayed_bytes_total',
    'Signal data relayed, in characters of its JSON text (UTF-16 units; bytes for ASCII).',
    () => counters.relayedBytes,
  );
  total(
    'tickmesh_lobby_fanout_bytes_total',
    'Characters of room.state and room.chat copies sent to members other than the one who caused them.',
    () => counters.fanoutBytes,
  );
  const cluster = (name: string, help: string, read: (c: ClusterCounters) => number) =>
    total(`tickmesh_lobby_cluster_${name}_total`, help, () => read(counters.cluster));
  cluster('forwarded', "Client messages sent to the node holding the client's session.", (c) => c.forwarded);
  cluster('signals_out', 'Signals published to a peer connected to another node.', (c) => c.signalsOut);
  cluster('signals_in', 'Signals from another node delivered here.', (c) => c.signalsIn);
  cluster(
    'signals_undelivered',
    'Signals from another node not delivered (peer gone, or in another room).',
    (c) => c.signalsUndelivered,
  );
  cluster('takeovers', 'Rooms taken over from a node that died or shut down.', (c) => c.takeovers);
  cluster('leases_lost', 'Rooms dropped because another node holds their lease.', (c) => c.leasesLost);
  cluster('store_errors', 'Calls to the shared store (Redis) that failed.', (c) => c.storeErrors);
  new Gauge({
    name: 'tickmesh_lobby_cluster_leases',
    help: 'Room leases this node holds (0 on a lone node).',
    registers: [register],
    collect() {
      this.set(gauges.leases?.() ?? 0);
    },
  });
  new Gauge({
    name: 'tickmesh_lobby_addresses',
    help: 'Client addresses with open connections, live rooms or recent failed joins.',
    registers: [register],
    collect() {
      this.set(gauges.addresses());
    },
  });
  return register;
}
