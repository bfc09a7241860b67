/**
 * The camera side of the browser test page: `createCamera` over the page's mesh, driven through
 * `window.__camera`. Each live remote video plays in a `<video>` on the page, as a game's tile
 * would. Every method returns plain data (structured-clone safe).
 */
import {
  type Camera,
  type CameraCapture,
  type CameraCounters,
  type CameraResult,
  type CameraStatus,
  createCamera,
  type Logger,
  type Mesh,
  type VideoLinkStats,
} from '@tickmesh/netcode';

export interface CameraStartOptions {
  /** Inject a getUserMedia that rejects: `NotAllowedError` (the player said no) or `NotFoundError` (no camera). */
  fail?: 'NotAllowedError' | 'NotFoundError';
  /** Size and rate asked of the camera. Default the camera's (160x120 at 15 fps). */
  capture?: Partial<CameraCapture>;
}

/** A video input as `enumerateDevices()` lists it. */
export interface CameraDevice {
  deviceId: string;
  label: string;
}

/** The video sender's encodings toward a peer. */
export interface SenderCaps {
  maxBitrate: number | null;
  maxFramerate: number | null;
  scaleResolutionDownBy: number | null;
}

export interface CameraHarness {
  start(options?: CameraStartOptions): Promise<CameraResult>;
  stop(): void;
  /** `camera.setDevice`: switches the camera in place. */
  setDevice(deviceId: string): Promise<CameraResult>;
  /** The page's video inputs. */
  devices(): Promise<CameraDevice[]>;
  /** The id of the device the local camera track captures from; null while off. */
  localDevice(): string | null;
  /** The local track's id (a new capture, a new id); null while off. */
  localTrackId(): string | null;
  /** The video track each link sends now, by peer (null: nothing). */
  sentTrackIds(): Record<string, string | null>;
  /** The camera's `video` events so far ("ms peer live|gone"), for failure reports. */
  videoEvents(): string[];
  /** Every transceiver of each link, and the frames the camera's own receiver reads (for failure reports). */
  transceivers(): Promise<Record<string, unknown>>;
  counters(): CameraCounters | null;
  status(): CameraStatus | 'none';
  statuses(): CameraStatus[];
  /** Peers whose camera video is live (a tile shows). */
  tiles(): string[];
  /** The size of each tile's decoded video, by peer (0 before a frame). */
  tileSizes(): Record<string, { width: number; height: number }>;
  stats(): Promise<Record<string, VideoLinkStats>>;
  senderCaps(peerId: string): SenderCaps[];
  /** How many times each link negotiated (local offers and answers set) since join. */
  negotiations(): Record<string, number>;
}

declare global {
  interface Window {
    __camera: CameraHarness;
  }
}

export function createCameraHarness(getMesh: () => Mesh<unknown> | null, logger: Logger): CameraHarness {
  let camera: Camera | null = null;
  const statuses: CameraStatus[] = [];
  const tiles = new Map<string, HTMLVideoElement>();
  /** Every `video` event, for failure reports: "ms peer live|gone". */
  const videoEvents: string[] = [];

  function make(options: CameraStartOptions): Camera | null {
    const mesh = getMesh();
    if (!mesh) return null;
    const fail = options.fail;
    const made = createCamera({
      mesh,
      ...(options.capture ? { capture: options.capture } : {}),
      getUserMedia: fail
        ? () => Promise.reject(new DOMException('refused', fail))
        : (c) => navigator.mediaDevices.getUserMedia(c),
      logger,
    });
    made.on('status', ({ status }) => statuses.push(status));
    made.on('video', ({ peerId, stream }) => {
      videoEvents.push(`${Math.round(performance.now())} ${peerId.slice(0, 4)} ${stream ? 'live' : 'gone'}`);
      tiles.get(peerId)?.remove();
      tiles.delete(peerId);
      if (!stream) return;
      const video = document.createElement('video');
      video.muted = true;
      video.autoplay = true;
      video.playsInline = true;
      video.srcObject = stream;
      video.dataset.peer = peerId;
      document.body.append(video);
      tiles.set(peerId, video);
      video.play().catch(() => undefined);
    });
    return made;
  }

  return {
    async start(options = {}) {
      camera ??= make(options);
      return camera ? camera.start() : { ok: false, reason: 'error' };
    },
    stop: () => camera?.stop(),
    setDevice: async (deviceId) => (camera ? camera.setDevice(deviceId) : { ok: false, reason: 'error' }),
    async devices() {
      const all = await navigator.mediaDevices.enumerateDevices();
      return all.filter((d) => d.kind === 'videoinput').map((d) => ({ deviceId: d.deviceId, label: d.label }));
    },
    localDevice: () => camera?.localStream?.getVideoTracks()[0]?.getSettings().deviceId ?? null,
    localTrackId: () => camera?.localStream?.getVideoTracks()[0]?.id ?? null,
    videoEvents: () => [...videoEvents],
    async transceivers() {
      const mesh = getMesh();
      const out: Record<string, unknown> = {};
      for (const peerId of mesh?.links.keys() ?? []) {
        const pc = mesh?.peerConnection(peerId);
        const chosen = mesh?.videoTransceiver(peerId) ?? null;
        let chosenFrames: unknown = null;
        try {
          const report = chosen ? await chosen.receiver.getStats() : null;
          report?.forEach((s: { type: string; framesDecoded?: number }) => {
            if (s.type === 'inbound-rtp') chosenFrames = s.framesDecoded;
          });
        } catch (error) {
          chosenFrames = String(error);
        }
        out[peerId] = {
          chosenMid: chosen?.mid ?? null,
          chosenFrames,
          all: pc?.getTransceivers().map((t) => ({
            mid: t.mid,
            kind: t.receiver.track.kind,
            direction: t.direction,
            current: t.currentDirection,
            track: t.receiver.track.id.slice(0, 8),
            muted: t.receiver.track.muted,
          })),
        };
      }
      return out;
    },
    sentTrackIds() {
      const mesh = getMesh();
      const out: Record<string, string | null> = {};
      for (const peerId of mesh?.links.keys() ?? [])
        out[peerId] = mesh?.videoTransceiver(peerId)?.sender.track?.id ?? null;
      return out;
    },
    counters: () => (camera ? { ...camera.counters } : null),
    status: () => camera?.status ?? 'none',
    statuses: () => [...statuses],
    tiles: () => [...tiles.keys()].sort(),
    tileSizes: () =>
      Object.fromEntries([...tiles].map(([peerId, v]) => [peerId, { width: v.videoWidth, height: v.videoHeight }])),
    stats: async () => (camera ? camera.stats() : {}),
    senderCaps(peerId) {
      const sender = getMesh()?.videoTransceiver(peerId)?.sender;
      return (
        sender?.getParameters().encodings.map((e) => ({
          maxBitrate: e.maxBitrate ?? null,
          maxFramerate: e.maxFramerate ?? null,
          scaleResolutionDownBy: e.scaleResolutionDownBy ?? null,
        })) ?? []
      );
    },
    negotiations() {
      const mesh = getMesh();
      const out: Record<string, number> = {};
      for (const peerId of mesh?.links.keys() ?? []) {
        out[peerId] =
          (mesh?.peerConnection(peerId) as (RTCPeerConnection & { __negotiations?: number }) | null)?.__negotiations ??
          0;
      }
      return out;
    },
  };
}
