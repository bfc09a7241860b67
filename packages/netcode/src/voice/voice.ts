/**
 * Voice chat over the mesh: one microphone capture sent on every link (present and future), each
 * remote voice played through Web Audio with its own volume, mute and (opt-in) spatial placement,
 * speaking detection for the local microphone and every remote peer, and per-link voice stats.
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
import type { LinkState } from '../transport/link.js';
import type { Mesh, RemoteTrack } from '../transport/mesh.js';
import { createEmitter } from '../util/emitter.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { realTimers, type Timers } from '../util/timers.js';
import { classifyMediaError, type VoiceFailure } from './media-errors.js';
import { createRemoteVoice, type RemoteVoice } from './remote-voice.js';
import { type ListenerPose, type Point, type SpatialSettings, spatialDefaults, toListenerSpace } from './spatial.js';
import {
  createLevelMeter,
  createSpeakingDetector,
  type LevelMeter,
  type SpeakingDetector,
  speakingDefaults,
} from './speaking-detector.js';
import { readVoiceStats, type VoiceLinkStats } from './voice-stats.js';

/** Voice timings and thresholds; override through `VoiceOptions.tuning`. */
export const voiceDefaults = {
  ...speakingDefaults,
  /** How often levels are read for speaking detection. */
  speakingPollMs: 50,
};
export type VoiceTuning = typeof voiceDefaults;

export type VoiceStatus = 'off' | 'starting' | 'on' | 'device-lost' | VoiceFailure;

/** `start()`'s outcome; `cancelled` when `stop()` came first. */
export type VoiceResult = { ok: true } | { ok: false; reason: VoiceFailure | 'cancelled' };

/** What setting the output device gives. */
export type OutputDeviceResult = { ok: true } | { ok: false; reason: 'unsupported' | 'error' };

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
  /** Distance falloff and panning for spatial voice. Default `spatialDefaults`. */
  spatial?: Partial<SpatialSettings>;
  /** Default real timers. */
  timers?: Timers;
  /** Default silent. */
  logger?: Logger;
}

export interface Voice {
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
  /** A remote peer's volume, 0..1. Default 1. */
  setPeerVolume(peerId: string, volume: number): void;
  /** Silences one remote peer for this player only. Default false. */
  setPeerMuted(peerId: string, muted: boolean): void;
  /** Plays voices on this output device (`MediaDeviceInfo.deviceId`); `unsupported` where the browser lacks `setSinkId`. */
  setOutputDevice(deviceId: string): Promise<OutputDeviceResult>;
  /** Spatial voice: each remote voice placed by `setPeerPosition` around `setListener`. Default off. */
  setSpatial(enabled: boolean): void;
  /** The local player's position and facing, in game units. */
  setListener(pose: ListenerPose): void;
  /** A remote player's position, in game units; null: at the listener. */
  setPeerPosition(peerId: string, position: Point | null): void;
  /** Ids speaking now: remote peer ids, and `'self'` for the local microphone. */
  speaking(): ReadonlySet<string>;
  /** Remote peers whose voice is playable. */
  peers(): string[];
  /** Voice stats of every current link, by peer id. */
  stats(): Promise<Record<string, VoiceLinkStats>>;
  on<K extends keyof VoiceEvents>(type: K, listener: (event: VoiceEvents[K]) => void): () => void;
}

interface LocalMic {
  stream: MediaStream;
  track: MediaStreamTrack;
  meter: LevelMeter | null;
  source: MediaStreamAudioSourceNode | null;
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
  const spatialSettings: SpatialSettings = { ...spatialDefaults, ...options.spatial };
  const logger = options.logger ?? silentLogger;
  const timers = options.timers ?? realTimers;
  const getUserMedia = options.getUserMedia ?? defaultGetUserMedia();
  const makeContext = options.audioContext ?? defaultAudioContext();
  const createAudioElement = options.createAudioElement ?? (() => new Audio());
  const createStream = options.createStream ?? ((tracks: MediaStreamTrack[]) => new MediaStream(tracks));
  const events = createEmitter<VoiceEvents>();

