/**
 * The `tickmesh-lobby` command. Flags override environment variables, which override defaults.
 *
 * @example
 * npx tickmesh-lobby --port 8080 --static examples/arena-game/dist --turn-url turn:127.0.0.1:3478 --turn-secret s3cret
 */
import { cac } from 'cac';
import { ConfigError, defaultConfig, type LobbyConfig, resolveConfig } from './config.js';
import { type Logger, streamLogger } from './logger.js';
import { type LobbyServer, startLobbyServer } from './server.js';

type Env = Record<string, string | undefined>;

interface Flag {
  /** As cac takes it: the name and its value's placeholder. */
  flag: string;
  env: string;
  key: keyof LobbyConfig;
  /** The help line; its default is added from `defaultConfig`. */
  help: string;
  /** `list`: repeatable, comma-separated in the environment; `switch`: takes no value. */
  kind?: 'list' | 'switch';
  /** The default as help words it, where `defaultConfig` holds none to show (null, empty). */
  defaultText?: string;
}

/** Flags, their environment variables, config keys and help lines, in `--help` order. */
const FLAGS: readonly Flag[] = [
  { flag: '--port <port>', env: 'PORT', key: 'port', help: 'TCP port' },
  { flag: '--host <host>', env: 'HOST', key: 'host', help: 'interface to bind' },
  {
    flag: '--static <dir>',
    env: 'TICKMESH_STATIC',
    key: 'staticDir',
    help: 'serve the demo game (or any static files) from this directory',
  },
  { flag: '--grace-ms <ms>', env: 'TICKMESH_GRACE_MS', key: 'graceMs', help: 'reconnect grace of a dropped session' },
  { flag: '--countdown-ms <ms>', env: 'TICKMESH_COUNTDOWN_MS', key: 'countdownMs', help: 'pre-game countdown' },
  {
    flag: '--stun-url <url>',
    env: 'TICKMESH_STUN_URLS',
    key: 'stunUrls',
    help: 'STUN URL handed to peers; repeatable',
    kind: 'list',
  },
  {
    flag: '--turn-url <url>',
    env: 'TICKMESH_TURN_URLS',
    key: 'turnUrls',
    help: 'TURN URL handed to peers with REST credentials; repeatable',
    kind: 'list',
  },
  {
    flag: '--turn-secret <secret>',
    env: 'TICKMESH_TURN_SECRET',
    key: 'turnSecret',
    help: 'shared secret with the TURN server (coturn static-auth-secret)',
  },
  { flag: '--turn-ttl-s <s>', env: 'TICKMESH_TURN_TTL_S', key: 'turnTtlS', help: 'lifetime of TURN credentials' },
  { flag: '--rate <n>', env: 'TICKMESH_RATE', key: 'rateLimitPerS', help: 'messages per second per connection' },
  { flag: '--burst <n>', env: 'TICKMESH_BURST', key: 'rateBurst', help: 'rate limit burst' },
  {
    flag: '--origin <origin>',
    env: 'TICKMESH_ORIGINS',
    key: 'origins',
    help: 'allowed browser Origin; repeatable',
    kind: 'list',
    defaultText: 'any',
  },
  {
    flag: '--tls-cert <file>',
    env: 'TICKMESH_TLS_CERT',
    key: 'tlsCert',
    help: 'PEM certificate: serve HTTPS/WSS (needs --tls-key)',
  },
  { flag: '--tls-key <file>', env: 'TICKMESH_TLS_KEY', key: 'tlsKey', help: 'PEM private key for --tls-cert' },
  {
    flag: '--max-conns-per-ip <n>',
    env: 'TICKMESH_MAX_CONNS_PER_IP',
    key: 'maxConnsPerIp',
    help: 'open connections per address, IPv6 per /64',
  },
  { flag: '--max-conns <n>', env: 'TICKMESH_MAX_CONNS', key: 'maxConns', help: 'open connections in all' },
  {
    flag: '--trust-proxy',
    env: 'TICKMESH_TRUST_PROXY',
    key: 'trustProxy',
    help: 'client address from the last X-Forwarded-For entry, only behind a proxy that sets it',
    kind: 'switch',
  },
  {
    flag: '--hello-timeout-ms <ms>',
    env: 'TICKMESH_HELLO_TIMEOUT_MS',
    key: 'helloTimeoutMs',
    help: 'close a connection without hello after this',
  },
  {
    flag: '--in-bytes-per-s <n>',
    env: 'TICKMESH_IN_BYTES_PER_S',
    key: 'inBytesPerS',
    help: 'bytes one connection may send per second',
  },
  {
    flag: '--max-rooms-per-ip <n>',
    env: 'TICKMESH_MAX_ROOMS_PER_IP',
    key: 'maxRoomsPerIp',
    help: 'live rooms created from one address',
  },
  { flag: '--max-rooms <n>', env: 'TICKMESH_MAX_ROOMS', key: 'maxRooms', help: 'live rooms in all' },
  {
    flag: '--join-failures-per-min <n>',
    env: 'TICKMESH_JOIN_FAILURES_PER_MIN',
    key: 'joinFailuresPerMin',
    help: 'joins naming no room per address per minute, then joins wait',
  },
  {
    flag: '--relay-bytes-per-s <n>',
    env: 'TICKMESH_RELAY_BYTES_PER_S',
    key: 'relayBytesPerS',
    help: 'signal bytes one peer may relay per second',
  },
  {
    flag: '--fanout-bytes-per-s <n>',
    env: 'TICKMESH_FANOUT_BYTES_PER_S',
    key: 'fanoutBytesPerS',
    help: "bytes one peer's requests may make the server send to its room per second",
  },
  {
    flag: '--metrics-port <port>',
    env: 'TICKMESH_METRICS_PORT',
    key: 'metricsPort',
    help: 'port of the /metrics listener; 0 picks one',
  },
  {
    flag: '--metrics-host <host>',
    env: 'TICKMESH_METRICS_HOST',
    key: 'metricsHost',
    help: 'interface of the /metrics listener',
  },
  {
    flag: '--session-secret <secret>',
    env: 'TICKMESH_SESSION_SECRET',
    key: 'sessionSecret',
    help: 'signs session tokens and room tickets, so a restart keeps ids and rooms',
    defaultText: 'kept in --state-dir',
  },
  {
    flag: '--state-dir <dir>',
    env: 'TICKMESH_STATE_DIR',
    key: 'stateDir',
    help: 'where the session secret is kept',
    defaultText: '~/.local/state/tickmesh-lobby',
  },
  {
    flag: '--redis <url>',
    env: 'TICKMESH_REDIS_URL',
    key: 'redisUrl',
    help: 'Redis of a lobby cluster (redis://host:port); needs --session-secret',
    defaultText: 'none: one node',
  },
  {
    flag: '--node-id <id>',
    env: 'TICKMESH_NODE_ID',
    key: 'nodeId',
    help: "this node's name in the cluster",
    defaultText: 'host name and pid',
  },
  {
    flag: '--lease-ms <ms>',
    env: 'TICKMESH_LEASE_MS',
    key: 'leaseMs',
    help: "a room's lease in a cluster: a dead node's rooms are taken over after it",
  },
];

