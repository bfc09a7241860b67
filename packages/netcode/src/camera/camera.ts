/**
 * Camera video over the mesh: small tiles (160x120 at 15 fps by default) sent on every link,
 * present and future, and every remote peer's camera handed to the game as a `MediaStream` to put
 * in a `<video>`. It rides the media layer voice uses: the capture lifecycle and its failure values
 * (media/device-capture.ts), one video transceiver per link from the first offer with the mesh's
 * `video: true` (so on and off are `replaceTrack`, no renegotiation; transport/media-line.ts),
 * and per-link RTP stats (camera/video-stats.ts).
 *
 * The camera, as `camera.status`:
 * ```
 * off ──start()──► starting ──► on ──(device unplugged)──► device-lost
 *                     └──► denied | no-device | unsupported | error      (start() again to retry)
 * any ──stop() or close()──► off
 * ```
 * A remote peer's video is live while its frames are decoded: a track that unmutes goes live at
 * once, and every `pollMs` the link's video receiver's `framesDecoded` is read; when it has not
 * risen for `staleMs` (the peer's `stop()` is a `replaceTrack(null)`, which keeps the track unmuted
 * in Chromium: https://github.com/w3c/webrtc-pc/issues/3077) or the track mutes or ends, the video
 * stops. Players without a camera (or who said no) simply never go live; they still see the others.
 *
 * Bandwidth: capped per link by `meshDefaults.videoMaxBitrateBps` (150 kbit/s) and
 * `videoMaxFramerate` (15); each peer uploads one copy per other peer. What a peer may send us is
 * capped too, by our SDP (`meshDefaults.videoMaxReceiveBitrateBps`, transport/video-sdp.ts), and
 * what really comes in is measured at every poll: a peer over the cap counts in
 * `counters.inboundOverCap` (camera/inbound-cap.ts). See README "Camera".
 */
import {
  type CaptureResult,
  type CaptureStatus,
  createDeviceCapture,
  defaultGetUserMedia,
  type GetUserMedia,
} from '../media/device-capture.js';
import { statsByPeer } from '../media/rtp-stats.js';
import type { LinkState } from '../transport/link.js';
import { type Mesh, meshDefaults, type RemoteTrack } from '../transport/mesh.js';
import { createEmitter } from '../util/emitter.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { realTimers, type Timers } from '../util/timers.js';
import { createInboundCap } from './inbound-cap.js';
import { readVideoStats, type VideoLinkStats } from './video-stats.js';

/** What the camera asks `getUserMedia` for; override through `CameraOptions.capture`. */
export const cameraDefaults = {
  widthPx: 160,
  heightPx: 120,
  frameRate: 15,
};
export type CameraCapture = typeof cameraDefaults;

/** When a remote video counts as stopped; override through `CameraOptions.tuning`. */
export const cameraTuning = {
  /** How often each live link's decoded frames are read. */
  pollMs: 500,
  /** A video whose frames have not risen for this long is stopped (its tile goes). */
  staleMs: 1500,
  /** The inbound video rate each link asked its peer for, bit/s: the mesh's `videoMaxReceiveBitrateBps` (150 000). */
  maxInboundBitrateBps: meshDefaults.videoMaxReceiveBitrateBps,
  /** How far over `maxInboundBitrateBps` one poll's rate may go before it counts (a keyframe's burst). Default 0.5. */
  inboundSlack: 0.5,
};

export interface CameraCounters {
  /** Polls in which a peer's video came in over `maxInboundBitrateBps` (by more than the slack): a peer ignoring our cap. */
  inboundOverCap: number;
  /** The highest inbound video rate of any peer over one poll, bit/s. */
  maxInboundBps: number;
}

/** The camera's state: the media layer's capture status. */
export type CameraStatus = CaptureStatus;
/** `start()`'s outcome; `cancelled` when `stop()` came first. */
export type CameraResult = CaptureResult;

export interface CameraEvents {
  status: { status: CameraStatus };
  /** A remote peer's camera video went live (`stream`: put it in a `<video>`), or stopped (null). */
  video: { peerId: string; stream: MediaStream | null };
}

/** The part of the mesh the camera uses. */
export type CameraMesh = Pick<
  Mesh<unknown>,
  'on' | 'links' | 'setLocalVideoTrack' | 'remoteVideoTracks' | 'videoTransceiver' | 'peerConnection'
>;

