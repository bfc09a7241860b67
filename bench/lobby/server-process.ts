/**
 * Starts a server under test as its own child process and hands back its pid and URL, so the
 * bench can read the server's CPU and memory from /proc without running inside it.
 *
 * - `tickmesh`: the built CLI, `node packages/lobby-server/bin/tickmesh-lobby.js` on 127.0.0.1,
 *   port 0, its `/metrics` on a port of its own (0), plus the scenario's flags: the relay comparison
 *   raises the limits out of the way ({@link COMPARISON_FLAGS}), the attack scenario keeps the
 *   defaults. It runs the compiled dist (what production runs), so `npm run build` must have been run.
 * - `ws`: the baseline relay, `node --import tsx bench/lobby/ws-relay.ts` (no limits, no flags).
 *
 * The cluster scenario starts several tickmesh servers with cluster flags (cluster-nodes.ts) and
 * crashes some of them ({@link ServerProcess.kill}).
 *
 * Both print their `ws://…/lobby` URL on stdout; the server's stderr is passed through to ours.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type ServerKind = 'tickmesh' | 'ws';

export interface ServerProcess {
  readonly kind: ServerKind;
  readonly pid: number;
  /** `ws://127.0.0.1:PORT/lobby`. */
  readonly url: string;
  /** `http://127.0.0.1:PORT/metrics` of the tickmesh server; null for the ws relay. */
  readonly metricsUrl: string | null;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone. */
  stop(): Promise<void>;
  /** SIGKILL at once, as a crash would end it; resolves once the process is gone. */
  kill(): Promise<void>;
}

export interface StartOptions {
  /** Run the server with `--cpu-prof` writing into this directory. */
  cpuProfDir?: string | undefined;
  /** Flags for the tickmesh server on top of host, port and metrics port (the ws relay takes none). */
  flags?: readonly string[];
  /** What its stderr lines are prefixed with (default: its kind), e.g. a cluster node's id. */
  label?: string;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const OUT_OF_THE_WAY = '1000000000';

/**
 * The relay comparison (throughput, latency, idle memory) prices what the server does per message
 * and per connection, not its limits against abuse; its clients all come from 127.0.0.1 and go as
 * fast as the server delivers. So every limit they would run into is raised, explicitly, here.
 */
export const COMPARISON_FLAGS: readonly string[] = [
  // The closed loop sends as fast as signals come back: hundreds a second per connection (default 20, burst 60).
  ...['--rate', OUT_OF_THE_WAY, '--burst', OUT_OF_THE_WAY],
  // One address opens every connection: 1,000 in rooms, 5,000 idle (default 64 per address).
  ...['--max-conns-per-ip', OUT_OF_THE_WAY],
  // One address creates every room: 250 rooms of 4 (default 20 per address).
  ...['--max-rooms-per-ip', OUT_OF_THE_WAY],
  // A closed-loop client relays hundreds of ~250-byte signal payloads a second (default 64 KiB/s per peer)...
  ...['--relay-bytes-per-s', OUT_OF_THE_WAY],
  // ...and sends those bytes in (default 64 KiB/s per connection).
  ...['--in-bytes-per-s', OUT_OF_THE_WAY],
];

/** Throws unless the lobby server's dist exists; warns when a source file is newer than it. */
export function checkBuild(warn: (line: string) => void): void {
  for (const pkg of ['protocol', 'lobby-server']) {
    const built = join(repoRoot, 'packages', pkg, 'dist', 'index.js');
    if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first`);
    const src = join(repoRoot, 'packages', pkg, 'src');
    // `tsc -b` leaves unchanged outputs alone but always refreshes the build info.
    const buildInfo = join(repoRoot, 'packages', pkg, 'tsconfig.tsbuildinfo');
    const builtAt = Math.max(statSync(built).mtimeMs, existsSync(buildInfo) ? statSync(buildInfo).mtimeMs : 0);
    const stale = readdirSync(src, { recursive: true, encoding: 'utf8' }).some(
      (file) => file.endsWith('.ts') && statSync(join(src, file)).mtimeMs > builtAt,
    );
    if (stale) warn(`warning: packages/${pkg}/src is newer than its dist; run \`npm run build\` to bench your changes`);
  }
}

/** The Node flags the lobby's bin runs with (its shebang, `npm start`): see packages/lobby-server/bin. */
const LOBBY_NODE_FLAGS = ['--max-semi-space-size=4'];

function commandFor(kind: ServerKind, options: StartOptions): string[] {
  const prof = options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir] : [];
  if (kind === 'ws') return [...prof, '--import', 'tsx', join(repoRoot, 'bench/lobby/ws-relay.ts'), '--port', '0'];
  return [
    ...prof,
    ...LOBBY_NODE_FLAGS,
    join(repoRoot, 'packages/lobby-server/bin/tickmesh-lobby.js'),
    ...['--host', '127.0.0.1', '--port', '0', '--metrics-port', '0'],
    ...(options.flags ?? []),
  ];
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export function startServer(kind: ServerKind, options: StartOptions = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, commandFor(kind, options), {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const label = options.label ?? kind;
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[${label} server] ${chunk}`));
  return new Promise((resolve, reject) => {
    let stdout = '';
    let listening = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${label} server printed no URL within 15 s: ${stdout}`));
    }, 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} server exited (${code}) before listening: ${stdout}`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      if (listening) return;
      stdout += chunk.toString();
      const url = /ws:\/\/[^\s)]+\/lobby/.exec(stdout)?.[0];
      const metricsUrl = /metrics=(http:\/\/\S+\/metrics)/.exec(stdout)?.[1] ?? null;
      if (!url || child.pid === undefined || (kind === 'tickmesh' && metricsUrl === null)) return;
      listening = true;
      clearTimeout(timer);
      resolve({
        kind,
        pid: child.pid,
        url,
        metricsUrl,
        async stop() {
          const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          child.kill('SIGTERM');
          await exited(child);
          clearTimeout(killer);
        },
        async kill() {
          child.kill('SIGKILL');
          await exited(child);
        },
      });
    });
  });
}
