/**
 * The `tickmesh-lobby` command. Flags override environment variables, which override defaults.
 *
 * @example
 * npx tickmesh-lobby --port 8080 --static examples/arena-game/dist --turn-url turn:127.0.0.1:3478 --turn-secret s3cret
 */
import { cac } from 'cac';
import { ConfigError, type LobbyConfig, resolveConfig } from './config.js';
import { type Logger, streamLogger } from './logger.js';
import { type LobbyServer, startLobbyServer } from './server.js';

type Env = Record<string, string | undefined>;

/** Flags, their environment variables and their help lines, in `--help` order. */
const FLAGS = [
  ['--port <port>', 'PORT', 'TCP port (default 8080)'],
  ['--host <host>', 'HOST', 'interface to bind (default 0.0.0.0)'],
  ['--static <dir>', 'TICKMESH_STATIC', 'serve the demo game (or any static files) from this directory'],
  ['--grace-ms <ms>', 'TICKMESH_GRACE_MS', 'reconnect grace of a dropped session (default 15000)'],
  ['--countdown-ms <ms>', 'TICKMESH_COUNTDOWN_MS', 'pre-game countdown (default 3000)'],
  ['--stun-url <url>', 'TICKMESH_STUN_URLS', 'STUN URL handed to peers; repeatable (env: comma-separated)'],
  [
    '--turn-url <url>',
    'TICKMESH_TURN_URLS',
    'TURN URL handed to peers with REST credentials; repeatable (env: comma-separated)',
  ],
  ['--turn-secret <secret>', 'TICKMESH_TURN_SECRET', 'shared secret with the TURN server (coturn static-auth-secret)'],
  ['--turn-ttl-s <s>', 'TICKMESH_TURN_TTL_S', 'lifetime of TURN credentials (default 86400)'],
  ['--rate <n>', 'TICKMESH_RATE', 'messages per second per connection (default 20)'],
  ['--burst <n>', 'TICKMESH_BURST', 'rate limit burst (default 60)'],
  ['--origin <origin>', 'TICKMESH_ORIGINS', 'allowed browser Origin; repeatable (default: any) (env: comma-separated)'],
  ['--tls-cert <file>', 'TICKMESH_TLS_CERT', 'PEM certificate: serve HTTPS/WSS (needs --tls-key)'],
  ['--tls-key <file>', 'TICKMESH_TLS_KEY', 'PEM private key for --tls-cert'],
  ['--max-conns-per-ip <n>', 'TICKMESH_MAX_CONNS_PER_IP', 'open connections per address, IPv6 per /64 (default 64)'],
  ['--max-conns <n>', 'TICKMESH_MAX_CONNS', 'open connections in all (default 50000)'],
  [
    '--trust-proxy',
    'TICKMESH_TRUST_PROXY',
    'client address from the last X-Forwarded-For entry (only behind a proxy that sets it; default off)',
  ],
  [
    '--hello-timeout-ms <ms>',
    'TICKMESH_HELLO_TIMEOUT_MS',
    'close a connection without hello after this (default 10000)',
  ],
  ['--in-bytes-per-s <n>', 'TICKMESH_IN_BYTES_PER_S', 'bytes one connection may send per second (default 65536)'],
  ['--max-rooms-per-ip <n>', 'TICKMESH_MAX_ROOMS_PER_IP', 'live rooms created from one address (default 20)'],
  ['--max-rooms <n>', 'TICKMESH_MAX_ROOMS', 'live rooms in all (default 10000)'],
  [
    '--join-failures-per-min <n>',
    'TICKMESH_JOIN_FAILURES_PER_MIN',
    'joins naming no room per address per minute, then joins wait (default 20)',
  ],
  [
    '--relay-bytes-per-s <n>',
    'TICKMESH_RELAY_BYTES_PER_S',
    'signal bytes one peer may relay per second (default 65536)',
  ],
  [
    '--fanout-bytes-per-s <n>',
    'TICKMESH_FANOUT_BYTES_PER_S',
    "bytes one peer's requests may make the server send to its room per second (default 8192)",
  ],
  ['--metrics-port <port>', 'TICKMESH_METRICS_PORT', 'port of the /metrics listener; 0 picks one (default 9464)'],
  ['--metrics-host <host>', 'TICKMESH_METRICS_HOST', 'interface of the /metrics listener (default 127.0.0.1)'],
  [
    '--session-secret <secret>',
    'TICKMESH_SESSION_SECRET',
    'signs session tokens and room tickets, so a restart keeps ids and rooms (default: kept in --state-dir)',
  ],
  [
    '--state-dir <dir>',
    'TICKMESH_STATE_DIR',
    'where the session secret is kept (default ~/.local/state/tickmesh-lobby)',
  ],
] as const;

