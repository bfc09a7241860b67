/**
 * One file channel per link: a negotiated, ordered, reliable data channel with the fixed id
 * FILE_CHANNEL_ID (2), made by each side on first use (an offer to send, an offer accepted) on
 * the link's RTCPeerConnection, so it needs no renegotiation and no `ondatachannel`. The sender
 * only writes after the receiver's `accept`, which the receiver sends after making its side, so
 * no chunk comes before the channel is there to take it.
 *
 * Why one shared channel and not one per transfer: ids chosen per transfer would collide when two
 * peers send to each other at once (both would pick the next free id), a per-transfer channel
 * costs a stream reset when it closes, and the SCTP scheduler already interleaves this channel
 * fairly with the game's two. Transfers on one link share the channel, chunk by chunk.
 *
 * Backpressure: writers wait while the channel holds more than `highWaterBytes`, until it drains
 * to `lowWaterBytes`: Chromium's `bufferedamountlow` event (with `bufferedAmountLowThreshold`),
 * else (@roamhq/wrtc has neither) by polling `bufferedAmount` every `drainPollMs`.
 */
import type { Timers } from '../util/timers.js';

/** The file channel's SCTP stream id on every link (0 and 1 are the game's channels, link.ts). */
export const FILE_CHANNEL_ID = 2;
/** With a native event to wait on, the state is still polled this often in case one is missed. */
const SAFETY_POLL_MS = 50;

export interface FileChannelHost {
  /** The link's peer connection, while the link exists. */
  peerConnection(peerId: string): RTCPeerConnection | null;
}

export interface FileChannels {
  /** The file channel to `peerId`, made on first use; null without a link. */
  get(peerId: string): RTCDataChannel | null;
  /** Resolves true once `channel` is open, false if it closes or `timeoutMs` passes first. */
  opened(channel: RTCDataChannel, timeoutMs: number): Promise<boolean>;
  /** Resolves once `channel` holds at most `lowWaterBytes` (or is no longer open). */
  drained(channel: RTCDataChannel): Promise<void>;
  /** Forgets a peer's channel (its link is gone or replaced). */
  forget(peerId: string): void;
  close(): void;
}

export interface FileChannelOptions {
  host: FileChannelHost;
  timers: Timers;
  lowWaterBytes: number;
  drainPollMs: number;
  /** A binary message arrived on `peerId`'s file channel. */
  onData(peerId: string, data: ArrayBuffer): void;
  /** A text message arrived (never sent by tickmesh): dropped and counted by the caller. */
  onText(peerId: string): void;
}

export function createFileChannels(options: FileChannelOptions): FileChannels {
  const { host, timers } = options;
  const channels = new Map<string, { pc: RTCPeerConnection; channel: RTCDataChannel }>();

  function detach(channel: RTCDataChannel): void {
    channel.onmessage = null;
    channel.onbufferedamountlow = null;
  }

  function get(peerId: string): RTCDataChannel | null {
    const pc = host.peerConnection(peerId);
    if (pc === null) return null;
    const known = channels.get(peerId);
    if (known?.pc === pc) return known.channel;
    if (known) detach(known.channel);
    let channel: RTCDataChannel;
    try {
      channel = pc.createDataChannel('files', { negotiated: true, id: FILE_CHANNEL_ID, ordered: true });
    } catch {
      return null; // the connection closed meanwhile
    }
    channel.binaryType = 'arraybuffer';
    if ('bufferedAmountLowThreshold' in channel) channel.bufferedAmountLowThreshold = options.lowWaterBytes;
    channel.onmessage = (event: MessageEvent) => {
      if (channels.get(peerId)?.channel !== channel) return;
      if (event.data instanceof ArrayBuffer) options.onData(peerId, event.data);
      else options.onText(peerId);
    };
    channels.set(peerId, { pc, channel });
    return channel;
  }

  /** Resolves when `done()` holds: checked on `event` when the stack has it, else (and as a safety net) polled. */
  function waitUntil(done: () => boolean, timeoutMs: number, event?: [RTCDataChannel, string]): Promise<boolean> {
    return new Promise((resolve) => {
      let poll: unknown = null;
      let deadline: unknown = null;
      const finish = (value: boolean) => {
        if (poll !== null) timers.clearInterval(poll);
        if (deadline !== null) timers.clearTimeout(deadline);
        event?.[0].removeEventListener(event[1], check);
        resolve(value);
      };
      function check(): void {
        if (done()) finish(true);
      }
      if (done()) {
        resolve(true);
        return;
      }
      event?.[0].addEventListener(event[1], check);
      poll = timers.setInterval(check, event ? SAFETY_POLL_MS : options.drainPollMs);
      if (Number.isFinite(timeoutMs)) deadline = timers.setTimeout(() => finish(done()), timeoutMs);
    });
  }

  return {
    get,
    opened(channel, timeoutMs) {
      return waitUntil(
        () => channel.readyState !== 'connecting',
        timeoutMs,
        'onopen' in channel ? [channel, 'open'] : undefined,
      ).then(() => channel.readyState === 'open');
    },
    async drained(channel) {
      const native = 'bufferedAmountLowThreshold' in channel;
      await waitUntil(
        () => channel.readyState !== 'open' || channel.bufferedAmount <= options.lowWaterBytes,
        Number.POSITIVE_INFINITY,
        native ? [channel, 'bufferedamountlow'] : undefined,
      );
    },
    forget(peerId) {
      const known = channels.get(peerId);
      if (known) detach(known.channel);
      channels.delete(peerId);
    },
    close() {
      for (const { channel } of channels.values()) {
        detach(channel);
        try {
          channel.close();
        } catch {
          // Already closed with its connection: nothing to release.
        }
      }
      channels.clear();
    },
  };
}
