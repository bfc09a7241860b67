/**
 * File transfer on the mesh: send a Blob to one peer or to all, received as a Blob with its name,
 * type and size, its SHA-256 checked on arrival.
 *
 *   sender                         reliable channel (tag 40)              receiver
 *   send(peer, blob) ── offer(id, name, type, size) ──────────────────►  'offer' event (caps first)
 *                    ◄──────────────────────────────── accept / refuse ── offer.accept() / refuse()
 *   pump chunks ══════ file channel (id 2, ordered, reliable) ═══════►  hash, gather Blob parts
 *   (send window)  ◄──────────────────────────────────── ack(bytes) ───  every ackEveryBytes
 *                  ─── done(id, sha256) ──────────────────────────────►  hash, compare
 *   result ok      ◄──────────────────────────────── received / abort ──  result: the Blob
 *   cancel() ────── cancel ──────────────────────►   ◄────── abort ────  cancel()
 *
 * The game channels keep their latency during a transfer: chunks ride their own channel (the
 * SCTP scheduler interleaves it with the game's two), the sender paces them by the delay of their
 * acknowledgments so they do not queue ahead of the game's packets (send-window.ts, after LEDBAT),
 * and neither side holds its page for long (chunks are hashed as they move; the file is gathered
 * in Blob parts). A transfer whose link fails, closes or is replaced fails `link-lost`, never
 * completes.
 *
 * Every remote input is hostile: control messages are parsed (wire.ts) and the sender of one is
 * the link it came on; offers past the receiver's caps are refused unasked; chunks for an unknown
 * transfer, bytes past the offered size and text frames are dropped and counted; nothing a remote
 * sends throws into the game.
 */
import type { Mesh } from '../transport/mesh.js';
import { createEmitter } from '../util/emitter.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { realTimers, type Timers } from '../util/timers.js';
import { createFileChannels } from './file-channel.js';
import { createFileWork } from './file-work.js';
import { createIncoming, type IncomingRole } from './incoming.js';
import { createOutgoing, type OutgoingRole } from './outgoing.js';
import { createSendWindow, type SendWindow } from './send-window.js';
import {
  type FileTransferCounters,
  type FileTransferEvents,
  type FileTransferTuning,
  fileTransferDefaults,
  type IncomingOffer,
  type IncomingTransfer,
  type OutgoingTransfer,
} from './types.js';
import { encodeControl, type FileControl, isFilePacket, parseChunk, parseControl } from './wire.js';

/** What file transfer needs of the mesh. */
export type FileTransferMesh = Pick<Mesh<unknown>, 'send' | 'peers' | 'peerConnection' | 'on'>;

export interface FileTransferOptions {
  mesh: FileTransferMesh;
  tuning?: Partial<FileTransferTuning>;
  timers?: Timers;
  logger?: Logger;
}

export interface SendFileOptions {
  /** The name the receiver sees. Default: the Blob's own `name` (a File), else `'file'`. */
  name?: string;
  /** The MIME type the receiver sees. Default: the Blob's `type`. */
  type?: string;
}

export interface FileTransfer {
  /** Offers `file` to one peer; the transfer starts when it accepts. Fails `link-lost` at once without a link. */
  send(peerId: string, file: Blob, options?: SendFileOptions): OutgoingTransfer;
  /** Offers `file` to every connected peer, one transfer each. */
  sendToAll(file: Blob, options?: SendFileOptions): OutgoingTransfer[];
  /** Transfers running (or offered, outgoing), both ways, and the offers waiting for an answer. */
  active(): { outgoing: OutgoingTransfer[]; incoming: IncomingTransfer[]; offers: IncomingOffer[] };
  readonly counters: Readonly<FileTransferCounters>;
  readonly tuning: Readonly<FileTransferTuning>;
  /** The send window to `peerId` (null before a transfer to it): how fast transfers to it may go, for a netgraph. */
  pacing(peerId: string): FilePacing | null;
  on<K extends keyof FileTransferEvents>(type: K, listener: (event: FileTransferEvents[K]) => void): () => void;
  /** Fails every transfer (`closed`) and closes the file channels. */
  close(): void;
}