const list = (v: unknown): string[] => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map(String));
const csv = (v: string | undefined): string[] | undefined =>
  v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

/** Parses argv (without node and script) and env into config overrides; `null` after printing help. */
export function parseArgs(argv: readonly string[], env: Env): Partial<LobbyConfig> | null {
  const cli = cac('tickmesh-lobby');
  cli.usage(
    '[options]\n\nRuns the tickmesh lobby server: WebSocket /lobby (protocol v1) and GET /healthz, with GET /metrics on its own listener.',
  );
  for (const [flag, envName, help] of FLAGS) cli.option(flag, `${help} [env ${envName}]`);
  cli.help();
  const { options } = cli.parse(['node', 'tickmesh-lobby', ...argv], { run: false });
  if (options.help) return null;
  cli.globalCommand.checkUnknownOptions();

  const pick = (flag: unknown, envValue: string | undefined): string | undefined => {
    const fromFlag = list(flag).at(-1);
    return fromFlag ?? envValue;
  };
  const overrides: Record<string, unknown> = {};
  const set = (key: keyof LobbyConfig, value: unknown) => {
    if (value !== undefined) overrides[key] = value;
  };
  set('port', pick(options.port, env.PORT));
  set('host', pick(options.host, env.HOST));
  set('staticDir', pick(options.static, env.TICKMESH_STATIC));
  set('graceMs', pick(options.graceMs, env.TICKMESH_GRACE_MS));
  set('countdownMs', pick(options.countdownMs, env.TICKMESH_COUNTDOWN_MS));
  set('stunUrls', options.stunUrl !== undefined ? list(options.stunUrl) : csv(env.TICKMESH_STUN_URLS));
  set('turnUrls', options.turnUrl !== undefined ? list(options.turnUrl) : csv(env.TICKMESH_TURN_URLS));
  set('turnSecret', pick(options.turnSecret, env.TICKMESH_TURN_SECRET));
  set('turnTtlS', pick(options.turnTtlS, env.TICKMESH_TURN_TTL_S));
  set('rateLimitPerS', pick(options.rate, env.TICKMESH_RATE));
  set('rateBurst', pick(options.burst, env.TICKMESH_BURST));
  set('origins', options.origin !== undefined ? list(options.origin) : csv(env.TICKMESH_ORIGINS));
  set('tlsCert', pick(options.tlsCert, env.TICKMESH_TLS_CERT));
  set('tlsKey', pick(options.tlsKey, env.TICKMESH_TLS_KEY));
  set('maxConnsPerIp', pick(options.maxConnsPerIp, env.TICKMESH_MAX_CONNS_PER_IP));
  set('maxConns', pick(options.maxConns, env.TICKMESH_MAX_CONNS));
  set('trustProxy', options.trustProxy === true ? true : env.TICKMESH_TRUST_PROXY);
  set('helloTimeoutMs', pick(options.helloTimeoutMs, env.TICKMESH_HELLO_TIMEOUT_MS));
  set('inBytesPerS', pick(options.inBytesPerS, env.TICKMESH_IN_BYTES_PER_S));
  set('maxRoomsPerIp', pick(options.maxRoomsPerIp, env.TICKMESH_MAX_ROOMS_PER_IP));
  set('maxRooms', pick(options.maxRooms, env.TICKMESH_MAX_ROOMS));
  set('joinFailuresPerMin', pick(options.joinFailuresPerMin, env.TICKMESH_JOIN_FAILURES_PER_MIN));
  set('relayBytesPerS', pick(options.relayBytesPerS, env.TICKMESH_RELAY_BYTES_PER_S));
  set('fanoutBytesPerS', pick(options.fanoutBytesPerS, env.TICKMESH_FANOUT_BYTES_PER_S));
  set('metricsPort', pick(options.metricsPort, env.TICKMESH_METRICS_PORT));
  set('metricsHost', pick(options.metricsHost, env.TICKMESH_METRICS_HOST));
  set('sessionSecret', pick(options.sessionSecret, env.TICKMESH_SESSION_SECRET));
  set('stateDir', pick(options.stateDir, env.TICKMESH_STATE_DIR));
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

export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof ConfigError;
}
