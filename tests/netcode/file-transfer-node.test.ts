// File transfer over real WebRTC in Node (@roamhq/wrtc) through a real lobby on loopback: three
// peers send Blobs to one and to all, refuse, cancel, hit the receiver's size limit, lose a link
// mid-transfer; a hostile peer writes raw frames (a corrupted chunk, bytes past its offer, chunks
// for no transfer, garbage control messages) and the receiver drops and counts each.
import { createHash } from 'node:crypto';
import { type LobbyServer, startLobbyServer } from '@tickmesh/lobby-server';
import {
  createFileTransfer,
  type FileTransfer,
  type FileTransferEvents,
  type FileTransferTuning,
  fileTransferDefaults,
  type IncomingResult,
} from '@tickmesh/netcode';
import { encodeChunk, encodeControl, FILE_CHANNEL_ID } from '@tickmesh/netcode/internals';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linkedTo, meshRoom, type NodePeer } from '../helpers/netcode-peer.js';
import { waitFor } from '../helpers/wait.js';

let server: LobbyServer;
let peers: NodePeer[] = [];
let modules: FileTransfer[] = [];

beforeEach(async () => {
  server = await startLobbyServer({ host: '127.0.0.1', port: 0, metricsPort: 0, rateLimitPerS: 500, rateBurst: 500 });
});
afterEach(async () => {
  for (const f of modules) f.close();
  for (const p of peers) p.close();
  modules = [];
  peers = [];
  await server.close();
});

const idOf = (p: NodePeer) => p.lobby.peerId ?? '';

/** Deterministic pseudo-random bytes (xorshift32), so a corrupted byte is certain to differ. */
function bytesOf(size: number, seed = 7): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

interface Peer {
  peer: NodePeer;
  files: FileTransfer;
  progress: FileTransferEvents['progress'][];
  received: IncomingResult[];
}

async function room(names: string[], tuning: Partial<FileTransferTuning>[] = []): Promise<Peer[]> {
  peers = await meshRoom(server.url, names);
  await waitFor(() => peers.every((p) => linkedTo(p, peers)), `a full mesh of ${names.length}`);
  return peers.map((peer, i) => {
    const files = createFileTransfer({ mesh: peer.mesh, tuning: tuning[i] ?? {} });
    modules.push(files);
    const p: Peer = { peer, files, progress: [], received: [] };
    files.on('progress', (e) => p.progress.push(e));
    files.on('end', (e) => {
      if (e.direction === 'in') p.received.push(e.result);
    });
    return p;
  });
}

const acceptAll = (p: Peer) => p.files.on('offer', (offer) => offer.accept());

