// The camera's pure parts (video stats parsing) and createCamera on fakes: what it asks the camera
// for, statuses and failure values, the track on the mesh, a lost device, and a remote video going
// live while its frames rise and stopping when they stop (on a simulated clock). Real media runs in
// tests/browser/camera-chromium.test.ts.
import { type CameraStatus, createCamera, type LinkState, type MeshEvents, type RemoteTrack } from '@tickmesh/netcode';
import { createEmitter, readVideoStats } from '@tickmesh/netcode/internals';
import { createSimClock } from '@tickmesh/netcode/testing';
import { describe, expect, it } from 'vitest';

describe('video stats', () => {
  it('sums the video RTP entries and ignores audio and other entries', () => {
    const stats = readVideoStats([
      {
        type: 'outbound-rtp',
        kind: 'video',
        bytesSent: 1000,
        headerBytesSent: 100,
        framesEncoded: 30,
        frameWidth: 160,
        frameHeight: 120,
        framesPerSecond: 15,
      },
      {
        type: 'inbound-rtp',
        kind: 'video',
        bytesReceived: 900,
        framesDecoded: 28,
        frameWidth: 160,
        frameHeight: 120,
        framesPerSecond: 14,
        packetsLost: 1,
      },
      { type: 'inbound-rtp', kind: 'audio', bytesReceived: 5000, framesDecoded: 99 },
      { type: 'candidate-pair', bytesSent: 1e6 },
      { type: 'inbound-rtp', kind: 'video', framesDecoded: 'junk', frameWidth: Number.NaN },
    ]);
    expect(stats).toMatchObject({
      bytesSent: 1000,
      headerBytesSent: 100,
      framesEncoded: 30,
      sentWidth: 160,
      sentFramesPerSecond: 15,
      bytesReceived: 900,
      framesDecoded: 28,
      frameWidth: 160,
      frameHeight: 120,
      framesPerSecond: 14,
      packetsLost: 1,
    });
  });
});

class FakeTrack extends EventTarget {
  enabled = true;
  stopped = false;
  muted = true;
  readyState = 'live';
  onended: (() => void) | null = null;
  constructor(readonly kind: string) {
    super();
  }
  stop() {
    this.stopped = true;
  }
  /** As the browser: frames arrive (unmute) or stop (mute). */
  set(muted: boolean) {
    this.muted = muted;
    this.dispatchEvent(new Event(muted ? 'mute' : 'unmute'));
  }
}

const streamOf = (...tracks: FakeTrack[]) =>
  ({ getVideoTracks: () => tracks, getAudioTracks: () => [], getTracks: () => tracks }) as unknown as MediaStream;

function fakes(getUserMedia: (c: MediaStreamConstraints) => Promise<MediaStream>, remote: RemoteTrack[] = []) {
  const events = createEmitter<MeshEvents<unknown>>();
  const sent: (MediaStreamTrack | null)[] = [];
  const framesDecoded = new Map<string, number>();
  const clock = createSimClock();
  const camera = createCamera({
    mesh: {
      on: events.on,
      links: new Map<string, LinkState>(),
      setLocalVideoTrack: (track) => sent.push(track),
      remoteVideoTracks: () => remote,
      peerConnection: () => null,
      videoTransceiver: (peerId) =>
        ({
          receiver: {
            getStats: async () => [
              { type: 'inbound-rtp', kind: 'video', framesDecoded: framesDecoded.get(peerId) ?? 0 },
            ],
          },
        }) as unknown as RTCRtpTransceiver,
    },
    getUserMedia,
    createStream: (tracks) => ({ id: `stream-of-${tracks.length}` }) as unknown as MediaStream,
    timers: clock,
  });
  const statuses: CameraStatus[] = [];
  const videos: [string, boolean][] = [];
  camera.on('status', ({ status }) => statuses.push(status));
  camera.on('video', ({ peerId, stream }) => videos.push([peerId, stream !== null]));
  return { camera, events, sent, statuses, videos, framesDecoded, clock };
}

/** Lets the poll's getStats promises settle after each simulated step. */
async function step(clock: ReturnType<typeof createSimClock>, ms: number) {
  for (let t = 0; t < ms; t += 250) {
    clock.advance(250);
    for (let i = 0; i < 5; i++) await Promise.resolve();
  }
}

