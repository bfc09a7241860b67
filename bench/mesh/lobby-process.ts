/**
 * Starts lobby-main.ts as a child process and reads its state over HTTP: open connections
 * (`/healthz`, to wait until a run's clients are gone) and the counters that would make a run
 * unsound (`/metrics`: rate-limit drops, error replies, server-side closes).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface LobbyCounters {
  signalsRelayed: number;
  rateLimitDrops: number;
  /** Error replies other than RATE_LIMITED. */
  errors: number;
  serverCloses: number;
}

export interface LobbyProcess {
  readonly pid: number;
  /** `ws://127.0.0.1:PORT/lobby`. */
  readonly url: string;
  connections(): Promise<number>;
  counters(): Promise<LobbyCounters>;
  stop(): Promise<void>;
}

const mainPath = fileURLToPath(new URL('./lobby-main.ts', import.meta.url));

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Sum of every sample of `name` in Prometheus text, except those whose labels contain `except`. */
function metricSum(text: string, name: string, except?: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    if (except !== undefined && line.includes(except)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return sum;
}

export interface LobbyOptions {
  /** `off` raises the lobby's per-connection rate limit out of the way. */
  rateLimit: 'default' | 'off';
  /** Extra node flags (`--cpu-prof`). */
  nodeFlags: readonly string[];
}

export function startLobby(options: LobbyOptions): Promise<LobbyProcess> {
  const flags = options.rateLimit === 'off' ? ['--no-rate-limit'] : [];
  const node = [...options.nodeFlags, '--conditions', 'source', '--import', 'tsx'];
  const child = spawn(process.execPath, [...node, mainPath, ...flags], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[lobby] ${chunk}`));
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`lobby printed no URL within 20 s: ${stdout}`));
    }, 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`lobby exited (${code}) before listening: ${stdout}`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /ws:\/\/\S+\/lobby/.exec(stdout)?.[0];
      if (!url || child.pid === undefined) return;
      clearTimeout(timer);
      child.stdout?.removeAllListeners('data');
      const http = url.replace(/^ws/, 'http').replace(/\/lobby$/, '');
      resolve({
        pid: child.pid,
        url,
        async connections() {
          const health = (await (await fetch(`${http}/healthz`)).json()) as { connections?: number };
          return health.connections ?? Number.NaN;
        },
        async counters() {
          const text = await (await fetch(`${http}/metrics`)).text();
          return {
            signalsRelayed: metricSum(text, 'tickmesh_lobby_signals_relayed_total'),
            rateLimitDrops: metricSum(text, 'tickmesh_lobby_rate_limit_drops_total'),
            errors: metricSum(text, 'tickmesh_lobby_errors_total', 'RATE_LIMITED'),
            serverCloses: metricSum(text, 'tickmesh_lobby_server_closes_total'),
          };
        },
        async stop() {
          const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          child.kill('SIGTERM');
          await exited(child);
          clearTimeout(killer);
        },
      });
    });
  });
}
