/**
 * Where and when the lobby client connects next, as pure bookkeeping (no timers, no sockets).
 *
 * - The client may be given several lobby nodes (a cluster sharing its sessions and rooms). It
 *   starts on the first; every attempt that fails and every connection that is lost moves on to
 *   the next URL, round robin, so a dead node costs one attempt per round and no more.
 * - Between attempts it waits with capped exponential backoff and "equal jitter": before the n-th
 *   attempt since the last welcome, base = min(maxMs, initialMs * 2^(n - 1)) and the wait is uniform
 *   in [base / 2, base] (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015).
 * - A node that says it is going away (close 1001 `GOING_AWAY`, 1012 `SERVICE_RESTART`) is left for
 *   the next one at once: no wait before that one attempt. If it fails too, the backoff applies
 *   again, so nodes that all shut down at once cannot make the client spin.
 * - So is a node that went silent (the client's keep-alive got no answer, keep-alive.ts): its
 *   machine is most likely gone, and the next node may well be up.
 *
 * @example
 * const plan = createReconnectPlan({ urls: [a, b], initialMs: 250, maxMs: 30_000, random: Math.random });
 * open(plan.begin());                     // a
 * const waitMs = plan.failed(1001);       // 0: b at once
 */
import { CloseCode } from '@tickmesh/protocol';

export interface ReconnectPlanOptions {
  /** The lobby nodes, tried in this order; at least one. */
  urls: readonly string[];
  /** The wait before the first retry (before jitter), doubled per attempt. */
  initialMs: number;
  /** The longest wait (before jitter). */
  maxMs: number;
  /** Random source in [0, 1) for the jitter. */
  random: () => number;
}

export interface ReconnectPlan {
  /** Attempts since the last welcome (0 once welcomed). */
  readonly attempt: number;
  /** An attempt starts: counts it and gives the URL to open. */
  begin(): string;
  /** The lobby welcomed this connection: a later loss starts the backoff afresh. */
  welcomed(): void;
  /**
   * The attempt failed, or the connection was lost, with close `code` (null when there was none:
   * no socket could be made, or the attempt timed out): moves to the next URL and gives the wait
   * before trying it, in ms.
   */
  failed(code: number | null): number;
  /**
   * The connection went silent (no answer to the keep-alive) and the client gave it up: moves to
   * the next URL and gives the wait before trying it, 0 unless the last move was at once too.
   */
  silent(): number;
}

/** Close codes by which a node says "I am going away, the session lives on: go to another node". */
const GOING_AWAY_CODES: ReadonlySet<number> = new Set([CloseCode.GOING_AWAY, CloseCode.SERVICE_RESTART]);

export function createReconnectPlan(options: ReconnectPlanOptions): ReconnectPlan {
  const { urls, initialMs, maxMs, random } = options;
  if (urls.length === 0) throw new RangeError('the lobby client needs at least one URL');
  let index = 0;
  let attempt = 0;
  /** The current attempt was opened at once after a going-away close or a silence (so its failure waits). */
  let skippedWait = false;

  return {
    get attempt() {
      return attempt;
    },
    begin() {
      attempt++;
      return urls[index] ?? '';
    },
    welcomed() {
      attempt = 0;
      skippedWait = false;
    },
    failed: (code) => moveOn(code !== null && GOING_AWAY_CODES.has(code)),
    silent: () => moveOn(true),
  };

  /** To the next URL; the wait before it (0 when `atOnce`, unless the last move was at once too). */
  function moveOn(atOnce: boolean): number {
    index = (index + 1) % urls.length;
    if (atOnce && !skippedWait) {
      skippedWait = true;
      return 0;
    }
    skippedWait = false;
    const base = Math.min(maxMs, initialMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
    return Math.round(base / 2 + random() * (base / 2));
  }
}