/** A link's send window (send-window.ts), as `files.pacing(peerId)` reports it. */
export interface FilePacing {
  /** Bytes that may be unacknowledged now. */
  windowBytes: number;
  /** Bytes sent and not yet acknowledged. */
  inFlightBytes: number;
  /** How long chunks lately waited in queues beyond the link's base round trip, ms. */
  queueDelayMs: number;
}

interface PendingOffer {
  offer: IncomingOffer;
  at: number;
}

/**
 * @example
 * ```ts
 * const files = createFileTransfer({ mesh: session.mesh, tuning: { maxFileBytes: 1024 * 1024 } });
 * files.on('offer', (offer) => {
 *   if (offer.type === 'application/json') offer.accept(); else offer.refuse();
 * });
 * files.on('end', async (end) => {
 *   if (end.direction === 'in' && end.result.ok) loadMap(await end.result.blob.text());
 * });
 * const [toBob] = files.sendToAll(new File([json], 'map.json', { type: 'application/json' }));
 * const result = await toBob.result; // { ok: true, sha256 } or { ok: false, reason, by }
 * ```
 */
export function createFileTransfer(options: FileTransferOptions): FileTransfer {
  const { mesh } = options;
  const tuning: FileTransferTuning = { ...fileTransferDefaults, ...options.tuning };
  const timers = options.timers ?? realTimers;
  const logger = options.logger ?? silentLogger;
  const events = createEmitter<FileTransferEvents>((error) =>
    logger.error('a file transfer listener threw', { error: String(error) }),
  );
  const counters: FileTransferCounters = {
    offersReceived: 0,
    offersRefused: 0,
    completedIn: 0,
    completedOut: 0,
    failedIn: 0,
    failedOut: 0,
    badControl: 0,
    badChunks: 0,
    unknownChunks: 0,
    lateChunks: 0,
    overruns: 0,
    hashMismatches: 0,
    heldBytes: 0,
  };
  const key = (peerId: string, id: number) => `${peerId}\u0000${id}`;
  const outgoing = new Map<string, OutgoingRole>();
  const incoming = new Map<string, IncomingRole>();
  const pending = new Map<string, PendingOffer>();
  /** Incoming transfers that ended lately, oldest first: their last chunks are late, not unknown. */
  const ended: string[] = [];
  const work = createFileWork();
  /** One send window per link, shared by every transfer to that peer. */
  const windows = new Map<string, SendWindow>();
  const windowTo = (peerId: string): SendWindow => {
    let window = windows.get(peerId);
    if (!window) {
      window = createSendWindow(tuning);
      windows.set(peerId, window);
    }
    return window;
  };
  let nextId = 1;
  let closed = false;

  const channels = createFileChannels({
    host: mesh,
    timers,
    lowWaterBytes: tuning.lowWaterBytes,
    drainPollMs: tuning.drainPollMs,
    onData: onChunk,
    onText: () => counters.badChunks++,
  });

  const sendControl = (peerId: string, message: FileControl): boolean =>
    mesh.send(peerId, encodeControl(message), { reliable: true }) > 0;

  function remember(k: string): void {
    ended.push(k);
    if (ended.length > tuning.rememberEndedIds) ended.shift();
  }

  function countOf(map: Map<string, unknown>, peerId: string): number {
    const prefix = `${peerId}\u0000`;
    let n = 0;
    for (const k of map.keys()) if (k.startsWith(prefix)) n++;
    return n;
  }

  function refuse(
    peerId: string,
    id: number,
    reason: 'declined' | 'too-large' | 'busy' | 'no-memory' | 'timeout',
  ): void {
    counters.offersRefused++;
    sendControl(peerId, { type: 'refuse', id, reason });
  }

  function send(peerId: string, file: Blob, sendOptions: SendFileOptions = {}): OutgoingTransfer {
    const id = nextId;
    nextId = nextId >= 0xffffffff ? 1 : nextId + 1;
    const k = key(peerId, id);
    const name = sendOptions.name ?? ('name' in file && typeof file.name === 'string' ? file.name : 'file');
    const role = createOutgoing({
      id,
      peerId,
      blob: file,
      name,
      type: sendOptions.type ?? file.type,
      tuning,
      channels,
      window: windowTo(peerId),
      hashing: () => work.outgoingHash(file),
      now: () => timers.now(),
      sendControl: (message) => sendControl(peerId, message),
      onProgress: (bytes) => events.emit('progress', { direction: 'out', id, peerId, bytes, size: file.size }),
      onEnd: (result) => {
        outgoing.delete(k);
        if (result.ok) counters.completedOut++;
        else counters.failedOut++;
        events.emit('end', { direction: 'out', id, peerId, result });
      },
    });
    outgoing.set(k, role);
    const offered =
      !closed &&
      mesh.peers().includes(peerId) &&
      channels.get(peerId) !== null &&
      sendControl(peerId, { type: 'offer', id, name, mime: role.transfer.type, size: file.size });
    if (!offered) role.fail('link-lost', 'local');
    return role.transfer;
  }

  function onOffer(from: string, message: Extract<FileControl, { type: 'offer' }>): void {
    const k = key(from, message.id);
    counters.offersReceived++;
    if (pending.has(k) || incoming.has(k)) {
      counters.badControl++;
      return;
    }
    if (message.size > tuning.maxFileBytes) return refuse(from, message.id, 'too-large');
    if (countOf(pending, from) >= tuning.maxPendingOffersPerPeer) return refuse(from, message.id, 'busy');
    let answered = false;
    const offer: IncomingOffer = {
      id: message.id,
      peerId: from,
      name: message.name,
      type: message.mime,
      size: message.size,
      accept() {
        if (answered || pending.get(k)?.offer !== offer) return { ok: false, reason: 'gone' };
        answered = true;
        pending.delete(k);
        if (countOf(incoming, from) >= tuning.maxIncomingPerPeer) {
          refuse(from, message.id, 'busy');
          return { ok: false, reason: 'busy' };
        }
        if (counters.heldBytes + message.size > tuning.maxHeldBytes) {
          refuse(from, message.id, 'no-memory');
          return { ok: false, reason: 'no-memory' };
        }
        return { ok: true, transfer: startIncoming(from, message) };
      },
      refuse() {
        if (answered || pending.get(k)?.offer !== offer) return;
        answered = true;
        pending.delete(k);
        refuse(from, message.id, 'declined');
      },
    };
    pending.set(k, { offer, at: timers.now() });
    events.emit('offer', offer);
  }

  function startIncoming(from: string, message: Extract<FileControl, { type: 'offer' }>): IncomingTransfer {
    const k = key(from, message.id);
    counters.heldBytes += message.size;
    const role = createIncoming({
      id: message.id,
      peerId: from,
      name: message.name,
      type: message.mime,
      size: message.size,
      tuning,
      assembly: work.assembly(),
      now: () => timers.now(),
      after: (ms, fn) => {
        const handle = timers.setTimeout(fn, ms);
        return () => timers.clearTimeout(handle);
      },
      sendControl: (m) => sendControl(from, m),
      onProgress: (bytes) =>
        events.emit('progress', { direction: 'in', id: message.id, peerId: from, bytes, size: message.size }),
      onEnd: (result) => {
        incoming.delete(k);
        remember(k);
        counters.heldBytes -= message.size;
        if (result.ok) counters.completedIn++;
        else {
          counters.failedIn++;
          if (result.reason === 'overrun' && result.by === 'local') counters.overruns++;
          if (result.reason === 'hash-mismatch' && result.by === 'local') counters.hashMismatches++;
        }
        events.emit('end', { direction: 'in', id: message.id, peerId: from, result });
      },
    });
    incoming.set(k, role);
    // The channel is made before the accept goes out, so the first chunk finds it.
    if (channels.get(from) === null || !sendControl(from, { type: 'accept', id: message.id })) {
      role.fail('link-lost', 'local');
    }
    return role.transfer;
  }

  function onControl(from: string, message: FileControl): void {
    const k = key(from, message.id);
    let handled: boolean;
    switch (message.type) {
      case 'offer':
        onOffer(from, message);
        return;
      case 'accept':
        handled = outgoing.get(k)?.onAccept() ?? false;
        break;
      case 'refuse':
        handled = outgoing.get(k)?.onRefuse(message.reason) ?? false;
        break;
      case 'abort':
        // An abort may cross our own cancel: the transfer is gone already, which is fine.
        outgoing.get(k)?.onAbort(message.reason);
        handled = true;
        break;
      case 'received':
        handled = outgoing.get(k)?.onReceived() ?? false;
        break;
      case 'ack':
        // An ack may trail a transfer that has just ended.
        handled = outgoing.get(k)?.onAck(message.bytes) ?? true;
        break;
      case 'cancel': {
        // A cancel may cross our own refusal or abort: harmless whatever it names.
        pending.delete(k);
        incoming.get(k)?.fail('cancelled', 'remote');
        handled = true;
        break;
      }
      case 'done':
        handled = incoming.get(k)?.onDone(message.sha256) ?? ended.includes(k);
        break;
      default:
        return assertNever(message);
    }
    if (!handled) counters.badControl++;
  }

  function onChunk(from: string, data: ArrayBuffer): void {
    const chunk = parseChunk(data);
    if (chunk === null) {
      counters.badChunks++;
      return;
    }
    const k = key(from, chunk.id);
    const role = incoming.get(k);
    if (role) role.onChunk(chunk.bytes);
    else if (ended.includes(k)) counters.lateChunks++;
    else counters.unknownChunks++;
  }

  /** A link failed, closed or was replaced: its transfers cannot go on. */
  function onLinkLost(peerId: string): void {
    const prefix = `${peerId}\u0000`;
    for (const [k, role] of [...outgoing]) if (k.startsWith(prefix)) role.fail('link-lost', 'local');
    for (const [k, role] of [...incoming]) if (k.startsWith(prefix)) role.fail('link-lost', 'local');
    for (const k of [...pending.keys()]) if (k.startsWith(prefix)) pending.delete(k);
    channels.forget(peerId);
    windows.delete(peerId); // a new link is a new path: its delays are learned afresh
  }

  function sweep(): void {
    const now = timers.now();
    for (const [k, { offer, at }] of [...pending]) {
      if (now - at < tuning.offerTimeoutMs) continue;
      pending.delete(k);
      refuse(offer.peerId, offer.id, 'timeout');
    }
    for (const role of [...outgoing.values()]) {
      if (role.transfer.status === 'offered' && now - role.offeredAt > tuning.offerTimeoutMs + 5_000) {
        role.fail('no-answer', 'local');
      }
      const since = role.verifyingSince;
      if (since !== null && role.transfer.status === 'verifying' && now - since > tuning.stallTimeoutMs) {
        role.fail('stalled', 'local');
      }
    }
    for (const role of [...incoming.values()]) {
      if (role.transfer.status === 'sending' && now - role.lastActivityAt > tuning.stallTimeoutMs) {
        role.fail('stalled', 'local');
      }
    }
  }

  const sweepTimer = timers.setInterval(sweep, 1_000);
  const unsubscribe = [
    mesh.on('message', ({ from, payload, reliable }) => {
      if (!isFilePacket(payload)) return; // another layer's
      const message = reliable ? parseControl(payload) : null;
      if (message === null) {
        counters.badControl++;
        return;
      }
      onControl(from, message);
    }),
    mesh.on('link', ({ peerId, state }) => {
      if (state === 'failed' || state === 'closed' || state === 'connecting') onLinkLost(peerId);
    }),
  ];

  return {
    send,
    sendToAll: (file, sendOptions) => mesh.peers().map((peerId) => send(peerId, file, sendOptions)),
    active: () => ({
      outgoing: [...outgoing.values()].map((r) => r.transfer),
      incoming: [...incoming.values()].map((r) => r.transfer),
      offers: [...pending.values()].map((p) => p.offer),
    }),
    counters,
    tuning,
    pacing(peerId) {
      const window = windows.get(peerId);
      return window
        ? { windowBytes: window.size, inFlightBytes: window.inFlight, queueDelayMs: window.queueDelayMs }
        : null;
    },
    on: events.on,
    close() {
      if (closed) return;
      closed = true;
      timers.clearInterval(sweepTimer);
      for (const off of unsubscribe) off();
      for (const role of [...outgoing.values()]) role.fail('closed', 'local');
      for (const role of [...incoming.values()]) role.fail('closed', 'local');
      for (const { offer } of [...pending.values()]) refuse(offer.peerId, offer.id, 'declined');
      pending.clear();
      channels.close();
      work.close();
    },
  };
}

function assertNever(value: never): never {
  throw new Error(`unhandled file control message ${JSON.stringify(value)}`);
}
