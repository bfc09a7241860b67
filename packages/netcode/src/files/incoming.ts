/**
 * The receiving side of one accepted transfer: chunks go to the assembly as they come, to be
 * hashed and gathered into a Blob (file-work.ts: in a worker where there is one, else in the page;
 * the offered size is reserved against `maxHeldBytes` on accept); a byte
 * past the offered size stops it (`overrun`). Every `ackEveryBytes` the sender is told how many
 * bytes have come (its send window runs on these), and a smaller burst once no chunk has come for
 * ACK_FLUSH_MS. Once every byte is in and the sender's `done` has named the SHA-256, the assembly
 * hands over the Blob and its digest, which is compared, or the transfer fails `hash-mismatch`.
 * The sender is told either way (`received` or `abort`). Nothing here holds the page for long: no
 * buffer of the whole file is allocated, copied or hashed at once.
 */
import type { Assembly } from './file-work.js';
import { sameBytes, toHex } from './sha256.js';
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
  /** Where the bytes go to be hashed and gathered (file-work.ts). */
  assembly: Assembly;
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

export function createIncoming(deps: IncomingDeps): IncomingRole {
  const { id, size, tuning } = deps;
  const { assembly } = deps;
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
    if (!outcome.ok) assembly.drop();
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

  async function verify(hash: Uint8Array): Promise<void> {
    status = 'verifying';
    const file = await assembly.finish(deps.type);
    if (ended()) return;
    if (file === null || !sameBytes(file.sha256, hash)) {
      fail('hash-mismatch', 'local');
      return;
    }
    deps.sendControl({ type: 'received', id });
    end({ ok: true, blob: file.blob, name: deps.name, type: deps.type, size, sha256: toHex(file.sha256) });
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
      bytesReceived += bytes.length;
      assembly.add(bytes); // may take the buffer: nothing reads `bytes` after this
      if (bytesReceived - ackedBytes >= tuning.ackEveryBytes) ack();
      else armFlush();
      if (bytesReceived >= nextProgress || bytesReceived === size) {
        nextProgress = bytesReceived + tuning.progressStepBytes;
        deps.onProgress(bytesReceived);
      }
      if (bytesReceived === size && expected !== null) void verify(expected);
    },
    onDone(hash) {
      if (status !== 'sending' || expected !== null) return false;
      expected = hash;
      // `done` rides the reliable channel, the chunks the file channel: it may overtake the last ones.
      if (bytesReceived === size) void verify(hash);
      return true;
    },
    fail,
  };
}
