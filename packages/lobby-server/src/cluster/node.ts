/**
 * One node of a lobby cluster: lobby nodes sharing a {@link StateStore} (Redis) so that players of
 * one room may be connected to different nodes, and a node that dies or shuts down costs no room.
 *
 * Who does what:
 * - A room runs on one node at a time, its *owner*, under a lease (leases.ts). The owner also holds
 *   the sessions of the room's members (their session machines, graces, budgets), so every rule
 *   between sessions and rooms runs in one registry, unchanged from a lone node.
 * - A client's socket is on whichever node it connected to, its *gateway*. When its session lives
 *   on another node (the owner of its room), the gateway forwards its messages there, and that
 *   node answers through a *guest* connection that publishes to the gateway. Signals are the
 *   exception: a gateway publishes them straight to the target peer's channel, heard by the
 *   target's gateway, one hop (each gateway knows which room its clients are in): signals.ts.
 * - A session without a room lives on its gateway. Joining a room run elsewhere moves it there.
 * - The owner saves every room change (its XState persisted snapshot) and every session change
 *   (token hash, name, room) to the store, writing before it tells anyone.
 * - When an owner dies, its lease runs out (`leaseMs`); the first node that needs the room (a
 *   member's gateway noticing the owner's heartbeat is gone, or a member resuming) takes the lease
 *   and runs the room from its snapshot: every member away until back, `restoring` for one grace
 *   (the host keeps its role, a playing room keeps playing), a countdown's deadline kept.
 * - On SIGTERM a node gives its leases back, tells the gateways of its guests to move them, and
 *   closes its own sockets with 1012 (service restart): its clients resume on another node.
 *
 * This module holds where rooms run (leases, takeovers), both sides of a connection whose session
 * lives on another node (gateway and guest: adopt, rehome) and the beat, composing:
 * - messages.ts: the messages between nodes (channel `n:<node>`, JSON, `k` the kind);
 * - lanes.ts: each connection's tasks run in order, and what counts as the cluster unavailable;
 * - signals.ts: the signal relay between gateways (per-peer channels, learned routes, batches).
 */
import { createHash } from 'node:crypto';
import {
  type ClientMessageOf,
  CloseCode,
  ErrorCode,
  LeftReason,
  Limits,
  parseClientMessage,
  type Rid,
  type RoomListEntry,
  RoomState,
  withRid,
} from '@tickmesh/protocol';
import { ByteBudget } from '../byte-budget.js';
import type { LobbyConfig } from '../config.js';
import { dispatchMessage, type HandledClient, type MessageRouter, type RoomMessage } from '../connection-handler.js';
import type { Logger } from '../logger.js';
import { persistRoom } from '../machines/room.machine.js';
import { bump, type LobbyCounters } from '../metrics.js';
import type { Client, Connection, Registry, RegistryClusterHooks, Session } from '../registry.js';
import type { RoomEntry } from '../rooms.js';
import type { Signer } from '../signing.js';
import { ClusterUnavailable, createLaneRunner, guarded, type Lane, newLane } from './lanes.js';
import { LeaseKeeper } from './leases.js';
import type { NodeMessage } from './messages.js';
import { createSignalRelay } from './signals.js';
import type { RoomSummary, StateStore } from './store.js';

export interface ClusterNodeDeps {
  store: StateStore;
  nodeId: string;
  signer: Signer;
  config: Pick<LobbyConfig, 'leaseMs' | 'graceMs' | 'relayBytesPerS'>;
  counters: LobbyCounters;
  logger: Logger;
  /** Monotonic clock, ms. */
  monotonicMs: () => number;
}

/** A connection to this node, as the cluster sees it. */
interface Gate {
  readonly key: string;
  readonly client: HandledClient;
  /** Its peer id once its hello is resolved. */
  peerId: string | null;
  /** Its name, from its last hello. */
  name: string;
  /** Said hello (it may still be resolving). */
  greeted: boolean;
  /** Its `hello`, while forwarded to its home and not yet answered (sent again if that home dies). */
  pendingHello: string | null;
  /** Where its session lives when not on this node. */
  remote: Remote | null;
  readonly lane: Lane;
  closed: boolean;
}

interface Remote {
  node: string;
  token: string;
  /** Its room, as the messages passing through say. */
  room: string | null;
  /** Signal data it may still relay (the same budget its session had here, if it had one). */
  relay: ByteBudget;
}

/** A connection to another node whose session lives here. */
interface Guest extends Client {
  readonly key: string;
  readonly gateway: string;
  readonly lane: Lane;
}

/** How long a peer's record outlives its last change (a session lives far shorter). */
const PEER_TTL_MS = 24 * 60 * 60 * 1000;
/** A deleted room's code is kept out of circulation this long (as on a lone node). */
const CODE_RETIREMENT_MS = 10 * 60 * 1000;
/** How often a node looks for rooms nobody runs (their node died and no member came back yet). */
const ORPHAN_SWEEP_MS = 2_000;
/** Rooms one sweep looks at, drawn at random. */
const ORPHAN_SAMPLE = 32;
/** How long a node remembers where a guest moved, for its `gone`. */
const MOVED_MEMORY_MS = 60_000;
/** A room's adopt bouncing between nodes more often than this is dropped. */
const MAX_HOPS = 4;

