/**
 * One media kind of a link (audio for voice, video for the camera): at most one transceiver of
 * that kind, sending and receiving, and the caps on its sender.
 *
 * - From the first offer (`fromStart`, the mesh's `audio` / `video` option): the initiator puts the
 *   transceiver in its first offer and the other side takes up the offered one (`adoptOffered`)
 *   and answers it `sendrecv`, so a local track comes and goes by `replaceTrack` with no
 *   renegotiation at all.
 * - Otherwise the first `setTrack` adds one (or takes up the one the other side offered), which
 *   renegotiates by perfect negotiation (the link's job).
 * - Caps: the sender's encodings get `maxBitrate` (and, for video, `maxFramerate` and a
 *   `scaleResolutionDownBy` that brings a wider capture down to `maxWidthPx`), at creation and
 *   again once negotiated (`cap`, when encodings exist) or after a new track.
 *   (https://w3c.github.io/webrtc-pc/#dom-rtcrtpsender-setparameters)
 */
import type { Logger } from '../util/logger.js';

export type MediaKind = 'audio' | 'video';

export interface MediaLineOptions {
  kind: MediaKind;
  pc: RTCPeerConnection;
  remoteId: string;
  logger: Logger;
  /** A transceiver of this kind from the first offer. */
  fromStart: boolean;
  /** The local track to send from the start; null: none yet. */
  track: MediaStreamTrack | null;
  /** Cap on the sender's bitrate, bit/s. */
  maxBitrateBps: number;
  /** Video: cap on the frame rate sent. */
  maxFramerate?: number;
  /** Video: a wider track is scaled down to this width. */
  maxWidthPx?: number;
}

export interface MediaLine {
  readonly kind: MediaKind;
  /** This side sends this kind on the link: from the start, or once a track was set. */
  readonly wanted: boolean;
  transceiver(): RTCRtpTransceiver | null;
  /** Adds the transceiver (`sendrecv`), with the current track if any. */
  add(): void;
  /** On a remote offer, before answering: takes up an offered transceiver of this kind (see link.ts). */
  adoptOffered(): void;
  /** Sends `track` (null: nothing). `mayOffer`: a new transceiver may be added now (else a later offer brings it). */
  setTrack(track: MediaStreamTrack | null, mayOffer: boolean): void;
  /** Applies the sender caps, once negotiated. */
  cap(): void;
}

export function createMediaLine(options: MediaLineOptions): MediaLine {
  const { kind, pc, remoteId, logger } = options;
  let track = options.track;
  let wanted = options.fromStart || track !== null;
  let transceiver: RTCRtpTransceiver | null = null;

  /** The encoding this side wants for the current track. */
  function target(): RTCRtpEncodingParameters {
    const encoding: RTCRtpEncodingParameters = { maxBitrate: options.maxBitrateBps };
    if (options.maxFramerate !== undefined) encoding.maxFramerate = options.maxFramerate;
    if (options.maxWidthPx !== undefined) {
      const width = track?.getSettings?.().width ?? 0;
      encoding.scaleResolutionDownBy = width > options.maxWidthPx ? width / options.maxWidthPx : 1;
    }
    return encoding;
  }

  const isOffered = (t: RTCRtpTransceiver): boolean =>
    t.mid !== null && t.receiver.track.kind === kind && t.currentDirection !== 'stopped';

  function add(): void {
    try {
      transceiver = pc.addTransceiver(track ?? kind, { direction: 'sendrecv', sendEncodings: [target()] });
    } catch (error) {
      logger.warn('could not add a transceiver', { peer: remoteId, kind, error: String(error) });
    }
  }

  function replace(on: RTCRtpTransceiver, next: MediaStreamTrack | null): void {
    if (on.sender.track === next) return;
    on.sender
      .replaceTrack(next)
      .then(cap)
      .catch((error: unknown) => logger.warn('replaceTrack failed', { peer: remoteId, error: String(error) }));
  }

  function cap(): void {
    const sender = transceiver?.sender;
    if (!sender) return;
    try {
      const parameters = sender.getParameters();
      const encodings = parameters.encodings ?? [];
      const wants = Object.entries(target()) as [keyof RTCRtpEncodingParameters, number][];
      if (encodings.length === 0 || encodings.every((e) => wants.every(([key, value]) => e[key] === value))) return;
      for (const encoding of encodings) Object.assign(encoding, Object.fromEntries(wants));
      sender
        .setParameters(parameters)
        .catch((error: unknown) => logger.debug('setParameters failed', { peer: remoteId, error: String(error) }));
    } catch (error) {
      logger.debug('getParameters failed', { peer: remoteId, error: String(error) });
    }
  }

  return {
    kind,
    get wanted() {
      return wanted;
    },
    transceiver: () => transceiver,
    add,
    cap,
    adoptOffered() {
      if (!wanted || (transceiver !== null && transceiver.mid !== null)) return;
      const offered = pc.getTransceivers().find((t) => t !== transceiver && isOffered(t));
      if (!offered) return;
      if (transceiver !== null) {
        // After an offer collision this side's own, rolled-back transceiver is dropped for the
        // offered one, so the pair keeps one.
        try {
          transceiver.stop();
        } catch (error) {
          logger.debug('could not stop a rolled-back transceiver', { peer: remoteId, error: String(error) });
        }
      }
      transceiver = offered;
      if (offered.direction !== 'sendrecv') offered.direction = 'sendrecv';
      replace(offered, track);
    },
    setTrack(next, mayOffer) {
      track = next;
      if (next) wanted = true;
      try {
        if (transceiver) {
          replace(transceiver, next);
          if (next && transceiver.direction !== 'sendrecv') transceiver.direction = 'sendrecv';
          return;
        }
        // Before the first offer the other side's offer is awaited (adoptOffered); the
        // initiator's first offer is made from the link's state when it goes out.
        if (!next || !mayOffer) return;
        const offered = pc.getTransceivers().find(isOffered);
        if (offered) {
          transceiver = offered;
          offered.direction = 'sendrecv';
          replace(offered, next);
        } else {
          add();
        }
      } catch (error) {
        logger.warn(`could not set the ${kind} track`, { peer: remoteId, error: String(error) });
      }
    },
  };
}
