/**
 * Voice chat over the mesh: one microphone capture sent on every link (present and future), each
 * remote voice played through Web Audio with its own volume, mute and (opt-in) spatial placement,
 * and speaking detection for the local microphone and every remote peer (per-link voice stats:
 * `voiceStats(mesh)`, voice-stats.ts).
 *
 * Listening and talking are independent: many players only listen.
 * - Playback (`voice.listening`): `listen()` plays every remote voice and detects who speaks, with
 *   or without a microphone; `start()` implies it; only `close()` ends it. Call `listen()` from a
 *   click or key press (browsers let audio start only after a user gesture); calling it again
 *   from a later gesture resumes audio the browser held back.
 * - The microphone, as `voice.status`:
 * ```
 * off ──start()──► starting ──► on ──(device unplugged)──► device-lost
 *                     └──► denied | no-device | unsupported | error      (start() again to retry)
 * any ──stop() or close()──► off                          (stop() keeps playback; close() ends it)
 * ```
 * Nothing here throws into the game: expected failures are values (`start()` resolves
 * `{ ok: false, reason }`), the rest is logged.
 *
 * Bandwidth: Opus at up to 32 kbit/s per link with DTX (see `meshDefaults.audioMaxBitrateBps`);
 * each peer uploads one copy per other peer. See README "Voice" for measured figures.
 */
import { type CaptureResult, type CaptureStatus, defaultGetUserMedia } from '../media/device-capture.js';
import type { Mesh } from '../transport/mesh.js';
import { createEmitter } from '../util/emitter.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { realTimers, type Timers } from '../util/timers.js';
import { createMicrophone } from './microphone.js';
import { createPlayback, type OutputDeviceResult, type PlaybackControls } from './playback.js';
import type { SpatialVoice } from './spatial.js';
import { createSpeakingDetector, type SpeakingDetector, speakingDefaults } from './speaking-detector.js';

export type { OutputDeviceResult };

/** Voice timings and thresholds; override through `VoiceOptions.tuning`. */
export const voiceDefaults = {
  ...speakingDefaults,
  /** How often levels are read for speaking detection. */
  speakingPollMs: 50,
};
export type VoiceTuning = typeof voiceDefaults;

/** The microphone's state: the media layer's capture status (media/device-capture.ts). */
export type VoiceStatus = CaptureStatus;

/** `start()`'s outcome; `cancelled` when `stop()` came first. */
export type VoiceResult = CaptureResult;

/** The local microphone's id in `speaking` events and `speaking()`. */
export const SELF = 'self';

export interface VoiceEvents {
  status: { status: VoiceStatus };
  /** `id` is a remote peer id, or `'self'` for the local microphone. */
  speaking: { id: string; speaking: boolean };
  /** A remote peer's voice became playable (`present`), or its link went away. */
  peer: { peerId: string; present: boolean };
}

/** The part of the mesh voice uses. */
export type VoiceMesh = Pick<Mesh<unknown>, 'on' | 'links' | 'setLocalAudioTrack' | 'remoteTracks' | 'peerConnection'>;

export interface VoiceOptions {
  mesh: VoiceMesh;
  /** Captures the microphone. Default `navigator.mediaDevices.getUserMedia` (none: status `unsupported`). */
  getUserMedia?: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  /** Makes the AudioContext, on the first `start()`. Default `new AudioContext()`; none: elements play. */
  audioContext?: () => AudioContext;
  /** Makes the (muted) element each remote stream plays in. Default `new Audio()`. */
  createAudioElement?: () => HTMLAudioElement;
  /** Wraps tracks in a stream. Default `new MediaStream(tracks)`. */
  createStream?: (tracks: MediaStreamTrack[]) => MediaStream;
  /** Speaking thresholds and poll rate. Default `voiceDefaults`. */
  tuning?: Partial<VoiceTuning>;
  /** Spatial voice (`setSpatial`): `spatialVoice(settings)`, its own import. Default none: voices play flat. */
  spatial?: SpatialVoice;
  /** Default real timers. */
  timers?: Timers;
  /** Default silent. */
  logger?: Logger;
}

/** Voice chat; its playback controls (volume, mute, output device, spatial placement) are {@link PlaybackControls}. */
export interface Voice extends PlaybackControls {
  /** The microphone's state; playback is `listening`. */
  readonly status: VoiceStatus;
  /** Remote voices play and speaking is detected: from `listen()` or `start()` until `close()`. */
  readonly listening: boolean;
  /**
   * Plays every remote voice, present and future, whether or not the microphone is on. Call it
   * from a user gesture; again from a later gesture, it resumes audio the browser held back.
   */
  listen(): void;
  /** Captures the microphone (input device `deviceId`, default the system's) and sends it to every peer; listens too. */
  start(options?: { deviceId?: string }): Promise<VoiceResult>;
  /** Releases the microphone (status `off`); remote voices keep playing. */
  stop(): void;
  /** Releases the microphone and ends playback: every remote voice and the AudioContext. `listen()` starts over. */
  close(): void;
  /** Switches the microphone (no renegotiation with a mesh made with `audio: true`). */
  setInputDevice(deviceId: string): Promise<VoiceResult>;
  /** Muted: the track is disabled and carries no speech. Default false. */
  setMuted(muted: boolean): void;
  readonly muted: boolean;
  /** Push-to-talk: the microphone sends only while `setTalking(true)`. Default off. */
  setPushToTalk(enabled: boolean): void;
  /** The push-to-talk key is down (true) or up. */
  setTalking(down: boolean): void;
  /** Ids speaking now: remote peer ids, and `'self'` for the local microphone. */
  speaking(): ReadonlySet<string>;
  on<K extends keyof VoiceEvents>(type: K, listener: (event: VoiceEvents[K]) => void): () => void;
}

