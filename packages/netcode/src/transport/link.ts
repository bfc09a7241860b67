/**
 * One link of the mesh: an RTCPeerConnection to one other peer, its two pre-negotiated data
 * channels, its negotiation and its recovery.
 *
 * Negotiation:
 * - First offer: only the newer member of the pair (higher room `seq`, the `initiator`) creates its
 *   side at once and offers; the other creates its side on that offer. Letting both offer at once
 *   ("first-offer glare") left about 1 pair in 7 stuck in Chromium (docs/design.md, testing notes).
 * - Every later negotiation (voice tracks, ICE restarts) uses perfect negotiation
 *   (https://w3c.github.io/webrtc-pc/#perfect-negotiation-example): the polite side rolls back
 *   its own offer on a collision, the impolite side ignores the other's.
 * - Trickle ICE over the lobby's `signal`; each signal carries the link's `sid` (chosen by the
 *   initiator) so signals of an earlier connection between the same peers are told apart.
 *
 * Channels (`negotiated: true`, fixed ids, so both sides create them without an extra round trip):
 * id 0 `unreliable` (`ordered: false, maxRetransmits: 0`), id 1 `reliable` (ordered).
 *
 * Media (voice, camera): at most one audio and one video transceiver, each sending and receiving
 * (media-line.ts). With `audio` (`video`) on, the initiator puts it in the first offer and the
 * other side answers it `sendrecv`, so a microphone (camera) track comes and goes by
 * `replaceTrack` with no renegotiation at all. Otherwise the first `setTrack` adds one (or takes up
 * the one the other side offered), which renegotiates by perfect negotiation; the data channels
 * are untouched either way. Opus is capped at `audioMaxBitrateBps` (sender encodings and the SDP's
 * `maxaveragebitrate`) with DTX asked for; video at `videoCaps` (sender encodings), and what this side
 * accepts at `videoMaxReceiveBitrateBps` (the SDP's `b=AS`/`b=TIAS` on video: video-sdp.ts).
 *
 * Recovery: `disconnected` for `disconnectedGraceMs`, or `failed`, makes the initiator restart ICE;
 * a link that is not connected again within `recoverTimeoutMs` (or never connects within
 * `connectTimeoutMs`) is reported `failed` and closed. A data channel closing (the other side
 * closed its connection) fails the link at once: nothing can reopen it.
 */
import type { Logger } from '../util/logger.js';
import type { Timers } from '../util/timers.js';
import { createMediaLine, type MediaKind, type MediaLine } from './media-line.js';
import { withOpusSettings } from './opus-sdp.js';
import { type LinkSignal, MAX_CANDIDATES_PER_SIGNAL } from './signal.js';
import { withVideoBandwidth } from './video-sdp.js';

/** Candidates gathered within this long travel in one signal. */
const CANDIDATE_BATCH_MS = 15;
/** How often a link that is not yet connected re-checks its state. */
const OPEN_POLL_MS = 250;

/** Caps on a link's video sender: small camera tiles. */
export interface VideoCaps {
  /** bit/s */
  maxBitrateBps: number;
  maxFramerate: number;
  /** A wider capture is scaled down to this width before encoding. */
  maxWidthPx: number;
}

export const videoCaps: VideoCaps = { maxBitrateBps: 150_000, maxFramerate: 15, maxWidthPx: 160 };

export type LinkState = 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';
export type ChannelKind = 'unreliable' | 'reliable';

/** Creates an RTCPeerConnection: the browser's global, or `@roamhq/wrtc`'s in Node. */
export type CreatePeerConnection = (config: RTCConfiguration) => RTCPeerConnection;

