// Three lobby nodes of one process sharing a MemoryStore (the in-process store): the cluster's
// routing (sessions moving to their room's owner, guests, signals between gateways, quick play and
// room.list across nodes, a graceful handover) over real uWS servers and real WebSockets. The same
// with real Redis and real processes, killed, is cluster-redis.test.ts.
import { CloseCode, ErrorCode } from '@tickmesh/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../packages/lobby-server/src/cluster/memory-store.js';
import { type LobbyServer, startLobbyServer } from '../../packages/lobby-server/src/server.js';
import { connect, type LobbyClient } from '../helpers/lobby-client.js';

const SECRET = 'cluster-memory-test-secret-0123456789';

describe('a lobby cluster of three nodes on one store', () => {
  let nodes: LobbyServer[] = [];
  let clients: LobbyClient[] = [];

  beforeEach(async () => {
    const store = new MemoryStore();
    nodes = [];
    for (const name of ['n1', 'n2', 'n3']) {
      nodes.push(
        await startLobbyServer(
          {
            host: '127.0.0.1',
            port: 0,
            metricsPort: 0,
            sessionSecret: SECRET,
            nodeId: name,
            leaseMs: 600,
            countdownMs: 400,
            joinFailuresPerMin: 3,
          },
          { store: store.connect() },
        ),
      );
    }
  });
  afterEach(async () => {
    for (const c of clients) if (c.isOpen()) void c.close();
    clients = [];
    await Promise.all(nodes.map((n) => n.close()));
    for (const c of clients) expect(c.violations).toEqual([]);
  });

  async function player(node: number, name: string, token?: string): Promise<LobbyClient> {
    const c = await connect((nodes[node] as LobbyServer).url, { label: name });
    clients.push(c);
    await c.hello(name, token);
    return c;
  }

  it('relays room changes and signals between members on different nodes', async () => {
    const ann = await player(0, 'Ann');
    const bob = await player(1, 'Bob');
    const created = await ann.expectAnswer({ type: 'room.create' }, 'room.state');
    const code = created.room.code;
    const joined = await bob.expectAnswer({ type: 'room.join', code }, 'room.state');
    expect(joined.room.peers.map((p) => p.id)).toEqual([ann.peerId, bob.peerId]);
    await ann.next('room.state', (m) => m.room.peers.length === 2);

    bob.send({ type: 'signal', to: ann.peerId, data: { sdp: 'offer' } });
    expect(await ann.next('signal')).toEqual({ type: 'signal', from: bob.peerId, data: { sdp: 'offer' } });
    ann.send({ type: 'signal', to: bob.peerId, data: { sdp: 'answer' } });
    expect(await bob.next('signal')).toEqual({ type: 'signal', from: ann.peerId, data: { sdp: 'answer' } });

    await bob.expectAnswer({ type: 'room.ready', ready: true }, 'room.state');
    await ann.expectAnswer({ type: 'room.start' }, 'room.state');
    await bob.next('room.state', (m) => m.room.state === 'playing');
    await ann.next('room.state', (m) => m.room.state === 'playing');
  });

  it('finds public rooms of every node by room.list and quick play', async () => {
    const ann = await player(0, 'Ann');
    const cy = await player(2, 'Cy');
    const created = await ann.expectAnswer({ type: 'room.create', public: true }, 'room.state');
    const listed = await cy.expectAnswer({ type: 'room.list' }, 'room.list');
    expect(listed.rooms.map((r) => r.code)).toContain(created.room.code);
    const quick = await cy.expectAnswer({ type: 'room.quickplay' }, 'room.state');
    expect(quick.room.code).toBe(created.room.code);
    await ann.next('room.state', (m) => m.room.peers.length === 2);
  });

  it('resumes a session on another node with its token: same peer id, same room', async () => {
    const ann = await player(0, 'Ann');
    const bob = await player(1, 'Bob');
    const { room } = await ann.expectAnswer({ type: 'room.create' }, 'room.state');
    await bob.expectAnswer({ type: 'room.join', code: room.code }, 'room.state');
    // Ann's node learns that Bob is on n2 from his signal, and sends her answer there in a batch.
    bob.send({ type: 'signal', to: ann.peerId, data: 'offer' });
    await ann.next('signal');
    await bob.terminate();
    await ann.next('room.state', (m) => m.room.peers.some((p) => p.id === bob.peerId && !p.connected));
    const again = await player(2, 'Bob', bob.token);
    expect(again.peerId).toBe(bob.peerId);
    const back = await again.next('room.state');
    expect(back.room.code).toBe(room.code);
    await ann.next('room.state', (m) => m.room.peers.every((p) => p.connected));
    // Bob is on n3 now: what Ann sends still reaches him (n2 passes it on and says so), twice.
    ann.send({ type: 'signal', to: bob.peerId, data: 'answer' });
    expect(await again.next('signal')).toEqual({ type: 'signal', from: ann.peerId, data: 'answer' });
    ann.send({ type: 'signal', to: bob.peerId, data: 'candidate' });
    expect(await again.next('signal')).toEqual({ type: 'signal', from: ann.peerId, data: 'candidate' });
    again.send({ type: 'signal', to: ann.peerId, data: 1 });
    expect(await ann.next('signal')).toEqual({ type: 'signal', from: bob.peerId, data: 1 });
  });

  it('on a graceful shutdown of the owner, its room goes on elsewhere, still playing', async () => {
    const ann = await player(0, 'Ann');
    const bob = await player(1, 'Bob');
    const { room } = await ann.expectAnswer({ type: 'room.create' }, 'room.state');
    await bob.expectAnswer({ type: 'room.join', code: room.code }, 'room.state');
    await bob.expectAnswer({ type: 'room.ready', ready: true }, 'room.state');
    await ann.expectAnswer({ type: 'room.start' }, 'room.state');
    await bob.next('room.state', (m) => m.room.state === 'playing');

    await (nodes[0] as LobbyServer).close();
    expect((await ann.closed).code).toBe(CloseCode.SERVICE_RESTART);
    // Bob's gateway (n2) takes the room over at once; Ann comes back through n3.
    const annAgain = await player(2, 'Ann', ann.token);
    expect(annAgain.peerId).toBe(ann.peerId);
    const state = await annAgain.next('room.state', (m) => m.room.peers.every((p) => p.connected));
    expect(state.room).toMatchObject({ code: room.code, state: 'playing', hostId: ann.peerId });
    await bob.next('room.state', (m) => m.room.peers.every((p) => p.connected));
    bob.send({ type: 'signal', to: ann.peerId, data: 'after' });
    expect(await annAgain.next('signal')).toEqual({ type: 'signal', from: bob.peerId, data: 'after' });
  });

  it('a countdown handed over completes on the new owner, and seqs go on rising', async () => {
    const ann = await player(0, 'Ann');
    const bob = await player(1, 'Bob');
    const { room } = await ann.expectAnswer({ type: 'room.create', settings: { lateJoin: true } }, 'room.state');
    await bob.expectAnswer({ type: 'room.join', code: room.code }, 'room.state');
    await bob.expectAnswer({ type: 'room.ready', ready: true }, 'room.state');
    const counting = await ann.expectAnswer({ type: 'room.start' }, 'room.state');
    expect(counting.room.state).toBe('countdown');

    await (nodes[0] as LobbyServer).close();
    // Nobody starts it again: the deadline the old owner set is kept by the new one.
    const playing = await bob.next('room.state', (m) => m.room.state === 'playing', 3000);
    expect(playing.room.countdownEndsAt).toBeUndefined();
    expect(playing.room.hostId).toBe(ann.peerId);
    const cy = await player(2, 'Cy');
    const joined = await cy.expectAnswer({ type: 'room.join', code: room.code }, 'room.state');
    const seqs = joined.room.peers.map((p) => p.seq);
    expect(seqs).toEqual([1, 2, 3]);
  });

  it('resumes a peer on another node only with its newest token', async () => {
    const bob = await player(1, 'Bob');
    const first = bob.token;
    await bob.terminate();
    const again = await player(2, 'Bob', first);
    expect(again.peerId).toBe(bob.peerId);
    // The token Bob used is spent: on any node it starts a new peer, and Bob keeps his session.
    const thief = await player(0, 'Mallory', first);
    expect(thief.peerId).not.toBe(bob.peerId);
    expect(thief.log.find((m) => m.type === 'welcome')).toMatchObject({ resumed: false });
    expect(again.isOpen()).toBe(true);
    const eve = await player(0, 'Eve', again.token);
    expect(eve.peerId).toBe(bob.peerId);
  });

  it('counts guessed codes per address whichever node runs the right one', async () => {
    const ann = await player(0, 'Ann');
    const { room } = await ann.expectAnswer({ type: 'room.create' }, 'room.state');
    const guesser = await player(1, 'Guess');
    for (const code of ['AAAAAA', 'BBBBBB', 'CCCCCC']) {
      await guesser.expectError({ type: 'room.join', code }, ErrorCode.ROOM_NOT_FOUND);
    }
    // Past its budget the address learns nothing, even of a room another node runs.
    await guesser.expectError({ type: 'room.join', code: room.code }, ErrorCode.TOO_MANY_FAILED_JOINS);
  });
});