export interface CameraOptions {
  /** A mesh made with `video: true` (a session made with `video: true` has one). */
  mesh: CameraMesh;
  /** Captures the camera. Default `navigator.mediaDevices.getUserMedia` (none: status `unsupported`). */
  getUserMedia?: GetUserMedia;
  /** Wraps a remote track in a stream. Default `new MediaStream(tracks)`. */
  createStream?: (tracks: MediaStreamTrack[]) => MediaStream;
  /** Size and rate asked of the camera. Default `cameraDefaults`. */
  capture?: Partial<CameraCapture>;
  /** Poll and staleness of remote videos. Default `cameraTuning`. */
  tuning?: Partial<typeof cameraTuning>;
  /** Default real timers. */
  timers?: Timers;
  /** Default silent. */
  logger?: Logger;
}

export interface Camera {
  readonly status: CameraStatus;
  /** Captures the camera (`deviceId`, default the system's) and sends it to every peer. */
  start(options?: { deviceId?: string }): Promise<CameraResult>;
  /** Releases the camera (status `off`): the others' tiles of this player go. */
  stop(): void;
  /** Switches the camera (no renegotiation). */
  setDevice(deviceId: string): Promise<CameraResult>;
  /** The local camera's stream while on (a preview), else null. */
  readonly localStream: MediaStream | null;
  /** The live remote camera videos, by peer id. */
  videos(): ReadonlyMap<string, MediaStream>;
  /** Camera stats of every current link, by peer id. */
  stats(): Promise<Record<string, VideoLinkStats>>;
  /** Inbound video measured against the cap each link asked for (since the camera was made). */
  readonly counters: Readonly<CameraCounters>;
  /** Releases the camera and stops following the mesh. */
  close(): void;
  on<K extends keyof CameraEvents>(type: K, listener: (event: CameraEvents[K]) => void): () => void;
}

interface RemoteVideo {
  track: MediaStreamTrack;
  stream: MediaStream;
  live: boolean;
  /** framesDecoded at the last poll, and when it last rose (ms). */
  frames: number;
  roseAt: number;
  off(): void;
}

/**
 * @example
 * const session = await createSession({ lobby, game, createPeerConnection, voice: {}, video: true });
 * const camera = createCamera({ mesh: session.mesh });
 * camera.on('video', ({ peerId, stream }) => scoreboard.setTile(peerId, stream)); // null: no tile
 * cameraButton.onclick = async () => {
 *   const started = await camera.start();
 *   if (!started.ok) hud.showCameraProblem(started.reason); // 'denied', 'no-device', ...
 * };
 */
