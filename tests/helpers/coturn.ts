// A private coturn (Debian's `turnserver`) for tests: TURN REST auth (`use-auth-secret`), loopback
// only, plain UDP and TCP, started in the test's own network namespace (see scripts/in-netns.js).
//
// Who it runs as. Outside a user namespace, as real root, it drops to nobody/nogroup with
// `setpriv --reuid=nobody --regid=nogroup --clear-groups`. Inside `unshare -rn` (how `npm test`
// runs) that fails with "setpriv: setresuid failed: Invalid argument": the namespace maps one uid
// only (0 -> the invoking user), so nobody does not exist there and no process in the namespace
// can become it. There it runs as the namespace's root (outside: the user who ran `npm test`) with
// every capability dropped: `setpriv --bounding-set=-all --inh-caps=-all --no-new-privs`. It listens
// on 127.0.0.1 in a namespace with nothing but `lo`, and writes only to its own temporary directory.
//
// Pitfall: coturn binds its listeners with SO_REUSEPORT, so a second coturn on a taken port starts
// and reports "listener opened" without complaint. Ports are therefore chosen here, checked free
// with sockets that do not share, and a STUN Binding request decides when the server is ready.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { accessSync, constants, readFileSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { waitFor } from './wait.js';

export interface Coturn {
  /** `turn:127.0.0.1:PORT?transport=udp` and `...?transport=tcp`. */
  urls: string[];
  /** The listening port (UDP and TCP). */
  port: number;
  /** Kills the server and removes its temporary directory. */
  stop(): Promise<void>;
}

export interface CoturnOptions {
  /** The `static-auth-secret` TURN REST credentials are signed with. */
  secret: string;
  /** The realm; default `tickmesh`. */
  realm?: string;
}

const HOST = '127.0.0.1';
/** Relay ports per server: each allocation takes one; a 3-peer mesh with UDP+TCP URLs uses 12. */
const RELAY_PORTS = 100;
/** Relay ranges are drawn below Linux's default ephemeral range (32768-60999) that libwebrtc uses. */
const RELAY_LOW = 20_000;
const RELAY_HIGH = 32_000;
const READY_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_MS = 2_000;
const ATTEMPTS = 4;
const NOBODY_UID = 65_534;

/** Starts coturn on a free port of 127.0.0.1; throws (never skips) when `turnserver` is missing. */
export async function startCoturn(options: CoturnOptions): Promise<Coturn> {
  const turnserver = findExecutable('turnserver');
  if (!turnserver) {
    throw new Error(
      'turnserver not found: install coturn (Debian: apt-get install -y coturn); the TURN tests need it and .ci/run installs it',
    );
  }
  const failures: string[] = [];
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const port = await freePort();
    const minPort = await freeRelayRange();
    const dir = await mkdtemp(join(tmpdir(), 'tickmesh-coturn-'));
    const asNobody = canBecomeNobody();
    if (asNobody) await chown(dir, NOBODY_UID, NOBODY_UID);
    const args = [
      '-n',
      `--listening-ip=${HOST}`,
      `--relay-ip=${HOST}`,
      `--listening-port=${port}`,
      '--use-auth-secret',
      `--static-auth-secret=${options.secret}`,
      `--realm=${options.realm ?? 'tickmesh'}`,
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--allow-loopback-peers',
      `--min-port=${minPort}`,
      `--max-port=${minPort + RELAY_PORTS - 1}`,
      `--pidfile=${join(dir, 'turn.pid')}`,
      `--userdb=${join(dir, 'turndb')}`,
      '--log-file=stdout',
      '--simple-log',
    ];
    const setpriv = findExecutable('setpriv');
    const privileges = asNobody
      ? ['--reuid=nobody', '--regid=nogroup', '--clear-groups']
      : ['--bounding-set=-all', '--inh-caps=-all', '--no-new-privs'];
    const argv = setpriv ? [setpriv, ...privileges, turnserver, ...args] : [turnserver, ...args];
    const server = launch(argv);
    try {
      await ready(server, port);
      return {
        urls: [`turn:${HOST}:${port}?transport=udp`, `turn:${HOST}:${port}?transport=tcp`],
        port,
        async stop() {
          await server.kill();
          await rm(dir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      await server.kill();
      await rm(dir, { recursive: true, force: true });
      failures.push(`attempt ${attempt} (port ${port}): ${(error as Error).message}\n${server.log().slice(-2000)}`);
    }
  }
  throw new Error(`coturn did not start:\n${failures.join('\n')}`);
}

interface Launched {
  /** Set once the process has exited, with a description of how. */
  exited(): string | null;
  log(): string;
  kill(): Promise<void>;
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
  const exitedPromise = new Promise<void>((resolve) => {
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
    // A test that forgets stop() must not leave coturn holding the namespace open.
    process.once('exit', () => {
      for (const c of running) c.kill('SIGKILL');
    });
  }
  return {
    exited: () => exit,
    log: () => output,
    async kill() {
      if (exit !== null || child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
}

/** Waits until coturn answers a STUN Binding request over UDP and accepts a TCP connection. */
async function ready(server: Launched, port: number): Promise<void> {
  await waitFor(
    async () => {
      const exit = server.exited();
      if (exit !== null) throw new Error(`turnserver ${exit}`);
      return (await stunAnswers(port, 200)) && (await tcpAccepts(port, 200));
    },
    `turnserver to answer STUN over UDP and accept TCP on ${HOST}:${port}`,
    { timeoutMs: READY_TIMEOUT_MS, intervalMs: 50 },
  );
}

/** Sends a STUN Binding request (RFC 5389) and resolves whether a Binding success response came back. */
function stunAnswers(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const transaction = randomBytes(12);
    const request = Buffer.alloc(20);
    request.writeUInt16BE(0x0001, 0); // Binding request
    request.writeUInt16BE(0, 2); // no attributes
    request.writeUInt32BE(0x2112a442, 4); // magic cookie
    transaction.copy(request, 8);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('error', () => done(false));
    socket.on('message', (msg) => {
      if (msg.length >= 20 && msg.readUInt16BE(0) === 0x0101 && msg.subarray(8, 20).equals(transaction)) done(true);
    });
    socket.send(request, port, HOST);
  });
}

function tcpAccepts(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** A port free for both UDP and TCP on 127.0.0.1: the kernel picks a TCP port, UDP is checked. */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, HOST, () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    if (port !== 0 && (await udpFree(port))) return port;
  }
}

/** The first port of `RELAY_PORTS` consecutive UDP ports that are free now, drawn at random. */
async function freeRelayRange(): Promise<number> {
  for (;;) {
    const blocks = Math.floor((RELAY_HIGH - RELAY_LOW) / RELAY_PORTS);
    const min = RELAY_LOW + Math.floor(Math.random() * blocks) * RELAY_PORTS;
    let free = true;
    for (let p = min; free && p < min + RELAY_PORTS; p++) free = await udpFree(p);
    if (free) return min;
  }
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, HOST, () => socket.close(() => resolve(true)));
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
