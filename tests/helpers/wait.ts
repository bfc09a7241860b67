/**
 * Waiting in tests: on a condition, never on a guessed time.
 *
 * `waitFor` is the one polling loop of the test suite: it runs a check (sync or async) until the
 * check returns a truthy value, which it hands back, and after a timeout fails naming what it
 * waited for (a string, or a function read at the timeout: say, with a child's output so far), how
 * many checks it made, the check's last error (with `retryOnError`) and whatever `report` says
 * about the system (each page's links and logs, say). The browser helpers
 * (`untilOrReport`, the arena's `until`) are `waitFor` with their pages' report.
 *
 * `letTimePass` is for a test that means to let time go by (a key held down, a rate sampled over a
 * window, messages paced under a rate limit, a message that must not arrive given the time it
 * would take), and says so at the call. Anything that waits for something to happen waits for it.
 *
 * @example
 * await waitFor(() => peers.every((p) => linkedTo(p, peers)), 'a full mesh of 3');
 * const health = await waitFor(async () => {
 *   const h = await getHealth(port);
 *   return h.rooms === 0 && h;
 * }, 'the room to expire', { report: () => getHealth(port) });
 */

/** What `waitFor` hands back: the check's value, once it is not one of these. */
export type Truthy<T> = Exclude<T, false | 0 | 0n | '' | null | undefined>;

export interface WaitOptions {
  /**
   * How long to keep checking, ms. Default 15,000: room for a WebRTC mesh to form on a busy
   * two-core machine, and a failure inside the default 20 s test timeout.
   */
  timeoutMs?: number;
  /** The pause after a check that failed, before the next, ms. Default 20. */
  intervalMs?: number;
  /**
   * Read after a timeout and appended to the error: a string as it is, anything else as indented
   * JSON. Default: nothing appended.
   */
  report?: () => unknown;
  /**
   * A check that throws counts as "not yet", and its last error goes into the timeout's message.
   * Default false: a throw ends the wait with that error.
   */
  retryOnError?: boolean;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_INTERVAL_MS = 20;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Resolves with the first truthy value `check` returns, checking again `intervalMs` after each
 * falsy one; rejects once `timeoutMs` has passed (after one last check at the deadline).
 */
export async function waitFor<T>(
  check: () => T | PromiseLike<T>,
  what: string | (() => string),
  options: WaitOptions = {},
): Promise<Truthy<T>> {
  const { timeoutMs = DEFAULT_TIMEOUT_MS, intervalMs = DEFAULT_INTERVAL_MS, report, retryOnError = false } = options;
  const started = performance.now();
  let checks = 0;
  let lastError: unknown;
  for (;;) {
    checks++;
    try {
      const value = await check();
      if (value) return value as Truthy<T>;
    } catch (error) {
      if (!retryOnError) throw error;
      lastError = error;
    }
    const left = started + timeoutMs - performance.now();
    if (left <= 0) {
      const waitedFor = typeof what === 'function' ? what() : what;
      const lines = [`timed out after ${timeoutMs} ms (${checks} checks) waiting for ${waitedFor}`];
      if (lastError !== undefined) lines.push(`the check last threw: ${String(lastError)}`);
      if (report) lines.push(await describe(report));
      throw new Error(lines.join('\n'));
    }
    await delay(Math.min(intervalMs, left));
  }
}

async function describe(report: () => unknown): Promise<string> {
  try {
    const value = await report();
    return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  } catch (error) {
    return `(the report failed: ${String(error)})`;
  }
}

/**
 * Lets `ms` of real time pass, for a test that means it to: say why at the call. Never a way to
 * wait for something to happen: `waitFor` that instead.
 */
export function letTimePass(ms: number): Promise<void> {
  return delay(ms);
}
