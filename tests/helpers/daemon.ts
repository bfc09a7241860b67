// What the tests' private servers (coturn.ts, redis.ts) share: finding a Debian program, running it
// with no privileges it does not need, and a child process that is killed with the test process.
//
// Who a server runs as. Outside a user namespace, as real root, it drops to nobody/nogroup with
// `setpriv --reuid=nobody --regid=nogroup --clear-groups`. Inside `unshare -rn` (how `npm test`
// runs) that fails with "setpriv: setresuid failed: Invalid argument": the namespace maps one uid
// only (0 -> the invoking user), so nobody does not exist there and no process in the namespace
// can become it. There it runs as the namespace's root (outside: the user who ran `npm test`) with
// every capability dropped: `setpriv --bounding-set=-all --inh-caps=-all --no-new-privs`.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { chown } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

const NOBODY_UID = 65_534;
/** How long a server has to exit after SIGTERM before it gets SIGKILL. */
const STOP_TIMEOUT_MS = 2_000;

/** A server process a test started. */
export interface Launched {
  /** Set once the process has exited, with a description of how. */
  exited(): string | null;
  /** The tail of what it printed on stdout and stderr. */
  log(): string;
  /** Sends `signal` (SIGKILL after 2 s) and resolves once it has exited. */
  kill(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Stops it where it stands (SIGSTOP: its connections stay open, nothing answers) or lets it go on (SIGCONT). */
  pause(paused: boolean): void;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Starts `argv`, keeping the tail of its output; a test that forgets to stop it does not leave it running. */
export function launch(argv: readonly string[]): Launched {
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
    // A server left running would hold the test's network namespace open.
    process.once('exit', () => {
      for (const c of running) c.kill('SIGKILL');
    });
  }
  return {
    exited: () => exit,
    log: () => output,
    pause(paused) {
      if (exit === null) child.kill(paused ? 'SIGSTOP' : 'SIGCONT');
    },
    async kill(signal = 'SIGTERM') {
      if (exit !== null || child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The words to put before a server's command so that it runs with no privileges it does not
 * need (see the header); `dir`, the server's own directory, is handed to nobody when it becomes
 * nobody. Empty when setpriv is missing.
 */
export async function unprivileged(dir: string): Promise<string[]> {
  const setpriv = findExecutable('setpriv');
  if (!setpriv) return [];
  if (canBecomeNobody()) {
    await chown(dir, NOBODY_UID, NOBODY_UID);
    return [setpriv, '--reuid=nobody', '--regid=nogroup', '--clear-groups'];
  }
  return [setpriv, '--bounding-set=-all', '--inh-caps=-all', '--no-new-privs'];
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

/** The path of executable `name` on PATH or in the usual system directories, or null. */
export function findExecutable(name: string): string | null {
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
