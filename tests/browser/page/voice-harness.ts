/**
 * The voice side of the browser test page: `createVoice` over the page's mesh, driven through
 * `window.__voice`. Every method returns plain data (structured-clone safe).
 */
import {
  createVoice,
  type Logger,
  type Mesh,
  type Voice,
  type VoiceLinkStats,
  type VoiceResult,
  type VoiceStatus,
  voiceStats,
} from '@tickmesh/netcode';

export interface VoiceStartOptions {
  /** Inject a getUserMedia that rejects with `NotAllowedError`, as a browser does when the player says no. */
  deny?: boolean;
}

export interface SpeakingChange {
  id: string;
  speaking: boolean;
  atMs: number;
}

export interface VoiceHarness {
  /** Plays the others' voices without a microphone. */
  listen(): void;
  start(options?: VoiceStartOptions): Promise<VoiceResult>;
  /** Releases the microphone; voices keep playing. */
  stop(): void;
  status(): VoiceStatus | 'none';
  listening(): boolean;
  /** Every status the voice went through. */
  statuses(): VoiceStatus[];
  setMuted(muted: boolean): void;
  /** Remote peers whose voice plays. */
  peers(): string[];
  speaking(): string[];
  speakingLog(): SpeakingChange[];
  stats(): Promise<Record<string, VoiceLinkStats>>;
  /** The audio sender's encodings' maxBitrate toward a peer. */
  maxBitrates(peerId: string): (number | null)[];
  /** The Opus fmtp line of the link's current local description. */
  opusFmtp(peerId: string): string | null;
}

declare global {
  interface Window {
    __voice: VoiceHarness;
  }
}

export function createVoiceHarness(getMesh: () => Mesh<unknown> | null, logger: Logger): VoiceHarness {
  let voice: Voice | null = null;
  const statuses: VoiceStatus[] = [];
  const speakingLog: SpeakingChange[] = [];

  function make(options: VoiceStartOptions): Voice | null {
    const mesh = getMesh();
    if (!mesh) return null;
    const made = createVoice({
      mesh,
      getUserMedia: options.deny
        ? () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'))
        : (c) => navigator.mediaDevices.getUserMedia(c),
      logger,
    });
    made.on('status', ({ status }) => statuses.push(status));
    made.on('speaking', ({ id, speaking }) => speakingLog.push({ id, speaking, atMs: Math.round(performance.now()) }));
    return made;
  }

  return {
    listen() {
      voice ??= make({});
      voice?.listen();
    },
    async start(options = {}) {
      voice ??= make(options);
      return voice ? voice.start() : { ok: false, reason: 'error' };
    },
    stop: () => voice?.stop(),
    status: () => voice?.status ?? 'none',
    listening: () => voice?.listening ?? false,
    statuses: () => [...statuses],
    setMuted: (muted) => voice?.setMuted(muted),
    peers: () => voice?.peers() ?? [],
    speaking: () => [...(voice?.speaking() ?? [])],
    speakingLog: () => [...speakingLog],
    stats: async () => {
      const mesh = getMesh();
      return voice && mesh ? voiceStats(mesh, logger) : {};
    },
    maxBitrates(peerId) {
      const sender = getMesh()?.audioTransceiver(peerId)?.sender;
      return sender?.getParameters().encodings.map((e) => e.maxBitrate ?? null) ?? [];
    },
    opusFmtp(peerId) {
      const sdp = getMesh()?.peerConnection(peerId)?.localDescription?.sdp ?? '';
      const pt = /a=rtpmap:(\d+) opus\/48000/.exec(sdp)?.[1];
      return pt ? (new RegExp(`a=fmtp:${pt} (.*)`).exec(sdp)?.[1]?.trim() ?? null) : null;
    },
  };
}
