// Chat on the mesh over real WebRTC in Node (@roamhq/wrtc) and a real lobby server on loopback:
// chat crosses the mesh while the lobby is stopped; a peer's flood, oversize text and forged
// sender are dropped and counted, never shown under another name; a member whose link cannot come
// up (relay-only with no TURN server) gets chat through the lobby, and the others never see a
// message twice.
import { type LobbyServer, startLobbyServer } from '@tickmesh/lobby-server';
import { type Chat, type ChatMessage, createChat } from '@tickmesh/netcode';
import { CHAT_TAG } from '@tickmesh/netcode/internals';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linkedTo, meshRoom, type NodePeer, nodePeer } from '../helpers/netcode-peer.js';
import { waitFor } from '../helpers/wait.js';

interface Chatter {
  peer: NodePeer;
  chat: Chat;
  shown: ChatMessage[];
}

let server: LobbyServer | null;
let peers: NodePeer[] = [];
let chats: Chat[] = [];

beforeEach(async () => {
  server = await startLobbyServer({ host: '127.0.0.1', port: 0, metricsPort: 0, rateLimitPerS: 500, rateBurst: 500 });
});
afterEach(async () => {
  for (const c of chats) c.close();
  for (const p of peers) p.close();
  chats = [];
  peers = [];
  await server?.close();
});

const idOf = (p: NodePeer) => p.lobby.peerId ?? '';

function chatter(peer: NodePeer): Chatter {
  const chat = createChat({ lobby: peer.lobby, mesh: peer.mesh });
  chats.push(chat);
  const shown: ChatMessage[] = [];
  chat.on('message', (m) => shown.push(m));
  return { peer, chat, shown };
}

const texts = (c: Chatter) => c.shown.map((m) => `${m.name}: ${m.text}`);

describe('chat on the mesh over @roamhq/wrtc', () => {
  it('crosses the mesh while the lobby is stopped, each line once', async () => {
    peers = await meshRoom(server?.url ?? '', ['ann', 'bob', 'cy']);
    await waitFor(() => peers.every((p) => linkedTo(p, peers)), 'a full mesh of 3');
    const [ann, bob, cy] = peers.map(chatter) as [Chatter, Chatter, Chatter];
    await server?.close();
    server = null;
    await waitFor(() => ann.peer.lobby.connection !== 'online', 'ann to see the lobby gone');

    const sent = await ann.chat.send('the lobby is down, still talking');
    expect(sent).toMatchObject({ ok: true, unreached: [] });
    await waitFor(() => bob.shown.length === 1, "bob to get ann's line");
    await bob.chat.send('hear you');
    await waitFor(() => cy.shown.length === 2 && ann.shown.length === 2, 'both lines at every peer');
    for (const c of [ann, bob, cy])
      expect(texts(c)).toEqual(['ann: the lobby is down, still talking', 'bob: hear you']);
    expect(cy.shown.map((m) => [m.from, m.via])).toEqual([
      [idOf(ann.peer), 'mesh'],
      [idOf(bob.peer), 'mesh'],
    ]);
  });

  it("drops a peer's flood, oversize text and forged sender, and counts them", async () => {
    peers = await meshRoom(server?.url ?? '', ['ann', 'bob', 'cy']);
    await waitFor(() => peers.every((p) => linkedTo(p, peers)), 'a full mesh of 3');
    const [ann] = peers.map(chatter) as [Chatter, Chatter, Chatter];
    const [, bob, cy] = peers as [NodePeer, NodePeer, NodePeer];
    const to = idOf(ann.peer);
    // Bob's own mesh, past his chat's checks: a name and a sender claimed, oversize, control characters.
    bob.mesh.send(to, [CHAT_TAG, 'I am Cy', { from: idOf(cy), name: 'cy' }], { reliable: true });
    bob.mesh.send(to, [CHAT_TAG, 'x'.repeat(5000)], { reliable: true });
    bob.mesh.send(to, [CHAT_TAG, 'beep\u0007'], { reliable: true });
    bob.mesh.send(to, [CHAT_TAG, 'on the wrong channel']); // unreliable
    for (let i = 0; i < 40; i++) bob.mesh.send(to, [CHAT_TAG, `flood ${i}`], { reliable: true });
    await waitFor(() => ann.chat.counters.dropped.rate >= 40 - 4, 'the flood over the bucket to be dropped');
    expect(ann.chat.counters.dropped).toMatchObject({ malformed: 2, text: 2 });
    // What was shown came from Bob under Bob's name: the burst of his bucket, nothing else.
    expect(ann.shown.every((m) => m.from === idOf(bob) && m.name === 'bob')).toBe(true);
    expect(ann.shown.map((m) => m.text)).toEqual(['flood 0', 'flood 1', 'flood 2', 'flood 3']);
    expect(ann.chat.counters.dropped.rate).toBe(36);
    // The sync layer's packets and chat's never count as each other's garbage.
    expect(ann.peer.mesh.counters.invalidPayloads).toBe(0);
  });

  it('reaches a member without a link through the lobby, and shows nothing twice', async () => {
    peers = await meshRoom(server?.url ?? '', ['ann', 'bob']);
    // Relay-only with no TURN server: Cy's links can never connect.
    const cyPeer = await nodePeer(server?.url ?? '', 'cy', {
      iceTransportPolicy: 'relay',
      tuning: { connectTimeoutMs: 1000, relinkDelayMs: 500 },
    });
    peers.push(cyPeer);
    const code = peers[0]?.lobby.room?.code ?? '';
    expect((await cyPeer.lobby.joinRoom(code)).ok).toBe(true);
    const [ann, bob, cy] = peers.map(chatter) as [Chatter, Chatter, Chatter];
    await waitFor(() => linkedTo(ann.peer, [bob.peer]) && linkedTo(bob.peer, [ann.peer]), 'ann and bob linked');
    await waitFor(() => ann.peer.lobby.room?.peers.length === 3, 'ann to see cy in the room');

    await ann.chat.send('to everyone');
    await ann.chat.send('gg');
    await ann.chat.send('gg');
    await cy.chat.send('from the one without links');
    // Bob took each of Ann's messages both ways: he shows one copy and drops the other.
    await waitFor(() => bob.chat.counters.twins === 3 && bob.shown.length === 4, "bob's copies of every line");
    await waitFor(() => cy.shown.length === 4 && ann.shown.length === 4, 'every line at ann and cy');
    const expected = ['ann: to everyone', 'ann: gg', 'ann: gg', 'cy: from the one without links'];
    for (const c of [ann, bob, cy]) expect(texts(c)).toEqual(expected);
    expect(cy.shown.slice(0, 3).every((m) => m.via === 'lobby')).toBe(true);
    expect(bob.shown[3]?.via).toBe('lobby');

    // The lobby stopped: Bob still gets Ann's chat over the mesh; Cy cannot, and Ann is told.
    await server?.close();
    server = null;
    await waitFor(() => ann.peer.lobby.connection !== 'online', 'ann to see the lobby gone');
    const sent = await ann.chat.send('lobby gone');
    expect(sent).toMatchObject({ ok: true, unreached: [idOf(cy.peer)] });
    await waitFor(() => bob.shown.length === 5, 'bob to get it over the mesh');
    expect(bob.shown[4]).toMatchObject({ text: 'lobby gone', via: 'mesh', name: 'ann' });
  });
});
