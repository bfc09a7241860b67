/**
 * A throwaway `redis-server` for the cluster scenario: its own child process on 127.0.0.1 and a
 * free port, nothing saved to disk (no RDB snapshots, no AOF), so the bench reads its CPU from
 * /proc like a lobby node's and leaves nothing behind. It runs inside the bench's loopback-only
 * network namespace like everything else the bench starts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

export interface RedisProcess {
  readonly pid: number;
  /** `redis://127.0.0.1:PORT`. */
  readonly url: string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone. */
  stop(): Promise<void>;
}

/** How long redis-server may take to say it accepts connections. */
const READY_TIMEOUT_MS = 10_000;
/** Attempts at a port another process takes between our probe and redis-server's bind. */
const PORT_ATTEMPTS = 3;

/** A TCP port that was free a moment ago (redis-server has no "port 0, tell me which"). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function startOnce(port: number): Promise<RedisProcess> {
  const args = [
    ...['--port', String(port), '--bind', '127.0.0.1'],
    ...['--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    ...['--loglevel', 'notice', '--logfile', ''],
  ];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    let ready = false;
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`redis-server on port ${port}: ${why}\n${output}`));
    };
    const timer = setTimeout(() => fail(`not ready within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code) => {
      if (!ready) fail(`exited (${code}) before it was ready`);
    });
    const read = (chunk: Buffer) => {
      if (ready) return;
      output += chunk.toString();
      if (!output.includes('Ready to accept connections') || child.pid === undefined) return;
      ready = true;
      clearTimeout(timer);
      resolve({
        pid: child.pid,
        url: `redis://127.0.0.1:${port}`,
        async stop() {
          const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          child.kill('SIGTERM');
          await exited(child);
          clearTimeout(killer);
        },
      });
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
  });
}

/** Starts `redis-server` (Debian's package) on a free loopback port; throws when it is not installed. */
export async function startRedis(): Promise<RedisProcess> {
  let lastError: unknown = null;
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    try {
      return await startOnce(await freePort());
    } catch (error) {
      lastError = error;
      if (error instanceof Error && /ENOENT/.test(error.message)) break;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}
