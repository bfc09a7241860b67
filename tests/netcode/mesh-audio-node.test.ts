// The mesh's audio plumbing over real WebRTC in Node (@roamhq/wrtc): a synthetic microphone track
// (wrtc's RTCAudioSource) sent on every link, with audio transceivers from the first offer
// (`audio: true`) and added later by renegotiation, while the data channels carry on; peers that
// never send audio receiving a talker's; and one link pair staging an offer collision in which the
// polite side's own offer is still being made.
import wrtc from '@roamhq/wrtc';
import { type LobbyServer, startLobbyServer } from '@tickmesh/lobby-server';
import type { Logger, RemoteTrack } from '@tickmesh/netcode';
import { realTimers } from '@tickmesh/netcode/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLink, type Link } from '../../packages/netcode/src/transport/link.js';
import { linkedTo, meshRoom, type NodePeer, nodePeer } from '../helpers/netcode-peer.js';
import { letTimePass, waitFor } from '../helpers/wait.js';

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
let links: Link[] = [];

beforeEach(async () => {
  server = await startLobbyServer({ host: '127.0.0.1', port: 0, metricsPort: 0, rateLimitPerS: 500, rateBurst: 500 });
});
afterEach(async () => {
  for (const p of peers) p.close();
  for (const t of tones) t.stop();
  for (const l of links) l.close();
  links = [];
  peers = [];
  tones = [];
  await server.close();
});

const idOf = (p: NodePeer<unknown>) => p.lobby.peerId ?? '';
const everyoneLinked = () => peers.every((p) => linkedTo(p, peers));

/** Audio packets `p` has received from `q` so far. */
function packetsFrom(p: NodePeer<Packet>, q: NodePeer<Packet>): Promise<number> {
  return audioPacketsIn(p.mesh.peerConnection(idOf(q)));
}

/** Audio packets received on `pc` so far. */
async function audioPacketsIn(pc: RTCPeerConnection | null): Promise<number> {
  // @roamhq/wrtc has no RTCRtpReceiver.getStats(): the connection's report, audio entries only.
  if (!pc) return 0;
  let packets = 0;
  (await pc.getStats()).forEach((s: Record<string, unknown>) => {
    if (s.type === 'inbound-rtp' && s.kind === 'audio' && typeof s.packetsReceived === 'number')
      packets += s.packetsReceived;
  });
  return packets;
}

/** Every peer receives rising audio packets from every other. */
async function everyoneHearsEveryone(): Promise<void> {
  const pairs = peers.flatMap((p) => peers.filter((q) => q !== p).map((q) => [p, q] as const));
  const before = await Promise.all(pairs.map(([p, q]) => packetsFrom(p, q)));
  await waitFor(
    async () =>
      (await Promise.all(pairs.map(([p, q]) => packetsFrom(p, q)))).every((n, i) => n > (before[i] ?? 0) + 20),
    'audio packets rising on every link, both ways',
    { intervalMs: 50 }, // each check reads the connections' stats
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
    await waitFor(everyoneLinked, 'a full mesh of 3');
    // Wait out the last answers, then count every offer/answer from here on.
    await waitFor(
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
    await waitFor(everyoneLinked, 'di linked to everyone');
    await everyoneHearsEveryone();
    // The bitrate cap is checked in Chromium (voice-chromium.test.ts): wrtc's getParameters() omits it.
  }, 30_000);

  it('adds audio by renegotiation when every peer starts at once, and the data channels carry on', async () => {
    peers = await meshRoom<Packet>(server.url, ['ann', 'bob', 'cy']);
    await waitFor(everyoneLinked, 'a full mesh of 3');
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
        await waitFor(
          () => p.inbox.filter((m) => m.from === idOf(q)).length === n,
          `every reliable frame from ${q.name} at ${p.name}`,
        );
        expect(p.inbox.filter((m) => m.from === idOf(q)).map((m) => m.payload[0])).toEqual([...Array(n).keys()]);
      }
    }
    // Taking the track away stops the packets (no renegotiation needed for that).
    const [ann, bob] = peers as [NodePeer<Packet>, NodePeer<Packet>];
    ann.mesh.setLocalAudioTrack(null);
    // Packets already on their way still arrive: wait for a quarter second without one.
    let stopped = -1;
    await waitFor(
      async () => {
        const packets = await packetsFrom(bob, ann);
        const still = packets === stopped;
        stopped = packets;
        return still;
      },
      "ann's audio packets to stop arriving at bob",
      { intervalMs: 250 },
    );
    await letTimePass(500); // time for more to arrive, were any still sent
    expect(await packetsFrom(bob, ann)).toBe(stopped);
  }, 30_000);
});

