// A private Redis (Debian's `redis-server`) for tests: loopback only, no persistence, configured
// on its command line alone, started in the test's own network namespace (see scripts/in-netns.js).
// `kill()` and `restart()` play a crash and a recovery on the same port, for the lobby cluster
// tests; the server comes back empty, as one without persistence does.
//
// Who it runs as: nobody, or the namespace's root without capabilities (daemon.ts says why). Redis runs as root without
// complaint; it writes nothing (`--save ''`, `--appendonly no`) outside its temporary directory.
//
// Ports: Redis binds without SO_REUSEPORT, so a taken port makes it exit ("Address already in
// use") rather than share. The port is drawn below Linux's ephemeral range (32768-60999), so that
// no outgoing connection's local port (a test's own PING after `kill()`, say) can land on it
// between a kill and the restart that must get it back; it is checked free with a listening
// socket, which Node opens without SO_REUSEPORT. A PING answered `+PONG` decides readiness.
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findExecutable, type Launched, launch, unprivileged } from './daemon.js';
import { waitFor } from './wait.js';

/**
 * A running redis-server of a test's own.
 *
 * @example
 * const redis = await startRedis();
 * try {
 *   await redis.kill(); // the cluster sees its store crash
 *   await redis.restart(); // and come back, empty, at the same url
 * } finally {
 *   await redis.stop();
 * }
 */
export interface RedisServer {
  /** `redis://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** Kills the server (SIGKILL, like a crash) and waits for it to exit; data is not kept. */
  kill(): Promise<void>;
  /** Hangs it (SIGSTOP): connections stay open and nothing is answered, until `pause(false)`. */
  pause(paused: boolean): void;
  /** Starts it again on the same port (empty, as after a crash without persistence). */
  restart(): Promise<void>;
  /** Stops it and removes its temporary directory. Idempotent. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
/** Ports are drawn from [PORT_LOW, PORT_HIGH): below the ephemeral range, above coturn's relay ranges. */
const PORT_LOW = 10_000;
const PORT_HIGH = 20_000;
const READY_TIMEOUT_MS = 5_000;
/** How long one PING may take before it counts as unanswered. */
const PING_TIMEOUT_MS = 200;
/** How long restart() keeps retrying a port still in use. */
const REBIND_TIMEOUT_MS = 2_000;
const REBIND_INTERVAL_MS = 50;
/** Fresh ports startRedis() tries before it gives up. */
const ATTEMPTS = 4;

/** Starts redis-server on a free port of 127.0.0.1; throws (never skips) when it is missing. */
export async function startRedis(): Promise<RedisServer> {
  const binary = findExecutable('redis-server');
  if (!binary) {
    throw new Error(
      'redis-server not found: install redis-server (Debian: apt-get install -y redis-server); the lobby cluster tests need it and .ci/run installs it',
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'tickmesh-redis-'));
  const prefix = await unprivileged(dir);
  const argv = (port: number) => {
    const args = [
      ...['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', dir],
      ...['--daemonize', 'no', '--protected-mode', 'yes', '--loglevel', 'warning'],
    ];
    return [...prefix, binary, ...args];
  };

  let server: Launched | null = null;
  let port = 0;
  const failures: string[] = [];
  for (let attempt = 1; attempt <= ATTEMPTS && !server; attempt++) {
    port = await freePort();
    try {
      server = await launchReady(argv(port), port);
    } catch (error) {
      failures.push(`attempt ${attempt}: ${(error as Error).message}`);
    }
  }
  if (!server) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`redis-server did not start:\n${failures.join('\n')}`);
  }

  let current: Launched = server;
  let stopping: Promise<void> | null = null;
  return {
    url: `redis://${HOST}:${port}`,
    port,
    async kill() {
      await current.kill('SIGKILL');
    },
    pause(paused) {
      current.pause(paused);
    },
    async restart() {
      if (stopping) throw new Error('redis restart() after stop()');
      await current.kill('SIGKILL');
      current = await relaunch(argv(port), port);
    },
    stop() {
      stopping ??= (async () => {
        await current.kill('SIGTERM');
        await rm(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

/** Starts the server on `port` again, retrying for a while if the port is still in use. */
async function relaunch(argv: readonly string[], port: number): Promise<Launched> {
  const deadline = performance.now() + REBIND_TIMEOUT_MS;
  for (;;) {
    try {
      return await launchReady(argv, port);
    } catch (error) {
      const message = (error as Error).message;
      if (!/address already in use/i.test(message) || performance.now() >= deadline) throw error;
    }
    await sleep(REBIND_INTERVAL_MS);
  }
}

/** Launches `argv` and resolves once it answers PING; kills it and throws, with its output, if it does not. */
async function launchReady(argv: readonly string[], port: number): Promise<Launched> {
  const server = launch(argv);
  try {
    await waitFor(
      async () => {
        const exit = server.exited();
        if (exit !== null) throw new Error(`redis-server ${exit}`);
        return pongs(port);
      },
      `redis-server to answer PING on ${HOST}:${port}`,
      { timeoutMs: READY_TIMEOUT_MS, intervalMs: 20 },
    );
    return server;
  } catch (error) {
    await server.kill('SIGKILL');
    throw new Error(`${(error as Error).message} (port ${port})\n${server.log().slice(-2000)}`);
  }
}

/** Sends `PING` and resolves whether `+PONG` came back within PING_TIMEOUT_MS. */
function pongs(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    let reply = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), PING_TIMEOUT_MS);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG\r\n'));
    });
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

/** A TCP port of 127.0.0.1 in [PORT_LOW, PORT_HIGH) that nothing listens on now, drawn at random. */
async function freePort(): Promise<number> {
  for (;;) {
    const port = PORT_LOW + Math.floor(Math.random() * (PORT_HIGH - PORT_LOW));
    if (await tcpFree(port)) return port;
  }
}

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: HOST, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