export type ClusterNode = ReturnType<typeof createClusterNode>;

export function createClusterNode(deps: ClusterNodeDeps) {
  const { nodeId, signer, config, counters, logger, monotonicMs } = deps;
  const store = guarded(deps.store);
  const stats = counters.cluster;
  const leases = new LeaseKeeper(
    store,
    nodeId,
    { ttlMs: config.leaseMs, marginMs: Math.max(100, Math.round(config.leaseMs / 5)) },
    monotonicMs,
  );
  let registry: Registry | null = null;
  const gates = new Map<string, Gate>();
  const gateOf = new WeakMap<Client, Gate>();
  const guests = new Map<string, Guest>();
  /** Each room's place in creation order across the cluster, for `room.list`. */
  const listSeqs = new Map<string, number>();
  let nextConn = 0;
  let ticker: ReturnType<typeof setInterval> | null = null;
  let storeDown = false;
  let stopping = false;
  let nextSweep = 0;
  /** Until when (monotonic ms) no node is judged dead for a missing heartbeat (see tick). */
  let quietUntil = 0;
  /** How often the node beats: heartbeat, lease renewal, watching other nodes. */
  const beatMs = Math.max(100, Math.round(config.leaseMs / 3));
  /** Guests that moved on from here, and where, so that their `gone` follows them (kept a minute). */
  const moved = new Map<string, { node: string; at: number }>();
  const run = createLaneRunner({ counters, logger, storeFailed, busy: (client) => busy(client, undefined) });
  const signals = createSignalRelay<Gate>({
    store,
    nodeId,
    counters,
    monotonicMs,
    roomOf: roomOfGate,
    budgetOf: (gate) => (gate.client.session ? gate.client.session.relay : gate.remote?.relay),
    tell,
    refuse,
    storeFailed,
  });

  const reg = (): Registry => {
    if (!registry) throw new Error('cluster node used before attach()');
    return registry;
  };

  // ---- talking to other nodes ----------------------------------------------------------------

  function storeFailed(what: string, error: unknown): void {
    stats.storeErrors++;
    if (storeDown || stopping) return;
    storeDown = true;
    logger.warn(`cluster store unreachable (${what}); rooms run here go on, nothing moves between nodes`, {
      error: error instanceof Error ? error.message : String(error),
    });
  }

  function tell(node: string, message: NodeMessage): void {
    if (!store.post(`n:${node}`, JSON.stringify(message))) storeFailed('publish', new Error('not connected'));
  }

  /** A connection whose session lives here but whose socket is on `gateway`. */
  function guestConnection(key: string, gateway: string): Connection {
    return {
      send: (text) => tell(gateway, { k: 'send', c: key, t: text }),
      close: (code, reason) => {
        guests.delete(key);
        tell(gateway, { k: 'close', c: key, code, reason });
      },
    };
  }

  /** The answer to a request the cluster cannot serve now. */
  function busy(client: Client, rid: Rid | undefined): void {
    const text = 'the lobby cluster cannot serve this now (store unreachable or a room moving); try again';
    refuse(client, ErrorCode.BAD_STATE, text, rid);
  }

  /** A connection whose session the cluster cannot resolve now: it reconnects later, maybe elsewhere. */
  function tryLater(client: Client): void {
    client.conn.close(CloseCode.TRY_AGAIN_LATER, 'lobby cluster unavailable; try again');
  }

  function refuse(client: Client, code: ErrorCode, message: string, rid: Rid | undefined): void {
    bump(counters.errorsByCode, code);
    client.conn.send(JSON.stringify(withRid({ type: 'error', code, message }, rid)));
  }

  // ---- what the store keeps --------------------------------------------------------------------

  const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

  function savePeer(session: Session): void {
    if (stopping) return;
    const peer = {
      tokenHash: hashToken(session.token),
      name: session.actor.context.name,
      room: session.actor.context.roomCode,
      node: nodeId,
    };
    store.savePeer(session.peerId, peer, PEER_TTL_MS).catch((error) => storeFailed('savePeer', error));
  }

  function summaryOf(entry: RoomEntry): RoomSummary {
    const { context, value } = entry.actor.getSnapshot();
    return {
      code: entry.code,
      public: context.public,
      listSeq: listSeqs.get(entry.code) ?? 0,
      players: context.peers.length,
      maxPlayers: context.maxPlayers,
      state: value as string,
    };
  }

  /** Saves a room run here; a room whose lease another node holds now is dropped. */
  function saveRoom(entry: RoomEntry): void {
    if (stopping) return;
    const room = { snapshot: persistRoom(entry.actor.getPersistedSnapshot()), summary: summaryOf(entry) };
    store.saveRoom(entry.code, nodeId, room).then(
      (saved) => {
        if (!saved && reg().rooms.get(entry.code) === entry) loseRoom(entry.code);
      },
      (error) => storeFailed('saveRoom', error),
    );
  }

  const hooks: RegistryClusterHooks = {
    sessionChanged: savePeer,
    sessionExpired(session) {
      store.deletePeer(session.peerId).catch((error) => storeFailed('deletePeer', error));
    },
    roomChanged: saveRoom,
    roomRemoved(entry) {
      listSeqs.delete(entry.code);
      store
        .deleteRoom(entry.code, nodeId, CODE_RETIREMENT_MS)
        .then(() => leases.release(entry.code))
        .catch((error) => storeFailed('deleteRoom', error));
    },
  };

  // ---- where rooms run -------------------------------------------------------------------------

  /**
   * The node running room `code` (taking it over here when its owner is gone), or null when the
   * cluster has no such room. Waits out the lease of an owner that died, at most about two leases.
   */
  async function homeOfRoom(code: string, address: string): Promise<string | null> {
    const rooms = reg().rooms;
    const deadline = monotonicMs() + 2 * config.leaseMs + 500;
    for (;;) {
      if (rooms.get(code) && leases.holds(code)) return nodeId;
      if (monotonicMs() > deadline) throw new ClusterUnavailable(`room ${code}: its owner's lease did not run out`);
      const owner = await store.leaseOwner(code);
      if (owner !== null && owner !== nodeId) {
        if (await store.isAlive(owner)) return owner;
        await sleep(100); // its node died: the lease runs out within leaseMs
        continue;
      }
      // No room saved: none to run (and its code's lease is left alone, for a node that runs it
      // to take again after a store that restarted empty).
      if (!rooms.get(code) && !(await store.loadRoom(code))) return null;
      if (!(await leases.acquire(code))) continue;
      if (rooms.get(code)) return nodeId;
      const stored = await store.loadRoom(code);
      if (!stored) {
        await leases.release(code);
        return null;
      }
      if (!rooms.get(code)) {
        rooms.takeOver(code, stored.snapshot, address);
        listSeqs.set(code, stored.summary.listSeq);
        stats.takeovers++;
        logger.info(`cluster: took room ${code} over`, { state: stored.summary.state });
      }
      return nodeId;
    }
  }

  /** A code free across the cluster, its lease held by this node. */
  async function reserveCode(): Promise<string> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const code = reg().rooms.newRoomCode();
      if (await store.codeTaken(code)) continue;
      if (await leases.acquire(code)) {
        listSeqs.set(code, await store.nextListSeq());
        return code;
      }
    }
    throw new ClusterUnavailable('no free room code');
  }

  /**
   * Room `code` runs elsewhere now (this node lost its lease): it stops here, and the connections
   * of its members find its new home.
   */
  function loseRoom(code: string): void {
    const r = reg();
    const entry = r.rooms.drop(code);
    listSeqs.delete(code);
    if (!entry) return;
    stats.leasesLost++;
    logger.warn(`cluster: room ${code} is run by another node now; stopped here`);
    for (const peer of entry.actor.getSnapshot().context.peers) {
      const session = r.sessions.byId(peer.id);
      if (session?.actor.context.roomCode !== code) continue;
      const client = session.client;
      r.sessions.detach(session);
      if (!client) continue;
      const guest = guests.get((client as Guest).key);
      if (guest === client) {
        guests.delete(guest.key);
        tell(guest.gateway, { k: 'rehome', c: guest.key, from: nodeId });
        continue;
      }
      const gate = gateOf.get(client);
      if (!gate) continue;
      gate.remote = { node: nodeId, token: session.token, room: code, relay: session.relay };
      run(
        gate.lane,
        client,
        () => rehome(gate),
        () => tryLater(client),
      );
    }
  }

  // ---- a connection's messages, where its session lives ----------------------------------------

  /**
   * One message of a client whose session lives here (on its own socket or a guest's). Room
   * requests run here; joining a room another node runs moves the session there.
   */
  function atHome(client: Client, msg: RoomMessage, signalDataJson: string, text: string): void | Promise<void> {
    const r = reg();
    const session = client.session;
    if (!session) return refuse(client, ErrorCode.NOT_IDENTIFIED, 'send hello first', msg.rid);
    const roomCode = session.actor.context.roomCode;
    if (roomCode !== null && r.rooms.get(roomCode) && !leases.holds(roomCode)) {
      // The lease lapsed (this node was slow): act on the room only once it is ours again.
      return (async () => {
        if (!(await leases.acquire(roomCode))) {
          loseRoom(roomCode);
          throw new ClusterUnavailable(`room ${roomCode} moved to another node`);
        }
        return atHome(client, msg, signalDataJson, text);
      })();
    }
    const inRoom = roomCode !== null;
    switch (msg.type) {
      case 'room.create':
        if (inRoom) break;
        return createRoom(client, session, msg);
      case 'room.join':
        if (inRoom || r.rooms.get(msg.code)) break;
        // Guessing codes: an address past its budget learns nothing, here or on another node.
        if (!r.joinBudgetOpen(client, msg.rid)) return;
        return joinElsewhere(client, session, msg.code, text, msg.rid);
      case 'room.quickplay':
        if (inRoom) break;
        return quickplay(client, session, msg);
      case 'room.list':
        return list(client, msg);
      case 'room.restore':
        if (r.rooms.get(msg.room.code)) break;
        return restore(client, session, msg, text);
      default:
        break;
    }
    dispatchMessage(r, client, session, msg, signalDataJson);
  }

  async function createRoom(client: Client, session: Session, msg: ClientMessageOf<'room.create'>): Promise<void> {
    const r = reg();
    const code = await reserveCode();
    if (stillHere(client, session)) r.roomCreate(client, session, msg, code);
    const entry = r.rooms.get(code);
    if (entry) saveRoom(entry);
    else {
      listSeqs.delete(code);
      await leases.release(code);
    }
  }

  async function joinElsewhere(
    client: Client,
    session: Session,
    code: string,
    text: string,
    rid: Rid | undefined,
  ): Promise<void> {
    const home = await homeOfRoom(code, client.address);
    if (!stillHere(client, session)) return;
    if (home !== null && home !== nodeId) return moveTo(client, session, home, text);
    // Here now, or no such room (the registry answers ROOM_NOT_FOUND and counts the guess).
    dispatchMessage(reg(), client, session, { type: 'room.join', code, ...(rid === undefined ? {} : { rid }) }, '');
  }

  async function quickplay(client: Client, session: Session, msg: ClientMessageOf<'room.quickplay'>): Promise<void> {
    const r = reg();
    const rid = msg.rid;
    // The fan-out budget first, as on a lone node: the pick reads every public room.
    if (!session.fanout.open(monotonicMs())) return dispatchMessage(r, client, session, msg, '');
    let best: RoomSummary | null = null;
    for (const room of await store.publicRooms()) {
      if (room.state !== RoomState.OPEN || room.players >= room.maxPlayers) continue;
      if (!best || room.players > best.players || (room.players === best.players && room.listSeq < best.listSeq)) {
        best = room;
      }
    }
    if (!stillHere(client, session)) return;
    if (!best) return createRoom(client, session, { type: 'room.create', public: true, ...withRidOf(rid) });
    const join = { type: 'room.join' as const, code: best.code, ...withRidOf(rid) };
    if (r.rooms.get(best.code)) return dispatchMessage(r, client, session, join, '');
    return joinElsewhere(client, session, best.code, JSON.stringify(join), rid);
  }

  async function list(client: Client, msg: ClientMessageOf<'room.list'>): Promise<void> {
    const after = msg.cursor === undefined ? 0 : Number.parseInt(msg.cursor, 36) || 0;
    const page = await store.listPublic(after, msg.limit ?? Limits.defaultRoomListPage);
    const rooms = page.rooms.map(
      (room): RoomListEntry => ({
        code: room.code,
        players: room.players,
        maxPlayers: room.maxPlayers,
        state: room.state as RoomState,
      }),
    );
    const last = page.rooms.at(-1);
    const next = page.more && last ? { next: last.listSeq.toString(36) } : {};
    client.conn.send(JSON.stringify(withRid({ type: 'room.list', rooms, ...next }, msg.rid)));
  }

  /** `room.restore` of a room not run here: to its owner, or taken over, or back from its ticket here. */
  async function restore(
    client: Client,
    session: Session,
    msg: ClientMessageOf<'room.restore'>,
    text: string,
  ): Promise<void> {
    const r = reg();
    const code = msg.room.code;
    // A ticket that is not ours reaches the registry, which refuses it: no lease, no lookup.
    const genuine = signer.verifyTicket(JSON.stringify(msg.room), msg.ticket);
    if (genuine && (session.actor.context.roomCode === null || session.actor.context.roomCode === code)) {
      const home = await homeOfRoom(code, client.address);
      if (!stillHere(client, session)) return;
      if (home !== null && home !== nodeId) return moveTo(client, session, home, text);
      if (home === null) {
        // The cluster has no such room: the ticket brings it back here, if its code is free.
        if ((await store.isRetired(code)) || !(await leases.acquire(code))) {
          return refuse(client, ErrorCode.ROOM_NOT_FOUND, `room ${code} has ended`, msg.rid);
        }
        listSeqs.set(code, await store.nextListSeq());
      }
    }
    dispatchMessage(r, client, session, msg, '');
    const entry = r.rooms.get(code);
    if (entry) saveRoom(entry);
    else {
      listSeqs.delete(code);
      if (leases.holds(code)) await leases.release(code);
    }
  }

  /** After a wait: whether `client` is still connected as `session` (a closed or moved one is left alone). */
  function stillHere(client: Client, session: Session): boolean {
    if (client.session !== session) return false;
    const gate = gateOf.get(client);
    if (gate) return !gate.closed;
    return guests.get((client as Guest).key) === client;
  }

  /** `client`'s session moves to `home` (the owner of the room it joins), which handles `text` there. */
  function moveTo(client: Client, session: Session, home: string, text: string): void {
    const r = reg();
    const { peerId, token } = session;
    const { name, roomCode } = session.actor.context;
    const guest = guests.get((client as Guest).key);
    r.sessions.detach(session);
    if (guest === client) {
      guests.delete(guest.key);
      moved.set(guest.key, { node: home, at: monotonicMs() });
      tell(home, {
        k: 'adopt',
        c: guest.key,
        gw: guest.gateway,
        a: client.address,
        p: peerId,
        n: name,
        t: token,
        r: roomCode,
        m: text,
      });
      tell(guest.gateway, { k: 'home', c: guest.key, node: home });
      return;
    }
    const gate = gateOf.get(client);
    if (!gate) return;
    gate.remote = { node: home, token, room: roomCode, relay: session.relay };
    stats.forwarded++;
    tell(home, {
      k: 'adopt',
      c: gate.key,
      gw: nodeId,
      a: client.address,
      p: peerId,
      n: name,
      t: token,
      r: roomCode,
      m: text,
    });
  }

  // ---- gateway: this node's own sockets --------------------------------------------------------

  function gateFor(client: HandledClient): Gate {
    let gate = gateOf.get(client);
    if (!gate) {
      gate = {
        key: `${nodeId}/${(nextConn++).toString(36)}`,
        client,
        peerId: null,
        name: '',
        greeted: false,
        pendingHello: null,
        remote: null,
        lane: newLane(),
        closed: false,
      };
      gateOf.set(client, gate);
      gates.set(gate.key, gate);
    }
    return gate;
  }

  /** Starts delivering signals for `gate`'s peer to it. */
  function listen(gate: Gate, peerId: string): void {
    gate.peerId = peerId;
    signals.listen(peerId, gate);
  }

  function identifiedHere(gate: Gate): void {
    const session = gate.client.session;
    if (!session) return;
    gate.remote = null;
    listen(gate, session.peerId);
  }

  function helloAtGateway(gate: Gate, msg: ClientMessageOf<'hello'>, text: string): void | Promise<void> {
    const r = reg();
    const client = gate.client;
    gate.name = msg.name;
    const token = msg.token;
    const peerId = token === undefined || r.sessions.byToken(token) ? null : signer.verifyToken(token);
    if (token === undefined || peerId === null) {
      r.hello(client, msg);
      return identifiedHere(gate);
    }
    return (async () => {
      const stored = await store.loadPeer(peerId);
      if (gate.closed) return;
      if (!stored) {
        // Unknown to the cluster (expired, or a store that lost its data): as on a lone node,
        // a token signed here gets its peer id back if no session holds it (`restarted`).
        r.hello(client, msg);
        return identifiedHere(gate);
      }
      if (stored.tokenHash !== hashToken(token)) {
        // A token the peer has replaced since: it resumes nothing (at most once, as on one node).
        const { token: _replaced, ...fresh } = msg;
        r.hello(client, fresh);
        return identifiedHere(gate);
      }
      const home = stored.room === null ? nodeId : ((await homeOfRoom(stored.room, client.address)) ?? nodeId);
      if (gate.closed) return;
      if (home === nodeId) {
        r.resumeHere(client, { peerId, name: msg.name, token, roomCode: stored.room }, { rid: msg.rid });
        if (stored.node !== nodeId) tell(stored.node, { k: 'drop', p: peerId });
        leftIfRoomEnded(client, stored.room);
        return identifiedHere(gate);
      }
      gate.remote = { node: home, token, room: stored.room, relay: relayBudget() };
      gate.pendingHello = text;
      listen(gate, peerId);
      tell(home, {
        k: 'adopt',
        c: gate.key,
        gw: nodeId,
        a: client.address,
        p: peerId,
        n: msg.name,
        t: token,
        r: stored.room,
        h: text,
      });
    })();
  }

  /** A peer back in a room that ended meanwhile is told so. */
  function leftIfRoomEnded(client: Client, room: string | null): void {
    if (room === null || client.session?.actor.context.roomCode === room) return;
    client.conn.send(JSON.stringify({ type: 'room.left', code: room, reason: LeftReason.LEFT }));
  }

  const relayBudget = () => new ByteBudget(config.relayBytesPerS, 4, monotonicMs());

  /** The room `gate`'s client is in, as this node knows it. */
  function roomOfGate(gate: Gate): string | null {
    return gate.remote ? gate.remote.room : (gate.client.session?.actor.context.roomCode ?? null);
  }

  /**
   * `gate`'s session's home is gone, or `from` says it no longer holds it: find where it lives now
   * (the room's owner; without a room, the node it moved to, else here).
   */
  async function rehome(gate: Gate, replay?: string, from?: string): Promise<void> {
    const remote = gate.remote;
    const peerId = gate.peerId;
    if (!remote || peerId === null || gate.closed) return;
    let home: string;
    if (remote.room !== null) {
      let found = await homeOfRoom(remote.room, gate.client.address);
      if (found === null && remote.node !== nodeId && remote.node !== from) {
        // Neither lease nor saved room, its node not heard of: the room ended with its node, or
        // the store restarted empty and that node has not saved it again yet. A lease later the
        // node is heard of again if it lives, and its room is back.
        await sleep(config.leaseMs);
        if (gate.closed) return;
        if (await store.isAlive(remote.node)) {
          if (replay !== undefined) tell(remote.node, { k: 'msg', c: gate.key, m: replay });
          return;
        }
        found = await homeOfRoom(remote.room, gate.client.address);
      }
      home = found ?? nodeId;
    } else if (remote.node !== nodeId && remote.node !== from && (await store.isAlive(remote.node))) {
      // It moved on (a `home` message came first): the message goes after it.
      home = remote.node;
      if (replay !== undefined) tell(home, { k: 'msg', c: gate.key, m: replay });
      return;
    } else home = nodeId;
    if (gate.closed) return;
    // A hello the old home never answered is answered by the new one.
    const hello = gate.pendingHello;
    if (home === nodeId) {
      gate.remote = null;
      gate.pendingHello = null;
      const parsed = hello === null ? null : parseClientMessage(hello);
      const answer = parsed?.ok && parsed.message.type === 'hello' ? { rid: parsed.message.rid } : null;
      const peer = { peerId, name: gate.name, token: remote.token, roomCode: remote.room };
      reg().resumeHere(gate.client, peer, answer);
      leftIfRoomEnded(gate.client, remote.room);
    } else {
      remote.node = home;
      tell(home, {
        k: 'adopt',
        c: gate.key,
        gw: nodeId,
        a: gate.client.address,
        p: peerId,
        n: gate.name,
        t: remote.token,
        r: remote.room,
        ...(hello === null ? {} : { h: hello }),
      });
    }
    if (replay !== undefined) replayMessage(gate, replay);
  }

  function replayMessage(gate: Gate, text: string): void {
    const parsed = parseClientMessage(text);
    if (!parsed.ok || parsed.message.type === 'hello' || parsed.message.type === 'ping') return;
    routeMessage(gate, parsed.message, parsed.signalDataJson ?? 'null', text);
  }

  function routeMessage(gate: Gate, msg: RoomMessage, signalDataJson: string, text: string): void | Promise<void> {
    if (msg.type === 'signal') return signals.signal(gate, msg.to, signalDataJson, msg.rid);
    if (msg.type === 'room.list') return list(gate.client, msg);
    if (gate.remote) {
      stats.forwarded++;
      // Not tell(): a message that cannot go must reach run(), which answers the request.
      const message: NodeMessage = { k: 'msg', c: gate.key, m: text };
      if (!store.post(`n:${gate.remote.node}`, JSON.stringify(message))) {
        throw new ClusterUnavailable('store post: not connected');
      }
      return;
    }
    return atHome(gate.client, msg, signalDataJson, text);
  }

  /** A message from home for one of this node's sockets. */
  function toGate(gate: Gate, message: NodeMessage): void {
    switch (message.k) {
      case 'send':
        if (gate.remote) follow(gate, gate.remote, message.t);
        gate.client.conn.send(message.t);
        return;
      case 'close':
        gate.client.conn.close(message.code, message.reason);
        return;
      case 'home':
        if (gate.remote) gate.remote.node = message.node;
        return;
      case 'rehome':
        if (!gate.remote) {
          // Already home here (an earlier rehome): the message in flight is handled here.
          const replay = message.m;
          if (replay !== undefined) run(gate.lane, gate.client, () => replayMessage(gate, replay));
          return;
        }
        run(
          gate.lane,
          gate.client,
          () => rehome(gate, message.m, message.from),
          () => tryLater(gate.client),
        );
        return;
      default:
        return;
    }
  }

  /** What a remote-homed connection's gateway learns from the messages it passes on. */
  function follow(gate: Gate, remote: Remote, text: string): void {
    if (text.startsWith('{"type":"room.state"')) {
      remote.room = (JSON.parse(text) as { room: { code: string } }).room.code;
    } else if (text.startsWith('{"type":"room.left"')) {
      remote.room = null;
    } else if (text.startsWith('{"type":"welcome"')) {
      remote.token = (JSON.parse(text) as { token: string }).token;
      gate.pendingHello = null;
    }
  }

  // ---- home: sessions of connections on other nodes ------------------------------------------

  function guestFor(key: string, gateway: string, address: string): Guest {
    let guest = guests.get(key);
    if (!guest) {
      guest = { key, gateway, address, conn: guestConnection(key, gateway), session: null, lane: newLane() };
      guests.set(key, guest);
    }
    return guest;
  }

  async function adopt(message: Extract<NodeMessage, { k: 'adopt' }>, guest: Guest): Promise<void> {
    const r = reg();
    if (message.r !== null && !r.rooms.get(message.r)) {
      const home = await homeOfRoom(message.r, message.a);
      if (home !== null && home !== nodeId) {
        guests.delete(guest.key);
        moved.set(guest.key, { node: home, at: monotonicMs() });
        if ((message.hops ?? 0) >= MAX_HOPS)
          return tell(message.gw, {
            k: 'close',
            c: message.c,
            code: CloseCode.SERVICE_RESTART,
            reason: 'lobby cluster busy',
          });
        tell(home, { ...message, hops: (message.hops ?? 0) + 1 });
        return tell(message.gw, { k: 'home', c: message.c, node: home });
      }
    }
    let rid: Rid | undefined;
    let name = message.n;
    if (message.h !== undefined) {
      const hello = parseClientMessage(message.h);
      if (hello.ok && hello.message.type === 'hello') {
        rid = hello.message.rid;
        name = hello.message.name;
      }
    }
    const peer = { peerId: message.p, name, token: message.t, roomCode: message.r };
    r.resumeHere(guest, peer, message.h === undefined ? null : { rid });
    if (message.h !== undefined) leftIfRoomEnded(guest, message.r);
    if (message.m !== undefined) fromGuest(guest, message.m);
  }

  function fromGuest(guest: Guest, text: string): void {
    const parsed = parseClientMessage(text);
    if (!parsed.ok || parsed.message.type === 'hello' || parsed.message.type === 'ping') return;
    const msg = parsed.message;
    run(
      guest.lane,
      guest,
      () => {
        if (guests.get(guest.key) !== guest)
          return tell(guest.gateway, { k: 'rehome', c: guest.key, from: nodeId, m: text });
        return atHome(guest, msg, parsed.signalDataJson ?? 'null', text);
      },
      () => busy(guest, msg.rid),
    );
  }

  function onNodeMessage(raw: string): void {
    let message: NodeMessage;
    try {
      message = JSON.parse(raw) as NodeMessage;
    } catch {
      return;
    }
    const r = reg();
    switch (message.k) {
      case 'adopt': {
        const guest = guestFor(message.c, message.gw, message.a);
        run(
          guest.lane,
          guest,
          () => adopt(message, guest),
          () => tryLater(guest),
        );
        return;
      }
      case 'msg': {
        const guest = guests.get(message.c);
        const gateway = message.c.slice(0, message.c.lastIndexOf('/'));
        if (!guest) return tell(gateway, { k: 'rehome', c: message.c, from: nodeId, m: message.m });
        return fromGuest(guest, message.m);
      }
      case 'gone': {
        const guest = guests.get(message.c);
        if (!guest) {
          // It moved on from here: its new home is told.
          const next = moved.get(message.c);
          moved.delete(message.c);
          if (next !== undefined) tell(next.node, { k: 'gone', c: message.c });
          return;
        }
        guests.delete(message.c);
        run(guest.lane, guest, () => r.disconnect(guest));
        return;
      }
      case 'unroute':
        signals.unroute(message.p);
        return;
      case 'drop': {
        const session = r.sessions.byId(message.p);
        if (!session || session.actor.context.roomCode !== null) return;
        const client = session.client;
        r.sessions.detach(session);
        client?.conn.close(CloseCode.SESSION_TAKEN_OVER, 'session resumed elsewhere');
        return;
      }
      default: {
        const gate = gates.get(message.c);
        if (gate) toGate(gate, message);
        // Its socket closed before it heard that its session moved: the new home is told.
        else if (message.k === 'home') tell(message.node, { k: 'gone', c: message.c });
      }
    }
  }

  // ---- the beat: heartbeat, leases, dead nodes ---------------------------------------------------

  async function tick(): Promise<void> {
    if (!(await store.heartbeat(nodeId, config.leaseMs))) {
      // Our own heartbeat was gone: the store was away a lease or more, or restarted empty. Other
      // nodes' heartbeats are gone too until their next beat: nobody is judged dead for a lease.
      quietUntil = monotonicMs() + config.leaseMs + beatMs;
    }
    let wasDown = storeDown;
    // Leases renewed too late (this node was slow) are still ours: taken again at once. Leases
    // gone from the store, that nobody else took: the store was away, or restarted empty (maybe
    // too briefly for a call here to fail): taken again, and everything saved again.
    const lapsed = await leases.renewAll();
    for (const code of listSeqs.keys()) if (!leases.holds(code) && !lapsed.includes(code)) lapsed.push(code);
    for (const code of lapsed) {
      if (!reg().rooms.get(code)) continue;
      const owner = await store.leaseOwner(code);
      if ((owner === null || owner === nodeId) && (await leases.acquire(code))) {
        if (owner === null) wasDown = true;
        continue;
      }
      loseRoom(code);
    }
    if (wasDown) {
      storeDown = false;
      logger.info('cluster store reachable again; saving what this node runs');
      resync();
    }
    await watchNodes();
    const now = monotonicMs();
    signals.expireRoutes(now);
    for (const [key, move] of moved) if (move.at + MOVED_MEMORY_MS <= now) moved.delete(key);
    if (monotonicMs() >= nextSweep && monotonicMs() >= quietUntil) {
      // Apart from the beat: a takeover may wait out a lease, and the heartbeat must not wait.
      nextSweep = Number.POSITIVE_INFINITY;
      takeOrphans()
        .catch((error) => storeFailed('orphan sweep', error))
        .finally(() => {
          nextSweep = monotonicMs() + ORPHAN_SWEEP_MS;
        });
    }
  }

  /**
   * Rooms whose node died and that no member has asked for yet are taken over here, so that they
   * run somewhere: their members find them, and members who never come back are removed after
   * the grace (a room nobody returns to ends, leaving `room.list` and quick play).
   */
  async function takeOrphans(): Promise<void> {
    for (const code of await store.orphans(ORPHAN_SAMPLE)) {
      if (stopping) return;
      if (!reg().rooms.get(code)) await homeOfRoom(code, 'cluster');
    }
  }

  /** After the store was away (maybe restarted empty): everything run here is saved again. */
  function resync(): void {
    const r = reg();
    signals.resubscribe();
    for (const session of r.sessions.all()) savePeer(session);
    for (const code of listSeqs.keys()) {
      const entry = r.rooms.get(code);
      if (entry) saveRoom(entry);
    }
  }

  /** Connections homed on a node that died find a new home; guests from a dead gateway are gone. */
  async function watchNodes(): Promise<void> {
    if (monotonicMs() < quietUntil) return;
    const nodes = new Set<string>();
    for (const gate of gates.values()) if (gate.remote && gate.remote.node !== nodeId) nodes.add(gate.remote.node);
    for (const guest of guests.values()) nodes.add(guest.gateway);
    const dead = new Set<string>();
    for (const node of nodes) if (!(await store.isAlive(node))) dead.add(node);
    if (dead.size === 0) return;
    for (const gate of gates.values()) {
      if (gate.remote && dead.has(gate.remote.node)) {
        run(
          gate.lane,
          gate.client,
          () => rehome(gate),
          () => tryLater(gate.client),
        );
      }
    }
    for (const guest of [...guests.values()]) {
      if (!dead.has(guest.gateway)) continue;
      guests.delete(guest.key);
      run(guest.lane, guest, () => reg().disconnect(guest));
    }
  }

  // ---- the router the connection handler calls ---------------------------------------------------

  const router: MessageRouter = {
    hello(client, msg, text) {
      const gate = gateFor(client);
      if (gate.greeted) {
        return run(gate.lane, client, () => refuse(client, ErrorCode.BAD_STATE, 'already identified', msg.rid));
      }
      gate.greeted = true;
      run(
        gate.lane,
        client,
        () => helloAtGateway(gate, msg, text),
        () => tryLater(client),
      );
    },
    identified(client) {
      return client.session !== null || gateOf.get(client)?.greeted === true;
    },
    message(client, msg, signalDataJson, text) {
      const gate = gateFor(client);
      run(
        gate.lane,
        client,
        () => routeMessage(gate, msg, signalDataJson, text),
        () => busy(client, msg.rid),
      );
    },
    closed(client) {
      const gate = gateOf.get(client);
      if (!gate) return reg().disconnect(client);
      gate.closed = true;
      gates.delete(gate.key);
      if (gate.peerId !== null) signals.unlisten(gate.peerId, gate);
      if (gate.remote) tell(gate.remote.node, { k: 'gone', c: gate.key });
      else reg().disconnect(client);
    },
  };

  return {
    nodeId,
    hooks,
    router,
    /** Binds the registry (made with {@link hooks}) and starts: the node's channel, heartbeat, leases. */
    async attach(bound: Registry): Promise<void> {
      registry = bound;
      await store.subscribe(`n:${nodeId}`, onNodeMessage);
      await store.subscribe(`b:${nodeId}`, signals.onBatch);
      await store.heartbeat(nodeId, config.leaseMs);
      let ticking = false;
      ticker = setInterval(() => {
        if (ticking || stopping) return;
        ticking = true;
        tick()
          .catch((error) => storeFailed('heartbeat', error))
          .finally(() => {
            ticking = false;
          });
      }, beatMs);
      ticker.unref();
    },
    leaseCount: () => leases.codes().length,
    /**
     * Graceful shutdown: leases given back (rooms stay saved), the gateways of guests told to move
     * them at once, this node forgotten. The caller then closes its sockets with 1012.
     */
    async shutdown(): Promise<void> {
      if (stopping) return;
      stopping = true;
      if (ticker) clearInterval(ticker);
      const settle = (p: Promise<unknown>) => p.catch((error) => storeFailed('shutdown', error));
      await settle(leases.releaseAll());
      for (const guest of guests.values()) tell(guest.gateway, { k: 'rehome', c: guest.key, from: nodeId });
      guests.clear();
      await settle(store.forgetNode(nodeId));
    },
    /** After the sockets closed: the store's connections. */
    async close(): Promise<void> {
      await store.close().catch(() => {});
    },
  };
}

function withRidOf(rid: Rid | undefined): { rid?: Rid } {
  return rid === undefined ? {} : { rid };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