export interface LinkOptions {
  remoteId: string;
  sid: string;
  /** The newer member of the pair: creates its side first and makes the first offer. */
  initiator: boolean;
  /** Perfect negotiation's polite side: yields on an offer collision. */
  polite: boolean;
  rtcConfig: RTCConfiguration;
  createPeerConnection: CreatePeerConnection;
  sendSignal(signal: LinkSignal): void;
  onState(state: LinkState): void;
  onMessage(channel: ChannelKind, data: ArrayBuffer | string): void;
  /** A remote track arrived (voice). */
  onTrack?(event: RTCTrackEvent): void;
  /** An audio transceiver (sendrecv) from the first offer on. Default false: added on the first audio track. */
  audio?: boolean;
  /** The microphone track to send from the start. Default none. */
  localAudioTrack?: MediaStreamTrack | null;
  /** Cap on the audio sender's bitrate, bit/s. Default 32000. */
  audioMaxBitrateBps?: number;
  /** A video transceiver (sendrecv) from the first offer on (camera). Default false: added on the first video track. */
  video?: boolean;
  /** The camera track to send from the start. Default none. */
  localVideoTrack?: MediaStreamTrack | null;
  /** Caps on the video sender. Default `videoCaps`. */
  videoCaps?: VideoCaps;
  /** The most video this side accepts from the peer, bit/s, asked in its own SDP (`b=AS`, `b=TIAS`). Default 150 000. */
  videoMaxReceiveBitrateBps?: number;
  timers: Timers;
  logger: Logger;
  connectTimeoutMs: number;
  disconnectedGraceMs: number;
  recoverTimeoutMs: number;
}

export interface Link {
  readonly remoteId: string;
  readonly sid: string;
  readonly state: LinkState;
  readonly pc: RTCPeerConnection;
  channel(kind: ChannelKind): RTCDataChannel;
  /** Sends `track` as this link's audio (null: sends nothing); never throws. */
  setAudioTrack(track: MediaStreamTrack | null): void;
  /** The audio transceiver, once the link has one. */
  audioTransceiver(): RTCRtpTransceiver | null;
  /** Sends `track` as this link's `kind` of media (null: sends nothing); never throws. */
  setTrack(kind: MediaKind, track: MediaStreamTrack | null): void;
  /** The link's transceiver of `kind`, once it has one. */
  transceiver(kind: MediaKind): RTCRtpTransceiver | null;
  handleSignal(signal: LinkSignal): void;
  close(): void;
}

