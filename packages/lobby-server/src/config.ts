/**
 * Lobby server configuration: one commented defaults object, overridden by environment variables,
 * overridden by CLI flags. Units are in the names.
 */
import { Limits } from '@tickmesh/protocol';
import { z } from 'zod';

export interface LobbyConfig {
  /** TCP port; 0 picks a free one. Default 8080 (env PORT). */
  port: number;
  /** Interface to bind. Default 0.0.0.0 (env HOST). */
  host: string;
  /** Directory of static files served for every path that is not /lobby, /healthz or /metrics. Default none. */
  staticDir: string | null;
  /** How long a dropped session keeps its peer id and room slot. Default 15000. */
  graceMs: number;
  /** Length of the pre-game countdown. Default 3000. */
  countdownMs: number;
  /** STUN URLs handed out in `welcome.iceServers`. Default none. */
  stunUrls: string[];
  /** TURN URLs handed out with per-peer TURN REST credentials (needs `turnSecret`). Default none. */
  turnUrls: string[];
  /** Shared secret with the TURN server (coturn `static-auth-secret`). Default none: no TURN entries. */
  turnSecret: string | null;
  /** Lifetime of TURN credentials. Default 86400. */
  turnTtlS: number;
  /** Token bucket refill, messages per second per connection. Default 20. */
  rateLimitPerS: number;
  /** Token bucket size. Default 60. */
  rateBurst: number;
  /** Allowed `Origin` headers for WebSocket upgrades; empty allows any. Default empty. */
  origins: string[];
  /** TLS certificate and key (PEM files); both set serves HTTPS/WSS. Default none. */
  tlsCert: string | null;
  tlsKey: string | null;
  /** Seconds without traffic before uWS pings, then drops, a socket. Default 32 (uWS rounds to 4 s). */
  idleTimeoutS: number;
  /** Bytes buffered for one slow socket before it is closed (4002) instead of buffered further. Default 1 MiB. */
  maxBackpressureBytes: number;
  /**
   * Open connections from one address (an IPv6 /64 counts as one), with the sessions dropped from
   * it that wait in their reconnect grace; more connections are closed with 1013. Default 64.
   */
  maxConnsPerIp: number;
  /** Open connections in all; more are closed with 1013. Default 50000. */
  maxConns: number;
  /**
   * Behind a reverse proxy: take the client's address from the last `X-Forwarded-For` entry (the
   * one the proxy appended) instead of the socket's. Only with a proxy that sets it. Default false.
   */
  trustProxy: boolean;
  /** A connection that has not said `hello` this long after opening is closed with 4003. Default 10000. */
  helloTimeoutMs: number;
  /**
   * Bytes one connection may send per second (a bucket holding 4 s of it); a message over it is
   * dropped with `RATE_LIMITED`, as one over the message rate. Default 65536.
   */
  inBytesPerS: number;
  /** Live rooms created from one address; more are refused with `TOO_MANY_ROOMS`. Default 20. */
  maxRoomsPerIp: number;
  /** Live rooms in all; more are refused with `TOO_MANY_ROOMS`. Default 10000. */
  maxRooms: number;
  /**
   * `room.join`s naming no room, per address per minute, before joins from that address are refused
   * with `TOO_MANY_FAILED_JOINS` until the minute has passed (room code guessing). Default 20.
   */
  joinFailuresPerMin: number;
  /**
   * Signal data one peer may have relayed per second, in characters of its JSON text (UTF-16
   * units: bytes for the ASCII of SDP and candidates); a bucket holding 4 s of it. Over it a
   * signal is refused with `RATE_LIMITED`. Default 65536.
   */
  relayBytesPerS: number;
  /**
   * What one peer's requests may make the server send to the rest of its room per second, in
   * characters of JSON text like `relayBytesPerS` (`room.state` and `room.chat` copies; a bucket
   * holding 2 s of it, which one request may overdraw); while overdrawn its room requests are
   * refused with `RATE_LIMITED`. Default 8192.
   */
  fanoutBytesPerS: number;
  /** Port of the Prometheus `/metrics` listener, apart from the public one; 0 picks a free port. Default 9464. */
  metricsPort: number;
  /** Interface of the `/metrics` listener. Default 127.0.0.1 (not reachable from other machines). */
  metricsHost: string;
  /**
   * Secret that signs session tokens and room tickets, so a restart keeps players' ids and rooms
   * (every node of a cluster must share it). Default none: a secret made once and kept in `stateDir`.
   */
  sessionSecret: string | null;
  /** Where the server keeps its session secret. Default `$XDG_STATE_HOME/tickmesh-lobby` (~/.local/state/tickmesh-lobby). */
  stateDir: string | null;
  /**
   * Redis URL of a lobby cluster (`redis://host:port`): nodes sharing it share sessions and rooms,
   * and take over each other's rooms. Needs `sessionSecret` (the same on every node). Default none:
   * one node, state in process.
   */
  redisUrl: string | null;
  /** This node's name in the cluster; unique per node. Default: host name and process id. */
  nodeId: string | null;
  /**
   * How long a room's lease (and a node's heartbeat) lasts unless renewed (every third of it): when
   * a node dies, its rooms are taken over this long after. Default 1500.
   */
  leaseMs: number;
}

