/**
 * The commands the bench (bench/lobby/main.ts) sends its load generator children
 * (bench/lobby/load-generator.ts) over child-ipc.ts. Every command is answered with one report (or
 * an error) carrying the generator's counters since its last `stop` or `disconnect`, which reset them.
 */

/**
 * Clients belong to a named group (one per server under test), so one generator can hold clients
 * of both servers and the bench can alternate load between them.
 */
export type GeneratorCommand =
  /**
   * Open `clients` connections and send `hello`; with `roomSize` > 0 also form rooms of that size.
   * With several `urls` (the nodes of a cluster), the members of each room connect to them in
   * turn, starting one further for each room: a room's members are on different nodes as long as
   * it has no more members than there are nodes, and its creator (whose node runs it) rotates.
   * With `forwardedForBase` (an IPv4 address as a 32-bit number), the group's client `k` presents
   * the address `forwardedForBase + k` in `X-Forwarded-For` (for a server run with `--trust-proxy`).
   */
  | {
      type: 'connect';
      group: string;
      urls: readonly string[];
      clients: number;
      roomSize: number;
      concurrency: number;
      forwardedForBase?: number;
    }
  /** Throughput: every client of `group` keeps `window` signals in flight; each delivery triggers the next. */
  | { type: 'closed-loop'; group: string; window: number }
  /**
   * Latency: send `ratePerS` signals per second, spread over the clients of `group` in turn (so each
   * sends at `ratePerS / clients`, evenly spaced). With `sdpEvery` n, a client's every n-th signal
   * carries an SDP-sized payload instead of a candidate.
   */
  | { type: 'paced'; group: string; ratePerS: number; sdpEvery?: number }
  /** Report counters and the latencies recorded since the last snapshot; then record or not. */
  | { type: 'snapshot'; recordLatency: boolean }
  /** Stop sending and wait up to `drainTimeoutMs` for signals in flight. */
  | { type: 'stop'; drainTimeoutMs: number }
  /** Drop every connection of `group`. */
  | { type: 'disconnect'; group: string };

export interface GeneratorCounters {
  connected: number;
  connectFailures: number;
  sent: number;
  /** Relayed signals received. */
  received: number;
  /** `error` messages received, by code. */
  errors: Record<string, number>;
  /** Relayed signals that failed a check: unknown sender, another room, a garbled payload. */
  malformed: number;
  /**
   * Signals a receiver never got although a later one from the same sender arrived: gaps in the
   * sender-to-receiver sequence numbers (the server dropped them mid-stream).
   */
  seqGaps: number;
  /** Signals whose sequence number was not above the last one from that sender (repeated or reordered). */
  seqOutOfOrder: number;
  /** Messages that are neither signals nor errors while load runs, by type (`unparsable`: not JSON with a type). */
  unexpected: Record<string, number>;
  /** Connections that closed while not being torn down, by close code (`none`: no close frame). */
  closes: Record<string, number>;
  /** Paced sends skipped because that client already had too many signals in flight. */
  skipped: number;
}

export interface GeneratorReport {
  counters: GeneratorCounters;
  /** Signals sent and not yet received. */
  inFlight: number;
  /** One-way latencies (ms) recorded since the previous snapshot (snapshot only). */
  latenciesMs: Float64Array;
  /** How late (ms) the pacer's 1 ms ticks fired since the previous snapshot (snapshot only). */
  stallsMs: Float64Array;
}

export function emptyCounters(): GeneratorCounters {
  return {
    connected: 0,
    connectFailures: 0,
    sent: 0,
    received: 0,
    errors: {},
    malformed: 0,
    seqGaps: 0,
    seqOutOfOrder: 0,
    unexpected: {},
    closes: {},
    skipped: 0,
  };
}
