/**
 * Capture of one local device track (the microphone for voice, the camera for video), with its
 * lifecycle as a status and its failures as values:
 * ```
 * off ──start()──► starting ──► on ──(device unplugged)──► device-lost
 *                     └──► denied | no-device | unsupported | error      (start() again to retry)
 * any ──stop()──► off
 * ```
 * A `start()` that resolves after `stop()` is discarded (`cancelled`) and its track released;
 * `setDevice()` while on switches to another device, the old track released after the new one is
 * in use. What the track is used for (sent on the mesh, metered) is the owner's `use` callback.
 */
import { createEmitter } from '../util/emitter.js';
import type { Logger } from '../util/logger.js';
import { classifyMediaError, type MediaFailure } from './media-errors.js';

export type CaptureStatus = 'off' | 'starting' | 'on' | 'device-lost' | MediaFailure;

/** `start()`'s outcome; `cancelled` when `stop()` came first. */
export type CaptureResult = { ok: true } | { ok: false; reason: MediaFailure | 'cancelled' };

export type GetUserMedia = (constraints: MediaStreamConstraints) => Promise<MediaStream>;

export interface DeviceCaptureOptions {
  kind: 'audio' | 'video';
  /** Starts log messages: `voice`, `camera`. */
  label: string;
  /** What the device is called in logs: `microphone`, `camera`. */
  device: string;
  /** None: every start is `unsupported`. */
  getUserMedia: GetUserMedia | undefined;
  constraints(deviceId: string | undefined): MediaStreamConstraints;
  /**
   * The track to use now: a new one (started, or another device), or null (stopped, or lost).
   * A replaced track is released right after this returns.
   */
  use(track: MediaStreamTrack | null, stream: MediaStream | null): void;
  /** Called when a start begins (status `starting`). */
  onStarting?(): void;
  logger: Logger;
}

export interface DeviceCapture {
  readonly status: CaptureStatus;
  /** The live track while `on`. */
  readonly track: MediaStreamTrack | null;
  /** Captures the device (`deviceId`, default the system's; remembered for later starts). */
  start(options?: { deviceId?: string }): Promise<CaptureResult>;
  /** Releases the device: status `off`. */
  stop(): void;
  /** Switches to another device while on (one that fails is not kept: the old goes on); remembered for the next start otherwise. */
  setDevice(deviceId: string): Promise<CaptureResult>;
  on(type: 'status', listener: (event: { status: CaptureStatus }) => void): () => void;
}

export function createDeviceCapture(options: DeviceCaptureOptions): DeviceCapture {
  const { logger, label } = options;
  const events = createEmitter<{ status: { status: CaptureStatus } }>();
  let status: CaptureStatus = 'off';
  /** Bumped by stop(): a start() that resolves afterwards is discarded. */
  let generation = 0;
  let starting: Promise<CaptureResult> | null = null;
  let deviceId: string | undefined;
  let live: { stream: MediaStream; track: MediaStreamTrack } | null = null;

  function setStatus(next: CaptureStatus): void {
    if (status === next) return;
    status = next;
    events.emit('status', { status: next });
  }

  function guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      logger.warn(`${label}: ${what} failed`, { error: String(error) });
    }
  }

  function release(old: { stream: MediaStream; track: MediaStreamTrack }): void {
    old.track.onended = null;
    guard(`releasing a ${options.device}`, () => stopTracks(old.stream));
  }

  function use(stream: MediaStream, track: MediaStreamTrack): void {
    const previous = live;
    live = { stream, track };
    // Unplugged (or revoked): the track ends on its own. (Our own stop() fires no 'ended'.)
    track.onended = () => {
      if (live?.track !== track) return;
      logger.warn(`${label}: the ${options.device} went away`);
      live = null;
      guard('stopping', () => options.use(null, null));
      release({ stream, track });
      setStatus('device-lost');
    };
    options.use(track, stream);
    if (previous) release(previous);
  }

  async function capture(
    device: string | undefined,
  ): Promise<{ stream: MediaStream; track: MediaStreamTrack } | MediaFailure> {
    if (!options.getUserMedia) return 'unsupported';
    let stream: MediaStream;
    try {
      stream = await options.getUserMedia(options.constraints(device));
    } catch (error) {
      logger.warn(`${label}: getUserMedia refused`, { error: String(error) });
      return classifyMediaError(error);
    }
    const track = (options.kind === 'audio' ? stream.getAudioTracks() : stream.getVideoTracks())[0];
    if (!track) {
      stopTracks(stream);
      return 'no-device';
    }
    return { stream, track };
  }

  async function run(): Promise<CaptureResult> {
    const mine = generation;
    setStatus('starting');
    options.onStarting?.();
    const captured = await capture(deviceId);
    if (mine !== generation) {
      if (typeof captured !== 'string') stopTracks(captured.stream);
      return { ok: false, reason: 'cancelled' };
    }
    if (typeof captured === 'string') {
      setStatus(captured);
      return { ok: false, reason: captured };
    }
    use(captured.stream, captured.track);
    setStatus('on');
    return { ok: true };
  }

  return {
    get status() {
      return status;
    },
    get track() {
      return live?.track ?? null;
    },
    start(startOptions = {}) {
      if (startOptions.deviceId !== undefined) deviceId = startOptions.deviceId;
      if (status === 'on') return Promise.resolve({ ok: true });
      if (starting) return starting;
      const attempt = run()
        .catch((error: unknown): CaptureResult => {
          logger.error(`${label}: start failed`, { error: String(error) });
          setStatus('error');
          return { ok: false, reason: 'error' };
        })
        .finally(() => {
          if (starting === attempt) starting = null;
        });
      starting = attempt;
      return attempt;
    },
    stop() {
      generation++;
      starting = null;
      const old = live;
      live = null;
      guard('stopping', () => {
        options.use(null, null);
        if (old) release(old);
      });
      setStatus('off');
    },
    async setDevice(id) {
      if (status !== 'on') {
        deviceId = id;
        return { ok: true };
      }
      const mine = generation;
      const captured = await capture(id);
      if (mine !== generation || status !== 'on') {
        if (typeof captured !== 'string') stopTracks(captured.stream);
        return { ok: false, reason: 'cancelled' };
      }
      // A device that cannot be captured is not remembered: the next start() takes the one in use.
      if (typeof captured === 'string') return { ok: false, reason: captured };
      deviceId = id;
      guard(`switching the ${options.device}`, () => use(captured.stream, captured.track));
      return { ok: true };
    },
    on: events.on,
  };
}

export function stopTracks(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}

/** The browser's `getUserMedia`, where there is one. */
export function defaultGetUserMedia(): GetUserMedia | undefined {
  const devices = typeof navigator === 'undefined' ? undefined : navigator.mediaDevices;
  return devices?.getUserMedia ? (c) => devices.getUserMedia(c) : undefined;
}
