// Forcing TURN at run time (`mesh.setRelayOnly`): a mesh of two that linked directly is switched to
// relay-only by one side (the older member, so the newer one must answer its request for a new
// link) and every link comes back, now through a real coturn; switched back, it goes direct again.
// Redialing a link on request comes back too.
import { type LobbyServer, startLobbyServer } from '@tickmesh/lobby-server';
import type { LinkState } from '@tickmesh/netcode';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type Coturn, startCoturn } from '../helpers/coturn.js';
import { linkedTo, meshRoom, type NodePeer } from '../helpers/netcode-peer.js';
import { describeWith } from '../helpers/requirements.js';
import { waitFor } from '../helpers/wait.js';

type Packet = [n: number, from: string];

const SECRET = 'tickmesh-turn-switch-secret';

let turn: Coturn;
let server: LobbyServer | null = null;
let peers: NodePeer<Packet>[] = [];

beforeAll(async () => {
  turn = await startCoturn({ secret: SECRET });
});
afterAll(async () => {
  await turn?.stop();
});
afterEach(async () => {
  for (const p of peers) p.close();
  peers = [];
  await server?.close();
  server = null;
});

const idOf = (p: NodePeer<unknown>) => p.lobby.peerId ?? '';

/** Sends reliable packets both ways until `p`'s stats of its link to `q` say `path`; returns them. */
async function pathOf(p: NodePeer<Packet>, q: NodePeer<Packet>, what: string) {
  let n = 0;
  const traffic = setInterval(() => {
    p.mesh.send('all', [n, p.name], { reliable: true });
    q.mesh.send('all', [n, q.name], { reliable: true });
    n++;
  }, 20);
  try {
    await waitFor(() => (p.mesh.stats(idOf(q))?.bytesInPerS ?? 0) > 0, `${what}: traffic in a stats sample`, {
      timeoutMs: 10_000,
    });
  } finally {
    clearInterval(traffic);
  }
  return p.mesh.stats(idOf(q));
}

describeWith(['turnserver'], 'forcing TURN at run time (coturn)', () => {
  it('moves a direct link onto the relay and back without a new mesh, and redials on request', async () => {
    server = await startLobbyServer({
      host: '127.0.0.1',
      port: 0,
      metricsPort: 0,
      turnUrls: turn.urls.filter((u) => u.endsWith('transport=udp')),
      turnSecret: SECRET,
    });
    peers = await meshRoom<Packet>(server.url, ['ann', 'bob'], { tuning: { statsIntervalMs: 200 } });
    const [ann, bob] = peers as [NodePeer<Packet>, NodePeer<Packet>];
    const linked = () => linkedTo(ann, peers) && linkedTo(bob, peers);
    await waitFor(linked, 'a direct link');
    expect((await pathOf(ann, bob, 'direct'))?.localCandidateType).toBe('host');

    const states: LinkState[] = [];
    ann.mesh.on('link', (e) => states.push(e.state));
    // Ann is the older member: her new policy takes effect when Bob answers her request.
    expect(ann.mesh.relayOnly).toBe(false);
    ann.mesh.setRelayOnly(true);
    expect(ann.mesh.relayOnly).toBe(true);
    await waitFor(() => states.includes('connecting'), 'the link made again');
    await waitFor(linked, 'the link back, relay-only on Ann');
    const relayed = await pathOf(ann, bob, 'relayed');
    expect(relayed?.localCandidateType).toBe('relay');

    states.length = 0;
    ann.mesh.setRelayOnly(false);
    await waitFor(() => states.includes('connecting'), 'the link made again, any path');
    await waitFor(linked, 'the link back, direct');
    expect((await pathOf(ann, bob, 'direct again'))?.localCandidateType).toBe('host');

    // Setting the policy it already has changes nothing.
    states.length = 0;
    ann.mesh.setRelayOnly(false);
    expect(states).toEqual([]);

    // A redial from the newer side (Bob) makes the link again at once.
    bob.mesh.redial(idOf(ann));
    await waitFor(() => states.includes('connecting'), 'the redial seen by Ann');
    await waitFor(linked, 'the link back after a redial');
    expect(states.at(-1)).toBe('connected');
  });
});