export function createLink(options: LinkOptions): Link {
  const { timers, logger, remoteId } = options;
  const pc = options.createPeerConnection(options.rtcConfig);
  const channels: Record<ChannelKind, RTCDataChannel> = {
    unreliable: pc.createDataChannel('unreliable', { negotiated: true, id: 0, ordered: false, maxRetransmits: 0 }),
    reliable: pc.createDataChannel('reliable', { negotiated: true, id: 1, ordered: true }),
  };
  let state: LinkState = 'connecting';
  let makingOffer = false;
  /** The offer being made (settles when it is sent or given up; never rejects). */
  let offering: Promise<void> = Promise.resolve();
  let ignoreOffer = false;
  let settingRemoteAnswer = false;
  /** Until the first offer/answer completes, only the initiator may offer. */
  let negotiatedOnce = false;
  let deadline: unknown = null;
  let graceTimer: unknown = null;
  let everConnected = false;
  /** Serializes signal handling: each step awaits the one before. */
  let signalChain: Promise<void> = Promise.resolve();
  let pendingCandidates: NonNullable<LinkSignal['candidates']> = [];
  let candidateTimer: unknown = null;
  const maxAudioBps = options.audioMaxBitrateBps ?? 32_000;
  const maxVideoInBps = options.videoMaxReceiveBitrateBps ?? 150_000;
  const line = (
    kind: MediaKind,
    fromStart: boolean | undefined,
    track: MediaStreamTrack | null | undefined,
    caps: Omit<VideoCaps, 'maxFramerate' | 'maxWidthPx'> & Partial<VideoCaps>,
  ) => createMediaLine({ kind, pc, remoteId, logger, fromStart: fromStart === true, track: track ?? null, ...caps });
  /** Audio (voice) and video (camera): one transceiver each at most, in this order in the first offer. */
  const media: Record<MediaKind, MediaLine> = {
    audio: line('audio', options.audio, options.localAudioTrack, { maxBitrateBps: maxAudioBps }),
    video: line('video', options.video, options.localVideoTrack, options.videoCaps ?? videoCaps),
  };
  const lines = [media.audio, media.video];
  // Some stacks (@roamhq/wrtc) now and then skip a negotiated channel's `open` event although its
  // readyState turns open: until connected, the state is also polled.
  let openPoll: unknown = timers.setInterval(refresh, OPEN_POLL_MS);

  function flushCandidates(): void {
    candidateTimer = null;
    while (pendingCandidates.length > 0) {
      options.sendSignal({ sid: options.sid, candidates: pendingCandidates.splice(0, MAX_CANDIDATES_PER_SIGNAL) });
    }
  }

  function setState(next: LinkState): void {
    if (state === next || state === 'closed' || state === 'failed') return;
    state = next;
    options.onState(next);
  }

  function clearTimer(handle: unknown): null {
    if (handle !== null) timers.clearTimeout(handle);
    return null;
  }

  function fail(reason: string): void {
    if (state === 'closed' || state === 'failed') return;
    logger.warn('link failed', { peer: remoteId, reason });
    state = 'failed';
    teardown();
    options.onState('failed');
  }

  function armDeadline(ms: number, reason: string): void {
    deadline = clearTimer(deadline);
    deadline = timers.setTimeout(() => fail(reason), ms);
  }

  function refresh(): void {
    if (state === 'closed' || state === 'failed') return;
    const ice = pc.iceConnectionState;
    const open = channels.unreliable.readyState === 'open' && channels.reliable.readyState === 'open';
    const ended = Object.values(channels).some((c) => c.readyState === 'closing' || c.readyState === 'closed');
    if (ended) {
      // The other side closed its connection (SCTP abort): these channels never reopen, and ICE
      // would only notice the silence seconds later.
      fail('the remote peer closed the data channels');
      return;
    }
    if ((ice === 'connected' || ice === 'completed') && open) {
      if (openPoll !== null) timers.clearInterval(openPoll);
      openPoll = null;
      everConnected = true;
      deadline = clearTimer(deadline);
      graceTimer = clearTimer(graceTimer);
      setState('connected');
      return;
    }
    if (ice === 'failed') {
      if (state !== 'reconnecting') armDeadline(options.recoverTimeoutMs, 'ICE failed and did not recover');
      setState(everConnected ? 'reconnecting' : state);
      restartIce();
      return;
    }
    if (ice === 'disconnected' && everConnected) {
      if (state !== 'reconnecting') {
        setState('reconnecting');
        armDeadline(options.recoverTimeoutMs, 'disconnected and did not recover');
        graceTimer = clearTimer(graceTimer);
        graceTimer = timers.setTimeout(() => {
          graceTimer = null;
          if (pc.iceConnectionState === 'disconnected' || pc.iceConnectionState === 'failed') restartIce();
        }, options.disconnectedGraceMs);
      }
    }
  }

  /** Sends `track` as this link's `kind` (null: sends nothing); never throws. */
  function setTrack(kind: MediaKind, track: MediaStreamTrack | null): void {
    if (state === 'closed' || state === 'failed') return;
    media[kind].setTrack(track, options.initiator || negotiatedOnce);
  }

  /** The SDP this side sets and sends: Opus with DTX, and the bitrate caps asked of the other side's senders. */
  function tuned<T extends RTCSessionDescriptionInit>(description: T): T {
    if (!description.sdp) return description;
    return { ...description, sdp: withVideoBandwidth(withOpusSettings(description.sdp, maxAudioBps), maxVideoInBps) };
  }

  async function offer(iceRestart: boolean): Promise<void> {
    try {
      makingOffer = true;
      // No argument-less setLocalDescription: @roamhq/wrtc lacks it.
      const description = tuned(await pc.createOffer(iceRestart ? { iceRestart: true } : {}));
      if (pc.signalingState !== 'stable') return;
      await pc.setLocalDescription(description);
      sendLocalDescription();
    } catch (error) {
      logger.warn('offer failed', { peer: remoteId, error: String(error) });
    } finally {
      makingOffer = false;
    }
  }

  function sendLocalDescription(): void {
    const local = pc.localDescription;
    if (local && (local.type === 'offer' || local.type === 'answer')) {
      options.sendSignal({ sid: options.sid, description: { type: local.type, sdp: local.sdp } });
    }
  }

  function startOffer(iceRestart: boolean): void {
    offering = offer(iceRestart);
  }

  function restartIce(): void {
    // One side restarts, so the two restarts do not collide: the initiator.
    if (!options.initiator || state === 'closed' || state === 'failed') return;
    if (pc.signalingState !== 'stable' || makingOffer) return;
    startOffer(true);
  }

  pc.onnegotiationneeded = () => {
    if (!options.initiator && !negotiatedOnce) return;
    if (pc.signalingState !== 'stable') return; // wrtc fires it in have-remote-offer too
    startOffer(false);
  };
  // Candidates are batched: a peer joining an 8-player mesh gathers 6-10 per link, and one signal
  // each would exceed the lobby's per-connection burst (60 messages). No end-of-candidates is sent.
  pc.onicecandidate = (event) => {
    const c = event.candidate;
    if (!c?.candidate) return;
    pendingCandidates.push({ candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex });
    candidateTimer ??= timers.setTimeout(flushCandidates, CANDIDATE_BATCH_MS);
  };
  pc.oniceconnectionstatechange = refresh;
  pc.onconnectionstatechange = refresh;
  pc.onsignalingstatechange = () => {
    if (pc.signalingState !== 'stable' || !pc.remoteDescription) return;
    negotiatedOnce = true;
    for (const m of lines) m.cap();
  };
  pc.ontrack = (event) => options.onTrack?.(event);
  for (const kind of ['unreliable', 'reliable'] as const) {
    const channel = channels[kind];
    channel.binaryType = 'arraybuffer';
    channel.onopen = refresh;
    channel.onclose = refresh;
    channel.onmessage = (event: MessageEvent) => options.onMessage(kind, event.data as ArrayBuffer | string);
  }
  armDeadline(options.connectTimeoutMs, 'did not connect in time');
  if (options.initiator) for (const m of lines) if (m.wanted) m.add();

  async function applySignal(signal: LinkSignal): Promise<void> {
    if (state === 'closed' || state === 'failed') return;
    if (signal.description) {
      const description = signal.description;
      const readyForOffer = !makingOffer && (pc.signalingState === 'stable' || settingRemoteAnswer);
      const collision = description.type === 'offer' && !readyForOffer;
      ignoreOffer = !options.polite && collision;
      if (ignoreOffer) return;
      if (collision) {
        // The polite side's own offer may still be in createOffer(), the state still `stable`:
        // a rollback now throws, that offer goes out afterwards, the impolite side ignores it, and
        // both sides wait in have-local-offer for good. Let it go out first, then roll it back.
        while (makingOffer) await offering;
        if (pc.signalingState === 'have-local-offer') await pc.setLocalDescription({ type: 'rollback' });
      }
      settingRemoteAnswer = description.type === 'answer';
      await pc.setRemoteDescription(description);
      settingRemoteAnswer = false;
      if (description.type === 'offer') {
        for (const m of lines) m.adoptOffered();
        const answer = tuned(await pc.createAnswer());
        await pc.setLocalDescription(answer);
        sendLocalDescription();
        // Media wanted but not offered by the other side: add it now (a renegotiation).
        for (const m of lines) if (m.wanted && m.transceiver() === null) m.add();
      }
    } else if (signal.candidates) {
      for (const c of signal.candidates) {
        try {
          await pc.addIceCandidate({
            candidate: c.candidate,
            sdpMid: c.sdpMid ?? null,
            sdpMLineIndex: c.sdpMLineIndex ?? null,
          });
        } catch (error) {
          if (!ignoreOffer) logger.debug('ignored an ICE candidate', { peer: remoteId, error: String(error) });
        }
      }
    }
  }

  function teardown(): void {
    deadline = clearTimer(deadline);
    graceTimer = clearTimer(graceTimer);
    candidateTimer = clearTimer(candidateTimer);
    pendingCandidates = [];
    if (openPoll !== null) timers.clearInterval(openPoll);
    openPoll = null;
    pc.onnegotiationneeded = null;
    pc.onicecandidate = null;
    pc.oniceconnectionstatechange = null;
    pc.onconnectionstatechange = null;
    pc.onsignalingstatechange = null;
    pc.ontrack = null;
    for (const channel of Object.values(channels)) {
      channel.onopen = null;
      channel.onclose = null;
      channel.onmessage = null;
    }
    try {
      pc.close();
    } catch (error) {
      logger.debug('close failed', { peer: remoteId, error: String(error) });
    }
  }

  return {
    remoteId,
    sid: options.sid,
    get state() {
      return state;
    },
    pc,
    channel: (kind) => channels[kind],
    setAudioTrack: (track) => setTrack('audio', track),
    audioTransceiver: () => media.audio.transceiver(),
    setTrack,
    transceiver: (kind) => media[kind].transceiver(),
    handleSignal(signal) {
      signalChain = signalChain
        .then(() => applySignal(signal))
        .catch((error: unknown) => logger.warn('signal failed', { peer: remoteId, error: String(error) }));
    },
    close() {
      if (state === 'closed') return;
      const wasFailed = state === 'failed';
      state = 'closed';
      if (!wasFailed) teardown();
      options.onState('closed');
    },
  };
}
