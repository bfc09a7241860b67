// The voice module's pure parts (speaking detection, spatial placement, stats parsing, error
// mapping) and createVoice's lifecycle on fakes: statuses, mute and push-to-talk, a lost device,
// and listening apart from talking (remote voices play and speak with the microphone off).
// Real media runs in tests/browser/voice-chromium.test.ts.
import {
  createVoice,
  type LinkState,
  type MeshEvents,
  type RemoteTrack,
  spatialVoice,
  type VoiceOptions,
  type VoiceStatus,
} from '@tickmesh/netcode';
import {
  classifyMediaError,
  createEmitter,
  createSpeakingDetector,
  readVoiceStats,
  rms,
  toListenerSpace,
  type VoiceMesh,
} from '@tickmesh/netcode/internals';
import { createSimClock } from '@tickmesh/netcode/testing';
import { describe, expect, it } from 'vitest';

describe('speaking detection', () => {
  it('measures RMS', () => {
    expect(rms([])).toBe(0);
    expect(rms([0.5, -0.5, 0.5, -0.5])).toBeCloseTo(0.5);
    const sine = Array.from({ length: 4800 }, (_, i) => Math.sin((2 * Math.PI * 440 * i) / 48_000));
    expect(rms(sine)).toBeCloseTo(Math.SQRT1_2, 3);
  });

  /** Feeds `levels` one every 50 ms from `start`; returns the state after each. */
  const run = (levels: number[], detector = createSpeakingDetector(), start = 0) =>
    levels.map((level, i) => detector.update(level, start + i * 50));

  it('starts only after the level holds above the start threshold, and a click does not count', () => {
    expect(run([0.05, 0.05, 0.05])).toEqual([false, false, true]); // 0, 50 ms: held 50 < 60; 100 ms: on
    expect(run([0.2, 0, 0.2, 0, 0.2])).toEqual([false, false, false, false, false]);
  });

  it('stays on through pauses and between the thresholds, and stops after a long quiet', () => {
    const detector = createSpeakingDetector();
    run([0.05, 0.05, 0.05], detector);
    expect(detector.speaking).toBe(true);
    // Between stopRms and startRms: hysteresis holds the state.
    expect(run([0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01], detector, 150).every(Boolean)).toBe(true);
    // A 300 ms pause (< stopHoldMs 400) then speech again.
    expect(run([0, 0, 0, 0, 0, 0, 0.05], detector, 700).every(Boolean)).toBe(true);
    // Silence long enough ends it.
    expect(run([0, 0, 0, 0, 0, 0, 0, 0, 0, 0], detector, 1100).at(-1)).toBe(false);
  });

  it('never fires on silence or a low noise floor', () => {
    expect(run(Array.from({ length: 200 }, (_, i) => 0.003 + 0.002 * Math.sin(i))).some(Boolean)).toBe(false);
  });
});

describe('spatial placement', () => {
  it('places a source in the listener frame: ahead is -z, right is +x (y-down screen)', () => {
    const at = (angle: number, x: number, y: number) => toListenerSpace({ x: 100, y: 100, angle }, { x, y });
    expect(at(0, 150, 100)).toEqual({ x: 0, y: 0, z: -50 }); // facing +x, source ahead
    expect(at(0, 100, 150)).toEqual({ x: 50, y: 0, z: 0 }); // below on screen = to the right
    const turned = at(Math.PI / 2, 100, 150); // facing down: the source below is ahead
    expect(turned.x).toBeCloseTo(0);
    expect(turned.z).toBeCloseTo(-50);
    const behind = at(Math.PI, 150, 100);
    expect(behind.z).toBeCloseTo(50);
  });
});

describe('voice stats', () => {
  it('reads and sums the audio RTP entries of a stats report, ignoring video and the rest', () => {
    const stats = readVoiceStats([
      { type: 'outbound-rtp', kind: 'audio', packetsSent: 100, bytesSent: 8000, headerBytesSent: 1200 },
      { type: 'outbound-rtp', kind: 'video', packetsSent: 999, bytesSent: 999_999 },
      {
        type: 'inbound-rtp',
        kind: 'audio',
        packetsReceived: 90,
        packetsLost: 2,
        bytesReceived: 7000,
        jitter: 0.004,
        audioLevel: 0.25,
        totalAudioEnergy: 1.5,
        concealedSamples: 480,
        totalSamplesReceived: 48_000,
      },
      { type: 'candidate-pair', bytesSent: 123 },
    ]);
    expect(stats).toEqual({
      packetsSent: 100,
      bytesSent: 8000,
      headerBytesSent: 1200,
      packetsReceived: 90,
      packetsLost: 2,
      bytesReceived: 7000,
      jitterMs: 4,
      audioLevel: 0.25,
      totalAudioEnergy: 1.5,
      concealedSamples: 480,
      totalSamplesReceived: 48_000,
      concealmentRate: 0.01,
    });
  });
});

