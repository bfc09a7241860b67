/**
 * Spatial voice: each remote voice goes through a PannerNode placed where that player is in the
 * game, relative to the local player. The game speaks in its own 2D coordinates (x right, y down
 * as on a screen, as Phaser has it; `angle` in radians, 0 facing +x, growing clockwise on screen);
 * Web Audio's listener stays at the origin facing -z, and each source is placed in the listener's
 * frame: x to the listener's right, z behind. Distance falloff is the PannerNode's own
 * (https://webaudio.github.io/web-audio-api/#Spatialization-distance-effects): by default
 * `linear`, full volume within `refDistance` and silent beyond `maxDistance`, in game units.
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

/** Falloff and panning; override through `VoiceOptions.spatial`. */
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
