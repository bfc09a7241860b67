/**
 * The mesh: one link (RTCPeerConnection) to every other member of the lobby room, opened and
 * closed as `room.state` changes, carrying msgpack frames on an unreliable and a reliable data
 * channel. See link.ts for negotiation and recovery, codec/frame.ts for the wire format.
 *
 * Nothing a remote peer sends can throw into game code: signals are schema-checked, frames that
 * fail to decode (over the channel's limit, extension types, too deep, malformed: codec/frame.ts)
 * and payloads the game's `validate` rejects are dropped and counted by reason, per link and in
 * total, and the sender of every message is the link it arrived on, never a claim inside it.
 *
 * @example
 * const mesh = createMesh({ lobby, createPeerConnection: (c) => new RTCPeerConnection(c) });
 * mesh.on('message', ({ from, payload, reliable }) => console.log(from, payload, reliable));
 * mesh.on('link', ({ peerId, state }) => console.log(peerId, state)); // connecting, connected, ...
 * mesh.send('all', { kind: 'hello' }); // unreliable by default
 * mesh.send(peerId, { kind: 'chat', text: 'hi' }, { reliable: true });
 *
 * Voice rides the same links: `setLocalAudioTrack(track)` sends a microphone track on every link,
 * present and future, and `track` events hand over the remote ones (see voice/voice.ts); the
 * camera the same way with `setLocalVideoTrack` and `videoTrack` events (camera/camera.ts).
 */
import type { Room } from '@tickmesh/protocol';
import { decodeFrame, frame, maxFrameBytes } from '../codec/frame.js';
import type { LobbyClient, LobbyEvents } from '../signaling/lobby-client.js';
import { emptyLinkStats, type LinkStats, LossCounter, readSelectedPair } from '../stats/link-stats.js';
import { createEmitter } from '../util/emitter.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { realTimers, type Timers } from '../util/timers.js';
import { type ChannelKind, type CreatePeerConnection, createLink, type Link, type LinkState } from './link.js';
import type { MediaKind } from './media-line.js';
import { encodeOutgoing } from './outgoing.js';
import { type LinkSignal, parseMeshSignal } from './signal.js';
import {
  type FrameDropReason,
  type FrameDrops,
  noFrameDrops,
  type Transport,
  type TransportSendOptions,
} from './transport.js';

/** Mesh timings and limits; every value can be overridden through `MeshOptions.tuning`. */
export const meshDefaults = {
  /** A new link that is not open after this long is reported failed. */
  connectTimeoutMs: 15_000,
  /** A link `disconnected` this long gets an ICE restart. */
  disconnectedGraceMs: 2_000,
  /** A link that does not recover from `disconnected`/`failed` in this long is reported failed. */
  recoverTimeoutMs: 10_000,
  /** After a link fails, the newer side of the pair tries a new one this long after (doubling per failure). */
  relinkDelayMs: 3_000,
  /** Cap of that delay. */
  relinkMaxDelayMs: 30_000,
  /** How often link stats are sampled. */
  statsIntervalMs: 1_000,
  /** Unreliable frames are dropped (not queued) while a channel has this much buffered. */
  maxBufferedUnreliableBytes: 64 * 1024,
  /** Reliable frames are refused while a channel has this much buffered. */
  maxBufferedReliableBytes: 1024 * 1024,
  /** Cap on each link's Opus sender, bit/s: 7 links of an 8-player room stay near 0.4 Mbit/s up with headers. */
  audioMaxBitrateBps: 32_000,
  /** Cap on each link's camera sender, bit/s: a 160x120 tile at 15 fps (7 links: about 1 Mbit/s up). */
  videoMaxBitrateBps: 150_000,
  /**
   * The most camera video each link accepts from its peer, bit/s: `b=AS`/`b=TIAS` on video in the
   * SDP this side sends, which the peer's sender keeps under whatever its own cap says (a peer
   * that raised its `videoMaxBitrateBps` is still held here). Default 150 000, the sender cap.
   */
  videoMaxReceiveBitrateBps: 150_000,
  /** Cap on the camera's frame rate sent on each link. */
  videoMaxFramerate: 15,
  /** A wider camera capture is scaled down to this width before it is encoded. */
  videoMaxWidthPx: 160,
};
export type MeshTuning = typeof meshDefaults;