  let status: VoiceStatus = 'off';
  /** Bumped by stop(): a start() that resolves afterwards is discarded. */
  let generation = 0;
  let starting: Promise<VoiceResult> | null = null;
  let deviceId: string | undefined;
  let mic: LocalMic | null = null;
  let muted = false;
  let pushToTalk = false;
  let talking = false;

  /** Playback: set up by listen() (or start()), torn down by close(). */
  let context: AudioContext | null = null;
  let master: GainNode | null = null;
  let playing = false;
  let unsubscribe: (() => void)[] = [];
  let pollTimer: unknown = null;
  let outputDevice: string | null = null;
  const remotes = new Map<string, RemoteVoice>();
  const detectors = new Map<string, SpeakingDetector>();
  const speakingNow = new Set<string>();

  const volumes = new Map<string, number>();
  const peerMuted = new Set<string>();
  let spatial = false;
  let listener: ListenerPose = { x: 0, y: 0, angle: 0 };
  const positions = new Map<string, Point>();

  function setStatus(next: VoiceStatus): void {
    if (status === next) return;
    status = next;
    events.emit('status', { status: next });
  }

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

  // --- local microphone ---

  function constraints(device: string | undefined): MediaStreamConstraints {
    const audio: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
    if (device !== undefined) audio.deviceId = { exact: device };
    return { audio, video: false };
  }

  function applyTransmit(): void {
    if (mic) mic.track.enabled = !muted && (!pushToTalk || talking);
  }

  /** After mute or push-to-talk changed. */
  const transmit = (): void => guard('muting or push-to-talk', applyTransmit);

  function drop(old: LocalMic): void {
    old.track.onended = null;
    guard('releasing a microphone', () => {
      old.meter?.disconnect();
      old.source?.disconnect();
      stopTracks(old.stream);
    });
  }

  function releaseMic(): void {
    if (mic) drop(mic);
    mic = null;
    setSpeaking(SELF, false);
    detectors.delete(SELF);
  }

  function useMic(stream: MediaStream, track: MediaStreamTrack): void {
    const previous = mic;
    let source: MediaStreamAudioSourceNode | null = null;
    let meter: LevelMeter | null = null;
    if (context) {
      try {
        source = context.createMediaStreamSource(stream);
        meter = createLevelMeter(context, source);
      } catch (error) {
        warn('no level meter for the microphone')(error);
      }
    }
    mic = { stream, track, meter, source };
    applyTransmit();
    // Unplugged (or revoked): the track ends on its own. (Our own stop() fires no 'ended'.)
    track.onended = () => {
      if (mic?.track !== track) return;
      logger.warn('voice: the microphone went away');
      mesh.setLocalAudioTrack(null);
      releaseMic();
      setStatus('device-lost');
    };
    mesh.setLocalAudioTrack(track);
    if (previous) drop(previous);
  }

  async function capture(
    device: string | undefined,
  ): Promise<{ stream: MediaStream; track: MediaStreamTrack } | VoiceFailure> {
    if (!getUserMedia) return 'unsupported';
    let stream: MediaStream;
    try {
      stream = await getUserMedia(constraints(device));
    } catch (error) {
      warn('getUserMedia refused')(error);
      return classifyMediaError(error);
    }
    const track = stream.getAudioTracks()[0];
    if (!track) {
      stopTracks(stream);
      return 'no-device';
    }
    return { stream, track };
  }

  async function run(): Promise<VoiceResult> {
    const mine = generation;
    setStatus('starting');
    listen();
    const captured = await capture(deviceId);
    if (mine !== generation) {
      if (typeof captured !== 'string') stopTracks(captured.stream);
      return { ok: false, reason: 'cancelled' };
    }
    if (typeof captured === 'string') {
      setStatus(captured);
      return { ok: false, reason: captured };
    }
    useMic(captured.stream, captured.track);
    setStatus('on');
    return { ok: true };
  }