export const defaultConfig: LobbyConfig = {
  port: 8080,
  host: '0.0.0.0',
  staticDir: null,
  graceMs: 15_000,
  countdownMs: 3_000,
  stunUrls: [],
  turnUrls: [],
  turnSecret: null,
  turnTtlS: 86_400,
  rateLimitPerS: 20,
  rateBurst: 60,
  origins: [],
  tlsCert: null,
  tlsKey: null,
  idleTimeoutS: 32,
  maxBackpressureBytes: 1024 * 1024,
  maxConnsPerIp: 64,
  maxConns: 50_000,
  trustProxy: false,
  helloTimeoutMs: 10_000,
  inBytesPerS: 64 * 1024,
  maxRoomsPerIp: 20,
  maxRooms: 10_000,
  joinFailuresPerMin: 20,
  relayBytesPerS: 64 * 1024,
  fanoutBytesPerS: 8 * 1024,
  metricsPort: 9464,
  metricsHost: '127.0.0.1',
  sessionSecret: null,
  stateDir: null,
  redisUrl: null,
  nodeId: null,
  leaseMs: 1_500,
};

const count = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must not be negative');
const positive = z.coerce.number({ error: 'must be a number' }).positive('must be above 0');
/** A boolean, or its spelling in an environment variable. */
const flag = z.union([
  z.boolean(),
  z
    .enum(['1', 'true', 'yes', 'on', '0', 'false', 'no', 'off'])
    .transform((v) => ['1', 'true', 'yes', 'on'].includes(v)),
]);

/** Validates a full config; throws a readable error for a bad value. */
export const configSchema = z
  .object({
    port: count.max(65_535, 'must be at most 65535'),
    host: z.string().min(1),
    staticDir: z.string().min(1).nullable(),
    graceMs: count,
    countdownMs: count,
    stunUrls: z.array(z.string().regex(/^stuns?:/, 'STUN URLs start with stun: or stuns:')),
    turnUrls: z.array(z.string().regex(/^turns?:/, 'TURN URLs start with turn: or turns:')),
    turnSecret: z.string().min(1).nullable(),
    turnTtlS: count.min(1),
    rateLimitPerS: positive,
    rateBurst: positive,
    origins: z.array(z.string().min(1)),
    tlsCert: z.string().min(1).nullable(),
    tlsKey: z.string().min(1).nullable(),
    idleTimeoutS: count,
    maxBackpressureBytes: count.min(1024),
    maxConnsPerIp: count.min(1),
    maxConns: count.min(1),
    trustProxy: flag,
    helloTimeoutMs: count.min(1),
    inBytesPerS: count.min(Limits.maxFrameBytes, `must be at least ${Limits.maxFrameBytes} (one frame)`),
    maxRoomsPerIp: count.min(1),
    maxRooms: count.min(1),
    joinFailuresPerMin: count.min(1),
    relayBytesPerS: count.min(Limits.maxSignalBytes, `must be at least ${Limits.maxSignalBytes} (one signal)`),
    fanoutBytesPerS: count.min(1),
    metricsPort: count.max(65_535, 'must be at most 65535'),
    metricsHost: z.string().min(1),
    sessionSecret: z.string().min(16, 'must be at least 16 characters').nullable(),
    stateDir: z.string().min(1).nullable(),
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\//, 'Redis URLs start with redis:// or rediss://')
      .nullable(),
    nodeId: z
      .string()
      .regex(/^[\w.-]{1,64}$/, 'letters, digits, _ . - only, at most 64')
      .nullable(),
    leaseMs: count.min(300, 'must be at least 300'),
  })
  .refine((c) => (c.tlsCert === null) === (c.tlsKey === null), 'give both --tls-cert and --tls-key, or neither')
  .refine(
    (c) => c.redisUrl === null || c.sessionSecret !== null,
    'a cluster (--redis) needs --session-secret, the same on every node',
  );

/** Builds a config from defaults and partial overrides; throws on invalid values. */
export function resolveConfig(overrides: Partial<LobbyConfig> = {}): LobbyConfig {
  const merged = { ...defaultConfig, ...overrides };
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(`${issue?.path.join('.') || 'config'}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  override name = 'ConfigError';
}