export interface MeshCounters {
  /** Frames dropped undecoded, whatever the reason (`Mesh.dropped` has them by reason). */
  malformedFrames: number;
  /** Decoded payloads the game's `validate` rejected. */
  invalidPayloads: number;
  /** Relayed signals that were not link signals, or came from outside the room. */
  badSignals: number;
  /** Unreliable frames not sent because the channel was backed up. */
  backpressureDrops: number;
}

export interface MeshEvents<P> {
  message: { from: string; payload: P; reliable: boolean };
  link: { peerId: string; state: LinkState };
  /** A link's new stats sample, and the `getStats()` report it was read from (for a stats recorder; not kept). */
  stats: { peerId: string; stats: LinkStats; report: RTCStatsReport };
  /** A remote audio track arrived on a peer's link (it stays silent until that peer sends voice). */
  track: RemoteTrack;
  /** A remote video track arrived on a peer's link (no frames until that peer's camera is on). */
  videoTrack: RemoteTrack;
  /**
   * A link signal (SDP or ICE candidates) this side sent to a peer, or received from it and passed
   * its check: for a stats recorder (stats/recorder.ts). Nothing is kept when nobody listens.
   */
  signal: { peerId: string; direction: 'sent' | 'received'; signal: LinkSignal };
}

export interface RemoteTrack {
  peerId: string;
  track: MediaStreamTrack;
  /** The sender's stream, when it named one. */
  stream: MediaStream | null;
}

/**
 * What the mesh needs of a signaling channel: who it is, the room it follows, the ICE servers to
 * use, a way to relay a signal to another member, and the room and signal events. A
 * `LobbyClient` is one; a game with its own signaling (or a test) can pass anything that fits.
 */
export type SignalingClient = Pick<LobbyClient, 'peerId' | 'room' | 'iceServers' | 'signal'> & {
  on(type: 'room', listener: (room: LobbyEvents['room']) => void): () => void;
  on(type: 'signal', listener: (event: LobbyEvents['signal']) => void): () => void;
};

export interface MeshOptions<P> {
  /** The signaling channel the mesh follows: a connected {@link LobbyClient}. */
  lobby: SignalingClient;
  createPeerConnection: CreatePeerConnection;
  /** `'relay'` forces every link through TURN. Default `'all'`. */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Checks a decoded payload before the game sees it; `from` is the peer whose link it came on. */
  validate?: (payload: unknown, from: string) => payload is P;
  tuning?: Partial<MeshTuning>;
  logger?: Logger;
  timers?: Timers;
  /** Random source for link session ids. */
  random?: () => number;
  /**
   * Give every link an audio transceiver from its first offer, so voice starts, stops and changes
   * device without any renegotiation. Default false: a link gets one when `setLocalAudioTrack`
   * first gives it a track, by a renegotiation (perfect negotiation; data channels undisturbed).
   */
  audio?: boolean;
  /** The same as `audio`, for video (the camera, see camera/camera.ts). Default false. */
  video?: boolean;
}

export type SendOptions = TransportSendOptions;

