// Three lobby nodes as real processes (the built `tickmesh-lobby`) sharing one real Redis: the
// cluster of cluster-memory.test.ts, plus what only processes and a real Redis can do to it: a
// node killed with SIGKILL during a countdown and during play (its room taken over from the saved
// snapshot once the lease runs out), a node stopped with SIGTERM (1012, clients resume elsewhere),
// and Redis itself restarting empty. Redis and the nodes are started by the test, so they live in
// the test's loopback-only network namespace (scripts/in-netns.js).
import { CloseCode, type Room, RoomState } from '@tickmesh/protocol';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connect, type LobbyClient } from '../helpers/lobby-client.js';
import { buildLobby, freePort, type LobbyProcess, startLobbyProcess } from '../helpers/lobby-process.js';
import { type RedisServer, startRedis } from '../helpers/redis.js';
import { letTimePass, waitFor } from '../helpers/wait.js';

const SECRET = 'cluster-redis-test-secret-0123456789';
/** The nodes' `--lease-ms` (the default): a dead owner's room is taken over after it. */
const LEASE_MS = 1500;
/** The nodes' `--grace-ms`: long enough that nobody's session or a restoring window ends mid-test. */
const GRACE_MS = 10_000;
/** How long a client waits for what a takeover or a Redis restart delays. */
const SLOW_MS = 6000;

/** Timings and, on a failure, the nodes' output: printed with the test's result, not asserted. */
// biome-ignore lint/suspicious/noConsole: the file's report (timings, node outputs) is meant for the reader.
const report = (line: string) => console.log(line);

interface Trio {
  code: string;
  room: Room;
  /** Ann (host, on node 0, which runs the room), Bob (node 1), Cy (node 2). */
  ann: LobbyClient;
  bob: LobbyClient;
  cy: LobbyClient;
}

