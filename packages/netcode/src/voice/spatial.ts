/**
 * Spatial voice: each remote voice goes through a PannerNode placed where that player is in the
 * game, relative to the local player. The game speaks in its own 2D coordinates (x right, y down
 * as on a screen, as Phaser has it; `angle` in radians, 0 facing +x, growing clockwise on screen);
 * Web Audio's listener stays at the origin facing -z, and each source is placed in the listener's
 * frame: x to the listener's right, z behind. Distance falloff is the PannerNode's own
 * (https://webaudio.github.io/web-audio-api/#Spatialization-distance-effects): by default
 * `linear`, full volume within `refDistance` and silent beyond `maxDistance`, in game units.
 *
 * Opt-in, with its own import: `createVoice({ ..., spatial: spatialVoice() })` (or a session's
 * `voice` option), so a voice game without it ships none of this.
 */

/** The local player: position and facing. */
export interface ListenerPose {
  x: number;
  y: number;
  /** Facing in radians: 0 is +x, growing toward +y (clockwise on a y-down screen). Default 0. */
  angle?: number;
}

export interface Point {
  x: number;
  y: number;
}

/** Falloff and panning; override through `spatialVoice(settings)`. */
export const spatialDefaults = {
  /** How loudness falls with distance (`linear`, `inverse`, `exponential`). */
  distanceModel: 'linear' as DistanceModelType,
  /** Within this distance (game units) a voice is at full volume. */
  refDistance: 100,
  /** Beyond this distance (game units) a `linear` voice is silent. */
  maxDistance: 1500,
  /** How fast loudness falls between the two. */
  rolloffFactor: 1,
  /** `equalpower` (cheap, fine on speakers) or `HRTF` (better on headphones, more CPU per voice). */
  panningModel: 'equalpower' as PanningModelType,
};
export type SpatialSettings = typeof spatialDefaults;

/** Where `source` sits in Web Audio coordinates with the listener at the origin facing -z. */
export function toListenerSpace(listener: ListenerPose, source: Point): { x: number; y: number; z: number } {
  const angle = listener.angle ?? 0;
  const dx = source.x - listener.x;
  const dy = source.y - listener.y;
  const forward = dx * Math.cos(angle) + dy * Math.sin(angle);
  const right = -dx * Math.sin(angle) + dy * Math.cos(angle);
  // `|| 0` turns -0 into 0.
  return { x: right || 0, y: 0, z: -forward || 0 };
}

export function createPanner(context: BaseAudioContext, settings: SpatialSettings): PannerNode {
  const panner = context.createPanner();
  panner.distanceModel = settings.distanceModel;
  panner.refDistance = settings.refDistance;
  panner.maxDistance = settings.maxDistance;
  panner.rolloffFactor = settings.rolloffFactor;
  panner.panningModel = settings.panningModel;
  return panner;
}

/**
 * Moves a panner to `position` (listener space) from now on. `positionX` is in every browser the
 * library runs in (it needs ES2022's `Object.hasOwn`: Safari 15.4, where Safari 14.1 added it).
 */
export function placePanner(panner: PannerNode, position: { x: number; y: number; z: number }): void {
  panner.positionX.value = position.x;
  panner.positionY.value = position.y;
  panner.positionZ.value = position.z;
}

/** One remote voice's spatial route: its stream through a gain and a panner to the speakers. */
export interface SpatialRoute {
  /** 0..1, the peer's volume (0 also when muted). */
  setGain(gain: number): void;
  /** Connects (true) or disconnects the route. */
  setEnabled(enabled: boolean): void;
  /** Places the voice at `position` around `listener` (game units); null: at the listener. */
  place(listener: ListenerPose, position: Point | null): void;
  disconnect(): void;
}

/** Spatial audio for voice, made by {@link spatialVoice}. */
export interface SpatialVoice {
  /** Routes `source` (a remote voice) to `output` through its own gain and panner, off at first. */
  route(context: BaseAudioContext, source: AudioNode, output: AudioNode): SpatialRoute;
}

/**
 * Spatial voice for `createVoice`'s (or a session's `voice`) `spatial` option; then
 * `voice.setSpatial(true)`, `setListener` and `setPeerPosition` place each voice.
 *
 * @example
 * const session = createSession({ ..., voice: { getUserMedia, spatial: spatialVoice({ maxDistance: 800 }) } });
 * session.voice?.setSpatial(true);
 */
export function spatialVoice(settings: Partial<SpatialSettings> = {}): SpatialVoice {
  const resolved: SpatialSettings = { ...spatialDefaults, ...settings };
  return {
    route(context, source, output) {
      const gain = context.createGain();
      const panner = createPanner(context, resolved);
      source.connect(gain);
      panner.connect(output);
      let enabled = false;
      return {
        setGain(value) {
          gain.gain.value = value;
        },
        setEnabled(on) {
          if (on === enabled) return;
          enabled = on;
          if (on) gain.connect(panner);
          else gain.disconnect(panner);
        },
        place(listener, position) {
          placePanner(panner, position ? toListenerSpace(listener, position) : { x: 0, y: 0, z: 0 });
        },
        disconnect() {
          gain.disconnect();
          panner.disconnect();
        },
      };
    },
  };
}
