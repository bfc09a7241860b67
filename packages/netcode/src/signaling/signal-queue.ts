/**
 * The lobby client's outgoing signals, each kept until its target can be reached (the lobby is
 * there, has confirmed the room, and has the target connected in it) and then taken in order: an
 * ICE restart offer made while the lobby restarts must still reach the other side, or a link that
 * blipped meanwhile fails for good.
 *
 * Bounded like anything a client holds: at most `maxSignals` (the oldest go first) and only for
 * `maxAgeMs` (a negotiation that old has been given up by both sides); a signal past either is
 * dropped. Pure: the caller says when it is, and which targets it can reach.
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
}

export function createSignalQueue(limits: { maxSignals: number; maxAgeMs: number }): SignalQueue {
  let queue: QueuedSignal[] = [];
  const expire = (nowMs: number) => {
    queue = queue.filter((s) => nowMs - s.atMs <= limits.maxAgeMs);
  };
  return {
    push(to, data, nowMs) {
      expire(nowMs);
      queue.push({ to, data, atMs: nowMs });
      if (queue.length > limits.maxSignals) queue.shift();
    },
    take(reachable, nowMs) {
      expire(nowMs);
      const ready: QueuedSignal[] = [];
      const kept: QueuedSignal[] = [];
      for (const s of queue) (reachable(s.to) ? ready : kept).push(s);
      queue = kept;
      return ready;
    },
    get size() {
      return queue.length;
    },
  };
}