  // --- playback ---

  function listen(): void {
    if (playing) {
      // A later gesture: resume what the browser's autoplay policy held back (neither call throws).
      if (context) resume(context);
      for (const remote of remotes.values()) remote.play();
      return;
    }
    playing = true;
    if (makeContext) {
      try {
        context = makeContext();
        master = context.createGain();
        master.connect(context.destination);
        resume(context);
      } catch (error) {
        warn('no AudioContext: no speaking detection or spatial audio')(error);
        context = null;
        master = null;
      }
    }
    unsubscribe = [mesh.on('track', attach), mesh.on('link', ({ peerId, state }) => onLink(peerId, state))];
    for (const remote of mesh.remoteTracks()) attach(remote);
    pollTimer = timers.setInterval(poll, tuning.speakingPollMs);
  }

  function resume(audio: AudioContext): void {
    audio.resume().catch(warn('audio did not resume'));
  }

  function stopPlayback(): void {
    if (!playing) return;
    playing = false;
    for (const off of unsubscribe) off();
    unsubscribe = [];
    if (pollTimer !== null) timers.clearInterval(pollTimer);
    pollTimer = null;
    for (const peerId of [...remotes.keys()]) detach(peerId);
    const closing = context;
    context = null;
    master = null;
    closing
      ?.close()
      .catch((error: unknown) => logger.debug('voice: AudioContext close failed', { error: String(error) }));
  }

  function attach({ peerId, track, stream }: RemoteTrack): void {
    if (remotes.get(peerId)?.track === track) return;
    detach(peerId);
    guard('attaching a remote voice', () => {
      const remote = createRemoteVoice(
        { context, output: master, createAudioElement, createStream, spatial: spatialSettings, logger },
        peerId,
        track,
        stream,
      );
      remotes.set(peerId, remote);
      applyPeer(peerId);
      if (outputDevice !== null) {
        remote.setSinkId(outputDevice).catch(warn('setSinkId failed', peerId));
      }
      events.emit('peer', { peerId, present: true });
    });
  }

  function detach(peerId: string): void {
    const remote = remotes.get(peerId);
    if (!remote) return;
    remotes.delete(peerId);
    guard('detaching a remote voice', () => remote.close());
    setSpeaking(peerId, false);
    detectors.delete(peerId);
    events.emit('peer', { peerId, present: false });
  }

  function onLink(peerId: string, state: LinkState): void {
    // `connecting` here is a new connection replacing the old one: its track comes as a new event.
    if (state === 'connecting' || state === 'failed' || state === 'closed') detach(peerId);
  }

  function applyPeer(peerId: string): void {
    const remote = remotes.get(peerId);
    if (!remote) return;
    guard('applying peer settings', () => {
      remote.setGain(peerMuted.has(peerId) ? 0 : (volumes.get(peerId) ?? 1));
      remote.setSpatial(spatial);
      const position = positions.get(peerId);
      remote.place(position ? toListenerSpace(listener, position) : { x: 0, y: 0, z: 0 });
    });
  }

  // --- speaking ---

