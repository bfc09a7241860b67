/**
 * The sending side of one transfer: offer, wait for the answer, then pump the Blob through the
 * link's file channel in `chunkBytes` chunks, reading `readSlabBytes` ahead, hashing it as it goes
 * (file-work.ts), and pausing while the link's send window is full (send-window.ts: the receiver's
 * acknowledgments pace it to keep the game's packets from queueing behind the file) or the channel
 * holds more than `highWaterBytes` (file-channel.ts); then send `done` with the SHA-256 and wait
 * for the receiver's `received`.
 */
import type { FileChannels } from './file-channel.js';
import type { OutgoingHash } from './file-work.js';
import type { SendWindow } from './send-window.js';
import { toHex } from './sha256.js';
import type {
  FileTransferTuning,
  OutgoingResult,
  OutgoingTransfer,
  TransferFailReason,
  TransferStatus,
} from './types.js';
import { type AbortReason, encodeChunk, type FileControl, type RefuseReason } from './wire.js';

export interface OutgoingDeps {
  id: number;
  peerId: string;
  blob: Blob;
  name: string;
  type: string;
  tuning: FileTransferTuning;
  channels: FileChannels;
  /** The link's send window, shared by every transfer to this peer. */
  window: SendWindow;
  /** Starts the Blob's SHA-256 (file-work.ts: a worker's, or the page's chunk by chunk), once accepted. */
  hashing(): OutgoingHash;
  now(): number;
  sendControl(message: FileControl): boolean;
  onProgress(bytes: number): void;
  onEnd(result: OutgoingResult): void;
}

export interface OutgoingRole {
  readonly transfer: OutgoingTransfer;
  /** When the offer went out (the sender gives up on an unanswered one). */
  readonly offeredAt: number;
  /** When `done` went out (null before): the sender gives up on a receiver that never confirms. */
  readonly verifyingSince: number | null;
  onAccept(): boolean;
  onRefuse(reason: RefuseReason): boolean;
  onAbort(reason: AbortReason): boolean;
  onReceived(): boolean;
  onAck(bytes: number): boolean;
  fail(reason: TransferFailReason, by: 'local' | 'remote'): void;
}

export function createOutgoing(deps: OutgoingDeps): OutgoingRole {
  const { id, peerId, blob, tuning, channels, window } = deps;
  let status: TransferStatus = 'offered';
  let bytesSent = 0;
  let nextProgress = tuning.progressStepBytes;
  let hash: Uint8Array | null = null;
  /** Bytes the receiver has acknowledged. */
  let acked = 0;
  /** [bytes sent after the chunk, when it went], oldest first, for the chunks not yet acknowledged. */
  const sentAt: [number, number][] = [];
  let verifyingSince: number | null = null;
  let settle: (result: OutgoingResult) => void = () => {};
  const result = new Promise<OutgoingResult>((resolve) => {
    settle = resolve;
  });
  const ended = () => status === 'complete' || status === 'failed';

  function fail(reason: TransferFailReason, by: 'local' | 'remote'): void {
    if (ended()) return;
    // The receiver is told unless it is the one that ended it (or the link is gone).
    if (by === 'local' && reason !== 'link-lost') deps.sendControl({ type: 'cancel', id });
    end({ ok: false, reason, by });
  }

  function end(outcome: OutgoingResult): void {
    if (ended()) return;
    status = outcome.ok ? 'complete' : 'failed';
    settle(outcome);
    // Frees the window's share of this transfer and wakes a pump waiting on it.
    window.released(bytesSent - acked);
    deps.onEnd(outcome);
  }

  async function pump(): Promise<void> {
    const channel = channels.get(peerId);
    if (channel === null || !(await channels.opened(channel, tuning.channelOpenTimeoutMs))) {
      fail('link-lost', 'local');
      return;
    }
    const hasher = deps.hashing();
    const read = (from: number) => blob.slice(from, Math.min(blob.size, from + tuning.readSlabBytes)).arrayBuffer();
    let slab = blob.size > 0 ? read(0) : null;
    for (let offset = 0; slab !== null; offset += tuning.readSlabBytes) {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await slab);
      } catch {
        fail('read-failed', 'local');
        return;
      }
      const next = offset + tuning.readSlabBytes;
      slab = next < blob.size ? read(next) : null;
      for (let at = 0; at < bytes.length; at += tuning.chunkBytes) {
        if (ended()) return;
        if (channel.readyState !== 'open') {
          fail('link-lost', 'local');
          return;
        }
        while (!window.open()) {
          await window.changed();
          if (ended()) return;
        }
        if (channel.bufferedAmount > tuning.highWaterBytes) {
          await channels.drained(channel);
          if (ended()) return;
          if (channel.readyState !== 'open') {
            fail('link-lost', 'local');
            return;
          }
        }
        const chunk = bytes.subarray(at, Math.min(bytes.length, at + tuning.chunkBytes));
        hasher.update(chunk);
        try {
          channel.send(encodeChunk(id, chunk));
        } catch {
          fail('link-lost', 'local');
          return;
        }
        bytesSent += chunk.length;
        window.sent(chunk.length);
        sentAt.push([bytesSent, deps.now()]);
        if (bytesSent >= nextProgress) {
          nextProgress = bytesSent + tuning.progressStepBytes;
          deps.onProgress(bytesSent);
        }
      }
    }
    if (ended()) return;
    const digest = await hasher.digest();
    if (ended()) return;
    if (digest === null) {
      fail('read-failed', 'local');
      return;
    }
    hash = digest;
    status = 'verifying';
    verifyingSince = deps.now();
    deps.onProgress(bytesSent);
    if (!deps.sendControl({ type: 'done', id, sha256: hash })) fail('link-lost', 'local');
  }

  const transfer: OutgoingTransfer = {
    id,
    peerId,
    name: deps.name,
    type: deps.type,
    size: blob.size,
    get status() {
      return status;
    },
    get bytesSent() {
      return bytesSent;
    },
    result,
    cancel: () => fail('cancelled', 'local'),
  };

  return {
    transfer,
    offeredAt: deps.now(),
    get verifyingSince() {
      return verifyingSince;
    },
    onAccept() {
      if (status !== 'offered') return false;
      status = 'sending';
      void pump();
      return true;
    },
    onRefuse(reason) {
      if (status !== 'offered') return false;
      end({ ok: false, reason, by: 'remote' });
      return true;
    },
    onAbort(reason) {
      if (ended()) return true; // crossed with our own cancel
      end({ ok: false, reason, by: 'remote' });
      return true;
    },
    onAck(bytes) {
      if (status !== 'sending' && status !== 'verifying') return false;
      if (bytes > bytesSent) return false;
      if (bytes <= acked) return true;
      // The round trip of the last chunk this acknowledgment covers whole.
      let roundTripMs: number | null = null;
      while (sentAt.length > 0 && (sentAt[0]?.[0] ?? Number.POSITIVE_INFINITY) <= bytes) {
        roundTripMs = deps.now() - (sentAt.shift()?.[1] ?? 0);
      }
      window.acked(bytes - acked, roundTripMs, deps.now());
      acked = bytes;
      return true;
    },
    onReceived() {
      if (status !== 'verifying' || hash === null) return false;
      end({ ok: true, sha256: toHex(hash) });
      return true;
    },
    fail,
  };
}
