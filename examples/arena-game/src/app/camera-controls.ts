/**
 * Camera controls: the camera button (on / off), the sentence that explains it, and a small tile
 * (a playing `<video>`) per player whose camera is on, this player's own preview included, for the
 * room lobby's rows and the scoreboard. A player without a camera (or who refused it) just has no
 * tile; everything else plays on. Tiles are kept per player, so a row drawn again moves the same
 * playing element rather than starting a new one (and one the browser paused, out of the page for
 * a while, plays again when it is put back).
 */
import type { Camera, CameraStatus, MediaFailure } from '@tickmesh/netcode';

/** Why the camera did not start, in the player's words. */
export function cameraProblem(reason: MediaFailure): string {
  const why = {
    denied: 'The browser refused the camera.',
    'no-device': 'No camera found.',
    unsupported: 'This browser cannot use a camera.',
    error: 'The camera did not start.',
  }[reason];
  return `${why} You still see everyone who has one on.`;
}

/** The part of the net's camera these controls use. */
export type ControlledCamera = Pick<Camera, 'status' | 'start' | 'stop' | 'localStream' | 'videos' | 'on'>;

export interface CameraControls {
  /** The camera is sending. */
  on(): boolean;
  label(): string;
  /** The camera button's tooltip: how to use it, or why it is off. */
  note(): string;
  status(): CameraStatus;
  /** The camera of a new session; `selfId` names this player's own tile. */
  attach(camera: ControlledCamera | null, selfId: () => string | null): void;
  /** The camera button: on if off, off if on. */
  toggle(): Promise<void>;
  /** A player's tile (a playing `<video>`), or null when that player shows no camera. */
  tile(peerId: string): HTMLVideoElement | null;
  /** Changes whenever a tile comes or goes (rows keyed on it are drawn again). */
  tilesKey(): string;
}

export interface CameraControlsDeps {
  /** Makes a tile's element. Default a muted, inline, autoplaying `<video>`. */
  createVideo?: () => HTMLVideoElement;
  /** Something the camera button or a tile shows has changed. */
  changed(): void;
}

/**
 * @example
 * const cameraControls = createCameraControls({ changed: render });
 * cameraControls.attach(net.camera, () => lobby.peerId);
 * cameraButton.onclick = () => void cameraControls.toggle();
 */
export function createCameraControls(deps: CameraControlsDeps): CameraControls {
  const createVideo = deps.createVideo ?? defaultVideo;
  const tiles = new Map<string, HTMLVideoElement>();
  let camera: ControlledCamera | null = null;
  let self: () => string | null = () => null;
  let note = 'Show your camera to the room.';
  let unsubscribe: (() => void)[] = [];

  function setTile(peerId: string, stream: MediaStream | null): void {
    const old = tiles.get(peerId);
    if (old?.srcObject === stream && stream !== null) return;
    if (old) {
      old.srcObject = null;
      old.remove();
      tiles.delete(peerId);
    }
    if (stream) {
      const video = createVideo();
      video.srcObject = stream;
      video.dataset.peer = peerId;
      tiles.set(peerId, video);
      video.play().catch(() => undefined); // muted video may autoplay; a refusal leaves the poster
    }
    deps.changed();
  }

  function setOwnTile(): void {
    const id = self();
    if (id !== null) setTile(id, camera?.status === 'on' ? camera.localStream : null);
  }

  return {
    on: () => camera?.status === 'on',
    label: () => (camera?.status === 'on' ? 'Cam on' : 'Cam off'),
    note: () => note,
    status: () => camera?.status ?? 'off',
    attach(next, selfId) {
      for (const off of unsubscribe) off();
      for (const peerId of [...tiles.keys()]) setTile(peerId, null);
      camera = next;
      self = selfId;
      if (!next) return;
      unsubscribe = [
        next.on('video', ({ peerId, stream }) => setTile(peerId, stream)),
        next.on('status', ({ status }) => {
          if (status === 'device-lost') note = 'The camera went away.';
          setOwnTile();
        }),
      ];
      for (const [peerId, stream] of next.videos()) setTile(peerId, stream);
    },
    async toggle() {
      if (!camera) return;
      if (camera.status === 'on' || camera.status === 'starting') {
        camera.stop();
        note = 'Camera off.';
      } else {
        const started = await camera.start();
        if (started.ok) note = 'Camera on: everyone sees you.';
        else if (started.reason !== 'cancelled') note = cameraProblem(started.reason);
      }
      setOwnTile();
      deps.changed();
    },
    tile(peerId) {
      const video = tiles.get(peerId) ?? null;
      // A tile taken out of the page (its row or screen gone) was paused by the browser: it plays
      // again where it is put next (the room list, the scoreboard).
      if (video?.paused) video.play().catch(() => undefined);
      return video;
    },
    tilesKey: () => [...tiles.keys()].sort().join(','),
  };
}

function defaultVideo(): HTMLVideoElement {
  const video = document.createElement('video');
  video.className = 'cam-tile';
  video.muted = true;
  video.autoplay = true;
  video.playsInline = true;
  return video;
}