describe('file transfer over @roamhq/wrtc', () => {
  it('sends a Blob to one peer and to all, with progress on both sides and the hash checked', async () => {
    const [ann, bob, cy] = (await room(['ann', 'bob', 'cy'])) as [Peer, Peer, Peer];
    for (const p of [bob, cy]) acceptAll(p);
    const offers: { name: string; type: string; size: number }[] = [];
    bob.files.on('offer', ({ name, type, size }) => offers.push({ name, type, size }));

    const small = bytesOf(40_000);
    const one = ann.files.send(idOf(bob.peer), new File([small], 'note.bin', { type: 'application/x-note' }));
    expect(await one.result).toEqual({ ok: true, sha256: sha256Hex(small) });
    expect(offers).toEqual([{ name: 'note.bin', type: 'application/x-note', size: 40_000 }]);
    const got = bob.received[0];
    expect(got?.ok).toBe(true);
    if (!got?.ok) return;
    expect({ name: got.name, type: got.type, size: got.size, blobType: got.blob.type }).toEqual({
      name: 'note.bin',
      type: 'application/x-note',
      size: 40_000,
      blobType: 'application/x-note',
    });
    expect(sha256Hex(new Uint8Array(await got.blob.arrayBuffer()))).toBe(sha256Hex(small));
    expect(cy.received).toEqual([]); // sent to one: only bob got it

    const big = bytesOf(3 * 1024 * 1024, 11);
    const all = ann.files.sendToAll(new Blob([big], { type: 'image/png' }), { name: 'map.png' });
    expect(all.map((t) => t.peerId).sort()).toEqual([idOf(bob.peer), idOf(cy.peer)].sort());
    const results = await Promise.all(all.map((t) => t.result));
    expect(results).toEqual([
      { ok: true, sha256: sha256Hex(big) },
      { ok: true, sha256: sha256Hex(big) },
    ]);
    for (const p of [bob, cy]) {
      const last = p.received.at(-1);
      expect(last?.ok && { name: last.name, size: last.size, sha256: last.sha256 }).toEqual({
        name: 'map.png',
        size: big.length,
        sha256: sha256Hex(big),
      });
      // The Blob's own bytes, not only the hash the receiver reported (a deep equal of 3 MB is slow).
      if (last?.ok) expect(sha256Hex(new Uint8Array(await last.blob.arrayBuffer()))).toBe(sha256Hex(big));
      // Progress on the receiving side: rising, several steps, ending at the size.
      const steps = p.progress.filter((e) => e.direction === 'in' && e.size === big.length).map((e) => e.bytes);
      expect(steps.length).toBeGreaterThan(4);
      expect(steps).toEqual([...steps].sort((a, b) => a - b));
      expect(steps.at(-1)).toBe(big.length);
    }
    // ...and on the sending side, per receiver.
    for (const t of all) {
      const steps = ann.progress.filter((e) => e.direction === 'out' && e.id === t.id && e.peerId === t.peerId);
      expect(steps.length).toBeGreaterThan(4);
      expect(steps.at(-1)?.bytes).toBe(big.length);
    }
    expect(ann.files.counters).toMatchObject({ completedOut: 3, failedOut: 0 });
    expect(bob.files.counters).toMatchObject({ completedIn: 2, heldBytes: 0, badControl: 0, unknownChunks: 0 });
    // Each link's send window: paced from acknowledgments, within its bounds, nothing left in flight.
    for (const p of [bob, cy]) {
      const pacing = ann.files.pacing(idOf(p.peer));
      expect(pacing?.inFlightBytes).toBe(0);
      expect(pacing?.windowBytes).toBeGreaterThanOrEqual(fileTransferDefaults.minWindowBytes);
      expect(pacing?.windowBytes).toBeLessThanOrEqual(fileTransferDefaults.windowBytes);
    }
    expect(bob.files.pacing(idOf(ann.peer))).toBeNull(); // bob sent nothing
  });

  it('lets the receiver refuse an offer, and refuses one over its size limit unasked', async () => {
    const [ann, bob, cy] = (await room(['ann', 'bob', 'cy'], [{}, {}, { maxFileBytes: 1024 * 1024 }])) as [
      Peer,
      Peer,
      Peer,
    ];
    bob.files.on('offer', (offer) => offer.refuse());
    let cyAsked = 0;
    cy.files.on('offer', (offer) => {
      cyAsked++;
      offer.accept();
    });
    const refused = ann.files.send(idOf(bob.peer), new Blob([bytesOf(1000)]));
    expect(await refused.result).toEqual({ ok: false, reason: 'declined', by: 'remote' });
    const tooBig = ann.files.send(idOf(cy.peer), new Blob([bytesOf(1024 * 1024 + 1)]));
    expect(await tooBig.result).toEqual({ ok: false, reason: 'too-large', by: 'remote' });
    expect(cyAsked).toBe(0);
    const fits = ann.files.send(idOf(cy.peer), new Blob([bytesOf(1024 * 1024)]));
    expect((await fits.result).ok).toBe(true);
    expect(cyAsked).toBe(1);
    expect(bob.received).toEqual([]);
    expect(cy.files.counters).toMatchObject({ offersReceived: 2, offersRefused: 1, completedIn: 1 });
  });

  it('cancels from either side mid-transfer: both sides see it fail, nothing completes', async () => {
    const [ann, bob, cy] = (await room(['ann', 'bob', 'cy'])) as [Peer, Peer, Peer];
    for (const p of [bob, cy]) acceptAll(p);
    const file = new Blob([bytesOf(16 * 1024 * 1024)]);

    // The sender cancels once the first bytes are out.
    const toBob = ann.files.send(idOf(bob.peer), file);
    const offSender = ann.files.on('progress', (e) => {
      if (e.id === toBob.id && e.peerId === toBob.peerId) toBob.cancel();
    });
    expect(await toBob.result).toEqual({ ok: false, reason: 'cancelled', by: 'local' });
    offSender();
    await waitFor(() => bob.received.length === 1, 'bob to see the transfer end');
    expect(bob.received).toEqual([{ ok: false, reason: 'cancelled', by: 'remote' }]);

    // The receiver cancels once the first bytes are in.
    cy.files.on('progress', (e) => {
      if (e.direction === 'in') for (const t of cy.files.active().incoming) t.cancel();
    });
    const toCy = ann.files.send(idOf(cy.peer), file);
    expect(await toCy.result).toEqual({ ok: false, reason: 'cancelled', by: 'remote' });
    expect(cy.received).toEqual([{ ok: false, reason: 'cancelled', by: 'local' }]);
    expect(toCy.bytesSent).toBeLessThan(file.size);
    for (const p of [bob, cy]) expect(p.files.counters).toMatchObject({ completedIn: 0, failedIn: 1, heldBytes: 0 });
  });

  it('fails a transfer whose link closes mid-transfer, on both sides, never as complete', async () => {
    const [ann, bob, cy] = (await room(['ann', 'bob', 'cy'])) as [Peer, Peer, Peer];
    for (const p of [bob, cy]) acceptAll(p);
    const file = new Blob([bytesOf(24 * 1024 * 1024)]);
    // Cy's page goes away while ann sends to it: ann's side fails.
    const toCy = ann.files.send(idOf(cy.peer), file);
    cy.files.on('progress', () => cy.peer.mesh.close());
    expect(await toCy.result).toEqual({ ok: false, reason: 'link-lost', by: 'local' });
    // Ann's page goes away while she sends to bob: bob's side fails.
    const toBob = ann.files.send(idOf(bob.peer), file);
    bob.files.on('progress', () => ann.peer.mesh.close());
    await waitFor(() => bob.received.length === 1, 'bob to see the transfer end', { timeoutMs: 20_000 });
    expect(bob.received).toEqual([{ ok: false, reason: 'link-lost', by: 'local' }]);
    expect((await toBob.result).ok).toBe(false);
    expect(bob.files.counters).toMatchObject({ completedIn: 0, failedIn: 1, heldBytes: 0 });
  });

  it('drops and counts what a hostile peer writes: a corrupted chunk, bytes past its offer, stray chunks, garbage', async () => {
    const [ann] = (await room(['ann', 'mal'])) as [Peer, Peer];
    const mal = peers[1] as NodePeer;
    modules.pop()?.close(); // mal speaks the wire by hand, with no file module of its own
    acceptAll(ann);
    const annId = idOf(ann.peer);
    const pc = mal.mesh.peerConnection(annId);
    if (!pc) throw new Error('no link');
    const raw = pc.createDataChannel('files', { negotiated: true, id: FILE_CHANNEL_ID, ordered: true });
    await waitFor(() => raw.readyState === 'open', 'the raw file channel to open');
    const control = (message: Parameters<typeof encodeControl>[0]) =>
      mal.mesh.send(annId, encodeControl(message), { reliable: true });
    const accepted = (id: number) =>
      mal.inbox.some((m) => Array.isArray(m.payload) && m.payload[1] === 1 && m.payload[2] === id);
    const aborted = (id: number) =>
      mal.inbox.find((m) => Array.isArray(m.payload) && m.payload[1] === 4 && m.payload[2] === id)?.payload;

    // A chunk corrupted on the way: the hash of the original does not match what came.
    const good = bytesOf(100_000, 3);
    const bad = good.slice();
    bad[50_000] = (bad[50_000] ?? 0) ^ 0xff;
    control({ type: 'offer', id: 1, name: 'x.bin', mime: '', size: good.length });
    await waitFor(() => accepted(1), 'ann to accept');
    raw.send(encodeChunk(1, bad.subarray(0, 60_000)));
    raw.send(encodeChunk(1, bad.subarray(60_000)));
    control({ type: 'done', id: 1, sha256: new Uint8Array(createHash('sha256').update(good).digest()) });
    await waitFor(() => ann.received.length === 1, 'ann to end the transfer');
    expect(ann.received[0]).toEqual({ ok: false, reason: 'hash-mismatch', by: 'local' });
    await waitFor(() => aborted(1), 'mal to be told');
    expect(aborted(1)).toEqual([40, 4, 1, 'hash-mismatch']);

    // More bytes than offered.
    control({ type: 'offer', id: 2, name: 'y.bin', mime: '', size: 10 });
    await waitFor(() => accepted(2), 'ann to accept');
    raw.send(encodeChunk(2, bytesOf(20)));
    await waitFor(() => ann.received.length === 2, 'ann to stop the overrun');
    expect(ann.received[1]).toEqual({ ok: false, reason: 'overrun', by: 'local' });

    // Chunks for no transfer, a chunk of garbage, text, malformed control messages.
    raw.send(encodeChunk(999, bytesOf(10)));
    raw.send(new Uint8Array([9, 9]));
    raw.send('hello');
    mal.mesh.send(annId, [40, 99, 1], { reliable: true });
    mal.mesh.send(annId, [40, 0, 3, 'z', '', -5], { reliable: true });
    mal.mesh.send(annId, [40, 1, 12345], { reliable: true }); // accept of nothing ann offered
    await waitFor(
      () =>
        ann.files.counters.unknownChunks === 1 &&
        ann.files.counters.badChunks === 2 &&
        ann.files.counters.badControl === 3,
      'ann to count every refusal',
      { report: () => ann.files.counters },
    );
    expect(ann.files.counters).toMatchObject({ hashMismatches: 1, overruns: 1, completedIn: 0, heldBytes: 0 });
    // Ann's own transfers still work on the same link afterwards.
    expect(ann.peer.mesh.links.get(idOf(mal))).toBe('connected');
  });
});
