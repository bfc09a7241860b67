/**
 * An in-memory network of `Transport` endpoints, for deterministic tests of everything above the
 * transport (sync, sessions) without WebRTC. Every member is linked to every other, as in a full
 * mesh, and the links are perfect: each message arrives once, in order, `latencyMs` after it was
 * sent (0 by default, but never inside `send`: always on a later timer turn). Loss, jitter,
 * duplication and reordering are the conditioner's job (conditioner.ts), wrapped around endpoints.
 *
 * Payloads go through the same framing as the mesh (codec/frame.ts): `send` encodes at once and
 * throws the mesh's `TransportError`s (`PACKET_TOO_LARGE`, `NOT_ENCODABLE`), and each receiver
 * decodes its own copy, so a payload the mesh could not carry fails here too, and mutating a
 * payload after `send` changes nothing on the wire. A receiver decodes as the mesh does, with its
 * channel's limit: a frame that fails (only `sendFrame`, a hostile peer's raw bytes, can make one)
 * is dropped and counted by reason in `dropped`.
 *
 * A member that leaves is gone at once: `peers()` of the others no longer lists it, and messages
 * in flight to or from it are dropped, as a closed RTCPeerConnection drops its buffers.
 *
 * @example
 * const clock = createSimClock();
 * const network = createMemoryNetwork<string>({ timers: clock, latencyMs: 20 });
 * const a = network.join('a');
 * const b = network.join('b');
 * b.on('message', ({ from, payload }) => console.log(from, payload));
 * a.send('b', 'hello');
 * clock.advance(20); // logs "a hello"
 */
import { decodeFrame, frame, maxFrameBytes } from '../codec/frame.js';
import { createEmitter } from '../util/emitter.js';
import type { Timers } from '../util/timers.js';
import { encodeOutgoing } from './outgoing.js';
import {
  type FrameDrops,
  noFrameDrops,
  type Transport,
  type TransportMessage,
  type TransportSendOptions,
} from './transport.js';

export interface MemoryNetworkOptions<P> {
  /** Drives delivery; a `SimClock` in tests. */
  timers: Timers;
  /** One-way delay of every message, ms. Default 0 (delivered on the next timer turn). */
  latencyMs?: number;
  /** Checks a decoded payload before listeners see it, as `MeshOptions.validate`. Default: accepts all. */
  validate?: (payload: unknown, from: string) => payload is P;
}

export interface MemoryCounters {
  /** Messages this endpoint handed to the network (one per receiving peer). */
  sent: number;
  /** Messages delivered to this endpoint's listeners. */
  received: number;
  /** Received payloads `validate` rejected (dropped). */
  invalidPayloads: number;
}

export interface MemoryTransport<P> extends Transport<P> {
  /** This endpoint's peer id. */
  readonly id: string;
  readonly counters: Readonly<MemoryCounters>;
  /** Received frames dropped undecoded, by reason (as `Mesh.dropped`). */
  readonly dropped: Readonly<FrameDrops>;
  /**
   * Sends raw frame bytes as they are, past every check of `send`, as a hostile peer's data
   * channel would carry them (tests of what a receiver does with them). Returns 1 when `to` is
   * another member, else 0.
   */
  sendFrame(to: string, bytes: Uint8Array, options?: TransportSendOptions): number;
  /** Leaves the network: `network.leave(id)`. */
  close(): void;
}

export interface MemoryNetwork<P> {
  /** A new member, linked at once to every other. Throws `MemoryNetworkError('DUPLICATE_PEER')` if `id` is a member. */
  join(id: string): MemoryTransport<P>;
  /** Removes a member (no-op when absent); its messages in flight are dropped. */
  leave(id: string): void;
  /** Member ids in join order. */
  members(): string[];
}

export class MemoryNetworkError extends Error {
  override name = 'MemoryNetworkError';
  constructor(
    readonly code: 'DUPLICATE_PEER',
    message: string,
  ) {
    super(message);
  }
}

interface Member<P> {
  transport: MemoryTransport<P>;
  counters: MemoryCounters;
  dropped: FrameDrops;
  /** Next frame sequence number per receiving peer and channel, as the mesh numbers frames per link. */
  seq: Map<string, { unreliable: number; reliable: number }>;
  deliver(message: TransportMessage<P>): void;
}

export function createMemoryNetwork<P = unknown>(options: MemoryNetworkOptions<P>): MemoryNetwork<P> {
  const { timers } = options;
  const latencyMs = options.latencyMs ?? 0;
  const validate = options.validate ?? ((_: unknown, __: string): _ is P => true);
  const members = new Map<string, Member<P>>();

  function post(sender: Member<P>, to: Member<P>, body: Uint8Array, reliable: boolean): void {
    let seq = sender.seq.get(to.transport.id);
    if (!seq) {
      seq = { unreliable: 0, reliable: 0 };
      sender.seq.set(to.transport.id, seq);
    }
    carry(sender, to, frame(reliable ? seq.reliable++ : seq.unreliable++, body), reliable);
  }

  function carry(sender: Member<P>, to: Member<P>, bytes: Uint8Array, reliable: boolean): void {
    const from = sender.transport.id;
    const toId = to.transport.id;
    sender.counters.sent++;
    timers.setTimeout(() => {
      // Either side may have left (or been replaced by a new member of the same id) meanwhile.
      if (members.get(from) !== sender || members.get(toId) !== to) return;
      const decoded = decodeFrame(bytes, maxFrameBytes(reliable));
      if (!decoded.ok) {
        to.dropped[decoded.reason]++;
        return;
      }
      if (!validate(decoded.payload, from)) {
        to.counters.invalidPayloads++;
        return;
      }
      to.deliver({ from, payload: decoded.payload, reliable });
    }, latencyMs);
  }

  function join(id: string): MemoryTransport<P> {
    if (members.has(id)) throw new MemoryNetworkError('DUPLICATE_PEER', `"${id}" is already a member`);
    const events = createEmitter<{ message: TransportMessage<P> }>();
    const counters: MemoryCounters = { sent: 0, received: 0, invalidPayloads: 0 };
    const dropped = noFrameDrops();
    const isMember = () => members.get(id) === member;
    const transport: MemoryTransport<P> = {
      id,
      counters,
      dropped,
      peers: () => (isMember() ? [...members.keys()].filter((other) => other !== id) : []),
      send(to: string | 'all', payload: P, sendOptions: TransportSendOptions = {}): number {
        const reliable = sendOptions.reliable === true;
        const body = encodeOutgoing(payload, reliable);
        if (!isMember()) return 0;
        const targets = to === 'all' ? [...members.values()] : [members.get(to)];
        let sent = 0;
        for (const target of targets) {
          if (!target || target === member) continue;
          post(member, target, body, reliable);
          sent++;
        }
        return sent;
      },
      sendFrame(to, bytes, sendOptions = {}) {
        const target = members.get(to);
        if (!isMember() || !target || target === member) return 0;
        carry(member, target, bytes.slice(), sendOptions.reliable === true);
        return 1;
      },
      on: events.on,
      close: () => {
        if (!isMember()) return;
        members.delete(id);
        for (const other of members.values()) other.seq.delete(id); // a new link numbers from 0
      },
    };
    const member: Member<P> = {
      transport,
      counters,
      dropped,
      seq: new Map(),
      deliver(message) {
        counters.received++;
        events.emit('message', message);
      },
    };
    members.set(id, member);
    return transport;
  }

  return {
    join,
    leave: (id) => members.get(id)?.transport.close(),
    members: () => [...members.keys()],
  };
}