  function setSpeaking(id: string, speaking: boolean): void {
    if (speakingNow.has(id) === speaking) return;
    if (speaking) speakingNow.add(id);
    else speakingNow.delete(id);
    events.emit('speaking', { id, speaking });
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
      if (mic?.meter) detect(SELF, mic.track.enabled ? mic.meter.level() : 0, now);
      for (const [peerId, remote] of remotes) detect(peerId, remote.level(), now);
    });
  }

  function stop(): void {
    generation++;
    starting = null;
    guard('stopping', () => {
      mesh.setLocalAudioTrack(null);
      releaseMic();
    });
    setStatus('off');
  }

  // --- output device ---

  /** Voices play in their elements, spatial ones through the AudioContext: both follow the device. */
  async function applyOutputDevice(id: string): Promise<OutputDeviceResult> {
    const sinkable = context as (AudioContext & { setSinkId?: (sinkId: string) => Promise<void> }) | null;
    try {
      const results = await Promise.all([
        ...[...remotes.values()].map((remote) => remote.setSinkId(id)),
        sinkable && typeof sinkable.setSinkId === 'function' ? sinkable.setSinkId(id).then(() => true) : true,
      ]);
      return results.every(Boolean) ? { ok: true } : { ok: false, reason: 'unsupported' };
    } catch (error) {
      warn('setSinkId failed')(error);
      return { ok: false, reason: 'error' };
    }
  }

  return {
    get status() {
      return status;
    },
    get muted() {
      return muted;
    },
    get listening() {
      return playing;
    },
    listen,
    start(startOptions = {}) {
      if (startOptions.deviceId !== undefined) deviceId = startOptions.deviceId;
      if (status === 'on') return Promise.resolve({ ok: true });
      if (starting) return starting;
      const attempt = run()
        .catch((error: unknown): VoiceResult => {
          logger.error('voice: start failed', { error: String(error) });
          setStatus('error');
          return { ok: false, reason: 'error' };
        })
        .finally(() => {
          if (starting === attempt) starting = null;
        });
      starting = attempt;
      return attempt;
    },
    stop,
    close() {
      stop();
      guard('closing', stopPlayback);
    },
    async setInputDevice(id) {
      deviceId = id;
      if (status !== 'on') return { ok: true };
      const mine = generation;
      const captured = await capture(id);
      if (mine !== generation || status !== 'on') {
        if (typeof captured !== 'string') stopTracks(captured.stream);
        return { ok: false, reason: 'cancelled' };
      }
      if (typeof captured === 'string') return { ok: false, reason: captured };
      guard('switching the microphone', () => useMic(captured.stream, captured.track));
      return { ok: true };
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
    setPeerVolume(peerId, volume) {
      volumes.set(peerId, Number.isFinite(volume) ? Math.min(1, Math.max(0, volume)) : 1);
      applyPeer(peerId);
    },
    setPeerMuted(peerId, value) {
      if (value) peerMuted.add(peerId);
      else peerMuted.delete(peerId);
      applyPeer(peerId);
    },
    async setOutputDevice(id) {
      outputDevice = id;
      return applyOutputDevice(id);
    },
    setSpatial(enabled) {
      spatial = enabled;
      for (const peerId of remotes.keys()) applyPeer(peerId);
    },
    setListener(pose) {
      listener = { ...pose };
      if (spatial) for (const peerId of remotes.keys()) applyPeer(peerId);
    },
    setPeerPosition(peerId, position) {
      if (position) positions.set(peerId, { x: position.x, y: position.y });
      else positions.delete(peerId);
      if (spatial) applyPeer(peerId);
    },
    speaking: () => new Set(speakingNow),
    peers: () => [...remotes.keys()],
    async stats() {
      const out: Record<string, VoiceLinkStats> = {};
      await Promise.all(
        [...mesh.links.keys()].map(async (peerId) => {
          const pc = mesh.peerConnection(peerId);
          if (!pc) return;
          try {
            out[peerId] = readVoiceStats(await pc.getStats());
          } catch (error) {
            logger.debug('voice: getStats failed', { peer: peerId, error: String(error) });
          }
        }),
      );
      return out;
    },
    on: events.on,
  };
}

function stopTracks(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}

function defaultGetUserMedia(): VoiceOptions['getUserMedia'] | undefined {
  const devices = typeof navigator === 'undefined' ? undefined : navigator.mediaDevices;
  return devices?.getUserMedia ? (c) => devices.getUserMedia(c) : undefined;
}

function defaultAudioContext(): VoiceOptions['audioContext'] | undefined {
  return typeof AudioContext === 'undefined' ? undefined : () => new AudioContext();
}
