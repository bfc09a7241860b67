// The mesh's audio plumbing over real WebRTC in Node (@roamhq/wrtc): a synthetic microphone track
// (wrtc's RTCAudioSource) sent on every link, with audio transceivers from the first offer
// (`audio: true`) and added later by renegotiation, while the data channels carry on.
import wrtc from '@roamhq/wrtc';
import { type LobbyServer, startLobbyServer } from '@tickmesh/lobby-server';
import type { RemoteTrack } from '@tickmesh/netcode';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linkedTo, meshRoom, type NodePeer, nodePeer, until } from '../helpers/netcode-peer.js';

type Packet = [n: number];

interface Tone {
  track: MediaStreamTrack;
  stop(): void;
}

/** A 440 Hz tone as a MediaStreamTrack, fed in 10 ms frames as libwebrtc expects. */
function tone(): Tone {
  const source = new wrtc.nonstandard.RTCAudioSource();
  const track = source.createTrack();
  let phase = 0;
  const timer = setInterval(() => {
    const samples = new Int16Array(480);
    for (let i = 0; i < samples.length; i++)
      samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * phase++) / 48_000));
    source.onData({ samples, sampleRate: 48_000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 });
  }, 10);
  return {
    track,
    stop() {
      clearInterval(timer);
      track.stop();
    },
  };
}

let server: LobbyServer;
let peers: NodePeer<Packet>[] = [];
let tones: Tone[] = [];

beforeEach(async () => {
  server = await startLobbyServer({ host: '127.0.0.1', port: 0, rateLimitPerS: 500, rateBurst: 500 });
});
afterEach(async () => {
  for (const p of peers) p.close();
  for (const t of tones) t.stop();
  peers = [];
  tones = [];
  await server.close();
});

const idOf = (p: NodePeer<unknown>) => p.lobby.peerId ?? '';
const everyoneLinked = () => peers.every((p) => linkedTo(p, peers));

/** Audio packets `p` has received from `q` so far. */
async function packetsFrom(p: NodePeer<Packet>, q: NodePeer<Packet>): Promise<number> {
  // @roamhq/wrtc has no RTCRtpReceiver.getStats(): the connection's report, audio entries only.
  const pc = p.mesh.peerConnection(idOf(q));
  if (!pc) return 0;
  let packets = 0;
  (await pc.getStats()).forEach((s: Record<string, unknown>) => {
    if (s.type === 'inbound-rtp' && s.kind === 'audio' && typeof s.packetsReceived === 'number')
      packets += s.packetsReceived;
  });
  return packets;
}