/**
 * @example
 * const mesh = createMesh({ lobby, createPeerConnection: (c) => new RTCPeerConnection(c), audio: true });
 * const voice = createVoice({ mesh, getUserMedia: (c) => navigator.mediaDevices.getUserMedia(c) });
 * voice.on('speaking', ({ id, speaking }) => hud.setTalking(id, speaking)); // 'self' or a peer id
 * joinButton.onclick = () => voice.listen(); // hear the others from the first click, mic or not
 * micButton.onclick = async () => {
 *   const started = await voice.start();
 *   if (!started.ok) hud.showVoiceProblem(started.reason); // 'denied', 'no-device', ...
 * };
 */
export function createVoice(options: VoiceOptions): Voice {
  const { mesh } = options;
  const tuning: VoiceTuning = { ...voiceDefaults, ...options.tuning };
  const logger = options.logger ?? silentLogger;
  const timers = options.timers ?? realTimers;
  const events = createEmitter<VoiceEvents>();
  let pollTimer: unknown = null;
  const detectors = new Map<string, SpeakingDetector>();
  const speakingNow = new Set<string>();

  /** Logs a failure the game need not hear of: `warn('what went wrong')(error)`, or as a `catch` handler. */
  const warn =
    (what: string, peer?: string) =>
    (error: unknown): void =>
      logger.warn(`voice: ${what}`, { peer, error: String(error) });

  function guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      warn(`${what} failed`)(error);
    }
  }

  const playback = createPlayback({
    mesh,
    makeContext: options.audioContext ?? defaultAudioContext(),
    createAudioElement: options.createAudioElement ?? (() => new Audio()),
    createStream: options.createStream ?? ((tracks: MediaStreamTrack[]) => new MediaStream(tracks)),
    spatial: options.spatial ?? null,
    logger,
    onPeer(peerId, present) {
      if (!present) forget(peerId);
      events.emit('peer', { peerId, present });
    },
    warn,
    guard,
  });
  const mic = createMicrophone({
    mesh,
    getUserMedia: options.getUserMedia ?? defaultGetUserMedia(),
    context: () => playback.context,
    onStarting: listen,
    onReleased: () => forget(SELF),
    warn,
    guard,
    logger,
  });
  mic.capture.on('status', (event) => events.emit('status', event));

  function listen(): void {
    const first = !playback.listening;
    playback.listen();
    if (first) pollTimer = timers.setInterval(poll, tuning.speakingPollMs);
  }

  function close(): void {
    if (!playback.listening) return;
    if (pollTimer !== null) timers.clearInterval(pollTimer);
    pollTimer = null;
    playback.close();
  }

  // --- speaking ---

  function setSpeaking(id: string, speaking: boolean): void {
    if (speakingNow.has(id) === speaking) return;
    if (speaking) speakingNow.add(id);
    else speakingNow.delete(id);
    events.emit('speaking', { id, speaking });
  }

  /** `id` no longer speaks (its voice or microphone went away). */
  function forget(id: string): void {
    setSpeaking(id, false);
    detectors.delete(id);
  }

  function detect(id: string, level: number, now: number): void {
    let detector = detectors.get(id);
    if (!detector) {
      detector = createSpeakingDetector(tuning);
      detectors.set(id, detector);
    }
    setSpeaking(id, detector.update(level, now));
  }

  function poll(): void {
    const now = timers.now();
    guard('reading voice levels', () => {
      const own = mic.level();
      if (own !== null) detect(SELF, own, now);
      for (const [peerId, level] of playback.levels()) detect(peerId, level, now);
    });
  }

  return {
    get status() {
      return mic.capture.status;
    },
    get muted() {
      return mic.muted;
    },
    get listening() {
      return playback.listening;
    },
    listen,
    start: (startOptions) => mic.capture.start(startOptions),
    stop: () => mic.capture.stop(),
    close() {
      mic.capture.stop();
      guard('closing', close);
    },
    setInputDevice: (id) => mic.capture.setDevice(id),
    ...playback.controls,
    setMuted: mic.setMuted,
    setPushToTalk: mic.setPushToTalk,
    setTalking: mic.setTalking,
    speaking: () => new Set(speakingNow),
    on: events.on,
  };
}

function defaultAudioContext(): VoiceOptions['audioContext'] | undefined {
  return typeof AudioContext === 'undefined' ? undefined : () => new AudioContext();
}