describe('createCamera', () => {
  it('asks for a small tile at 15 fps, sends the track on the mesh, and takes it off on stop', async () => {
    const track = new FakeTrack('video');
    const asked: MediaStreamConstraints[] = [];
    const t = fakes(async (c) => {
      asked.push(c);
      return streamOf(track);
    });
    expect(await t.camera.start()).toEqual({ ok: true });
    expect(asked).toEqual([
      { audio: false, video: { width: { ideal: 160 }, height: { ideal: 120 }, frameRate: { ideal: 15, max: 15 } } },
    ]);
    expect(t.sent).toEqual([track]);
    expect(t.camera.localStream).not.toBeNull();
    t.camera.stop();
    expect(t.sent).toEqual([track, null]);
    expect(track.stopped).toBe(true);
    expect(t.statuses).toEqual(['starting', 'on', 'off']);
    expect(t.camera.localStream).toBeNull();
  });

  it('reports refusals and a missing camera as values', async () => {
    const named = (name: string) => Object.assign(new Error(name), { name });
    const denied = fakes(() => Promise.reject(named('NotAllowedError')));
    expect(await denied.camera.start()).toEqual({ ok: false, reason: 'denied' });
    expect(denied.statuses).toEqual(['starting', 'denied']);
    const none = fakes(async () => streamOf());
    expect(await none.camera.start()).toEqual({ ok: false, reason: 'no-device' });
    expect(none.sent).toEqual([]);
  });

  it('switches device in place; a device that fails is a value, not kept for the next start', async () => {
    const asked: (string | undefined)[] = [];
    const t = fakes(async (c) => {
      const id = ((c.video as MediaTrackConstraints).deviceId as { exact: string } | undefined)?.exact;
      asked.push(id);
      if (id === 'gone') throw Object.assign(new Error('over'), { name: 'OverconstrainedError' });
      return streamOf(new FakeTrack('video'));
    });
    await t.camera.start({ deviceId: 'front' });
    expect(await t.camera.setDevice('back')).toEqual({ ok: true });
    expect(await t.camera.setDevice('gone')).toEqual({ ok: false, reason: 'no-device' });
    expect(t.camera.status).toBe('on');
    expect(t.sent).toHaveLength(2); // front, then back; nothing for the failed one
    t.camera.stop();
    expect(await t.camera.start()).toEqual({ ok: true });
    expect(asked).toEqual(['front', 'back', 'gone', 'back']);
  });

  it('reports a camera that goes away as device-lost and stops sending it', async () => {
    const track = new FakeTrack('video');
    const t = fakes(async () => streamOf(track));
    await t.camera.start();
    track.onended?.();
    expect(t.camera.status).toBe('device-lost');
    expect(t.sent).toEqual([track, null]);
  });

  it('shows a remote video while its frames rise, and stops it when they stop or its link goes', async () => {
    const t = fakes(async () => streamOf(new FakeTrack('video')));
    const track = new FakeTrack('video');
    t.events.emit('videoTrack', { peerId: 'bob', track: track as unknown as MediaStreamTrack, stream: null });
    await step(t.clock, 2000);
    expect(t.videos).toEqual([]); // a track with no frames: no tile
    t.framesDecoded.set('bob', 10);
    await step(t.clock, 1000);
    expect(t.videos).toEqual([['bob', true]]);
    expect([...t.camera.videos().keys()]).toEqual(['bob']);
    await step(t.clock, 3000); // frames stand still: bob turned the camera off
    expect(t.videos).toEqual([
      ['bob', true],
      ['bob', false],
    ]);
    track.set(false); // unmuted again: live at once
    expect(t.videos.at(-1)).toEqual(['bob', true]);
    t.events.emit('link', { peerId: 'bob', state: 'closed' });
    expect(t.videos.at(-1)).toEqual(['bob', false]);
    expect(t.camera.videos().size).toBe(0);
  });

  it('shows a video already playing when the camera is made (the listener added after createCamera hears it)', async () => {
    const playing = new FakeTrack('video');
    playing.muted = false; // frames came before the camera was made
    const t = fakes(
      async () => streamOf(new FakeTrack('video')),
      [{ peerId: 'ann', track: playing as unknown as MediaStreamTrack, stream: null }],
    );
    await Promise.resolve();
    expect(t.videos).toEqual([['ann', true]]);
    expect([...t.camera.videos().keys()]).toEqual(['ann']);
  });
});
