/**
 * The interface the sync layer talks to: the WebRTC mesh implements it, and so do the in-memory
 * lossy transport used by deterministic tests and the network conditioner that wraps either.
 * One contract suite runs against every implementation.
 */
import type { DecodeFailure } from '../codec/frame.js';

export interface TransportMessage<P> {
  /** The peer the payload came from, as the transport knows it (never a claim in the payload). */
  from: string;
  payload: P;
  reliable: boolean;
}

export interface TransportSendOptions {
  /** Ordered, retransmitted delivery. Default false: unordered, may be lost, at most 1,150 bytes framed. */
  reliable?: boolean;
}

export interface Transport<P> {
  /** Peers a send can reach right now. */
  peers(): string[];
  /** Sends to one peer or to every reachable peer; returns how many peers took it. */
  send(to: string | 'all', payload: P, options?: TransportSendOptions): number;
  on(type: 'message', listener: (message: TransportMessage<P>) => void): () => void;
}

/** A programming error on the sending side (a remote peer can never cause one). */
export class TransportError extends Error {
  override name = 'TransportError';
  constructor(
    readonly code: 'PACKET_TOO_LARGE' | 'NOT_ENCODABLE',
    message: string,
  ) {
    super(message);
  }
}

/** Why a transport dropped a received frame before any listener saw it: `text` (not binary), or the decoder's reason. */
export type FrameDropReason = 'text' | DecodeFailure;

/** Received frames dropped undecoded, by reason. */
export type FrameDrops = Record<FrameDropReason, number>;

/** A fresh set of frame drop counters, all 0. */
export const noFrameDrops = (): FrameDrops => ({
  text: 0,
  short: 0,
  version: 0,
  oversize: 0,
  extension: 0,
  depth: 0,
  payload: 0,
});
