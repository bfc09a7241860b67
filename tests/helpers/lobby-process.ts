/**
 * The lobby server as an operator runs it: the built `tickmesh-lobby` command in a child process,
 * on a port named up front (so a restarted one can listen there again at once; uWS reuses only a
 * port it was given by number), stopped the way deployments and crashes stop it: SIGTERM, or
 * SIGKILL.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { type AddressInfo, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../packages/lobby-server/bin/tickmesh-lobby.js', import.meta.url));

/** A free port of 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Compiles the lobby server (the command runs its build), when its sources are newer. */
export function buildLobby(): void {
  execFileSync('npx', ['tsc', '-b', 'packages/protocol', 'packages/lobby-server'], { cwd: repoRoot, stdio: 'inherit' });
}

export interface LobbyProcess {
  readonly port: number;
  readonly url: string;
  /** Everything it printed. */
  output(): string;
  /** Sends `signal` and resolves once the process has exited. */
  stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

/** Starts `tickmesh-lobby --host 127.0.0.1 --port <port> --metrics-port 0 ...args`; resolves once it listens. */
export async function startLobbyProcess(port: number, args: readonly string[]): Promise<LobbyProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [BIN, '--host', '127.0.0.1', '--port', String(port), '--metrics-port', '0', ...args],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += String(d)));
  child.stderr?.on('data', (d: Buffer) => (out += String(d)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitFor(
      () => out.includes('listening on') || child.exitCode !== null,
      () => `the lobby to listen; it printed:\n${out || '(nothing)'}`,
      { timeoutMs: 10_000 },
    );
  } catch (error) {
    // Not left running behind a failed start.
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
  if (child.exitCode !== null) throw new Error(`tickmesh-lobby exited: ${out}`);
  return {
    port,
    url: `ws://127.0.0.1:${port}/lobby`,
    output: () => out,
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
