/**
 * File transfer's public shapes: tuning (every cap a remote peer can make us hold, with its
 * default), counters, the typed results and events. See file-transfer.ts for the flow.
 */
import type { AbortReason, RefuseReason } from './wire.js';

export type { AbortReason, RefuseReason } from './wire.js';

/** File transfer's caps and timings; each can be overridden through `FileTransferOptions.tuning`. */
export const fileTransferDefaults = {
  /** Largest file this peer accepts; bigger offers are refused `too-large` unasked. Receiver-set. */
  maxFileBytes: 64 * 1024 * 1024,
  /** Accepted incoming transfers running at once from one peer; an accept beyond it is refused `busy`. */
  maxIncomingPerPeer: 2,
  /** Offers from one peer waiting for an answer; more are refused `busy` unasked. */
  maxPendingOffersPerPeer: 4,
  /** Bytes held for every incoming transfer together (each reserves its whole size on accept); beyond it an accept is refused `no-memory`. */
  maxHeldBytes: 256 * 1024 * 1024,
  /**
   * Bytes of a file per chunk on the file channel (the receiver takes any size up to the channel's
   * message limit). SCTP sends a message whole before the next, so a game packet may wait behind
   * one chunk: 16 KiB is about 1 ms at 16 MB/s.
   */
  chunkBytes: 16 * 1024,
  /** Bytes read from the Blob at a time (the next slab is read while this one is sent). */
  readSlabBytes: 1024 * 1024,
  /**
   * Pacing (send-window.ts, after LEDBAT): a sender keeps its chunks' extra round-trip delay, the
   * time they wait in queues the game's packets share, near this many ms. Lower keeps the game's
   * latency closer to idle during a transfer; higher lets a transfer on a jittery path go faster.
   */
  queueDelayTargetMs: 4,
  /** The send window a link starts with (bytes past the receiver's last acknowledgment). */
  initialWindowBytes: 64 * 1024,
  /** The window never shrinks below this. */
  minWindowBytes: 32 * 1024,
  /** ...nor grows above this: a transfer moves at most this many bytes per round trip (1 MiB at 50 ms: about 20 MB/s). */
  windowBytes: 1024 * 1024,
  /** A receiver acknowledges every this many bytes (and a smaller burst once it has taken it). Receiver-set; keep it at most `minWindowBytes`. */
  ackEveryBytes: 32 * 1024,
  /** A sender waits while its link's file channel holds more than this. */
  highWaterBytes: 1024 * 1024,
  /** ...until it has drained to this (`bufferedAmountLowThreshold`). */
  lowWaterBytes: 256 * 1024,
  /** Where the stack has no `bufferedamountlow` event (@roamhq/wrtc), `bufferedAmount` is polled this often. */
  drainPollMs: 2,
  /** An offer nobody answers is refused `timeout` after this long; the sender gives up (`no-answer`) a little later. */
  offerTimeoutMs: 60_000,
  /** An accepted transfer with no bytes for this long (or a sender with no confirmation of its `done`) is stopped as `stalled`. */
  stallTimeoutMs: 30_000,
  /** The file channel must open within this long of an accept, else the transfer fails `link-lost`. */
  channelOpenTimeoutMs: 10_000,
  /** A progress event fires each time this many more bytes have moved (and at the end). */
  progressStepBytes: 256 * 1024,
  /** Transfer ids remembered after they end, so their last chunks count as late rather than unknown. */
  rememberEndedIds: 64,
};
export type FileTransferTuning = typeof fileTransferDefaults;

/** Why a transfer did not complete. */
export type TransferFailReason = RefuseReason | AbortReason | 'link-lost' | 'no-answer' | 'read-failed';

/** How a transfer ended: `by` says which side ended it (a refusal or abort is `remote` to the sender). */
export type TransferFailure = { ok: false; reason: TransferFailReason; by: 'local' | 'remote' };

/** A received file: its bytes with the name, type and size the sender offered; its SHA-256 checked. */
export interface ReceivedFile {
  ok: true;
  blob: Blob;
  name: string;
  type: string;
  size: number;
  /** The file's SHA-256, lowercase hex. */
  sha256: string;
}

export type IncomingResult = ReceivedFile | TransferFailure;
export type OutgoingResult = { ok: true; sha256: string } | TransferFailure;

export type TransferStatus = 'offered' | 'sending' | 'verifying' | 'complete' | 'failed';

interface TransferInfo {
  /** The sender's id of this transfer (unique per sender). */
  readonly id: number;
  /** The other peer: the receiver of an outgoing transfer, the sender of an incoming one. */
  readonly peerId: string;
  readonly name: string;
  readonly type: string;
  readonly size: number;
}

export interface OutgoingTransfer extends TransferInfo {
  readonly status: TransferStatus;
  /** Bytes handed to the file channel so far. */
  readonly bytesSent: number;
  /** Settles when the receiver confirmed every byte and the hash (`ok`), or the transfer failed. Never rejects. */
  readonly result: Promise<OutgoingResult>;
  /** Stops the transfer; the receiver sees it fail `cancelled` by `remote`. */
  cancel(): void;
}

export interface IncomingOffer extends TransferInfo {
  /** Takes the file; `busy`/`no-memory` when a cap says no (the sender is told), `gone` when the offer ended meanwhile. */
  accept(): { ok: true; transfer: IncomingTransfer } | { ok: false; reason: 'busy' | 'no-memory' | 'gone' };
  /** Says no (`declined` to the sender). */
  refuse(): void;
}

export interface IncomingTransfer extends TransferInfo {
  readonly status: TransferStatus;
  readonly bytesReceived: number;
  /** Settles with the file once every byte came and its SHA-256 matched, or with the failure. Never rejects. */
  readonly result: Promise<IncomingResult>;
  /** Stops the transfer; the sender sees it fail `cancelled` by `remote`. */
  cancel(): void;
}

export interface FileTransferCounters {
  offersReceived: number;
  /** Offers refused, whoever refused them (this peer's caps, its game, a timeout). */
  offersRefused: number;
  completedIn: number;
  completedOut: number;
  failedIn: number;
  failedOut: number;
  /** Control messages (tag 40) that failed to parse or named a transfer in the wrong state. */
  badControl: number;
  /** Chunk frames that failed to parse, or came as text. */
  badChunks: number;
  /** Chunks for a transfer this peer never accepted from that link. */
  unknownChunks: number;
  /** Chunks for a transfer that had just ended (in flight when it was cancelled): dropped. */
  lateChunks: number;
  /** Transfers stopped because the sender sent more bytes than it offered. */
  overruns: number;
  /** Transfers whose bytes did not hash to the sender's SHA-256. */
  hashMismatches: number;
  /** Bytes held right now for incoming transfers (a gauge, at most `maxHeldBytes`). */
  heldBytes: number;
}

export interface FileTransferEvents {
  /** A peer offers a file: `accept()` or `refuse()` it (unanswered, it is refused after `offerTimeoutMs`). */
  offer: IncomingOffer;
  /** Bytes moved: every `progressStepBytes`, and at the end. */
  progress: { direction: 'in' | 'out'; id: number; peerId: string; bytes: number; size: number };
  /** A transfer ended, either way. */
  end:
    | { direction: 'in'; id: number; peerId: string; result: IncomingResult }
    | { direction: 'out'; id: number; peerId: string; result: OutgoingResult };
}
