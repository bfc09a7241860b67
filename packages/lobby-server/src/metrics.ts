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
}

export function createCounters(): LobbyCounters {
  return {
    messagesByType: new Map(),
    signalsRelayed: 0,
    errorsByCode: new Map(),
    rateLimitDrops: 0,
    closesByReason: new Map(),
  };
}

export function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export interface LiveGauges {
  connections(): number;
  sessions(): number;
  roomsByState(): Record<string, number>;
}

/** A prom-client registry exposing `counters` and `gauges` (plus Node process metrics). */
export function createMetricsRegistry(counters: LobbyCounters, gauges: LiveGauges): Registry {
  const register = new Registry();
  collectDefaultMetrics({ register, prefix: 'tickmesh_lobby_' });

  const fromMap = <K extends string>(counter: Counter<string>, label: string, map: Map<K, number>) => {
    counter.reset();
    for (const [key, value] of map) counter.inc({ [label]: key }, value);
  };

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
  new Counter({
    name: 'tickmesh_lobby_signals_relayed_total',
    help: 'Signals relayed between members of a room.',
    registers: [register],
    collect() {
      this.reset();
      this.inc(counters.signalsRelayed);
    },
  });
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
  new Counter({
    name: 'tickmesh_lobby_rate_limit_drops_total',
    help: 'Messages dropped by the per-connection rate limit.',
    registers: [register],
    collect() {
      this.reset();
      this.inc(counters.rateLimitDrops);
    },
  });
  new Counter({
    name: 'tickmesh_lobby_server_closes_total',
    help: 'Connections closed by the server, by reason.',
    labelNames: ['reason'],
    registers: [register],
    collect() {
      fromMap(this, 'reason', counters.closesByReason);
    },
  });
  return register;
}
