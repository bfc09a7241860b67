/**
 * The session secret that signs tokens and room tickets (signing.ts). It must outlive the process
 * for a restart to keep players' ids and rooms: from `--session-secret` (every node of a cluster
 * shares one), else from a file in the state directory, made on first start (32 random bytes,
 * readable by the server's user only). If neither can be had, a secret for this process only,
 * and a warning: sessions then do not survive a restart.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from './logger.js';

/** `$XDG_STATE_HOME/tickmesh-lobby`, or `~/.local/state/tickmesh-lobby`. */
export function defaultStateDir(env: Record<string, string | undefined> = process.env): string {
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'tickmesh-lobby');
}

const FILE = 'session-secret';

export function loadSessionSecret(
  options: { sessionSecret: string | null; stateDir: string | null },
  logger: Logger,
): Uint8Array {
  if (options.sessionSecret !== null) return Buffer.from(options.sessionSecret, 'utf8');
  const dir = options.stateDir ?? defaultStateDir();
  const path = join(dir, FILE);
  try {
    return readFileSync(path);
  } catch {
    // Not there yet: make it below.
  }
  const secret = randomBytes(32);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // `wx`: if another server made it meanwhile, use theirs.
    writeFileSync(path, secret, { flag: 'wx', mode: 0o600 });
    return secret;
  } catch {
    try {
      return readFileSync(path);
    } catch (error) {
      logger.warn('no session secret could be kept; sessions will not survive a restart', {
        path,
        error: String(error),
      });
      return secret;
    }
  }
}
