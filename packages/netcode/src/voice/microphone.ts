/**
 * Voice's talking half: the microphone captured by the media layer (media/device-capture.ts, which
 * owns its status and failures), sent on every link, switched on and off by mute and push-to-talk
 * (the track is disabled: it carries no speech), and metered for speaking detection when the
 * playback side has an AudioContext.
 */
import {
  type CaptureStatus,
  createDeviceCapture,
  type DeviceCapture,
  type GetUserMedia,
} from '../media/device-capture.js';
import type { Mesh } from '../transport/mesh.js';
import type { Logger } from '../util/logger.js';
import { createLevelMeter, type LevelMeter } from './speaking-detector.js';

export interface MicrophoneDeps {
  mesh: Pick<Mesh<unknown>, 'setLocalAudioTrack'>;
  getUserMedia: GetUserMedia | undefined;
  /** The playback side's AudioContext, if any: the microphone's level meter runs in it. */
  context(): AudioContext | null;
  /** A start begins (voice listens too). */
  onStarting(): void;
  /** The microphone went away (stopped or lost): it no longer speaks. */
  onReleased(): void;
  warn(what: string): (error: unknown) => void;
  guard(what: string, fn: () => void): void;
  logger: Logger;
}

export interface Microphone {
  readonly capture: DeviceCapture;
  readonly muted: boolean;
  setMuted(muted: boolean): void;
  setPushToTalk(enabled: boolean): void;
  setTalking(down: boolean): void;
  /** The microphone's level now (0 while it does not transmit); null without a meter. */
  level(): number | null;
}

export type { CaptureStatus };

export function createMicrophone(deps: MicrophoneDeps): Microphone {
  const { mesh, guard, warn } = deps;
  let muted = false;
  let pushToTalk = false;
  let talking = false;
  let track: MediaStreamTrack | null = null;
  let meter: { meter: LevelMeter; source: MediaStreamAudioSourceNode } | null = null;

  function applyTransmit(): void {
    if (track) track.enabled = !muted && (!pushToTalk || talking);
  }

  /** After mute or push-to-talk changed. */
  const transmit = (): void => guard('muting or push-to-talk', applyTransmit);

  function disconnect(old: { meter: LevelMeter; source: MediaStreamAudioSourceNode }): void {
    guard('releasing a microphone', () => {
      old.meter.disconnect();
      old.source.disconnect();
    });
  }

  const capture = createDeviceCapture({
    kind: 'audio',
    label: 'voice',
    device: 'microphone',
    getUserMedia: deps.getUserMedia,
    constraints(device) {
      const audio: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
      if (device !== undefined) audio.deviceId = { exact: device };
      return { audio, video: false };
    },
    use(next, stream) {
      const previous = meter;
      meter = null;
      track = next;
      if (next && stream) {
        const context = deps.context();
        if (context) {
          try {
            const source = context.createMediaStreamSource(stream);
            meter = { source, meter: createLevelMeter(context, source) };
          } catch (error) {
            warn('no level meter for the microphone')(error);
          }
        }
        applyTransmit();
        mesh.setLocalAudioTrack(next);
      } else {
        mesh.setLocalAudioTrack(null);
      }
      if (previous) disconnect(previous);
      if (!next) deps.onReleased();
    },
    onStarting: deps.onStarting,
    logger: deps.logger,
  });

  return {
    capture,
    get muted() {
      return muted;
    },
    setMuted(value) {
      muted = value;
      transmit();
    },
    setPushToTalk(enabled) {
      pushToTalk = enabled;
      if (!enabled) talking = false;
      transmit();
    },
    setTalking(down) {
      talking = down;
      transmit();
    },
    level: () => (meter && track ? (track.enabled ? meter.meter.level() : 0) : null),
  };
}
