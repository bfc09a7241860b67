// A private coturn (Debian's `turnserver`) for tests: TURN REST auth (`use-auth-secret`), loopback
// only, plain UDP and TCP, started in the test's own network namespace (see scripts/in-netns.js).
//
// Who it runs as: nobody, or the namespace's root without capabilities (daemon.ts says why). It
// listens on 127.0.0.1 in a namespace with nothing but `lo`, and writes only to its own temporary
// directory.
//
// Pitfall: coturn binds its listeners with SO_REUSEPORT, so a second coturn on a taken port starts
// and reports "listener opened" without complaint. Ports are therefore chosen here, checked free
// with sockets that do not share, and a STUN Binding request decides when the server is ready.
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExecutable, type Launched, launch, unprivileged } from './daemon.js';
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
const ATTEMPTS = 4;

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
    const server = launch([...(await unprivileged(dir)), turnserver, ...args]);
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
