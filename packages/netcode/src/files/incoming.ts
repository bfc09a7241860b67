/**
 * The receiving side of one accepted transfer: the file is assembled in one buffer of the offered
 * size (reserved against `maxHeldBytes` on accept), chunk by chunk in order; a byte past the
 * offered size stops it (`overrun`). Once every byte is in and the sender's `done` has named the
 * SHA-256, the buffer is hashed (Web Crypto) and the file handed over as a Blob, or the transfer
 * fails `hash-mismatch`. The sender is told either way (`received` or `abort`).
 */
import { sameBytes, sha256, toHex } from './sha256.js';
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
  sendControl(message: FileControl): boolean;
  onProgress(bytes: number): void;
  /** Counted by the caller: `overrun`, `hash-mismatch`. */
  onEnd(result: IncomingResult): void;
}

export interface IncomingRole {
  readonly transfer: IncomingTransfer;
  /** When bytes last came (or the accept went out). */
  readonly lastActivityAt: number;
  onChunk(bytes: Uint8Array): void;
  onDone(hash: Uint8Array): boolean;
  fail(reason: TransferFailReason, by: 'local' | 'remote'): void;
}

export function createIncoming(deps: IncomingDeps): IncomingRole {
  const { id, size, tuning } = deps;
  let buffer: Uint8Array<ArrayBuffer> | null = new Uint8Array(size);
  let status: TransferStatus = 'sending';
  let bytesReceived = 0;
  let nextProgress = tuning.progressStepBytes;
  const ackStep = Math.max(1, Math.floor(tuning.windowBytes / 4));
  let nextAck = ackStep;
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
    buffer = null;
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

  async function verify(hash: Uint8Array): Promise<void> {
    const bytes = buffer;
    if (bytes === null) return;
    status = 'verifying';
    const actual = await sha256(bytes);
    if (ended()) return;
    if (!sameBytes(actual, hash)) {
      fail('hash-mismatch', 'local');
      return;
    }
    deps.sendControl({ type: 'received', id });
    end({
      ok: true,
      blob: new Blob([bytes], { type: deps.type }),
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
      if (buffer === null || ended()) return;
      lastActivityAt = deps.now();
      if (status === 'verifying' || bytesReceived + bytes.length > size) {
        fail('overrun', 'local');
        return;
      }
      buffer.set(bytes, bytesReceived);
      bytesReceived += bytes.length;
      if (bytesReceived >= nextAck && bytesReceived < size) {
        nextAck = bytesReceived + ackStep;
        deps.sendControl({ type: 'ack', id, bytes: bytesReceived });
      }
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
