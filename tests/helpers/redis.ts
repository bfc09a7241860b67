// A private Redis (Debian's `redis-server`) for tests: loopback only, no persistence, configured
// on its command line alone, started in the test's own network namespace (see scripts/in-netns.js).
// `kill()` and `restart()` play a crash and a recovery on the same port, for the lobby cluster
// tests; the server comes back empty, as one without persistence does.
//
// Who it runs as: as tests/helpers/coturn.ts explains. As real root with nobody mapped, it drops to
// nobody/nogroup with setpriv; otherwise (inside `unshare -rn`, how `npm test` runs, it is the
// namespace's root) it keeps its uid and drops every capability. Redis runs as root without
// complaint; it writes nothing (`--save ''`, `--appendonly no`) outside its temporary directory.
//
// Ports: Redis binds without SO_REUSEPORT, so a taken port makes it exit ("Address already in
// use") rather than share. The port is drawn below Linux's ephemeral range (32768-60999), so that
// no outgoing connection's local port (a test's own PING after `kill()`, say) can land on it
// between a kill and the restart that must get it back; it is checked free with a listening
// socket, which Node opens without SO_REUSEPORT. A PING answered `+PONG` decides readiness.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
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
/** After SIGTERM, how long stop() waits before SIGKILL. */
const STOP_TIMEOUT_MS = 2_000;
/** How long restart() keeps retrying a port still in use. */
const REBIND_TIMEOUT_MS = 2_000;
const REBIND_INTERVAL_MS = 50;
/** Fresh ports startRedis() tries before it gives up. */
const ATTEMPTS = 4;
const NOBODY_UID = 65_534;

/** Starts redis-server on a free port of 127.0.0.1; throws (never skips) when it is missing. */
export async function startRedis(): Promise<RedisServer> {
  const binary = findExecutable('redis-server');
  if (!binary) {
    throw new Error(
      'redis-server not found: install redis-server (Debian: apt-get install -y redis-server); the lobby cluster tests need it and .ci/run installs it',
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'tickmesh-redis-'));
  const asNobody = canBecomeNobody();
  if (asNobody) await chown(dir, NOBODY_UID, NOBODY_UID);
  const setpriv = findExecutable('setpriv');
  const privileges = asNobody
    ? ['--reuid=nobody', '--regid=nogroup', '--clear-groups']
    : ['--bounding-set=-all', '--inh-caps=-all', '--no-new-privs'];
  const argv = (port: number) => {
    const args = [
      ...['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', dir],
      ...['--daemonize', 'no', '--protected-mode', 'yes', '--loglevel', 'warning'],
    ];
    return setpriv ? [setpriv, ...privileges, binary, ...args] : [binary, ...args];
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

interface Launched {
  /** Set once the process has exited, with a description of how. */
  exited(): string | null;
  /** The tail of what it printed on stdout and stderr. */
  log(): string;
  /** Sends `signal` (SIGKILL after STOP_TIMEOUT_MS) and resolves once it has exited. */
  kill(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function launch(argv: readonly string[]): Launched {
  const [command, ...args] = argv;
  if (!command) throw new Error('no command');
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exit: string | null = null;
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = signal ? `killed by ${signal}` : `exited with ${code}`;
      running.delete(child);
      resolve();
    });
  });
  child.once('error', (error) => {
    exit = `could not start: ${error.message}`;
    running.delete(child);
  });
  running.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // A test that forgets stop() must not leave redis holding the namespace open.
    process.once('exit', () => {
      for (const c of running) c.kill('SIGKILL');
    });
  }
  return {
    exited: () => exit,
    log: () => output,
    async kill(signal) {
      if (exit !== null || child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
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

/** True when this process may switch to nobody: real root, with uid and gid 65534 mapped. */
function canBecomeNobody(): boolean {
  if (process.getuid?.() !== 0) return false;
  return mapsId('/proc/self/uid_map', NOBODY_UID) && mapsId('/proc/self/gid_map', NOBODY_UID);
}

/** Whether an id map (`inside outside count` lines) covers `id` inside the namespace. */
function mapsId(file: string, id: number): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false; // no /proc (not Linux): no namespaces to worry about, but no setpriv either
  }
  return text
    .trim()
    .split('\n')
    .some((line) => {
      const [inside = Number.NaN, , count = 0] = line.trim().split(/\s+/).map(Number);
      return id >= inside && id < inside + count;
    });
}

function findExecutable(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return null;
}