export interface Mesh<P> extends Transport<P> {
  /** Link state per remote peer of the room (a fresh snapshot on every read). */
  readonly links: ReadonlyMap<string, LinkState>;
  readonly counters: Readonly<MeshCounters>;
  /**
   * Frames dropped undecoded on every link, by reason: `text` (not binary), `short`, `version`,
   * `oversize` (over the channel's limit: dropped unread), `extension` (a MessagePack extension
   * type), `depth` (nested deeper than MAX_FRAME_DEPTH), `payload` (not one well-formed value).
   * Per link: `stats(peerId).dropped`.
   */
  readonly dropped: Readonly<FrameDrops>;
  /** Sends to one peer or to every connected peer; returns how many links took the frame. */
  send(to: string | 'all', payload: P, options?: SendOptions): number;
  /** The latest stats sample of a link (its `dropped` counters are live). */
  stats(peerId: string): LinkStats | null;
  /** The link's RTCPeerConnection (for media tracks), while it exists. */
  peerConnection(peerId: string): RTCPeerConnection | null;
  /** One of the link's data channels, for inspection (its `ordered`, `maxRetransmits`, buffer). */
  channel(peerId: string, kind: ChannelKind): RTCDataChannel | null;
  /** Sends `track` (a microphone) on every link, and on every link made later; null stops sending. */
  setLocalAudioTrack(track: MediaStreamTrack | null): void;
  /** The remote audio tracks of the current links (each also came as a `track` event). */
  remoteTracks(): RemoteTrack[];
  /** A link's audio sender and receiver, for their `getStats()`; null before the link has audio. */
  audioTransceiver(peerId: string): RTCRtpTransceiver | null;
  /** Sends `track` (a camera) on every link, and on every link made later; null stops sending. */
  setLocalVideoTrack(track: MediaStreamTrack | null): void;
  /** The remote video tracks of the current links (each also came as a `videoTrack` event). */
  remoteVideoTracks(): RemoteTrack[];
  /** A link's video sender and receiver; null before the link has video. */
  videoTransceiver(peerId: string): RTCRtpTransceiver | null;
  /**
   * Forces every link through TURN (`true`: ICE policy `'relay'`) or lets ICE pick any path
   * (`false`: `'all'`), at run time: every link is made again under the new policy (the game sees
   * it `connecting`, then `connected`; a data channel cannot survive the change). Links made later
   * use it too. Without a TURN server in the lobby's `iceServers`, relay-only links cannot connect.
   *
   * @example
   * forceTurnCheckbox.onchange = () => mesh.setRelayOnly(forceTurnCheckbox.checked);
   */
  setRelayOnly(on: boolean): void;
  /** Whether links are forced through TURN (`setRelayOnly`, or `iceTransportPolicy: 'relay'`). */
  readonly relayOnly: boolean;
  /**
   * Makes the link to `peerId` again at once (say, when the player asks to retry one that
   * failed), without waiting for the automatic retry's backoff. Unknown or departed peers: ignored.
   */
  redial(peerId: string): void;
  on<K extends keyof MeshEvents<P>>(type: K, listener: (event: MeshEvents<P>[K]) => void): () => void;
  close(): void;
}

interface LinkEntry {
  link: Link;
  seq: { unreliable: number; reliable: number };
  loss: LossCounter;
  framesIn: number;
  framesOut: number;
  dropped: FrameDrops;
  stats: LinkStats;
  /** The remote tracks by kind. */
  remote: Partial<Record<MediaKind, RemoteTrack>>;
  last: { at: number; bytesIn: number; bytesOut: number; framesIn: number; framesOut: number } | null;
}

