/**
 * Speaking detection: is a voice talking right now? The level is the RMS of the latest window of
 * samples (an AnalyserNode's time-domain data, -1..1), and a two-threshold hysteresis turns it
 * into a yes/no that does not flicker:
 * - speaking starts once the level has stayed at or above `startRms` for `startHoldMs` (a click
 *   or a cough is not speech);
 * - it stops once the level has stayed below the lower `stopRms` for `stopHoldMs` (the pauses
 *   between words do not end it).
 * This is the classic energy-threshold voice activity detector with a hangover time (see
 * ITU-T G.729 Annex B for the idea, and WebRTC's own `audioLevel` which is likewise an RMS).
 * `createSpeakingDetector` is pure (numbers in, a boolean out); `createLevelMeter` wires an
 * AnalyserNode to it.
 */

/** Thresholds and hold times; override through `VoiceOptions.tuning`. */
export const speakingDefaults = {
  /** RMS (samples in -1..1) at or above which speech may start: about -36 dBFS. */
  startRms: 0.016,
  /** RMS below which speech may stop: about -44 dBFS. Between the two the state holds. */
  stopRms: 0.006,
  /** The level must stay at or above `startRms` this long before speaking starts. */
  startHoldMs: 60,
  /** The level must stay below `stopRms` this long before speaking stops. */
  stopHoldMs: 400,
};
export type SpeakingTuning = typeof speakingDefaults;

/** Root mean square of `samples`; 0 for none. */
export function rms(samples: ArrayLike<number>): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] ?? 0;
    sum += s * s;
  }
  return Math.sqrt(sum / samples.length);
}

export interface SpeakingDetector {
  readonly speaking: boolean;
  /** Feeds one level reading taken at `nowMs`; returns whether the voice is speaking now. */
  update(level: number, nowMs: number): boolean;
  reset(): void;
}

/**
 * @example
 * const detector = createSpeakingDetector();
 * detector.update(0.05, 0);   // false: not held long enough yet
 * detector.update(0.05, 60);  // true
 * detector.update(0.001, 100); // true: a pause
 * detector.update(0.001, 500); // false
 */
export function createSpeakingDetector(tuning: Partial<SpeakingTuning> = {}): SpeakingDetector {
  const t: SpeakingTuning = { ...speakingDefaults, ...tuning };
  let speaking = false;
  /** When the level first crossed toward the other state; null while it sits on this side. */
  let since: number | null = null;
  return {
    get speaking() {
      return speaking;
    },
    update(level, nowMs) {
      const crossing = speaking ? level < t.stopRms : level >= t.startRms;
      if (!crossing) {
        since = null;
        return speaking;
      }
      since ??= nowMs;
      if (nowMs - since >= (speaking ? t.stopHoldMs : t.startHoldMs)) {
        speaking = !speaking;
        since = null;
      }
      return speaking;
    },
    reset() {
      speaking = false;
      since = null;
    },
  };
}

export interface LevelMeter {
  /** RMS of the latest `fftSize` samples. */
  level(): number;
  disconnect(): void;
}

/** An AnalyserNode tapping `input` (it needs no path to the speakers: Chromium pulls analysers). */
export function createLevelMeter(context: BaseAudioContext, input: AudioNode, fftSize = 1024): LevelMeter {
  const analyser = context.createAnalyser();
  analyser.fftSize = fftSize;
  input.connect(analyser);
  const buffer = new Float32Array(analyser.fftSize);
  return {
    level() {
      analyser.getFloatTimeDomainData(buffer);
      return rms(buffer);
    },
    disconnect() {
      analyser.disconnect();
      input.disconnect(analyser);
    },
  };
}
