// The mesh forced through TURN (`iceTransportPolicy: 'relay'`): a real coturn, started here inside
// the test's network namespace, and the lobby handing out TURN REST credentials for it.
import { type LobbyServer, startLobbyServer } from '@tickmesh/lobby-server';
import type { LinkState } from '@tickmesh/netcode';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type Coturn, startCoturn } from '../helpers/coturn.js';
import { linkedTo, meshRoom, type NodePeer } from '../helpers/netcode-peer.js';
import { describeWith } from '../helpers/requirements.js';
import { waitFor } from '../helpers/wait.js';

type Packet = [channel: 'u' | 'r', n: number, from: string];

const SECRET = 'tickmesh-turn-test-secret';
const relayOnly = { iceTransportPolicy: 'relay', tuning: { statsIntervalMs: 200 } } as const;

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
const everyoneLinked = () => peers.every((p) => linkedTo(p, peers));
const pairs = () => peers.flatMap((p) => peers.filter((q) => q !== p).map((q) => [p, q] as const));

describeWith(['turnserver'], 'mesh over TURN (coturn, relay-only)', () => {
  it.each(['udp', 'tcp'] as const)(
    'relays every link of a mesh of 3 over TURN/%s, both channels, both ways',
    async (transport) => {
      const turnUrls = turn.urls.filter((u) => u.endsWith(`transport=${transport}`));
      server = await startLobbyServer({ host: '127.0.0.1', port: 0, metricsPort: 0, turnUrls, turnSecret: SECRET });
      peers = await meshRoom<Packet>(server.url, ['ann', 'bob', 'cy'], relayOnly);
      for (const p of peers) {
        expect(p.lobby.iceServers).toEqual([
          { urls: turnUrls, username: expect.stringMatching(/^\d+:/), credential: expect.any(String) },
        ]);
      }
      await waitFor(everyoneLinked, 'a full mesh of 3 over TURN');

      // Traffic on both channels of every link in both directions, until a stats sample shows it.
      let n = 0;
      const refused: string[] = [];
      const traffic = setInterval(() => {
        for (const p of peers) {
          if (p.mesh.send('all', ['u', n, p.name]) !== 2) refused.push(`${p.name} u${n}`);
          if (p.mesh.send('all', ['r', n, p.name], { reliable: true }) !== 2) refused.push(`${p.name} r${n}`);
        }
        n++;
      }, 10);
      try {
        await waitFor(
          () =>
            pairs().every(([p, q]) => {
              const s = p.mesh.stats(idOf(q));
              return (
                s !== null && s.bytesInPerS > 0 && s.bytesOutPerS > 0 && s.packetsInPerS > 0 && s.packetsOutPerS > 0
              );
            }),
          'a stats sample with traffic on every link',
          { timeoutMs: 10_000 },
        );
      } finally {
        clearInterval(traffic);
      }
      expect(refused).toEqual([]);
      for (const [p, q] of pairs()) {
        const stats = p.mesh.stats(idOf(q));
        expect(stats, `${p.name} -> ${q.name}`).toMatchObject({
          localCandidateType: 'relay',
          remoteCandidateType: 'relay',
          relayProtocol: transport,
        });
      }

      // Every sender's packets arrived at every receiver on both channels.
      await waitFor(
        () =>
          pairs().every(([p, q]) => {
            const from = p.inbox.filter((m) => m.payload[2] === q.name);
            return from.filter((m) => m.reliable).length === n;
          }),
        'every reliable packet over the relay',
      );
      for (const [p, q] of pairs()) {
        const from = p.inbox.filter((m) => m.from === idOf(q));
        expect(from.every((m) => m.payload[2] === q.name)).toBe(true);
        expect(from.filter((m) => m.reliable).map((m) => m.payload[1])).toEqual([...Array(n).keys()]);
        const unreliable = from.filter((m) => !m.reliable);
        expect(unreliable.every((m) => m.payload[0] === 'u')).toBe(true);
        expect(unreliable.length).toBeGreaterThanOrEqual(n * 0.9); // loopback loses little, even relayed
      }
    },
  );

  it('never connects relay-only when coturn rejects the credentials (wrong secret)', async () => {
    server = await startLobbyServer({
      host: '127.0.0.1',
      port: 0,
      metricsPort: 0,
      turnUrls: turn.urls,
      turnSecret: 'not-the-secret',
    });
    const connectTimeoutMs = 2_000;
    const started = Date.now();
    peers = await meshRoom<Packet>(server.url, ['ann', 'bob'], { ...relayOnly, tuning: { connectTimeoutMs } });
    const [ann, bob] = peers as [NodePeer<Packet>, NodePeer<Packet>];
    expect(ann.lobby.iceServers[0]?.urls).toEqual(turn.urls); // TURN offered, with credentials coturn refuses
    const states: LinkState[] = [];
    for (const p of peers) p.mesh.on('link', (e) => states.push(e.state));
    await waitFor(
      () => ann.mesh.links.get(idOf(bob)) === 'failed' && bob.mesh.links.get(idOf(ann)) === 'failed',
      'the link reported failed on both sides',
      { timeoutMs: connectTimeoutMs + 3_000 },
    );
    expect(Date.now() - started).toBeLessThan(connectTimeoutMs + 3_000);
    expect(states).not.toContain('connected');
    expect(ann.mesh.channel(idOf(bob), 'reliable')?.readyState).not.toBe('open');
  });
});
