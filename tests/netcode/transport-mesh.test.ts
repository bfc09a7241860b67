// The Transport contract over the real WebRTC mesh in Node (@roamhq/wrtc) through a real lobby
// server on loopback, and the network conditioner wrapped around the real mesh.
import { type LobbyServer, startLobbyServer } from '@tickmesh/lobby-server';
import { conditionTransport, createRandom, realTimers } from '@tickmesh/netcode/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkedTo, meshRoom, type NodePeer } from '../helpers/netcode-peer.js';
import { letTimePass, waitFor } from '../helpers/wait.js';
import { type ContractPacket, transportContract } from './transport-contract.js';

async function linkedRoom(names: string[]): Promise<{ server: LobbyServer; peers: NodePeer<ContractPacket>[] }> {
  const server = await startLobbyServer({
    host: '127.0.0.1',
    port: 0,
    metricsPort: 0,
    rateLimitPerS: 500,
    rateBurst: 500,
  });
  const peers = await meshRoom<ContractPacket>(server.url, names);
  await waitFor(() => peers.every((p) => linkedTo(p, peers)), `a full mesh of ${names.length}`);
  return { server, peers };
}

async function closeRoom(room: { server: LobbyServer; peers: NodePeer<ContractPacket>[] } | undefined) {
  for (const p of room?.peers ?? []) p.close();
  await room?.server.close();
}

transportContract(
  'WebRTC mesh (@roamhq/wrtc)',
  async (count) => {
    const room = await linkedRoom(['ann', 'bob', 'cy', 'di'].slice(0, count));
    return {
      transports: room.peers.map((p) => p.mesh),
      ids: room.peers.map((p) => p.lobby.peerId ?? ''),
      async until(check, what) {
        await waitFor(check, what);
      },
      settle: letTimePass,
      close: () => closeRoom(room),
    };
  },
  { minUnreliableDelivery: 0.9 }, // loopback loses little, but may
);

describe('conditioner over the WebRTC mesh', () => {
  let room: { server: LobbyServer; peers: NodePeer<ContractPacket>[] } | undefined;
  beforeAll(async () => {
    room = await linkedRoom(['ann', 'bob']);
  });
  afterAll(() => closeRoom(room));

  it('adds latency and loss, and keeps reliable messages whole and in order', async () => {
    const [ann, bob] = room?.peers ?? [];
    if (!ann || !bob) throw new Error('no room');
    const bobId = bob.lobby.peerId ?? '';
    const net = conditionTransport(
      ann.mesh,
      { outgoing: { latencyMs: 80, jitterMs: 20, loss: 0.5, retransmitMs: 50 } },
      { timers: realTimers, random: createRandom(7) },
    );
    const sentAt = new Map<string, number>();
    const delays: number[] = [];
    bob.mesh.on('message', ({ payload }) => {
      const at = sentAt.get(`${payload.test}:${payload.n}`);
      if (at !== undefined) delays.push(performance.now() - at);
    });
    const N = 100;
    for (let n = 0; n < N; n++) {
      for (const test of ['cu', 'cr']) sentAt.set(`${test}:${n}`, performance.now());
      expect(net.send(bobId, { test: 'cu', n })).toBe(1);
      expect(net.send('all', { test: 'cr', n }, { reliable: true })).toBe(1);
    }
    const reliable = () => bob.inbox.filter((m) => m.payload.test === 'cr').map((m) => m.payload.n);
    const unreliable = () => bob.inbox.filter((m) => m.payload.test === 'cu').length;
    await waitFor(() => reliable().length === N, 'every reliable message');
    // Unreliable messages may come after the last reliable one: wait until the conditioner has let
    // go of every message and nine in ten of those it passed on have arrived (loopback may lose one).
    const counters = await waitFor(
      () => {
        const c = net.counters(bobId).outgoing;
        const settled = c.delivered + c.dropped + c.unreachable === c.sent && unreliable() >= (N - c.dropped) * 0.9;
        return settled && c;
      },
      'the conditioner to let go of every message, and the unreliable ones to arrive',
      { report: () => ({ counters: net.counters(bobId).outgoing, unreliable: unreliable() }) },
    );
    expect(reliable()).toEqual([...Array(N).keys()]);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(59);

    expect(counters.sent).toBe(2 * N);
    expect(counters.dropped).toBeGreaterThan(N * 0.3);
    expect(counters.dropped).toBeLessThan(N * 0.7);
    expect(counters.retransmitted).toBeGreaterThan(0);
    expect(counters.delivered).toBe(2 * N - counters.dropped);
    expect(unreliable()).toBeLessThanOrEqual(N - counters.dropped);
    net.close();
  });
});
