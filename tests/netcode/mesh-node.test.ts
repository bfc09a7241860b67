// The mesh over real WebRTC in Node (@roamhq/wrtc) through a real lobby server on loopback.
import wrtc from '@roamhq/wrtc';
import { type LobbyServer, startLobbyServer } from '@tickmesh/lobby-server';
import { createMesh, TransportError } from '@tickmesh/netcode';
import { MAX_UNRELIABLE_FRAME_BYTES } from '@tickmesh/netcode/internals';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linkedTo, meshRoom, type NodePeer, nodePeer } from '../helpers/netcode-peer.js';
import { letTimePass, waitFor } from '../helpers/wait.js';

type Packet = [channel: 'u' | 'r', n: number, pad: string];

let server: LobbyServer;
let peers: NodePeer<Packet>[] = [];

beforeEach(async () => {
  server = await startLobbyServer({ host: '127.0.0.1', port: 0, metricsPort: 0, rateLimitPerS: 500, rateBurst: 500 });
});
afterEach(async () => {
  for (const p of peers) p.close();
  peers = [];
  await server.close();
});

const idOf = (p: NodePeer<unknown>) => p.lobby.peerId ?? '';
const everyoneLinked = () => peers.every((p) => linkedTo(p, peers));

describe('mesh over @roamhq/wrtc', () => {
  it('forms the full mesh, delivers both channels, and heals after a leave and rejoin', async () => {
    peers = await meshRoom<Packet>(server.url, ['ann', 'bob', 'cy', 'di']);
    await waitFor(everyoneLinked, 'a full mesh of 4 (6 links)');
    for (const p of peers) {
      expect(p.mesh.links.size).toBe(3);
      expect(p.mesh.peers().sort()).toEqual(
        peers
          .filter((q) => q !== p)
          .map(idOf)
          .sort(),
      );
      for (const q of peers) {
        if (q === p) continue;
        const unreliable = p.mesh.channel(idOf(q), 'unreliable');
        const reliable = p.mesh.channel(idOf(q), 'reliable');
        expect(unreliable).toMatchObject({ ordered: false, maxRetransmits: 0, readyState: 'open' });
        expect(reliable).toMatchObject({ ordered: true, readyState: 'open' });
      }
    }

    const N = 200;
    for (let n = 0; n < N; n++) {
      for (const p of peers) {
        expect(p.mesh.send('all', ['u', n, ''])).toBe(3);
        expect(p.mesh.send('all', ['r', n, ''], { reliable: true })).toBe(3);
      }
      // Paced in short bursts, as a game sends, rather than all 1,600 frames in one turn.
      if (n % 20 === 19) await letTimePass(5);
    }
    const from = (p: NodePeer<Packet>, q: NodePeer<Packet>) => p.inbox.filter((m) => m.from === idOf(q));
    const pairs = peers.flatMap((p) => peers.filter((q) => q !== p).map((q) => [p, q] as const));
    const unreliableFrom = (p: NodePeer<Packet>, q: NodePeer<Packet>) =>
      new Set(from(p, q).flatMap((m) => (m.reliable ? [] : [m.payload[1]])));
    await waitFor(
      () => peers.every((p) => p.inbox.filter((m) => m.reliable).length === 3 * N),
      'every reliable packet',
    );
    // Unreliable stragglers may come after the last reliable packet; loopback loses little.
    await waitFor(
      () => pairs.every(([p, q]) => unreliableFrom(p, q).size >= N * 0.9),
      'nine in ten unreliable packets on every link, both ways',
      {
        report: () => pairs.map(([p, q]) => `${q.name} to ${p.name}: ${unreliableFrom(p, q).size} of ${N}`).join('\n'),
      },
    );
    for (const [p, q] of pairs) {
      const reliable = from(p, q).filter((m) => m.reliable);
      expect(reliable.map((m) => m.payload[1])).toEqual([...Array(N).keys()]); // all, in order
      expect(reliable.every((m) => m.payload[0] === 'r')).toBe(true);
    }

    // A peer leaves: its links close everywhere.
    const [ann, bob, cy, di] = peers as [NodePeer<Packet>, NodePeer<Packet>, NodePeer<Packet>, NodePeer<Packet>];
    const diId = idOf(di);
    expect((await di.lobby.leaveRoom()).ok).toBe(true);
    await waitFor(
      () => [ann, bob, cy].every((p) => !p.mesh.links.has(diId)) && di.mesh.links.size === 0,
      'links to di closed',
    );
    // It rejoins: the mesh is whole again.
    const code = ann.lobby.room?.code ?? '';
    expect((await di.lobby.joinRoom(code)).ok).toBe(true);
    await waitFor(everyoneLinked, 'the mesh whole again after a rejoin');
    di.inbox.length = 0;
    ann.mesh.send(diId, ['r', 7, 'again'], { reliable: true });
    await waitFor(() => di.inbox.some((m) => m.payload[2] === 'again'), 'a packet over the new link');
  });

  it('converges when every peer renegotiates at the same instant (adding a track)', async () => {
    peers = await meshRoom<Packet>(server.url, ['ann', 'bob', 'cy']);
    await waitFor(everyoneLinked, 'a full mesh of 3');
    const tracksSeen = new Map<string, number>();
    const tracks: MediaStreamTrack[] = [];
    // All at once: every peer adds a track to every link in the same turn.
    for (const p of peers) {
      for (const q of peers) {
        if (q === p) continue;
        const pc = p.mesh.peerConnection(idOf(q));
        if (!pc) throw new Error('no peer connection');
        pc.addEventListener('track', () => tracksSeen.set(p.name, (tracksSeen.get(p.name) ?? 0) + 1));
        const track = new wrtc.nonstandard.RTCAudioSource().createTrack();
        tracks.push(track);
        pc.addTrack(track);
      }
    }
    await waitFor(() => peers.every((p) => (tracksSeen.get(p.name) ?? 0) === 2), 'every peer receiving 2 tracks');
    await waitFor(
      () =>
        peers.every((p) => peers.every((q) => q === p || p.mesh.peerConnection(idOf(q))?.signalingState === 'stable')),
      'every connection back to stable',
    );
    // The data channels were not disturbed.
    for (const p of peers) p.mesh.send('all', ['r', 1, 'after'], { reliable: true });
    await waitFor(
      () => peers.every((p) => p.inbox.filter((m) => m.payload[2] === 'after').length === 2),
      'data after renegotiation',
    );
    expect(everyoneLinked()).toBe(true);
    for (const t of tracks) t.stop();
  });

  it('samples link stats: RTT, rates, loss and candidate types', async () => {
    peers = await meshRoom<Packet>(server.url, ['ann', 'bob'], { tuning: { statsIntervalMs: 250 } });
    await waitFor(everyoneLinked, 'a pair');
    const [ann, bob] = peers as [NodePeer<Packet>, NodePeer<Packet>];
    const sender = setInterval(() => ann.mesh.send('all', ['u', 0, 'x'.repeat(100)]), 10);
    try {
      await waitFor(() => (bob.mesh.stats(idOf(ann))?.packetsInPerS ?? 0) > 20, 'bob measuring ann’s packets');
      await waitFor(() => (ann.mesh.stats(idOf(bob))?.packetsOutPerS ?? 0) > 20, 'ann measuring her own');
    } finally {
      clearInterval(sender);
    }
    const seen = bob.mesh.stats(idOf(ann));
    expect(seen).toMatchObject({ localCandidateType: 'host', remoteCandidateType: 'host', relayProtocol: null });
    expect(seen?.bytesInPerS).toBeGreaterThan(2000);
    expect(seen?.packetsLost).toBe(0);
    await waitFor(() => ann.mesh.stats(idOf(bob))?.rttMs !== null, 'an RTT sample');
    expect(ann.mesh.stats(idOf(bob))?.rttMs).toBeLessThan(50);
  });

  it('refuses oversize unreliable packets with a typed error', async () => {
    peers = await meshRoom<Packet>(server.url, ['ann', 'bob']);
    await waitFor(everyoneLinked, 'a pair');
    const [ann] = peers as [NodePeer<Packet>];
    const tooBig: Packet = ['u', 0, 'x'.repeat(MAX_UNRELIABLE_FRAME_BYTES)];
    expect(() => ann.mesh.send('all', tooBig)).toThrowError(TransportError);
    try {
      ann.mesh.send('all', tooBig);
    } catch (error) {
      expect(error).toMatchObject({ code: 'PACKET_TOO_LARGE' });
    }
    // The same payload fits the reliable channel.
    expect(ann.mesh.send('all', tooBig, { reliable: true })).toBe(1);
  });

  it('a peer spraying garbage disturbs no one', async () => {
    const isPacket = (v: unknown, _from: string): v is Packet =>
      Array.isArray(v) &&
      v.length === 3 &&
      (v[0] === 'u' || v[0] === 'r') &&
      typeof v[1] === 'number' &&
      typeof v[2] === 'string';
    peers = await meshRoom<Packet>(server.url, ['ann', 'bob', 'mallory'], { validate: isPacket });
    await waitFor(everyoneLinked, 'a full mesh of 3');
    const [ann, bob, mallory] = peers as [NodePeer<Packet>, NodePeer<Packet>, NodePeer<Packet>];
    const errors: unknown[] = [];
    const onError = (e: unknown) => errors.push(e);
    process.on('uncaughtException', onError);
    try {
      for (const victim of [ann, bob]) {
        const u = mallory.mesh.channel(idOf(victim), 'unreliable');
        const r = mallory.mesh.channel(idOf(victim), 'reliable');
        if (!u || !r) throw new Error('no channel');
        for (let i = 0; i < 50; i++) {
          const junk = new Uint8Array(1 + Math.floor(Math.random() * 1000));
          for (let j = 0; j < junk.length; j++) junk[j] = Math.floor(Math.random() * 256);
          u.send(junk);
          r.send('not a frame');
        }
        r.send(new Uint8Array(60_000)); // oversize and all zeros
        u.send(new Uint8Array([1, 0, 0, 0, 0, 0xd9, 0x10])); // right header, truncated MessagePack
        mallory.mesh.send(idOf(victim), ['u', 1, 'ok'] as Packet); // valid frame, valid payload
        r.send(new Uint8Array([1, 0, 0, 0, 9, 0x93, 0xa1, 0x78, 0x01, 0x02])); // valid frame, invalid payload
      }
      ann.mesh.send(idOf(bob), ['r', 42, 'still fine'], { reliable: true });
      await waitFor(() => bob.inbox.some((m) => m.payload[2] === 'still fine'), 'honest traffic after the spray');
      await waitFor(
        () => ann.mesh.counters.malformedFrames >= 100 && bob.mesh.counters.malformedFrames >= 100,
        'garbage counted',
      );
      expect(ann.mesh.counters.invalidPayloads).toBeGreaterThanOrEqual(1);
      expect(bob.inbox.every((m) => isPacket(m.payload, m.from))).toBe(true);
      expect(everyoneLinked()).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      process.off('uncaughtException', onError);
    }
  });

  it('reports a peer the mesh cannot reach as failed, and the newer side retries', async () => {
    // Relay-only with no TURN server configured: no candidates, so the link can never connect.
    const tuning = { connectTimeoutMs: 1000, relinkDelayMs: 300 };
    peers = [
      await nodePeer<Packet>(server.url, 'ann', { iceTransportPolicy: 'relay', tuning }),
      await nodePeer<Packet>(server.url, 'bob', { iceTransportPolicy: 'relay', tuning }),
    ];
    const [ann, bob] = peers as [NodePeer<Packet>, NodePeer<Packet>];
    const states: string[] = [];
    bob.mesh.on('link', (e) => states.push(e.state));
    const created = await ann.lobby.createRoom();
    if (!created.ok) throw new Error(created.code);
    await bob.lobby.joinRoom(created.value.code);
    await waitFor(() => states.includes('failed'), 'the link reported failed', { timeoutMs: 5000 });
    expect(states[0]).toBe('connecting');
    expect(bob.mesh.links.get(idOf(ann))).toBe('failed');
    // bob joined last, so bob's side tries again (after 300 ms, then 600 ms ...).
    await waitFor(() => states.filter((s) => s === 'failed').length >= 2, 'a retry that fails again', {
      timeoutMs: 5000,
    });
    expect(states.slice(0, 4)).toEqual(['connecting', 'failed', 'connecting', 'failed']);
  });

  it('gives an older peer that reloads (new mesh, resumed session) its links back', async () => {
    peers = await meshRoom<Packet>(server.url, ['ann', 'bob', 'cy']);
    await waitFor(everyoneLinked, 'a full mesh of 3');
    const [ann, bob, cy] = peers as [NodePeer<Packet>, NodePeer<Packet>, NodePeer<Packet>];
    // ann is the oldest: her new mesh cannot offer, it asks bob and cy for new connections.
    ann.mesh.close();
    ann.mesh = createMesh<Packet>({ lobby: ann.lobby, createPeerConnection: (c) => new wrtc.RTCPeerConnection(c) });
    ann.mesh.on('message', (m) => ann.inbox.push(m));
    await waitFor(everyoneLinked, 'ann linked again');
    bob.mesh.send(idOf(ann), ['r', 1, 'welcome back'], { reliable: true });
    cy.mesh.send(idOf(ann), ['r', 2, 'welcome back'], { reliable: true });
    await waitFor(
      () => ann.inbox.filter((m) => m.payload[2] === 'welcome back').length === 2,
      'packets to the new mesh',
    );
    // cy is the newest: its new mesh offers by itself.
    cy.mesh.close();
    cy.mesh = createMesh<Packet>({ lobby: cy.lobby, createPeerConnection: (c) => new wrtc.RTCPeerConnection(c) });
    await waitFor(everyoneLinked, 'cy linked again');
  });
});
