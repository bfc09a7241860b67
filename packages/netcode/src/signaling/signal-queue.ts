/**
 * Signals the lobby client could not send (the lobby was away), kept until their target can be
 * reached again: an ICE restart offer made while the lobby restarts must still reach the other
 * side, or a link that blipped meanwhile fails for good.
 *
 * Bounded like anything a client holds: at most `maxSignals` (the oldest go first) and only for
 * `maxAgeMs` (a negotiation that old has been given up by both sides). Pure: the caller says when
 * it is, and which targets it can reach.
 */
export interface QueuedSignal {
  to: string;
  data: unknown;
  atMs: number;
}

export interface SignalQueue {
  push(to: string, data: unknown, nowMs: number): void;
  /** Takes, in order, the signals for targets `reachable` says yes to; drops the expired. */
  take(reachable: (to: string) => boolean, nowMs: number): QueuedSignal[];
  /** Signals waiting now. */
  readonly size: number;
  /** Signals dropped for age or room, since the start. */
  readonly dropped: number;
}

export function createSignalQueue(limits: { maxSignals: number; maxAgeMs: number }): SignalQueue {
  let queue: QueuedSignal[] = [];
  let dropped = 0;
  const expire = (nowMs: number) => {
    const kept = queue.filter((s) => nowMs - s.atMs <= limits.maxAgeMs);
    dropped += queue.length - kept.length;
    queue = kept;
  };
  return {
    push(to, data, nowMs) {
      expire(nowMs);
      queue.push({ to, data, atMs: nowMs });
      if (queue.length > limits.maxSignals) {
        queue.shift();
        dropped++;
      }
    },
    take(reachable, nowMs) {
      expire(nowMs);
      const ready = queue.filter((s) => reachable(s.to));
      if (ready.length > 0) queue = queue.filter((s) => !reachable(s.to));
      return ready;
    },
    get size() {
      return queue.length;
    },
    get dropped() {
      return dropped;
    },
  };
}
