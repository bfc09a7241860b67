/**
 * The receiving side of one accepted transfer: chunks are hashed as they come and gathered into
 * Blob parts of PART_BYTES (the offered size is reserved against `maxHeldBytes` on accept); a byte
 * past the offered size stops it (`overrun`). Every `ackEveryBytes` the sender is told how many
 * bytes have come (its send window runs on these), and a smaller burst once no chunk has come for
 * ACK_FLUSH_MS. Once every byte is in and the sender's `done` has named the SHA-256, the digest is
 * compared and the parts joined into one Blob (no copy), or the transfer fails `hash-mismatch`.
 * The sender is told either way (`received` or `abort`). Nothing here holds the page for long: no
 * buffer of the whole file is allocated, copied or hashed at once.
 */
import { createHasher, sameBytes, toHex } from './sha256.js';
import type {
  FileTransferTuning,
  IncomingResult,
  IncomingTransfer,
  TransferFailReason,
  TransferStatus,
} from './types.js';
import { type AbortReason, AbortReasons, type FileControl } from './wire.js';

export interface IncomingDeps {
  id: number;
  peerId: string;
  name: string;
  type: string;
  size: number;
  tuning: FileTransferTuning;
  now(): number;
  /** Runs `fn` after `ms` (a timer); returns a cancel. */
  after(ms: number, fn: () => void): () => void;
  sendControl(message: FileControl): boolean;
  onProgress(bytes: number): void;
  /** Counted by the caller: `overrun`, `hash-mismatch`. */
  onEnd(result: IncomingResult): void;
}

export interface IncomingRole {
  readonly transfer: IncomingTransfer;
  /** When bytes last came (or the accept went out). */
  readonly lastActivityAt: number;
  onChunk(bytes: Uint8Array<ArrayBuffer>): void;
  onDone(hash: Uint8Array): boolean;
  fail(reason: TransferFailReason, by: 'local' | 'remote'): void;
}

/** Bytes short of an acknowledgment step are acknowledged this long after they came. */
const ACK_FLUSH_MS = 5;
/**
 * Chunks are gathered into a Blob part of this many bytes (a Blob of Blobs joins without copying).
 * Making a Blob copies into fresh memory: on this VM a 1 MiB part held the page 18 ms, a 256 KiB
 * one 7 ms (bench:files' profile); smaller parts spread that, at a little more cost per byte.
 */
const PART_BYTES = 256 * 1024;

export function createIncoming(deps: IncomingDeps): IncomingRole {
  const { id, size, tuning } = deps;
  const hasher = createHasher();
  /** The file so far: Blobs of about PART_BYTES each, then the chunks not yet in one. */
  let parts: Blob[] = [];
  let chunks: Uint8Array<ArrayBuffer>[] = [];
  let chunkBytes = 0;
  let status: TransferStatus = 'sending';
  let bytesReceived = 0;
  let nextProgress = tuning.progressStepBytes;
  let ackedBytes = 0;
  let cancelFlush: (() => void) | null = null;
  let expected: Uint8Array | null = null;
  let lastActivityAt = deps.now();
  let settle: (result: IncomingResult) => void = () => {};
  const result = new Promise<IncomingResult>((resolve) => {
    settle = resolve;
  });
  const ended = () => status === 'complete' || status === 'failed';

  function end(outcome: IncomingResult): void {
    if (ended()) return;
    status = outcome.ok ? 'complete' : 'failed';
    parts = [];
    chunks = [];
    cancelFlush?.();
    settle(outcome);
    deps.onEnd(outcome);
  }

  function fail(reason: TransferFailReason, by: 'local' | 'remote'): void {
    if (ended()) return;
    if (by === 'local' && reason !== 'link-lost') {
      const abort = (AbortReasons as readonly string[]).includes(reason) ? (reason as AbortReason) : 'cancelled';
      deps.sendControl({ type: 'abort', id, reason: abort });
    }
    end({ ok: false, reason, by });
  }

  function ack(): void {
    if (ended() || bytesReceived === ackedBytes || bytesReceived === size) return;
    ackedBytes = bytesReceived;
    deps.sendControl({ type: 'ack', id, bytes: bytesReceived });
  }

  /**
   * Bytes short of a step (a sender's window under the step; a pause) are acknowledged once no
   * chunk has come for ACK_FLUSH_MS. One timer at a time, re-armed while chunks keep coming: in a
   * steady flow the steps acknowledge, and no timer is made and cancelled per chunk.
   */
  function armFlush(): void {
    if (cancelFlush !== null) return;
    cancelFlush = deps.after(ACK_FLUSH_MS, () => {
      cancelFlush = null;
      if (deps.now() - lastActivityAt >= ACK_FLUSH_MS) ack();
      else if (bytesReceived > ackedBytes) armFlush();
    });
  }

  function verify(hash: Uint8Array): void {
    status = 'verifying';
    const actual = hasher.digest();
    if (!sameBytes(actual, hash)) {
      fail('hash-mismatch', 'local');
      return;
    }
    deps.sendControl({ type: 'received', id });
    end({
      ok: true,
      blob: new Blob([...parts, ...chunks], { type: deps.type }),
      name: deps.name,
      type: deps.type,
      size,
      sha256: toHex(actual),
    });
  }

  const transfer: IncomingTransfer = {
    id,
    peerId: deps.peerId,
    name: deps.name,
    type: deps.type,
    size,
    get status() {
      return status;
    },
    get bytesReceived() {
      return bytesReceived;
    },
    result,
    cancel: () => fail('cancelled', 'local'),
  };

  if (size === 0) deps.onProgress(0);

  return {
    transfer,
    get lastActivityAt() {
      return lastActivityAt;
    },
    onChunk(bytes) {
      if (ended()) return;
      lastActivityAt = deps.now();
      if (status === 'verifying' || bytesReceived + bytes.length > size) {
        fail('overrun', 'local');
        return;
      }
      hasher.update(bytes);
      chunks.push(bytes);
      chunkBytes += bytes.length;
      if (chunkBytes >= PART_BYTES) {
        parts.push(new Blob(chunks));
        chunks = [];
        chunkBytes = 0;
      }
      bytesReceived += bytes.length;
      if (bytesReceived - ackedBytes >= tuning.ackEveryBytes) ack();
      else armFlush();
      if (bytesReceived >= nextProgress || bytesReceived === size) {
        nextProgress = bytesReceived + tuning.progressStepBytes;
        deps.onProgress(bytesReceived);
      }
      if (bytesReceived === size && expected !== null) verify(expected);
    },
    onDone(hash) {
      if (status !== 'sending' || expected !== null) return false;
      expected = hash;
      // `done` rides the reliable channel, the chunks the file channel: it may overtake the last ones.
      if (bytesReceived === size) verify(hash);
      return true;
    },
    fail,
  };
}
