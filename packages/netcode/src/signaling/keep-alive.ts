/**
 * The lobby client's keep-alive: notices a lobby node that went silent without closing.
 *
 * A node whose machine vanished (power loss, a cut network) sends no FIN and no RST, and a client
 * that sends nothing while idle would notice only when TCP gives up on its retransmissions, many
 * minutes later (RFC 1122 4.2.3.5; Linux `tcp_retries2`, about 15 min). Browsers answer
 * WebSocket-level pings but cannot send them, so the probe is the protocol's own `ping`, whose
 * `pong` the server sends back (docs/lobby-protocol.md).
 *
 * - Any frame from the server is a sign of life (`heard`): while traffic flows, no ping is sent.
 * - After `intervalMs` with nothing heard, one ping; if nothing at all is heard in the
 *   `timeoutMs` after it, the connection is declared silent (`onSilent`, once) and the keep-alive
 *   stops. One ping per interval is far below the server's message rate limit.
 * - One timer at a time, and none after `stop` or `onSilent`: nothing outlives the connection.
 *
 * @example
 * const keepAlive = startKeepAlive({ timers, intervalMs: 10_000, timeoutMs: 5_000,
 *   sendPing: () => ws.send('{"type":"ping"}'), onSilent: () => moveToNextNode() });
 * ws.onmessage = (event) => { keepAlive.heard(); handle(event); };
 * ws.onclose = () => keepAlive.stop();
 */
import type { Timers } from '../util/timers.js';

export interface KeepAliveOptions {
  timers: Timers;
  /** How long the server may be quiet before a ping is sent, ms; above 0. */
  intervalMs: number;
  /** How long after a ping the server may still be quiet before the connection counts as dead, ms; above 0. */
  timeoutMs: number;
  sendPing(): void;
  /** Nothing was heard for `silentMs`, a ping included: the connection is dead. Called at most once. */
  onSilent(silentMs: number): void;
}

export interface KeepAlive {
  /** The server sent something: the connection is alive. */
  heard(): void;
  /** Stops for good and clears the timer (the connection closed). */
  stop(): void;
}

/** Starts watching a connection that has just opened (it counts as heard from now). */
export function startKeepAlive(options: KeepAliveOptions): KeepAlive {
  const { timers, intervalMs, timeoutMs } = options;
  if (!(intervalMs > 0) || !(timeoutMs > 0)) {
    throw new RangeError(`keep-alive times must be > 0, got ${intervalMs}, ${timeoutMs}`);
  }
  let lastHeardMs = timers.now();
  let timer: unknown = null;
  let stopped = false;

  const after = (ms: number, fn: () => void) => {
    timer = timers.setTimeout(() => {
      timer = null;
      if (!stopped) fn();
    }, ms);
  };

  /** Pings once the server has been quiet for `intervalMs`, else waits until it will have been. */
  function whenIdle(): void {
    const quietMs = timers.now() - lastHeardMs;
    if (quietMs < intervalMs) {
      after(intervalMs - quietMs, whenIdle);
      return;
    }
    const pingedAtMs = timers.now();
    options.sendPing();
    after(timeoutMs, () => {
      if (lastHeardMs >= pingedAtMs) {
        whenIdle();
        return;
      }
      stopped = true;
      options.onSilent(timers.now() - lastHeardMs);
    });
  }

  after(intervalMs, whenIdle);
  return {
    heard() {
      lastHeardMs = timers.now();
    },
    stop() {
      stopped = true;
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
    },
  };
}