export function createCamera(options: CameraOptions): Camera {
  const { mesh } = options;
  const logger = options.logger ?? silentLogger;
  const size: CameraCapture = { ...cameraDefaults, ...options.capture };
  const createStream = options.createStream ?? ((tracks: MediaStreamTrack[]) => new MediaStream(tracks));
  const events = createEmitter<CameraEvents>();
  const remotes = new Map<string, RemoteVideo>();
  const tuning = { ...cameraTuning, ...options.tuning };
  const timers = options.timers ?? realTimers;
  let localStream: MediaStream | null = null;
  const inbound = createInboundCap(tuning.maxInboundBitrateBps, tuning.inboundSlack);
  const counters: CameraCounters = { inboundOverCap: 0, maxInboundBps: 0 };

  const capture = createDeviceCapture({
    kind: 'video',
    label: 'camera',
    device: 'camera',
    getUserMedia: options.getUserMedia ?? defaultGetUserMedia(),
    constraints(deviceId) {
      const video: MediaTrackConstraints = {
        width: { ideal: size.widthPx },
        height: { ideal: size.heightPx },
        frameRate: { ideal: size.frameRate, max: size.frameRate },
      };
      if (deviceId !== undefined) video.deviceId = { exact: deviceId };
      return { audio: false, video };
    },
    use(track, stream) {
      localStream = track ? stream : null;
      mesh.setLocalVideoTrack(track);
    },
    logger,
  });
  capture.on('status', (event) => events.emit('status', event));

  function setLive(peerId: string, remote: RemoteVideo, live: boolean): void {
    if (live) remote.roseAt = timers.now();
    if (remote.live === live || remotes.get(peerId) !== remote) return;
    remote.live = live;
    events.emit('video', { peerId, stream: live ? remote.stream : null });
  }

  function attach({ peerId, track, stream }: RemoteTrack): void {
    if (remotes.get(peerId)?.track === track) return;
    detach(peerId);
    try {
      const onMute = () => setLive(peerId, remote, false);
      const onUnmute = () => setLive(peerId, remote, true);
      const remote: RemoteVideo = {
        track,
        stream: stream ?? createStream([track]),
        live: false,
        frames: 0,
        roseAt: 0,
        off: () => {
          track.removeEventListener('mute', onMute);
          track.removeEventListener('unmute', onUnmute);
          track.removeEventListener('ended', onMute);
        },
      };
      track.addEventListener('mute', onMute);
      track.addEventListener('unmute', onUnmute);
      track.addEventListener('ended', onMute);
      remotes.set(peerId, remote);
      if (!track.muted && track.readyState !== 'ended') setLive(peerId, remote, true);
    } catch (error) {
      logger.warn('camera: attaching a remote video failed', { peer: peerId, error: String(error) });
    }
  }

  function detach(peerId: string): void {
    const remote = remotes.get(peerId);
    if (!remote) return;
    remote.off();
    const wasLive = remote.live;
    remotes.delete(peerId);
    inbound.forget(peerId);
    if (wasLive) events.emit('video', { peerId, stream: null });
  }

  function onLink(peerId: string, state: LinkState): void {
    // `connecting` here is a new connection replacing the old one: its track comes as a new event.
    if (state === 'connecting' || state === 'failed' || state === 'closed') detach(peerId);
  }

  /** A peer's received video bytes now: its rate against the cap, in `counters`. */
  function measure(peerId: string, bytes: number): void {
    const over = inbound.counters.overCap;
    const bps = inbound.sample(peerId, bytes, timers.now());
    counters.inboundOverCap = inbound.counters.overCap;
    counters.maxInboundBps = Math.round(inbound.counters.maxBps);
    if (bps !== null && inbound.counters.overCap > over && over === 0)
      logger.warn('camera: a peer sends video over the cap asked of it', { peer: peerId, bps: Math.round(bps) });
  }

  /** Reads each remote video's decoded frames: rising, it is live; still for `staleMs`, it stopped. */
  async function poll(): Promise<void> {
    await Promise.all(
      [...remotes].map(async ([peerId, remote]) => {
        const receiver = mesh.videoTransceiver(peerId)?.receiver;
        if (!receiver) return;
        let frames = 0;
        try {
          const stats = readVideoStats(await receiver.getStats());
          frames = stats.framesDecoded;
          measure(peerId, stats.bytesReceived + stats.headerBytesReceived);
        } catch (error) {
          logger.debug('camera: getStats failed', { peer: peerId, error: String(error) });
          return;
        }
        const rose = frames > remote.frames;
        remote.frames = frames;
        if (rose) setLive(peerId, remote, true);
        else if (timers.now() - remote.roseAt > tuning.staleMs) setLive(peerId, remote, false);
      }),
    );
  }
  // One poll at a time: on a loaded machine getStats can take longer than `pollMs`, and an older
  // answer landing after a newer one would read as frames that did not rise.
  let polling = false;
  const pollTimer = timers.setInterval(() => {
    if (polling) return;
    polling = true;
    void poll().finally(() => {
      polling = false;
    });
  }, tuning.pollMs);

  const unsubscribe = [
    mesh.on('videoTrack', attach),
    mesh.on('link', ({ peerId, state }) => onLink(peerId, state)),
    () => timers.clearInterval(pollTimer),
  ];
  // Videos already coming are followed after this returns, so the `video` event of one already
  // playing reaches listeners added right after `createCamera` (emitted now, it reached nobody and
  // that peer's tile never showed: a camera made while a peer's frames flowed).
  queueMicrotask(() => {
    if (unsubscribe.length === 0) return; // closed meanwhile
    for (const remote of mesh.remoteVideoTracks()) attach(remote);
  });

  return {
    get status() {
      return capture.status;
    },
    get localStream() {
      return localStream;
    },
    start: (startOptions) => capture.start(startOptions),
    stop: () => capture.stop(),
    setDevice: (id) => capture.setDevice(id),
    counters,
    videos: () => new Map([...remotes].filter(([, r]) => r.live).map(([peerId, r]) => [peerId, r.stream])),
    stats: () => statsByPeer(mesh, readVideoStats, logger, 'camera'),
    close() {
      capture.stop();
      for (const off of unsubscribe.splice(0)) off();
      for (const peerId of [...remotes.keys()]) detach(peerId);
    },
    on: events.on,
  };
}