export function createMesh<P = unknown>(options: MeshOptions<P>): Mesh<P> {
  const { lobby } = options;
  const tuning: MeshTuning = { ...meshDefaults, ...options.tuning };
  const logger = options.logger ?? silentLogger;
  const timers = options.timers ?? realTimers;
  const random = options.random ?? Math.random;
  const validate = options.validate ?? ((_: unknown, __: string): _ is P => true);
  const events = createEmitter<MeshEvents<P>>();
  const entries = new Map<string, LinkEntry>();
  const counters: MeshCounters = { malformedFrames: 0, invalidPayloads: 0, badSignals: 0, backpressureDrops: 0 };
  const dropped = noFrameDrops();
  /** Consecutive failures per peer and the pending retry, for the newer side of each pair. */
  const retries = new Map<string, { failures: number; timer: unknown }>();
  /** The room this mesh has already asked newer members to reconnect in (see `relink`). */
  let relinkedRoom: string | null = null;
  let closed = false;
  /** The local tracks sent on every link, by kind. */
  const local: Record<MediaKind, MediaStreamTrack | null> = { audio: null, video: null };
  let policy: RTCIceTransportPolicy | undefined = options.iceTransportPolicy;

  function newSid(): string {
    let sid = '';
    for (let i = 0; i < 12; i++) sid += 'abcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(random() * 36)];
    return sid;
  }

  function rtcConfig(): RTCConfiguration {
    const iceServers = lobby.iceServers.map((s): RTCIceServer => {
      const server: RTCIceServer = { urls: s.urls };
      if (s.username !== undefined) server.username = s.username;
      if (s.credential !== undefined) server.credential = s.credential;
      return server;
    });
    const config: RTCConfiguration = { iceServers };
    if (policy) config.iceTransportPolicy = policy;
    return config;
  }

  function selfIn(room: Room | null) {
    const selfId = lobby.peerId;
    return room && selfId ? room.peers.find((p) => p.id === selfId) : undefined;
  }

  function setLinkState(peerId: string, entry: LinkEntry, state: LinkState): void {
    if (entries.get(peerId) !== entry) return; // a replaced link's last words
    if (state === 'closed') entries.delete(peerId);
    if (state === 'connected') clearRetry(peerId);
    events.emit('link', { peerId, state });
    if (state === 'failed') scheduleRetry(peerId);
  }

  function clearRetry(peerId: string): void {
    const retry = retries.get(peerId);
    if (retry?.timer) timers.clearTimeout(retry.timer);
    retries.delete(peerId);
  }

  /** The newer side of a failed pair tries again later, while the other is a connected member. */
  function scheduleRetry(peerId: string): void {
    const self = selfIn(lobby.room);
    const peer = lobby.room?.peers.find((p) => p.id === peerId);
    if (closed || !self || !peer || self.seq < peer.seq) return;
    const retry = retries.get(peerId) ?? { failures: 0, timer: null };
    retry.failures++;
    const delay = Math.min(tuning.relinkMaxDelayMs, tuning.relinkDelayMs * 2 ** (retry.failures - 1));
    retry.timer = timers.setTimeout(() => {
      retry.timer = null;
      const now = lobby.room?.peers.find((p) => p.id === peerId);
      if (closed || !now?.connected || entries.get(peerId)?.link.state !== 'failed') return;
      replaceLink(peerId, newSid(), true);
    }, delay);
    retries.set(peerId, retry);
  }

  function openLink(peerId: string, sid: string, initiator: boolean): LinkEntry {
    const selfId = lobby.peerId ?? '';
    const entry: LinkEntry = {
      // Assigned right below: the link's callbacks need the entry.
      link: null as unknown as Link,
      seq: { unreliable: 0, reliable: 0 },
      loss: new LossCounter(),
      framesIn: 0,
      framesOut: 0,
      dropped: noFrameDrops(),
      stats: { ...emptyLinkStats },
      remote: {},
      last: null,
    };
    entries.set(peerId, entry);
    entry.link = createLink({
      remoteId: peerId,
      sid,
      initiator,
      polite: selfId < peerId,
      rtcConfig: rtcConfig(),
      createPeerConnection: options.createPeerConnection,
      sendSignal: (signal) => {
        lobby.signal(peerId, signal);
        events.emit('signal', { peerId, direction: 'sent', signal });
      },
      onState: (state) => setLinkState(peerId, entry, state),
      onMessage: (kind, data) => receive(peerId, entry, kind, data),
      onTrack: (event) => {
        const kind = event.track.kind;
        if (entries.get(peerId) !== entry || (kind !== 'audio' && kind !== 'video')) return;
        const remote = { peerId, track: event.track, stream: event.streams[0] ?? null };
        entry.remote[kind] = remote;
        events.emit(kind === 'audio' ? 'track' : 'videoTrack', remote);
      },
      audio: options.audio === true,
      localAudioTrack: local.audio,
      audioMaxBitrateBps: tuning.audioMaxBitrateBps,
      video: options.video === true,
      localVideoTrack: local.video,
      videoMaxReceiveBitrateBps: tuning.videoMaxReceiveBitrateBps,
      videoCaps: {
        maxBitrateBps: tuning.videoMaxBitrateBps,
        maxFramerate: tuning.videoMaxFramerate,
        maxWidthPx: tuning.videoMaxWidthPx,
      },
      timers,
      logger,
      connectTimeoutMs: tuning.connectTimeoutMs,
      disconnectedGraceMs: tuning.disconnectedGraceMs,
      recoverTimeoutMs: tuning.recoverTimeoutMs,
    });
    events.emit('link', { peerId, state: 'connecting' });
    return entry;
  }

  function setLocalTrack(kind: MediaKind, track: MediaStreamTrack | null): void {
    local[kind] = track;
    for (const entry of entries.values()) entry.link.setTrack(kind, track);
  }

  const remoteTracks = (kind: MediaKind) => [...entries.values()].flatMap((e) => e.remote[kind] ?? []);

  function closeLink(peerId: string): void {
    entries.get(peerId)?.link.close();
  }

  /** A new connection to a peer in place of the old one; the game sees `connecting`, not `closed`. */
  function replaceLink(peerId: string, sid: string, initiator: boolean): LinkEntry {
    const old = entries.get(peerId);
    entries.delete(peerId);
    old?.link.close();
    return openLink(peerId, sid, initiator);
  }

  /** Opens links to new members (when this peer is the newer of the pair) and closes links to departed ones. */
  function syncRoom(room: Room | null): void {
    if (closed) return;
    const self = selfIn(room);
    if (!room || !self) {
      for (const peerId of [...entries.keys()]) closeLink(peerId);
      return;
    }
    const members = new Set(room.peers.map((p) => p.id));
    for (const peerId of [...entries.keys()]) if (!members.has(peerId)) closeLink(peerId);
    for (const peerId of [...retries.keys()]) if (!members.has(peerId)) clearRetry(peerId);
    const firstLook = relinkedRoom !== room.code;
    relinkedRoom = room.code;
    for (const peer of room.peers) {
      if (peer.id === self.id || entries.has(peer.id) || !peer.connected) continue;
      // The newer member of a pair (higher seq) creates its side first and offers.
      if (self.seq > peer.seq) openLink(peer.id, newSid(), true);
      // A newer member already here when this mesh first saw the room may hold a connection to
      // this peer's previous page (a reload that resumed the session): ask it for a new one.
      else if (firstLook) lobby.signal(peer.id, { relink: true });
    }
  }

  /**
   * A new connection to a connected member: the newer side of the pair makes it at once; the
   * older one asks the newer for it (`relink`), and makes its side (with its own policy) on the offer.
   */
  function redial(peerId: string): void {
    const room = lobby.room;
    const self = selfIn(room);
    const peer = room?.peers.find((p) => p.id === peerId);
    if (closed || !self || !peer?.connected || peer.id === self.id) return;
    clearRetry(peerId);
    if (self.seq > peer.seq) replaceLink(peerId, newSid(), true);
    else lobby.signal(peerId, { relink: true });
  }

  function onSignal(from: string, data: unknown): void {
    if (closed) return;
    const parsed = parseMeshSignal(data);
    const room = lobby.room;
    const self = selfIn(room);
    const sender = room?.peers.find((p) => p.id === from);
    if (!parsed || !self || !sender) {
      counters.badSignals++;
      return;
    }
    const entry = entries.get(from);
    if (parsed.kind === 'relink') {
      // Only the newer side answers; a link still being made will reach the asker anyway.
      if (self.seq < sender.seq || entry?.link.state === 'connecting') return;
      clearRetry(from);
      replaceLink(from, newSid(), true);
      return;
    }
    const signal = parsed.signal;
    events.emit('signal', { peerId: from, direction: 'received', signal });
    if (entry && entry.link.sid === signal.sid) {
      entry.link.handleSignal(signal);
      return;
    }
    // A new connection from the older side's point of view: the newer member's first offer.
    if (signal.description?.type === 'offer' && sender.seq > self.seq) {
      replaceLink(from, signal.sid, false).link.handleSignal(signal);
      return;
    }
    // Candidates of a connection already replaced: harmless, dropped.
    logger.debug('dropped a signal for another link', { from, sid: signal.sid });
  }

  function drop(entry: LinkEntry, reason: FrameDropReason): void {
    counters.malformedFrames++;
    dropped[reason]++;
    entry.dropped[reason]++;
  }

  function receive(from: string, entry: LinkEntry, kind: ChannelKind, data: ArrayBuffer | string): void {
    if (typeof data === 'string') {
      drop(entry, 'text');
      return;
    }
    const decoded = decodeFrame(new Uint8Array(data), maxFrameBytes(kind === 'reliable'));
    if (!decoded.ok) {
      drop(entry, decoded.reason);
      return;
    }
    entry.framesIn++;
    if (kind === 'unreliable') entry.loss.record(decoded.seq);
    if (!validate(decoded.payload, from)) {
      counters.invalidPayloads++;
      return;
    }
    events.emit('message', { from, payload: decoded.payload, reliable: kind === 'reliable' });
  }

  function send(to: string | 'all', payload: P, sendOptions: SendOptions = {}): number {
    const reliable = sendOptions.reliable === true;
    const body = encodeOutgoing(payload, reliable);
    const kind: ChannelKind = reliable ? 'reliable' : 'unreliable';
    const maxBuffered = reliable ? tuning.maxBufferedReliableBytes : tuning.maxBufferedUnreliableBytes;
    let sent = 0;
    const targets = to === 'all' ? entries.entries() : ([[to, entries.get(to)]] as const);
    for (const [, entry] of targets) {
      // 'connected' means both channels are open (a closing channel fails the link at once), so
      // no per-send readyState read: in @roamhq/wrtc each one is a blocking cross-thread call.
      if (entry?.link.state !== 'connected') continue;
      const channel = entry.link.channel(kind);
      if (channel.bufferedAmount > maxBuffered) {
        counters.backpressureDrops++;
        continue;
      }
      const seq = entry.seq[kind]++;
      try {
        channel.send(frame(seq, body));
        entry.framesOut++;
        sent++;
      } catch (error) {
        logger.warn('send failed', { to: entry.link.remoteId, error: String(error) });
      }
    }
    return sent;
  }

  async function sample(peerId: string, entry: LinkEntry): Promise<void> {
    let report: RTCStatsReport;
    try {
      report = await entry.link.pc.getStats();
    } catch {
      return; // closed meanwhile
    }
    const pair = readSelectedPair(report);
    const now = timers.now();
    const last = entry.last;
    const seconds = last ? Math.max(0.001, (now - last.at) / 1000) : 1;
    const bytesIn = pair?.bytesReceived ?? 0;
    const bytesOut = pair?.bytesSent ?? 0;
    entry.stats = {
      rttMs: pair?.rttMs ?? entry.stats.rttMs,
      bytesInPerS: last ? Math.max(0, bytesIn - last.bytesIn) / seconds : 0,
      bytesOutPerS: last ? Math.max(0, bytesOut - last.bytesOut) / seconds : 0,
      packetsInPerS: last ? (entry.framesIn - last.framesIn) / seconds : 0,
      packetsOutPerS: last ? (entry.framesOut - last.framesOut) / seconds : 0,
      packetsLost: entry.loss.lost,
      lossRate: entry.loss.takeWindowLossRate(),
      localCandidateType: pair?.localCandidateType ?? 'unknown',
      remoteCandidateType: pair?.remoteCandidateType ?? 'unknown',
      relayProtocol: pair?.relayProtocol ?? null,
      dropped: { ...entry.dropped },
    };
    entry.last = { at: now, bytesIn, bytesOut, framesIn: entry.framesIn, framesOut: entry.framesOut };
    if (entries.get(peerId) === entry) events.emit('stats', { peerId, stats: entry.stats, report });
  }

  // Links are sampled spread over the interval, not all in one turn: getStats() on many
  // connections at once stalled the event loop in bench:mesh's single-process mode.
  const statsTimer = timers.setInterval(() => {
    const connected = [...entries].filter(([, entry]) => entry.link.state === 'connected');
    connected.forEach(([peerId, entry], i) => {
      const run = () => {
        if (!closed && entries.get(peerId) === entry) void sample(peerId, entry);
      };
      if (i === 0) run();
      else timers.setTimeout(run, (i * tuning.statsIntervalMs) / connected.length);
    });
  }, tuning.statsIntervalMs);

  const unsubscribe = [lobby.on('room', syncRoom), lobby.on('signal', ({ from, data }) => onSignal(from, data))];
  syncRoom(lobby.room);

  return {
    get links() {
      return new Map([...entries].map(([peerId, entry]) => [peerId, entry.link.state]));
    },
    counters,
    dropped,
    peers: () => [...entries].filter(([, e]) => e.link.state === 'connected').map(([id]) => id),
    send,
    stats(peerId) {
      const entry = entries.get(peerId);
      return entry === undefined ? null : { ...entry.stats, dropped: { ...entry.dropped } };
    },
    peerConnection: (peerId) => entries.get(peerId)?.link.pc ?? null,
    channel: (peerId, kind) => entries.get(peerId)?.link.channel(kind) ?? null,
    setLocalAudioTrack: (track) => setLocalTrack('audio', track),
    remoteTracks: () => remoteTracks('audio'),
    audioTransceiver: (peerId) => entries.get(peerId)?.link.audioTransceiver() ?? null,
    setLocalVideoTrack: (track) => setLocalTrack('video', track),
    remoteVideoTracks: () => remoteTracks('video'),
    videoTransceiver: (peerId) => entries.get(peerId)?.link.transceiver('video') ?? null,
    setRelayOnly(on) {
      const next: RTCIceTransportPolicy = on ? 'relay' : 'all';
      if ((policy ?? 'all') === next) return;
      policy = next;
      for (const peer of lobby.room?.peers ?? []) redial(peer.id);
    },
    get relayOnly() {
      return policy === 'relay';
    },
    redial,
    on: events.on,
    close() {
      if (closed) return;
      closed = true;
      timers.clearInterval(statsTimer);
      for (const peerId of [...retries.keys()]) clearRetry(peerId);
      for (const off of unsubscribe) off();
      for (const peerId of [...entries.keys()]) closeLink(peerId);
    },
  };
}
