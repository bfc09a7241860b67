/**
 * The playback graph of one remote peer's voice:
 * ```
 * <audio> (plays the voice; volume = the peer's volume)
 *    ▲
 * stream ─► MediaStreamSource ─┬─► analyser (speaking)
 *                              └─► gain ─► panner ─► output       (spatial only, spatial.ts; the element is muted then)
 * ```
 * Without spatial audio the voice plays in its media element: Chromium's echo canceller only
 * hears what plays through WebRTC's own audio output (crbug.com/687574), and the receiver's
 * `audioLevel` and `totalAudioEnergy` stats stay 0 while the element is muted or at volume 0.
 * With spatial audio the voice plays through Web Audio's panner and the element stays, muted:
 * Chromium only feeds a remote WebRTC stream into Web Audio while the stream also plays in a
 * media element (crbug.com/933677). The analyser taps the stream either way.
 */
import type { Logger } from '../util/logger.js';
import type { ListenerPose, Point, SpatialRoute, SpatialVoice } from './spatial.js';
import { createLevelMeter, type LevelMeter } from './speaking-detector.js';

export interface RemoteVoiceDeps {
  /** Null when Web Audio is unavailable: no speaking detection or spatial audio then. */
  context: AudioContext | null;
  /** Where spatial voices go (a master gain before the speakers). */
  output: AudioNode | null;
  createAudioElement(): HTMLAudioElement;
  createStream(tracks: MediaStreamTrack[]): MediaStream;
  /** Spatial audio, when the game asked for it (`spatialVoice()`). */
  spatial: SpatialVoice | null;
  logger: Logger;
}

export interface RemoteVoice {
  readonly peerId: string;
  readonly track: MediaStreamTrack;
  /** The voice's level now; 0 without Web Audio. */
  level(): number;
  /** 0..1 (0 also for a muted peer). */
  setGain(gain: number): void;
  /** Plays through the spatial route (and mutes the element), or back in the element. */
  setSpatial(enabled: boolean): void;
  /** Where the voice comes from, around the listener (game units); null: at the listener. */
  place(listener: ListenerPose, position: Point | null): void;
  /** Plays the element again if the browser held it back (autoplay policy); call from a user gesture. */
  play(): void;
  /** Plays the element on this output device; false where the browser cannot. */
  setSinkId(deviceId: string): Promise<boolean>;
  close(): void;
}

type SinkableElement = HTMLAudioElement & { setSinkId?: (sinkId: string) => Promise<void> };

export function createRemoteVoice(
  deps: RemoteVoiceDeps,
  peerId: string,
  track: MediaStreamTrack,
  stream: MediaStream | null,
): RemoteVoice {
  const { context, output, logger } = deps;
  const media = stream ?? deps.createStream([track]);
  const element: SinkableElement = deps.createAudioElement();
  element.autoplay = true;
  element.srcObject = media;
  const play = (): void => {
    element
      .play()
      .catch((error: unknown) => logger.warn('voice element did not play', { peer: peerId, error: String(error) }));
  };
  play();

  let graph: { source: MediaStreamAudioSourceNode; route: SpatialRoute | null; meter: LevelMeter } | null = null;
  if (context && output) {
    try {
      const source = context.createMediaStreamSource(media);
      const route = deps.spatial?.route(context, source, output) ?? null;
      graph = { source, route, meter: createLevelMeter(context, source) };
    } catch (error) {
      logger.warn('voice: no audio graph', { peer: peerId, error: String(error) });
    }
  }
  let spatial = false;

  return {
    peerId,
    track,
    level: () => graph?.meter.level() ?? 0,
    setGain(gain) {
      const value = Math.min(1, Math.max(0, gain));
      element.volume = value;
      graph?.route?.setGain(value);
    },
    setSpatial(enabled) {
      const route = graph?.route;
      if (!route || enabled === spatial) return;
      spatial = enabled;
      route.setEnabled(enabled);
      element.muted = enabled;
    },
    place(listener, position) {
      graph?.route?.place(listener, position);
    },
    play() {
      if (element.paused) play();
    },
    async setSinkId(deviceId) {
      if (typeof element.setSinkId !== 'function') return false;
      await element.setSinkId(deviceId);
      return true;
    },
    close() {
      if (graph) {
        graph.meter.disconnect();
        graph.source.disconnect();
        graph.route?.disconnect();
        graph = null;
      }
      element.pause();
      element.srcObject = null;
    },
  };
}