describe('a lobby cluster of three processes on real Redis', () => {
  let redis: RedisServer;
  let nodes: LobbyProcess[] = [];
  let clients: LobbyClient[] = [];
  let run = 0;

  beforeAll(async () => {
    buildLobby();
    redis = await startRedis();
  }, 60_000);
  afterAll(async () => {
    await redis?.stop();
  });

  beforeEach(async ({ onTestFailed }) => {
    run++;
    nodes = [];
    onTestFailed(() => {
      for (const [i, node] of nodes.entries()) report(`---- node ${i} (port ${node.port}) ----\n${node.output()}`);
    });
    // An empty Redis: an earlier test's rooms (their nodes killed) are not taken over by this test's nodes.
    await redis.restart();
  });
  afterEach(async () => {
    const opened = clients;
    clients = [];
    for (const c of opened) if (c.isOpen()) void c.close();
    // `nodes` stays set: onTestFailed (which prints their output) runs after this hook.
    await Promise.all(nodes.map((n) => n.stop('SIGTERM')));
    expect(opened.flatMap((c) => c.violations.map((v) => `${c.label}: ${v}`))).toEqual([]);
  });

  /** Three nodes on free ports; node ids fresh per test, so no test meets another's dead nodes. */
  async function startNodes(countdownMs: number): Promise<void> {
    const ports = [await freePort(), await freePort(), await freePort()];
    const started = await Promise.allSettled(
      ports.map((port, i) =>
        startLobbyProcess(port, [
          ...['--redis', redis.url, '--session-secret', SECRET, '--node-id', `t${run}n${i}`],
          ...['--lease-ms', String(LEASE_MS), '--grace-ms', String(GRACE_MS), '--countdown-ms', String(countdownMs)],
        ]),
      ),
    );
    // The ones that did start are stopped after the test even if another did not.
    nodes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    for (const s of started) if (s.status === 'rejected') throw s.reason;
  }

  function node(i: number): LobbyProcess {
    const n = nodes[i];
    if (!n) throw new Error(`no node ${i}`);
    return n;
  }

  async function player(at: number, name: string): Promise<LobbyClient> {
    const c = await connect(node(at).url, { label: `${name}@${at}` });
    clients.push(c);
    await c.hello(name);
    return c;
  }

  /** `old`'s session resumed with its token through node `at` (waiting out a takeover if need be). */
  async function resume(old: LobbyClient, at: number, name: string): Promise<LobbyClient> {
    const c = await connect(node(at).url, { label: `${name}@${at}` });
    clients.push(c);
    const welcome = await c.expectAnswer({ type: 'hello', name, token: old.token }, 'welcome', SLOW_MS);
    c.peerId = welcome.peerId;
    c.token = welcome.token;
    expect(welcome.resumed).toBe(true);
    expect(welcome.peerId).toBe(old.peerId);
    return c;
  }

  /** Ann creates a room on node 0, Bob joins by code on node 1, Cy on node 2; all see all three. */
  async function trio(): Promise<Trio> {
    const ann = await player(0, 'Ann');
    const bob = await player(1, 'Bob');
    const cy = await player(2, 'Cy');
    const created = await ann.expectAnswer({ type: 'room.create' }, 'room.state');
    const code = created.room.code;
    await bob.expectAnswer({ type: 'room.join', code }, 'room.state');
    const { room } = await cy.expectAnswer({ type: 'room.join', code }, 'room.state');
    for (const c of [ann, bob]) await c.next('room.state', (m) => m.room.peers.length === 3);
    expect(room.peers.map((p) => p.id)).toEqual([ann.peerId, bob.peerId, cy.peerId]);
    return { code, room, ann, bob, cy };
  }

  /** Every member signals every other (each pair on different nodes); each signal arrives as sent. */
  async function signalsEveryWay(members: readonly LobbyClient[], tag: string): Promise<void> {
    for (const from of members) {
      for (const to of members) {
        if (from === to) continue;
        const data = { tag, from: from.label, to: to.label };
        from.send({ type: 'signal', to: to.peerId, data });
        expect(await to.next('signal', (m) => m.from === from.peerId, SLOW_MS)).toEqual({
          type: 'signal',
          from: from.peerId,
          data,
        });
      }
    }
  }

  /** Bob and Cy ready, Ann starts: the room is in its countdown on every member. */
  async function startCountdown({ ann, bob, cy }: Trio): Promise<Room> {
    await bob.expectAnswer({ type: 'room.ready', ready: true }, 'room.state');
    await cy.expectAnswer({ type: 'room.ready', ready: true }, 'room.state');
    const started = await ann.expectAnswer({ type: 'room.start' }, 'room.state');
    expect(started.room.state).toBe(RoomState.COUNTDOWN);
    for (const c of [bob, cy]) await c.next('room.state', (m) => m.room.state === RoomState.COUNTDOWN);
    return started.room;
  }

  /** Resolves once `client`'s room.chat is answered, retrying every `tryMs` (requests sent to a dead owner are lost). */
  async function untilAnswered(client: LobbyClient, text: string, tryMs = 200): Promise<void> {
    await waitFor(
      async () => {
        const answer = await client.request({ type: 'room.chat', text }, tryMs);
        return answer.type === 'room.chat';
      },
      `${client.label}'s room.chat answered`,
      { timeoutMs: SLOW_MS, intervalMs: 0, retryOnError: true },
    );
  }

  /** Polls with `client`'s room.chat until answered; reports (at once) and returns the ms since `since`. */
  /**
   * Waits (SLOW_MS at most) until `client`'s room answers again and reports how long that took;
   * how fast is bench:lobby --cluster's figure, not this test's.
   */
  async function answeredAfter(client: LobbyClient, since: number, what: string): Promise<void> {
    await untilAnswered(client, 'anyone there?');
    const ms = performance.now() - since;
    report(`${what}: ${client.label}'s room.chat answered ${ms.toFixed(0)} ms after the kill (lease ${LEASE_MS} ms)`);
  }

  /** The last messages each client received, for a failure's report. */
  function recent(members: readonly LobbyClient[]): string {
    return members
      .map((c) => {
        const left = c.log.filter((m) => m.type === 'room.left').length;
        const last = c.log.slice(-4).map((m) => `  ${JSON.stringify(m).slice(0, 300)}`);
        return [`${c.label} (open: ${c.isOpen()}, room.left received: ${left}) last received:`, ...last].join('\n');
      })
      .join('\n');
  }

  /** Room states `client` received from message `from` of its log on. */
  const statesSince = (client: LobbyClient, from: number) =>
    client.log.slice(from).flatMap((m) => (m.type === 'room.state' ? [m.room] : []));

  /** The room as the members knew it, apart from who is connected. */
  const shape = (room: Room) => ({
    code: room.code,
    hostId: room.hostId,
    peers: room.peers.map((p) => ({ id: p.id, seq: p.seq, name: p.name })),
  });

  it('relays room changes and signals between members on three nodes, up to playing', async () => {
    await startNodes(300);
    const t = await trio();
    await signalsEveryWay([t.ann, t.bob, t.cy], 'open');
    await startCountdown(t);
    for (const c of [t.ann, t.bob, t.cy]) await c.next('room.state', (m) => m.room.state === RoomState.PLAYING);
    await signalsEveryWay([t.ann, t.bob, t.cy], 'playing');
  });

  it('kill -9 of the owner during the countdown: the room is taken over and its countdown completes', async () => {
    await startNodes(2500);
    const t = await trio();
    const countdown = await startCountdown(t);
    const marks = { bob: t.bob.log.length, cy: t.cy.log.length };

    const killedAt = performance.now();
    await node(0).stop('SIGKILL');
    // Bob (node 1) keeps asking while Ann comes back through node 1 with her token.
    const [, ann] = await Promise.all([
      answeredAfter(t.bob, killedAt, 'kill -9 during countdown'),
      resume(t.ann, 1, 'Ann'),
    ]);
    await answeredAfter(ann, killedAt, 'kill -9 during countdown');
    expect(t.bob.isOpen() && t.cy.isOpen()).toBe(true);

    // Nobody restarts the countdown: it ends on its own, for everyone.
    for (const c of [ann, t.bob, t.cy]) {
      const playing = await c.next('room.state', (m) => m.room.state === RoomState.PLAYING, SLOW_MS);
      expect(shape(playing.room)).toEqual(shape(countdown));
    }
    // A state still in the countdown after the takeover kept its deadline.
    for (const room of [...statesSince(ann, 0), ...statesSince(t.bob, marks.bob), ...statesSince(t.cy, marks.cy)]) {
      expect(room.state).not.toBe(RoomState.OPEN);
      if (room.state === RoomState.COUNTDOWN) expect(room.countdownEndsAt).toBe(countdown.countdownEndsAt);
    }
    await waitFor(
      () => t.bob.log.some((m) => m.type === 'room.state' && m.room.peers.every((p) => p.connected)),
      'Bob to see every member connected again',
      { timeoutMs: SLOW_MS },
    );
    await signalsEveryWay([ann, t.bob, t.cy], 'after kill');
    expect(t.bob.isOpen() && t.cy.isOpen()).toBe(true);
  });

  it('kill -9 of the owner during play: the room is taken over and never stops playing', async () => {
    await startNodes(300);
    const t = await trio();
    await startCountdown(t);
    let playing: Room | null = null;
    for (const c of [t.ann, t.bob, t.cy]) {
      playing = (await c.next('room.state', (m) => m.room.state === RoomState.PLAYING)).room;
    }
    if (!playing) throw new Error('not playing');
    const marks = { bob: t.bob.log.length, cy: t.cy.log.length };

    const killedAt = performance.now();
    await node(0).stop('SIGKILL');
    const [, ann] = await Promise.all([answeredAfter(t.bob, killedAt, 'kill -9 during play'), resume(t.ann, 2, 'Ann')]);

    const back = await ann.next('room.state', (m) => m.room.peers.every((p) => p.connected), SLOW_MS);
    expect(back.room.state).toBe(RoomState.PLAYING);
    expect(shape(back.room)).toEqual(shape(playing));
    await signalsEveryWay([ann, t.bob, t.cy], 'after kill');
    expect(t.bob.isOpen() && t.cy.isOpen()).toBe(true);
    const seen = [...statesSince(ann, 0), ...statesSince(t.bob, marks.bob), ...statesSince(t.cy, marks.cy)];
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.map((room) => room.state).filter((s) => s !== RoomState.PLAYING)).toEqual([]);
  });

  it('SIGTERM of a node: its clients get 1012 and resume elsewhere, the others keep their sockets', async () => {
    await startNodes(300);
    const t = await trio();

    // The owner first: Ann resumes through node 2 as soon as she is told to (the node may still be exiting).
    const ownerStoppedAt = performance.now();
    const ownerExited = node(0)
      .stop('SIGTERM')
      .then(() => performance.now() - ownerStoppedAt);
    expect((await t.ann.closed).code).toBe(CloseCode.SERVICE_RESTART);
    const ann = await resume(t.ann, 2, 'Ann');
    const annBack = await ann.next('room.state', (m) => m.room.peers.every((p) => p.connected), SLOW_MS);
    const annBackMs = performance.now() - ownerStoppedAt;
    report(
      `SIGTERM of the owner: Ann resumed elsewhere, every member connected, ${annBackMs.toFixed(0)} ms after ` +
        `the signal; the process exited ${(await ownerExited).toFixed(0)} ms after it`,
    );
    expect(shape(annBack.room)).toEqual(shape(t.room));
    expect(t.bob.isOpen() && t.cy.isOpen()).toBe(true);
    await signalsEveryWay([ann, t.bob, t.cy], 'after owner stop');

    // Then a gateway (maybe the room's new owner): Bob resumes through node 2 as well.
    const gatewayExited = node(1).stop('SIGTERM');
    expect((await t.bob.closed).code).toBe(CloseCode.SERVICE_RESTART);
    const bob = await resume(t.bob, 2, 'Bob');
    const bobBack = await bob.next('room.state', (m) => m.room.peers.every((p) => p.connected), SLOW_MS);
    await gatewayExited;
    expect(shape(bobBack.room)).toEqual(shape(t.room));
    expect(ann.isOpen() && t.cy.isOpen()).toBe(true);
    await signalsEveryWay([ann, bob, t.cy], 'after gateway stop');
    expect([ann, bob, t.cy].flatMap((c) => c.log.filter((m) => m.type === 'room.left'))).toEqual([]);
  });

  /**
   * Redis crashes, stays away for a second while `meanwhile` runs, and comes back empty (so every
   * lease, heartbeat, room and session the nodes saved is gone); resolves once every node says it
   * has its store again (and has saved again what it runs). Resolves with what `meanwhile` did.
   */
  async function restartRedis<T>(meanwhile: () => Promise<T>): Promise<T> {
    await redis.kill();
    const killedAt = performance.now();
    const result = await meanwhile();
    await letTimePass(Math.max(0, 1000 - (performance.now() - killedAt)));
    await redis.restart();
    const backAt = performance.now();
    await waitFor(
      () => nodes.every((n) => n.output().includes('cluster store reachable again')),
      () => `every node to reach the restarted Redis:\n${nodes.map((n) => n.output()).join('\n')}`,
      { timeoutMs: SLOW_MS },
    );
    report(
      `Redis restart: every node had its store again ${(performance.now() - backAt).toFixed(0)} ms after it was up`,
    );
    return result;
  }

  /** `client` creates a room once the cluster answers (requests may go unanswered until then). */
  function createdOnceAnswered(client: LobbyClient): Promise<Room> {
    return waitFor(
      async () => {
        const answer = await client.request({ type: 'room.create' }, 1000);
        return answer.type === 'room.state' && answer.room;
      },
      `${client.label}'s room created after the Redis restart`,
      { timeoutMs: SLOW_MS, intervalMs: 200, retryOnError: true },
    );
  }

  it('a Redis restart: members keep their sockets, and the cluster works again once it is back', async () => {
    await startNodes(300);
    const t = await trio();
    const members = [t.ann, t.bob, t.cy];
    await restartRedis(async () => {
      expect(members.every((c) => c.isOpen())).toBe(true);
    });
    expect(members.every((c) => c.isOpen())).toBe(true);

    // A new room, created on node 1 and joined on node 2.
    const dee = await player(1, 'Dee');
    const fay = await player(2, 'Fay');
    const { code } = await createdOnceAnswered(dee);
    await fay.expectAnswer({ type: 'room.join', code }, 'room.state', SLOW_MS);
    await dee.next('room.state', (m) => m.room.peers.length === 2);
    await signalsEveryWay([dee, fay], 'new room');

    // The existing room: its members' signals between nodes flow again, nobody was let go.
    await waitFor(
      async () => {
        t.bob.send({ type: 'signal', to: t.cy.peerId, data: 'probe' });
        await t.cy.next('signal', (m) => m.from === t.bob.peerId, 300);
        return true;
      },
      'a signal from Bob (node 1) to Cy (node 2) after the Redis restart',
      { timeoutMs: SLOW_MS, intervalMs: 0, retryOnError: true, report: () => recent(members) },
    );
    for (const c of members) c.drain();
    await signalsEveryWay(members, 'after redis restart');
    expect(members.every((c) => c.isOpen())).toBe(true);
    expect(members.flatMap((c) => c.log.filter((m) => m.type === 'room.left'))).toEqual([]);
    const chat = await t.bob.expectAnswer({ type: 'room.chat', text: 'still here' }, 'room.chat', SLOW_MS);
    expect(chat.from).toBe(t.bob.peerId);
  });

  it('a client that said hello while Redis was away gets answers and signals once it is back', async () => {
    await startNodes(300);
    const { eve, outageAnswer } = await restartRedis(async () => {
      // A hello needs nothing from Redis; a room does: every request has an answer
      // (docs/lobby-protocol.md), an error at least.
      const eve = await player(2, 'Eve');
      const outageAnswer = eve.request({ type: 'room.create' }, 2000).then(
        (answer) => answer.type,
        (error: Error) => error.message,
      );
      return { eve, outageAnswer };
    });
    const dee = await player(1, 'Dee');
    const { code } = await createdOnceAnswered(dee);
    await eve.expectAnswer({ type: 'room.join', code }, 'room.state', SLOW_MS);
    await dee.next('room.state', (m) => m.room.peers.length === 2);
    await signalsEveryWay([dee, eve], 'identified during the outage');
    expect(await outageAnswer).toMatch(/^(error|room\.state)$/);
  });
});
