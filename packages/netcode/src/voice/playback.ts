/**
 * Voice's listening half: every remote voice on the mesh played through its own graph
 * (remote-voice.ts) with the player's volume, mute and spatial placement per peer, on the chosen
 * output device. Set up by `listen()`, torn down by `close()`; the microphone (microphone.ts) is
 * independent of it. Speaking detection reads `levels()` (voice.ts).
 */
import type { LinkState } from '../transport/link.js';
import type { Mesh, RemoteTrack } from '../transport/mesh.js';
import type { Logger } from '../util/logger.js';
import { createRemoteVoice, type RemoteVoice } from './remote-voice.js';
import type { ListenerPose, Point, SpatialVoice } from './spatial.js';

/** What setting the output device gives. */
export type OutputDeviceResult = { ok: true } | { ok: false; reason: 'unsupported' | 'error' };

export interface PlaybackDeps {
  mesh: Pick<Mesh<unknown>, 'on' | 'remoteTracks'>;
  makeContext: (() => AudioContext) | undefined;
  createAudioElement(): HTMLAudioElement;
  createStream(tracks: MediaStreamTrack[]): MediaStream;
  /** Spatial audio, when the game asked for it (`spatialVoice()`); else `setSpatial` only logs. */
  spatial: SpatialVoice | null;
  logger: Logger;
  /** A remote voice became playable, or went away. */
  onPeer(peerId: string, present: boolean): void;
  /** Logs a failure the game need not hear of. */
  warn(what: string, peer?: string): (error: unknown) => void;
  guard(what: string, fn: () => void): void;
}

/** What a game controls of the voices it hears (part of `Voice`). */
export interface PlaybackControls {
  /** A remote peer's volume, 0..1. Default 1. */
  setPeerVolume(peerId: string, volume: number): void;
  /** Silences one remote peer for this player only. Default false. */
  setPeerMuted(peerId: string, muted: boolean): void;
  /** Plays voices on this output device (`MediaDeviceInfo.deviceId`); `unsupported` where the browser lacks `setSinkId`. */
  setOutputDevice(deviceId: string): Promise<OutputDeviceResult>;
  /** Spatial voice: each remote voice placed by `setPeerPosition` around `setListener`; needs voice's `spatial: spatialVoice()`. Default off. */
  setSpatial(enabled: boolean): void;
  /** The local player's position and facing, in game units. */
  setListener(pose: ListenerPose): void;
  /** A remote player's position, in game units; null: at the listener. */
  setPeerPosition(peerId: string, position: Point | null): void;
  /** Remote peers whose voice is playable. */
  peers(): string[];
}

export interface Playback {
  readonly listening: boolean;
  /** The AudioContext while listening (null without Web Audio). */
  readonly context: AudioContext | null;
  listen(): void;
  close(): void;
  /** What voice hands the game as they are. */
  controls: PlaybackControls;
  /** Each playing peer's level now. */
  levels(): [peerId: string, level: number][];
}

export function createPlayback(deps: PlaybackDeps): Playback {
  const { mesh, logger, warn, guard } = deps;
  let context: AudioContext | null = null;
  let master: GainNode | null = null;
  let playing = false;
  let unsubscribe: (() => void)[] = [];
  let outputDevice: string | null = null;
  const remotes = new Map<string, RemoteVoice>();

  const volumes = new Map<string, number>();
  const peerMuted = new Set<string>();
  let spatial = false;
  let listener: ListenerPose = { x: 0, y: 0, angle: 0 };
  const positions = new Map<string, Point>();

  function listen(): void {
    if (playing) {
      // A later gesture: resume what the browser's autoplay policy held back (neither call throws).
      if (context) resume(context);
      for (const remote of remotes.values()) remote.play();
      return;
    }
    playing = true;
    if (deps.makeContext) {
      try {
        context = deps.makeContext();
        master = context.createGain();
        master.connect(context.destination);
        resume(context);
      } catch (error) {
        warn('no AudioContext')(error);
        context = null;
        master = null;
      }
    }
    unsubscribe = [mesh.on('track', attach), mesh.on('link', ({ peerId, state }) => onLink(peerId, state))];
    for (const remote of mesh.remoteTracks()) attach(remote);
  }

  function resume(audio: AudioContext): void {
    audio.resume().catch(warn('audio did not resume'));
  }

  function close(): void {
    if (!playing) return;
    playing = false;
    for (const off of unsubscribe) off();
    unsubscribe = [];
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
        {
          context,
          output: master,
          createAudioElement: deps.createAudioElement,
          createStream: deps.createStream,
          spatial: deps.spatial,
          logger,
        },
        peerId,
        track,
        stream,
      );
      remotes.set(peerId, remote);
      applyPeer(peerId);
      if (outputDevice !== null) {
        remote.setSinkId(outputDevice).catch(warn('setSinkId failed', peerId));
      }
      deps.onPeer(peerId, true);
    });
  }

  function detach(peerId: string): void {
    const remote = remotes.get(peerId);
    if (!remote) return;
    remotes.delete(peerId);
    guard('detaching a remote voice', () => remote.close());
    deps.onPeer(peerId, false);
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
      remote.place(listener, positions.get(peerId) ?? null);
    });
  }

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
    get listening() {
      return playing;
    },
    get context() {
      return context;
    },
    listen,
    close,
    controls: {
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
        if (enabled && !deps.spatial) logger.warn('voice: setSpatial needs the spatial option (spatialVoice())');
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
      peers: () => [...remotes.keys()],
    },
    levels: () => [...remotes].map(([peerId, remote]) => [peerId, remote.level()]),
  };
}