describe('getUserMedia failures', () => {
  it('map to what the player can act on', () => {
    const named = (name: string) => Object.assign(new Error(name), { name });
    expect(classifyMediaError(named('NotAllowedError'))).toBe('denied');
    expect(classifyMediaError(named('SecurityError'))).toBe('denied');
    expect(classifyMediaError(named('NotFoundError'))).toBe('no-device');
    expect(classifyMediaError(named('OverconstrainedError'))).toBe('no-device');
    expect(classifyMediaError(named('NotSupportedError'))).toBe('unsupported');
    expect(classifyMediaError(named('NotReadableError'))).toBe('error');
    expect(classifyMediaError('weird')).toBe('error');
  });
});

/** A stand-in microphone track: `enabled` and `stop()` are all voice touches, plus `onended`. */
class FakeTrack {
  kind = 'audio';
  enabled = true;
  stopped = false;
  onended: (() => void) | null = null;
  stop() {
    this.stopped = true;
  }
}

function fakes(getUserMedia: (c: MediaStreamConstraints) => Promise<MediaStream>) {
  const events = createEmitter<MeshEvents<unknown>>();
  const sent: (MediaStreamTrack | null)[] = [];
  const mesh: VoiceMesh = {
    on: events.on,
    links: new Map<string, LinkState>(),
    setLocalAudioTrack: (track) => sent.push(track),
    remoteTracks: () => [],
    peerConnection: () => null,
  };
  const statuses: VoiceStatus[] = [];
  // No AudioContext in Node: voice runs without speaking detection or spatial audio.
  const voice = createVoice({ mesh, getUserMedia });
  voice.on('status', ({ status }) => statuses.push(status));
  return { voice, sent, statuses };
}

const streamOf = (...tracks: FakeTrack[]) =>
  ({ getAudioTracks: () => tracks, getTracks: () => tracks }) as unknown as MediaStream;

describe('createVoice lifecycle', () => {
  it('asks for processed audio only when started, and sends the track to the mesh', async () => {
    const track = new FakeTrack();
    const asked: MediaStreamConstraints[] = [];
    const { voice, sent, statuses } = fakes(async (c) => {
      asked.push(c);
      return streamOf(track);
    });
    expect(voice.status).toBe('off');
    expect(asked).toEqual([]);
    expect(await voice.start()).toEqual({ ok: true });
    expect(asked).toEqual([
      { audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true }, video: false },
    ]);
    expect(sent).toEqual([track]);
    expect(statuses).toEqual(['starting', 'on']);

    voice.setMuted(true);
    expect(track.enabled).toBe(false);
    voice.setMuted(false);
    voice.setPushToTalk(true);
    expect(track.enabled).toBe(false);
    voice.setTalking(true);
    expect(track.enabled).toBe(true);
    voice.setTalking(false);
    expect(track.enabled).toBe(false);
    voice.setPushToTalk(false);
    expect(track.enabled).toBe(true);

    voice.stop();
    expect(track.stopped).toBe(true);
    expect(sent.at(-1)).toBeNull();
    expect(voice.status).toBe('off');
  });

  it('reports denied and no-device as values, and a retry can succeed', async () => {
    let answer: () => Promise<MediaStream> = () =>
      Promise.reject(Object.assign(new Error('no'), { name: 'NotAllowedError' }));
    const { voice, statuses } = fakes(() => answer());
    expect(await voice.start()).toEqual({ ok: false, reason: 'denied' });
    expect(voice.status).toBe('denied');
    answer = async () => streamOf();
    expect(await voice.start()).toEqual({ ok: false, reason: 'no-device' });
    answer = async () => streamOf(new FakeTrack());
    expect(await voice.start()).toEqual({ ok: true });
    expect(statuses).toEqual(['starting', 'denied', 'starting', 'no-device', 'starting', 'on']);
    voice.stop();
  });

  it('reports an unplugged microphone as device-lost and stops sending it', async () => {
    const track = new FakeTrack();
    const { voice, sent } = fakes(async () => streamOf(track));
    await voice.start();
    track.onended?.();
    expect(voice.status).toBe('device-lost');
    expect(sent).toEqual([track, null]);
    voice.stop();
  });

  it('a stop() during start() wins: the late microphone is released', async () => {
    const track = new FakeTrack();
    let grant: (s: MediaStream) => void = () => {};
    const { voice, sent } = fakes(() => new Promise((resolve) => (grant = resolve)));
    const started = voice.start();
    voice.stop();
    grant(streamOf(track));
    expect(await started).toEqual({ ok: false, reason: 'cancelled' });
    expect(track.stopped).toBe(true);
    expect(voice.status).toBe('off');
    expect(sent.filter((t) => t !== null)).toEqual([]);
  });
});

