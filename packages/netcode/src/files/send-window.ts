/**
 * How many file bytes may be on their way to one peer: a delay-based window after LEDBAT
 * (RFC 6817, "Low Extra Delay Background Transport"; uTP in BitTorrent is the same idea).
 *
 * A file shares its link with the game: every data channel of a link rides one SCTP association,
 * and on the way each packet passes queues the game's packets share (the association's send
 * queue, the socket, the receiving page's message queue). SCTP's own congestion control fills
 * those queues until something drops: a bulk transfer left to it delays a game packet by
 * everything queued ahead, hundreds of ms on loopback (bench:files). So a transfer is a scavenger:
 * it measures how long its chunks take to be acknowledged, takes the smallest time seen as the
 * link's base delay, reads anything above it as queueing, and keeps the queueing near
 * `queueDelayTargetMs`:
 *
 *   queueing   = current delay - base delay
 *   off target = (target - queueing) / target
 *   window    += off target * bytes acknowledged * chunkBytes / window   (per acknowledgment)
 *
 * A window below target grows by about a chunk per round trip, one above it shrinks in proportion
 * to how far above it is. Before queueing first reaches half the target the window doubles per
 * round trip (slow start), so a short file on a fast link is not paced from two chunks up. The
 * window grows only while the sender fills it (a transfer reading its Blob is not a reason to
 * grow), never below `minWindowBytes`, never above `windowBytes`.
 *
 * Delays are round trips (chunk sent to its acknowledgment back on the reliable channel), not
 * one-way delays: no clocks to agree on, and the way back carries little. "Current" is the
 * smallest of the last few samples (one late acknowledgment is not queueing); "base" the smallest
 * of per-interval minima over the last minute or so (a path that got slower for good is learned
 * within it). Transfers to one peer share one window: they share the link.
 */

/** The window's part of the file-transfer tuning (types.ts has the defaults and their docs). */
export interface SendWindowTuning {
  chunkBytes: number;
  initialWindowBytes: number;
  minWindowBytes: number;
  windowBytes: number;
  queueDelayTargetMs: number;
}

export interface SendWindow {
  /** Bytes the window allows in flight now. */
  readonly size: number;
  /** Bytes sent and not yet acknowledged (or released). */
  readonly inFlight: number;
  /** The last queueing delay measured, ms (0 before any sample). */
  readonly queueDelayMs: number;
  /** Whether another chunk may go now. */
  open(): boolean;
  /** Resolves at the next acknowledgment or release: check `open()` again (and whether the transfer still runs). */
  changed(): Promise<void>;
  /** `bytes` went out at `at`. */
  sent(bytes: number): void;
  /** `bytes` newly acknowledged; `roundTripMs` from the send of the last byte acknowledged, when known. */
  acked(bytes: number, roundTripMs: number | null, at: number): void;
  /** A transfer ended with `bytes` never acknowledged: they no longer count as in flight. */
  released(bytes: number): void;
}

/** Round-trip samples the current delay is the minimum of. */
const CURRENT_FILTER = 4;
/** Base delay: the minimum of this many per-interval minima... */
const BASE_HISTORY = 8;
/** ...each over this long. */
const BASE_INTERVAL_MS = 8_000;

export function createSendWindow(tuning: SendWindowTuning): SendWindow {
  let size = Math.min(tuning.windowBytes, Math.max(tuning.minWindowBytes, tuning.initialWindowBytes));
  let inFlight = 0;
  /** The most in flight this round (a window's worth of acknowledgments): did the sender fill the window? */
  let peakInFlight = 0;
  let ackedThisRound = 0;
  let roundSize = size;
  let slowStart = true;
  let queueDelayMs = 0;
  const recent: number[] = [];
  /** Per-interval minima, newest last; the current interval's minimum is updated in place. */
  const baseHistory: number[] = [];
  let intervalStartedAt = Number.NEGATIVE_INFINITY;
  let waiters: (() => void)[] = [];

  function wakeAll(): void {
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake();
  }

  function sample(roundTripMs: number, at: number): void {
    if (at - intervalStartedAt >= BASE_INTERVAL_MS || baseHistory.length === 0) {
      intervalStartedAt = at;
      baseHistory.push(roundTripMs);
      if (baseHistory.length > BASE_HISTORY) baseHistory.shift();
    } else {
      const last = baseHistory.length - 1;
      baseHistory[last] = Math.min(baseHistory[last] ?? roundTripMs, roundTripMs);
    }
    recent.push(roundTripMs);
    if (recent.length > CURRENT_FILTER) recent.shift();
    queueDelayMs = Math.max(0, Math.min(...recent) - Math.min(...baseHistory));
  }

  return {
    get size() {
      return size;
    },
    get inFlight() {
      return inFlight;
    },
    get queueDelayMs() {
      return queueDelayMs;
    },
    open: () => inFlight < size,
    changed: () => new Promise<void>((resolve) => waiters.push(resolve)),
    sent(bytes) {
      inFlight += bytes;
      peakInFlight = Math.max(peakInFlight, inFlight);
    },
    acked(bytes, roundTripMs, at) {
      // The sender filled the window (to within a chunk) this round: growth is earned.
      const filled = peakInFlight + tuning.chunkBytes >= roundSize;
      inFlight = Math.max(0, inFlight - bytes);
      ackedThisRound += bytes;
      if (roundTripMs !== null) {
        sample(roundTripMs, at);
        const target = tuning.queueDelayTargetMs;
        if (slowStart && queueDelayMs >= target / 2) slowStart = false;
        const offTarget = (target - queueDelayMs) / target;
        let next = size;
        if (slowStart) {
          if (filled) next = size + bytes;
        } else if (offTarget < 0 || filled) {
          next = size + (offTarget * bytes * tuning.chunkBytes) / size;
        }
        size = Math.min(tuning.windowBytes, Math.max(tuning.minWindowBytes, next));
      }
      if (ackedThisRound >= roundSize) {
        ackedThisRound = 0;
        roundSize = size;
        peakInFlight = inFlight;
      }
      wakeAll();
    },
    released(bytes) {
      inFlight = Math.max(0, inFlight - bytes);
      wakeAll();
    },
  };
}