async function pollUntil(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every peer receives rising audio packets from every other. */
async function everyoneHearsEveryone(): Promise<void> {
  const pairs = peers.flatMap((p) => peers.filter((q) => q !== p).map((q) => [p, q] as const));
  const before = await Promise.all(pairs.map(([p, q]) => packetsFrom(p, q)));
  await pollUntil(
    async () =>
      (await Promise.all(pairs.map(([p, q]) => packetsFrom(p, q)))).every((n, i) => n > (before[i] ?? 0) + 20),
    'audio packets rising on every link, both ways',
  );
}

function collectTracks(p: NodePeer<Packet>): RemoteTrack[] {
  const seen: RemoteTrack[] = [];
  p.mesh.on('track', (t) => seen.push(t));
  return seen;
}

describe('mesh audio over @roamhq/wrtc', () => {
  it('with audio transceivers from the first offer: tracks on every link, later links too, no renegotiation', async () => {
    peers = await meshRoom<Packet>(server.url, ['ann', 'bob', 'cy'], { audio: true });
    const seen = peers.map(collectTracks);
    await until(everyoneLinked, 'a full mesh of 3');
    // Wait out the last answers, then count every offer/answer from here on.
    await until(
      () =>
        peers.every((p) => peers.every((q) => p.mesh.peerConnection(idOf(q))?.signalingState !== 'have-local-offer')),
      'negotiations settled',
    );
    let negotiations = 0;
    for (const p of peers)
      for (const q of peers)
        p.mesh.peerConnection(idOf(q))?.addEventListener('signalingstatechange', () => negotiations++);
    for (const p of peers) {
      const t = tone();
      tones.push(t);
      p.mesh.setLocalAudioTrack(t.track);
    }
    await everyoneHearsEveryone();
    expect(negotiations).toBe(0);
    for (const [i, p] of peers.entries()) {
      expect(seen[i]?.map((t) => t.peerId).sort()).toEqual(
        peers
          .filter((q) => q !== p)
          .map(idOf)
          .sort(),
      );
      for (const q of peers) if (q !== p) expect(p.mesh.audioTransceiver(idOf(q))?.direction).toBe('sendrecv');
    }
    // A peer joining after voice started gets the others' tracks on its new links and sends its own.
    const di = await nodePeer<Packet>(server.url, 'di', { audio: true });
    peers.push(di);
    const diTone = tone();
    tones.push(diTone);
    di.mesh.setLocalAudioTrack(diTone.track);
    expect((await di.lobby.joinRoom(peers[0]?.lobby.room?.code ?? '')).ok).toBe(true);
    await until(everyoneLinked, 'di linked to everyone');
    await everyoneHearsEveryone();
    // The bitrate cap is checked in Chromium (voice-chromium.test.ts): wrtc's getParameters() omits it.
  }, 30_000);

  it('adds audio by renegotiation when every peer starts at once, and the data channels carry on', async () => {
    peers = await meshRoom<Packet>(server.url, ['ann', 'bob', 'cy']);
    await until(everyoneLinked, 'a full mesh of 3');
    const channelsBefore = peers.map((p) => peers.map((q) => p.mesh.channel(idOf(q), 'reliable')));
    // A reliable stream runs through the renegotiations.
    let n = 0;
    const stream = setInterval(() => {
      for (const p of peers) p.mesh.send('all', [n], { reliable: true });
      n++;
    }, 10);
    try {
      // Every peer at the same instant: offers collide on every link (perfect negotiation's case).
      for (const p of peers) {
        const t = tone();
        tones.push(t);
        p.mesh.setLocalAudioTrack(t.track);
      }
      await everyoneHearsEveryone();
    } finally {
      clearInterval(stream);
    }
    for (const [i, p] of peers.entries()) {
      // One live audio m-line per link, whoever offered first.
      for (const q of peers) {
        if (q === p) continue;
        const pc = p.mesh.peerConnection(idOf(q));
        const live = pc?.getTransceivers().filter((t) => t.mid !== null && t.currentDirection !== 'stopped') ?? [];
        expect(live.map((t) => t.currentDirection)).toEqual(['sendrecv']);
      }
      // The same channels as before, never reopened, and every reliable frame in order.
      expect(peers.map((q) => p.mesh.channel(idOf(q), 'reliable'))).toEqual(channelsBefore[i]);
      for (const q of peers) {
        if (q === p) continue;
        expect(linkedTo(p, [q])).toBe(true);
        await until(
          () => p.inbox.filter((m) => m.from === idOf(q)).length === n,
          `every reliable frame from ${q.name} at ${p.name}`,
        );
        expect(p.inbox.filter((m) => m.from === idOf(q)).map((m) => m.payload[0])).toEqual([...Array(n).keys()]);
      }
    }
    // Taking the track away stops the packets (no renegotiation needed for that).
    const [ann, bob] = peers as [NodePeer<Packet>, NodePeer<Packet>];
    ann.mesh.setLocalAudioTrack(null);
    await new Promise((r) => setTimeout(r, 300));
    const stopped = await packetsFrom(bob, ann);
    await new Promise((r) => setTimeout(r, 500));
    expect(await packetsFrom(bob, ann)).toBe(stopped);
  }, 30_000);
});