/** The default of `f` as help shows it: `defaultText`, else `defaultConfig`'s value, if any. */
function shownDefault(f: Flag): string | undefined {
  const value = defaultConfig[f.key];
  if (f.defaultText !== undefined) return f.defaultText;
  if (value === null || (Array.isArray(value) && value.length === 0)) return undefined;
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  return String(value);
}

/** The help line of `f`, with its default and its environment variable. */
function helpLine(f: Flag): string {
  const shown = shownDefault(f);
  const fallback = shown === undefined ? '' : ` (default ${shown})`;
  const envForm = f.kind === 'list' ? ' (env: comma-separated)' : '';
  return `${f.help}${fallback}${envForm} [env ${f.env}]`;
}

/** cac's key of a flag's value: `--grace-ms <ms>` is `graceMs`. */
const optionName = (flag: string): string =>
  (flag.split(' ')[0] ?? '').slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

const list = (v: unknown): string[] => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map(String));
const csv = (v: string | undefined): string[] | undefined =>
  v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

/** The value `f` sets from its flag (the last one given), else from its environment variable. */
function flagValue(f: Flag, fromFlag: unknown, env: Env): unknown {
  const envValue = env[f.env];
  switch (f.kind) {
    case 'list':
      return fromFlag !== undefined ? list(fromFlag) : csv(envValue);
    case 'switch':
      return fromFlag === true ? true : envValue;
    default:
      return list(fromFlag).at(-1) ?? envValue;
  }
}

/** Parses argv (without node and script) and env into config overrides; `null` after printing help. */
export function parseArgs(argv: readonly string[], env: Env): Partial<LobbyConfig> | null {
  const cli = cac('tickmesh-lobby');
  cli.usage(
    '[options]\n\nRuns the tickmesh lobby server: WebSocket /lobby (protocol v1) and GET /healthz, with GET /metrics on its own listener.',
  );
  for (const f of FLAGS) cli.option(f.flag, helpLine(f));
  cli.help();
  const { options } = cli.parse(['node', 'tickmesh-lobby', ...argv], { run: false });
  if (options.help) return null;
  cli.globalCommand.checkUnknownOptions();

  const overrides: Record<string, unknown> = {};
  for (const f of FLAGS) {
    const value = flagValue(f, options[optionName(f.flag)], env);
    if (value !== undefined) overrides[f.key] = value;
  }
  return overrides as Partial<LobbyConfig>;
}

/** Runs the CLI; resolves with the running server, or null when it only printed help. */
export async function main(
  argv: readonly string[],
  env: Env,
  logger: Logger = streamLogger,
): Promise<LobbyServer | null> {
  const overrides = parseArgs(argv, env);
  if (!overrides) return null;
  const config = resolveConfig(overrides);
  const server = await startLobbyServer(config, { logger });
  const http = server.url.replace(/^ws/, 'http').replace(/\/lobby$/, '/');
  logger.info(`tickmesh-lobby listening on ${http} (WebSocket ${server.url})`, {
    metrics: `http://${config.metricsHost}:${server.metricsPort}/metrics`,
    static: config.staticDir ?? 'none',
    turn: config.turnSecret !== null && config.turnUrls.length > 0 ? 'on' : 'off',
    cluster: config.redisUrl === null ? 'off' : `node ${server.nodeId} on ${redactUrl(config.redisUrl)}`,
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`tickmesh-lobby stopping on ${signal}`);
    void server.close().then(() => {
      // uWS lets the process exit once its sockets are closed; do not wait on a stuck peer.
      setTimeout(() => process.exit(0), 2000).unref();
    });
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  return server;
}

/** A Redis URL without its password, for logs. */
function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}

export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof ConfigError;
}