describe('listening without a microphone over @roamhq/wrtc', () => {
  it.each([
    ['with audio transceivers from the first offer', true],
    ['with audio added by the talker alone', false],
  ])(
    '%s, peers that never send audio receive a talker',
    async (_, audio) => {
      // bob is newer than ann (he makes their link's offers) and older than cy (she makes theirs).
      peers = await meshRoom<Packet>(server.url, ['ann', 'bob', 'cy'], { audio });
      const [ann, bob, cy] = peers as [NodePeer<Packet>, NodePeer<Packet>, NodePeer<Packet>];
      const seen = peers.map(collectTracks);
      await waitFor(everyoneLinked, 'a full mesh of 3');
      const t = tone();
      tones.push(t);
      bob.mesh.setLocalAudioTrack(t.track);
      await waitFor(
        async () => (await Promise.all([packetsFrom(ann, bob), packetsFrom(cy, bob)])).every((n) => n > 20),
        "bob's audio packets at ann and cy",
        { intervalMs: 50 }, // each check reads the connections' stats
      );
      for (const i of [0, 2]) expect(seen[i]?.map((r) => r.peerId)).toContain(idOf(bob));
      expect([await packetsFrom(bob, ann), await packetsFrom(bob, cy), await packetsFrom(ann, cy)]).toEqual([0, 0, 0]);
    },
    30_000,
  );
});

describe('link offer collision over @roamhq/wrtc', () => {
  it("recovers when the other side's offer arrives while the polite side's own offer is still in createOffer()", async () => {
    // Seen in the arena demo: the newer peer's microphone came after its first offer, so both sides
    // added audio at once, and the polite side's createOffer() was still pending (state `stable`)
    // when the other's offer came. Its rollback threw, its offer went out anyway, the impolite side
    // ignored it, and both waited in have-local-offer for good: neither heard the other.
    const warnings: string[] = [];
    const logger: Logger = { debug() {}, warn: (message) => warnings.push(message), error() {} };
    let releaseOffers: () => void = () => {};
    const offersHeld = new Promise<void>((resolve) => {
      releaseOffers = resolve;
    });
    let heldOffers = 0;
    let offersToPolite = 0;
    /** ICE candidates handed to the polite side before that offer, and how many it has taken. */
    let candidatesToPolite = 0;
    let candidatesTaken = 0;
    const make = (polite: boolean, peer: () => Link) =>
      createLink({
        remoteId: polite ? 'impolite' : 'polite',
        sid: 'sid1',
        initiator: polite,
        polite,
        rtcConfig: {},
        createPeerConnection: (config) => {
          const pc = new wrtc.RTCPeerConnection(config);
          if (!polite) return pc;
          const addIceCandidate = pc.addIceCandidate.bind(pc);
          pc.addIceCandidate = (async (candidate?: RTCIceCandidateInit) => {
            try {
              await addIceCandidate(candidate);
            } finally {
              candidatesTaken++;
            }
          }) as RTCPeerConnection['addIceCandidate'];
          const createOffer = pc.createOffer.bind(pc);
          // Only the renegotiation's offer is held (the first, the link's own, goes at once).
          pc.createOffer = (async (options?: RTCOfferOptions) => {
            const description = await createOffer(options);
            if (pc.remoteDescription) {
              heldOffers++;
              await offersHeld;
            }
            return description;
          }) as RTCPeerConnection['createOffer'];
          return pc;
        },
        sendSignal: (signal) =>
          setTimeout(() => {
            if (!polite && signal.description?.type === 'offer') offersToPolite++;
            if (!polite && offersToPolite === 0) candidatesToPolite += signal.candidates?.length ?? 0;
            peer().handleSignal(signal);
          }, 0),
        onState: () => {},
        onMessage: () => {},
        timers: realTimers,
        logger,
        connectTimeoutMs: 15_000,
        disconnectedGraceMs: 2_000,
        recoverTimeoutMs: 10_000,
      });
    const polite: Link = make(true, () => impolite);
    const impolite: Link = make(false, () => polite);
    links = [polite, impolite];
    await waitFor(() => links.every((l) => l.state === 'connected'), 'the pair connected');
    await waitFor(() => links.every((l) => l.pc.signalingState === 'stable'), 'the first negotiation settled');

    const [politeTone, impoliteTone] = [tone(), tone()];
    tones.push(politeTone, impoliteTone);
    polite.setAudioTrack(politeTone.track);
    await waitFor(() => heldOffers === 1, "the polite side's offer being made");
    impolite.setAudioTrack(impoliteTone.track);
    await waitFor(() => offersToPolite === 1, "the impolite side's offer at the polite side");
    // The polite side applies signals in order, the offer after the candidates handed over before
    // it: once it has taken those, it is at the offer (microtasks later, before any check of
    // waitFor's), waiting for its own offer to go out, so the release finds it handling the offer.
    await waitFor(() => candidatesTaken === candidatesToPolite, 'the polite side at the offer');
    releaseOffers();

    await waitFor(() => links.every((l) => l.pc.signalingState === 'stable'), 'both sides back to stable', {
      timeoutMs: 5_000,
    });
    await waitFor(
      async () => (await Promise.all(links.map((l) => audioPacketsIn(l.pc)))).every((n) => n > 20),
      'audio packets both ways',
      { intervalMs: 50 }, // each check reads the connections' stats
    );
    for (const l of links) expect(l.audioTransceiver()?.currentDirection).toBe('sendrecv');
    expect(warnings).not.toContain('signal failed');
  }, 20_000);
});