/** A stand-in `<audio>`: `play()` is refused (autoplay policy) until `allowed`. */
class FakeElement {
  autoplay = false;
  srcObject: unknown = null;
  volume = 1;
  muted = false;
  paused = true;
  plays = 0;
  constructor(private readonly allowed: () => boolean) {}
  play(): Promise<void> {
    this.plays++;
    if (!this.allowed()) return Promise.reject(new DOMException('no gesture yet', 'NotAllowedError'));
    this.paused = false;
    return Promise.resolve();
  }
  pause() {
    this.paused = true;
  }
}

/**
 * A stand-in AudioContext with just the nodes voice makes: each stream's analyser reads a steady
 * signal whose RMS is `levels.get(stream)`, so speaking detection runs on numbers the test sets.
 */
function fakeAudio() {
  const levels = new Map<unknown, number>();
  const node = (extra: object = {}) => ({
    connect() {},
    disconnect() {},
    ...extra,
  });
  let state = 'running';
  const contexts: { closed: boolean }[] = [];
  const panners: { positionX: { value: number }; positionZ: { value: number } }[] = [];
  const make = () => {
    const made = {
      closed: false,
      get state() {
        return state;
      },
      destination: node(),
      resume: async () => {
        state = 'running';
      },
      close: async () => {
        made.closed = true;
      },
      createGain: () => node({ gain: { value: 1 } }),
      createPanner: () => {
        const position = { positionX: { value: 0 }, positionY: { value: 0 }, positionZ: { value: 0 } };
        panners.push(position);
        return node(position);
      },
      createMediaStreamSource(stream: unknown) {
        const source = {
          stream,
          connect(target: { input?: unknown }) {
            target.input = source;
          },
          disconnect() {},
        };
        return source;
      },
      createAnalyser() {
        const analyser = {
          fftSize: 2048,
          input: null as { stream?: unknown } | null,
          connect() {},
          disconnect() {},
          getFloatTimeDomainData(buffer: Float32Array) {
            buffer.fill(levels.get(analyser.input?.stream) ?? 0);
          },
        };
        return analyser;
      },
    };
    contexts.push(made);
    return made as unknown as AudioContext;
  };
  return {
    make,
    levels,
    contexts,
    panners,
    suspend() {
      state = 'suspended';
    },
    state: () => state,
  };
}

function listener(
  getUserMedia: (c: MediaStreamConstraints) => Promise<MediaStream> = async () => streamOf(new FakeTrack()),
  spatial?: VoiceOptions['spatial'],
) {
  const events = createEmitter<MeshEvents<unknown>>();
  const sent: (MediaStreamTrack | null)[] = [];
  const remote: RemoteTrack[] = [];
  const mesh: VoiceMesh = {
    on: events.on,
    links: new Map<string, LinkState>(),
    setLocalAudioTrack: (track) => sent.push(track),
    remoteTracks: () => remote,
    peerConnection: () => null,
  };
  let gesture = true;
  const elements: FakeElement[] = [];
  const audio = fakeAudio();
  const clock = createSimClock();
  const asked: MediaStreamConstraints[] = [];
  const warnings: string[] = [];
  const voice = createVoice({
    logger: { debug() {}, warn: (message) => warnings.push(message), error: (message) => warnings.push(message) },
    mesh,
    getUserMedia: (c) => {
      asked.push(c);
      return getUserMedia(c);
    },
    audioContext: audio.make,
    createAudioElement: () => {
      const element = new FakeElement(() => gesture);
      elements.push(element);
      return element as unknown as HTMLAudioElement;
    },
    createStream: (tracks) => ({ tracks }) as unknown as MediaStream,
    timers: clock,
    ...(spatial ? { spatial } : {}),
  });
  const speaking: string[] = [];
  voice.on('speaking', (e) => speaking.push(`${e.id} ${e.speaking}`));
  /** A remote peer's track arrives (or was there before), its voice at `level`. */
  const talker = (peerId: string, level: number, already = false) => {
    const stream = { id: peerId } as unknown as MediaStream;
    audio.levels.set(stream, level);
    const track: RemoteTrack = { peerId, track: new FakeTrack() as unknown as MediaStreamTrack, stream };
    remote.push(track);
    if (!already) events.emit('track', track);
    return stream;
  };
  return {
    voice,
    sent,
    asked,
    warnings,
    elements,
    audio,
    clock,
    speaking,
    talker,
    events,
    noGesture() {
      gesture = false;
    },
    gesture() {
      gesture = true;
    },
  };
}

