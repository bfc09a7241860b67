/**
 * A simulated clock: `Timers` whose time moves only when a test says so, so that everything built
 * on injected timers (the mesh's recovery, the memory transport, the conditioner, the sync loop)
 * runs deterministically and as fast as the CPU allows.
 *
 * The model, as in XState's `SimulatedClock` and @sinonjs/fake-timers:
 * - `now()` starts at `startMs` and changes only inside `advance`, `advanceTo`, `runNext` and
 *   `runUntil`. Inside a timer callback it reads the time the timer was due.
 * - Due timers run in time order; timers due at the same instant run in the order they were
 *   scheduled (an interval's next run counts as scheduled when its previous run ends).
 * - A timer scheduled by a callback for a time already reached (`setTimeout(fn, 0)`) runs in the
 *   same `advance`, after the timers already queued for that instant.
 * - Delays may be fractional; negative or NaN delays count as 0; intervals run at most once per
 *   1 ms of simulated time (as browsers clamp them), so a zero interval cannot hang a test.
 * - Only timers are simulated: promises and other microtasks do not run between two timers.
 *
 * @example
 * const clock = createSimClock();
 * clock.setTimeout(() => console.log('at', clock.now()), 50);
 * clock.advance(100); // logs "at 50"; clock.now() is 100
 */
import type { Timers } from './timers.js';

export interface SimClock extends Timers {
  /** Runs every timer due within the next `ms`, then leaves `now()` at the old time plus `ms`. */
  advance(ms: number): void;
  /** `advance` to an absolute time (no-op when `timeMs` is not in the future). */
  advanceTo(timeMs: number): void;
  /** Runs the earliest pending timer, moving time to it; false when none is pending. */
  runNext(): boolean;
  /**
   * Runs timers one by one until `check()` holds (checked first, then after each timer), for at
   * most `timeoutMs` of simulated time. Returns whether it held; on false `now()` is at the deadline.
   */
  runUntil(check: () => boolean, timeoutMs: number): boolean;
  /** Timers (timeouts and intervals) still pending. */
  pending(): number;
}

interface SimTimer {
  id: number;
  at: number;
  /** Scheduling order, the tie-break between timers due at the same instant. */
  order: number;
  fn: () => void;
  intervalMs: number | null;
}

/** Consecutive timers run at one instant before the clock assumes a runaway `setTimeout(fn, 0)` loop. */
const MAX_TIMERS_PER_INSTANT = 100_000;

export function createSimClock(startMs = 0): SimClock {
  let now = startMs;
  let nextId = 1;
  let nextOrder = 0;
  let running = false;
  let runAtInstant = 0;
  /** Live timers by id; the heap may still hold cancelled ones, skipped when popped. */
  const live = new Map<number, SimTimer>();
  const heap: SimTimer[] = [];

  const earlier = (a: SimTimer, b: SimTimer) => a.at < b.at || (a.at === b.at && a.order < b.order);

  function push(timer: SimTimer): void {
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const [p, c] = [heap[parent] as SimTimer, heap[i] as SimTimer];
      if (!earlier(c, p)) break;
      heap[parent] = c;
      heap[i] = p;
      i = parent;
    }
  }

  function pop(): SimTimer | undefined {
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const [l, r] = [2 * i + 1, 2 * i + 2];
      let best = i;
      if (l < heap.length && earlier(heap[l] as SimTimer, heap[best] as SimTimer)) best = l;
      if (r < heap.length && earlier(heap[r] as SimTimer, heap[best] as SimTimer)) best = r;
      if (best === i) return top;
      [heap[i], heap[best]] = [heap[best] as SimTimer, heap[i] as SimTimer];
      i = best;
    }
  }

  /** The earliest live timer, dropping cancelled ones off the top of the heap. */
  function peek(): SimTimer | undefined {
    while (heap.length > 0 && !live.has((heap[0] as SimTimer).id)) pop();
    return heap[0];
  }

  function schedule(fn: () => void, ms: number, intervalMs: number | null): number {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const timer: SimTimer = { id: nextId++, at: now + delay, order: nextOrder++, fn, intervalMs };
    live.set(timer.id, timer);
    push(timer);
    return timer.id;
  }

  function cancel(handle: unknown): void {
    if (typeof handle === 'number') live.delete(handle);
  }

  /** Runs one due timer (the caller checked it is live and due). */
  function fire(timer: SimTimer): void {
    pop();
    runAtInstant = timer.at === now ? runAtInstant + 1 : 1;
    if (runAtInstant > MAX_TIMERS_PER_INSTANT) {
      throw new Error(
        `sim clock: over ${MAX_TIMERS_PER_INSTANT} timers at t=${now} ms; a timer keeps rescheduling itself`,
      );
    }
    now = timer.at;
    if (timer.intervalMs === null) live.delete(timer.id);
    running = true;
    try {
      timer.fn();
    } finally {
      running = false;
    }
    if (timer.intervalMs !== null && live.has(timer.id)) {
      timer.at = now + timer.intervalMs;
      timer.order = nextOrder++;
      push(timer);
    }
  }

  /** Entry of every public run: refuses re-entry and restarts the runaway-loop count. */
  function guard(what: string): void {
    if (running) throw new Error(`sim clock: ${what} called from inside a timer callback`);
    runAtInstant = 0;
  }

  function advanceTo(timeMs: number): void {
    guard('advance');
    for (let timer = peek(); timer && timer.at <= timeMs; timer = peek()) fire(timer);
    if (timeMs > now) now = timeMs;
  }

  return {
    now: () => now,
    setTimeout: (fn, ms) => schedule(fn, ms, null),
    clearTimeout: cancel,
    setInterval: (fn, ms) => {
      const every = Math.max(1, Number.isFinite(ms) ? ms : 0);
      return schedule(fn, every, every);
    },
    clearInterval: cancel,
    advance: (ms) => advanceTo(now + Math.max(0, ms)),
    advanceTo,
    runNext() {
      guard('runNext');
      const timer = peek();
      if (!timer) return false;
      fire(timer);
      return true;
    },
    runUntil(check, timeoutMs) {
      guard('runUntil');
      const deadline = now + Math.max(0, timeoutMs);
      if (check()) return true;
      for (let timer = peek(); timer && timer.at <= deadline; timer = peek()) {
        fire(timer);
        if (check()) return true;
      }
      now = Math.max(now, deadline);
      return check();
    },
    pending: () => live.size,
  };
}