describe('spatial voice, an opt-in', () => {
  it('with spatialVoice(), a voice plays through its panner, placed around the listener', () => {
    const t = listener(undefined, spatialVoice());
    t.voice.listen();
    t.talker('ann', 0);
    t.voice.setPeerPosition('ann', { x: 150, y: 100 });
    t.voice.setListener({ x: 100, y: 100, angle: 0 });
    expect(t.elements[0]?.muted).toBe(false); // flat until setSpatial(true)
    t.voice.setSpatial(true);
    expect(t.elements[0]?.muted).toBe(true); // Web Audio plays it now
    expect(t.audio.panners[0]?.positionZ.value).toBe(-50); // 50 units ahead
    t.voice.setSpatial(false);
    expect(t.elements[0]?.muted).toBe(false);
    expect(t.warnings).toEqual([]);
  });

  it('without it, setSpatial(true) keeps voices in their elements and says what is missing', () => {
    const t = listener();
    t.voice.listen();
    t.talker('ann', 0);
    t.voice.setSpatial(true);
    expect(t.elements[0]?.muted).toBe(false);
    expect(t.audio.panners).toEqual([]);
    expect(t.warnings.join()).toMatch(/spatialVoice/);
  });
});

describe('listening apart from talking', () => {
  it('listen() plays remote voices and shows who speaks without ever asking for the microphone', () => {
    const t = listener();
    t.talker('ann', 0, true); // a voice there before listen()
    expect(t.voice.listening).toBe(false);
    t.voice.listen();
    t.talker('bob', 0.1);
    expect(t.voice.listening).toBe(true);
    expect(t.voice.status).toBe('off');
    expect(t.asked).toEqual([]);
    expect(t.sent).toEqual([]);
    expect(t.voice.peers()).toEqual(['ann', 'bob']);
    expect(t.elements.map((e) => e.paused)).toEqual([false, false]);
    t.clock.advance(200);
    expect([...t.voice.speaking()]).toEqual(['bob']);
    expect(t.speaking).toEqual(['bob true']);
    t.voice.close();
  });

  it('stop() releases only the microphone: voices keep playing and speaking; close() ends playback', async () => {
    const track = new FakeTrack();
    const t = listener(async () => streamOf(track));
    t.talker('bob', 0.1, true);
    expect(await t.voice.start()).toEqual({ ok: true });
    expect(t.voice.listening).toBe(true); // start() implies listen()
    t.voice.stop();
    expect([track.stopped, t.sent, t.voice.status]).toEqual([true, [track, null], 'off']);
    expect(t.voice.listening).toBe(true);
    expect(t.voice.peers()).toEqual(['bob']);
    expect(t.elements.map((e) => e.paused)).toEqual([false]);
    t.clock.advance(200);
    expect([...t.voice.speaking()]).toEqual(['bob']);
    // A talker arriving after the microphone went off is heard too.
    t.talker('cy', 0.1);
    t.clock.advance(200);
    expect([...t.voice.speaking()].sort()).toEqual(['bob', 'cy']);

    t.voice.close();
    expect(t.voice.listening).toBe(false);
    expect(t.voice.peers()).toEqual([]);
    expect(t.voice.speaking().size).toBe(0);
    expect(t.elements.map((e) => e.paused)).toEqual([true, true]);
    expect(t.audio.contexts.map((c) => c.closed)).toEqual([true]);
    t.talker('di', 0.1);
    t.clock.advance(200);
    expect(t.voice.peers()).toEqual([]);
    expect(t.speaking.at(-1)).toBe('cy false');
    expect(t.warnings).toEqual([]);
  });

  it('a denied microphone still listens, and listen() again is idempotent', async () => {
    const t = listener(() => Promise.reject(Object.assign(new Error('no'), { name: 'NotAllowedError' })));
    expect(await t.voice.start()).toEqual({ ok: false, reason: 'denied' });
    t.voice.listen();
    t.talker('bob', 0.1);
    expect([t.voice.listening, t.voice.peers(), t.audio.contexts.length]).toEqual([true, ['bob'], 1]);
    t.voice.close();
  });

  it('a listen() from a later gesture plays what the autoplay policy held back', async () => {
    const t = listener();
    t.noGesture();
    t.audio.suspend();
    t.voice.listen(); // no gesture yet: e.g. a room entered from the URL at load
    t.talker('bob', 0.1);
    await Promise.resolve();
    expect(t.elements.map((e) => e.paused)).toEqual([true]);
    t.gesture();
    t.voice.listen(); // the player's first click
    expect(t.elements.map((e) => [e.paused, e.plays])).toEqual([[false, 2]]);
    await Promise.resolve();
    expect(t.audio.state()).toBe('running');
    t.voice.listen(); // later clicks: nothing more to do
    expect(t.elements.map((e) => e.plays)).toEqual([2]);
    expect(t.audio.contexts).toHaveLength(1);
    t.voice.close();
  });
});
