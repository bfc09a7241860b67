/**
 * The registry turns parsed client messages into session and room events and machine results into
 * server messages. Sessions live in sessions.ts, rooms in rooms.ts; the registry holds the rules
 * between them (who may create, join, restore, signal) and decides nothing the machines decide. It
 * knows nothing of sockets beyond the {@link Connection} interface.
 */
import {
  type ClientMessageOf,
  CloseCode,
  ErrorCode,
  LeftReason,
  Limits,
  PROTOCOL_VERSION,
  type Rid,
  type ServerMessage,
  withRid,
} from '@tickmesh/protocol';
import type { AddressBook } from './addresses.js';
import type { LobbyConfig } from './config.js';
import { iceServersFor } from './ice.js';
import type { IdSource } from './ids.js';
import { realTimerClock } from './machines/machine-runner.js';
import type { RoomEvent } from './machines/room.machine.js';
import { bump, LimitName, type LobbyCounters } from './metrics.js';
import { type Cause, createRoomDirectory, type MachineClock, type RoomEntry } from './rooms.js';
import { type Client, createSessionDirectory, type Session } from './sessions.js';
import type { Signer } from './signing.js';

export type { MachineClock } from './rooms.js';
export type { Client, Connection, Session } from './sessions.js';

export interface RegistryDeps {
  config: Pick<
    LobbyConfig,
    | 'graceMs'
    | 'countdownMs'
    | 'stunUrls'
    | 'turnUrls'
    | 'turnSecret'
    | 'turnTtlS'
    | 'maxRooms'
    | 'relayBytesPerS'
    | 'fanoutBytesPerS'
  >;
  counters: LobbyCounters;
  ids: IdSource;
  /** Signs tokens and room tickets with the session secret (signing.ts). */
  signer: Signer;
  addresses: AddressBook;
  /** Wall clock, epoch ms (chat `at`, `countdownEndsAt`, TURN expiry, code retirement). */
  now: () => number;
  /** Monotonic clock, ms (byte budgets, failed-join windows). */
  monotonicMs: () => number;
  /** Clock for machine timers; XState's default (setTimeout) when absent. */
  clock?: MachineClock;
  /** What a cluster node wants to hear of (cluster/node.ts); absent on a lone node. */
  cluster?: RegistryClusterHooks;
}

/** Changes a cluster node saves to the shared store. */
export interface RegistryClusterHooks {
  /** A session began here, or its token, name or room changed. */
  sessionChanged(session: Session): void;
  /** A session's grace ran out here. */
  sessionExpired(session: Session): void;
  /** A room run here changed (called before its members are told). */
  roomChanged(entry: RoomEntry): void;
  /** A room run here ended. */
  roomRemoved(entry: RoomEntry): void;
}

export type Registry = ReturnType<typeof createRegistry>;

export function createRegistry(deps: RegistryDeps) {
  const { config, counters, ids, now, addresses, monotonicMs, signer } = deps;
  const timerClock = deps.clock ?? realTimerClock;
  const sessions = createSessionDirectory({
    config,
    ids,
    signer,
    addresses,
    now,
    monotonicMs,
    timerClock,
    // The grace ran out: the peer leaves its room as if it had asked to.
    onExpired(session) {
      const entry = roomOf(session);
      if (entry) rooms.dispatch(entry, { type: 'leave', by: session.peerId }, null);
      deps.cluster?.sessionExpired(session);
    },
    ...(deps.cluster ? { onChange: deps.cluster.sessionChanged } : {}),
  });
  const rooms = createRoomDirectory({
    config,
    ids,
    signer,
    addresses,
    now,
    clock: deps.clock,
    timerClock,
    connectionOf: (peerId) => sessions.clientOf(peerId)?.conn ?? null,
    inRoom: (peerId, code) => sessions.byId(peerId)?.actor.context.roomCode === code,
    // What a request makes the server send to the others is charged to whoever sent it.
    chargeFanout: (cause, chars) => chargeFanout(cause ? sessions.byId(cause.peerId) : undefined, chars),
    ...(deps.cluster ? { onChange: deps.cluster.roomChanged, onRemoved: deps.cluster.roomRemoved } : {}),
  });

  // ---- sending -------------------------------------------------------------------------------

  function send(client: Client, message: ServerMessage): void {
    client.conn.send(JSON.stringify(message));
  }

  function sendError(client: Client, code: ErrorCode, message: string, rid?: Rid): void {
    bump(counters.errorsByCode, code);
    send(client, withRid({ type: 'error', code, message }, rid));
  }

  /** Refuses a request because of `limit`, counted under it. */
  function refuseLimit(client: Client, limit: LimitName, code: ErrorCode, message: string, rid?: Rid): void {
    bump(counters.limitHits, limit);
    sendError(client, code, message, rid);
  }

  /** False (and the sender told) when `session`'s requests have overdrawn what they may make the server send. */
  function fanoutOpen(client: Client, session: Session, rid: Rid | undefined): boolean {
    if (session.fanout.open(monotonicMs())) return true;
    refuseLimit(
      client,
      LimitName.fanoutBytes,
      ErrorCode.RATE_LIMITED,
      'your room requests made the server send too much to your room; wait a moment',
      rid,
    );
    return false;
  }

  /** Charges `session` for `chars` (UTF-16 units of JSON text) sent to other members because of its request. */
  function chargeFanout(session: Session | undefined, chars: number): void {
    counters.fanoutBytes += chars;
    session?.fanout.charge(chars, monotonicMs());
  }

  // ---- rooms ---------------------------------------------------------------------------------

  function roomOf(session: Session): RoomEntry | null {
    const code = session.actor.context.roomCode;
    return code === null ? null : (rooms.get(code) ?? null);
  }

  function causeOf(session: Session, rid: Rid | undefined): Cause {
    return { peerId: session.peerId, rid };
  }

  function joinRoom(client: Client, session: Session, entry: RoomEntry, rid: Rid | undefined): void {
    const name = session.actor.context.name;
    const refused = rooms.dispatch(entry, { type: 'join', peer: { id: session.peerId, name } }, causeOf(session, rid));
    if (refused) return sendError(client, refused, refusalText(refused, entry.code), rid);
    session.actor.send({ type: 'joined', code: entry.code });
  }

  /** Removes a session from its room (leave, kick, grace expiry) and tells it if it can hear. */
  function removeFromRoom(session: Session, reason: LeftReason, rid?: Rid): void {
    const entry = roomOf(session);
    if (!entry) return;
    session.actor.send({ type: 'left', code: entry.code, reason });
    if (session.client) send(session.client, withRid({ type: 'room.left', code: entry.code, reason }, rid));
  }

  // ---- message handlers ----------------------------------------------------------------------

  function hello(client: Client, msg: ClientMessageOf<'hello'>): void {
    if (client.session) return sendError(client, ErrorCode.BAD_STATE, 'already identified', msg.rid);
    const existing = msg.token === undefined ? undefined : sessions.byToken(msg.token);
    if (!existing) {
      // A token this server signed, for a peer it holds no session of: it restarted. The peer
      // gets its id back; its room, if any, comes back by room.restore.
      const restartedPeer = msg.token === undefined ? null : sessions.restartedPeer(msg.token);
      const session = sessions.create(client, msg.name, restartedPeer ?? undefined);
      client.session = session;
      send(client, welcome(session, restartedPeer === null ? 'new' : 'restarted', msg.rid));
      return;
    }
    // Resume: same peer id, same room, the new name, a new token (the one just used stops
    // working, so a token seen by someone else resumes at most once). A live connection is taken
    // over (4001).
    const { leftWhileAway } = existing.actor.context;
    takeOverSession(existing, client, msg.name, true);
    send(client, welcome(existing, 'resumed', msg.rid));
    if (leftWhileAway) send(client, { type: 'room.left', code: leftWhileAway.code, reason: leftWhileAway.reason });
    const entry = roomOf(existing);
    if (entry) {
      rooms.dispatch(entry, { type: 'resume', by: existing.peerId, name: msg.name }, causeOf(existing, msg.rid));
      rooms.answerUnchanged(entry, client.conn, msg.rid);
    }
  }

  /**
   * `client` takes `session` over under `name` (with a new token when `newToken`): a live
   * connection of it is closed with 4001, a session in its grace comes back.
   */
  function takeOverSession(session: Session, client: Client, name: string, newToken: boolean): void {
    const previous = session.client;
    if (previous && previous !== client) {
      previous.session = null;
      previous.conn.close(CloseCode.SESSION_TAKEN_OVER, 'session resumed elsewhere');
    }
    sessions.resume(session, client, newToken);
    session.actor.send(previous ? { type: 'renamed', name } : { type: 'resumed', name });
  }

  /**
   * `welcome` for a session that is `new`, `resumed` from its token, or `restarted`: given its peer
   * id back by a token this server signed before a restart (resumed too, without its room).
   */
  function welcome(session: Session, start: 'new' | 'resumed' | 'restarted', rid: Rid | undefined): ServerMessage {
    return withRid(
      {
        type: 'welcome',
        peerId: session.peerId,
        token: session.token,
        iceServers: iceServersFor(config, session.peerId, now()),
        resumed: start !== 'new',
        protocol: PROTOCOL_VERSION,
        ...(start === 'restarted' ? { restarted: true as const } : {}),
      },
      rid,
    );
  }

  /** False (and the sender told) when a new room would pass the per-address or total room limit. */
  function mayCreateRoom(client: Client, rid: Rid | undefined): boolean {
    if (rooms.size() >= config.maxRooms) {
      refuseLimit(client, LimitName.rooms, ErrorCode.TOO_MANY_ROOMS, 'the server holds all the rooms it can', rid);
      return false;
    }
    if (!addresses.mayCreateRoom(client.address)) {
      const text = 'your address has created as many rooms as it may hold at once';
      refuseLimit(client, LimitName.roomsPerIp, ErrorCode.TOO_MANY_ROOMS, text, rid);
      return false;
    }
    return true;
  }

  /** `code`: one a cluster reserved for this room (a new one when absent). */
  function roomCreate(client: Client, session: Session, msg: ClientMessageOf<'room.create'>, code?: string): void {
    if (roomOf(session)) return sendError(client, ErrorCode.ALREADY_IN_ROOM, 'leave your room first', msg.rid);
    if (!mayCreateRoom(client, msg.rid)) return;
    const options = {
      public: msg.public ?? false,
      maxPlayers: msg.maxPlayers ?? Limits.defaultMaxPlayers,
      settings: msg.settings ?? {},
    };
    const creator = { id: session.peerId, name: session.actor.context.name };
    const entry = rooms.create(options, creator, client.address, causeOf(session, msg.rid), code);
    session.actor.send({ type: 'joined', code: entry.code });
  }

  /**
   * False (and the sender told) when `client`'s address named too many codes of no room lately:
   * past its budget an address learns nothing more, whether the code is right or not (guessing).
   */
  function joinBudgetOpen(client: Client, rid: Rid | undefined): boolean {
    if (addresses.mayJoin(client.address, monotonicMs())) return true;
    const text = 'too many codes of no room from your address; wait a minute';
    refuseLimit(client, LimitName.joinFailures, ErrorCode.TOO_MANY_FAILED_JOINS, text, rid);
    return false;
  }

  function roomJoin(client: Client, session: Session, msg: ClientMessageOf<'room.join'>): void {
    if (roomOf(session)) return sendError(client, ErrorCode.ALREADY_IN_ROOM, 'leave your room first', msg.rid);
    if (!joinBudgetOpen(client, msg.rid)) return;
    const nowMs = monotonicMs();
    const entry = rooms.get(msg.code);
    if (!entry) {
      addresses.joinFailed(client.address, nowMs);
      return sendError(client, ErrorCode.ROOM_NOT_FOUND, `no room ${msg.code}`, msg.rid);
    }
    if (!fanoutOpen(client, session, msg.rid)) return;
    joinRoom(client, session, entry, msg.rid);
  }

  function roomQuickplay(client: Client, session: Session, msg: ClientMessageOf<'room.quickplay'>): void {
    if (roomOf(session)) return sendError(client, ErrorCode.ALREADY_IN_ROOM, 'leave your room first', msg.rid);
    if (!fanoutOpen(client, session, msg.rid)) return;
    // After the budget check: the pick scans every room.
    const best = rooms.quickplayPick();
    if (best) return joinRoom(client, session, best, msg.rid);
    roomCreate(client, session, {
      type: 'room.create',
      public: true,
      ...(msg.rid === undefined ? {} : { rid: msg.rid }),
    });
  }

  function roomList(client: Client, msg: ClientMessageOf<'room.list'>): void {
    const page = rooms.page(msg.cursor, msg.limit ?? Limits.defaultRoomListPage);
    send(client, withRid({ type: 'room.list', ...page }, msg.rid));
  }

  function roomLeave(client: Client, session: Session, msg: ClientMessageOf<'room.leave'>): void {
    const entry = roomOf(session);
    if (!entry) return sendError(client, ErrorCode.NOT_IN_ROOM, 'you are in no room', msg.rid);
    removeFromRoom(session, LeftReason.LEFT, msg.rid);
    rooms.dispatch(entry, { type: 'leave', by: session.peerId }, null);
  }

  /**
   * `room.restore`: a member gives back a room a restart lost, as the server last sent it with its
   * ticket. The first member back brings the room back (the others away, the host kept, a playing
   * room playing); each later member is let back in as from its reconnect grace.
   */
  function roomRestore(client: Client, session: Session, msg: ClientMessageOf<'room.restore'>): void {
    const { room, rid } = msg;
    if (!signer.verifyTicket(JSON.stringify(room), msg.ticket)) {
      return sendError(
        client,
        ErrorCode.BAD_MESSAGE,
        "room.restore: the ticket is not this server's for that room",
        rid,
      );
    }
    if (!room.peers.some((p) => p.id === session.peerId)) {
      return sendError(client, ErrorCode.PEER_NOT_FOUND, 'room.restore: you are not a member of that room', rid);
    }
    const current = roomOf(session);
    if (current && current.code !== room.code)
      return sendError(client, ErrorCode.ALREADY_IN_ROOM, 'leave your room first', rid);
    const live = rooms.get(room.code);
    if (live) {
      if (!live.actor.getSnapshot().context.peers.some((p) => p.id === session.peerId)) {
        return sendError(client, ErrorCode.BAD_STATE, `room ${room.code} is live without you`, rid);
      }
      session.actor.send({ type: 'joined', code: live.code });
      const event = { type: 'resume', by: session.peerId, name: session.actor.context.name } as const;
      rooms.dispatch(live, event, causeOf(session, rid));
      return rooms.answerUnchanged(live, client.conn, rid);
    }
    if (rooms.isRetired(room.code))
      return sendError(client, ErrorCode.ROOM_NOT_FOUND, `room ${room.code} has ended`, rid);
    if (!mayCreateRoom(client, rid)) return;
    const by = { id: session.peerId, name: session.actor.context.name };
    const entry = rooms.restore(room, by, client.address, causeOf(session, rid));
    session.actor.send({ type: 'joined', code: entry.code });
  }

  /** ready, settings, start, end, kick: the machine decides; the sender always gets an answer. */
  function roomRequest(client: Client, session: Session, event: RoomEvent, rid: Rid | undefined): void {
    const entry = roomOf(session);
    if (!entry) return sendError(client, ErrorCode.NOT_IN_ROOM, 'you are in no room', rid);
    if (!fanoutOpen(client, session, rid)) return;
    const kicked = event.type === 'kick' ? sessions.byId(event.target) : undefined;
    const refused = rooms.dispatch(entry, event, causeOf(session, rid));
    if (refused) return sendError(client, refused, refusalText(refused, entry.code), rid);
    if (kicked) removeFromRoom(kicked, LeftReason.KICKED);
    rooms.answerUnchanged(entry, client.conn, rid);
  }

  function roomChat(client: Client, session: Session, msg: ClientMessageOf<'room.chat'>): void {
    const entry = roomOf(session);
    if (!entry) return sendError(client, ErrorCode.NOT_IN_ROOM, 'you are in no room', msg.rid);
    if (!fanoutOpen(client, session, msg.rid)) return;
    const { name } = session.actor.context;
    const chat = { type: 'room.chat', from: session.peerId, name, text: msg.text, at: now() } as const;
    const plain = JSON.stringify(chat);
    let others = 0;
    for (const peer of entry.actor.getSnapshot().context.peers) {
      const target = sessions.clientOf(peer.id);
      if (!target) continue;
      if (target === client) {
        if (msg.rid !== undefined) send(client, { ...chat, rid: msg.rid });
        else target.conn.send(plain);
      } else {
        target.conn.send(plain);
        others++;
      }
    }
    chargeFanout(session, others * plain.length);
  }

  /** The hot path: relays one signal to another connected member of the sender's room. */
  function signal(client: Client, session: Session, to: string, dataJson: string, rid: Rid | undefined): void {
    const target = sessions.byId(to);
    const code = session.actor.context.roomCode;
    if (!target || target === session || !target.client || code === null || target.actor.context.roomCode !== code) {
      return sendError(client, ErrorCode.PEER_NOT_FOUND, 'no connected member of your room has that peer id', rid);
    }
    // Charged to the sender as the frame carried it, in characters (UTF-16 units, not UTF-8 bytes:
    // no count on the hot path): a receiver gets at most what senders may relay.
    if (!session.relay.take(dataJson.length, monotonicMs())) {
      const text = 'you relayed too many signal bytes in the last seconds; this signal was dropped';
      return refuseLimit(client, LimitName.relayBytes, ErrorCode.RATE_LIMITED, text, rid);
    }
    target.client.conn.send(`{"type":"signal","from":${session.peerIdJson},"data":${dataJson}}`);
    counters.signalsRelayed++;
    counters.relayedBytes += dataJson.length;
  }

  // ---- sessions moving between the nodes of a cluster (cluster/node.ts) -----------------------

  /**
   * `client` goes on here as peer `peerId`, whose session another node held (it moved here, or
   * that node died or shut down) or this node holds under a token the client no longer has. With
   * `hello`, the client said hello: it gets `welcome` (resumed) with a new token, as on a resume.
   * Without, the connection just moves (nothing is sent but room changes), keeping `token`. If the
   * peer is a member of `roomCode` and this node runs that room, it is back in it.
   */
  function resumeHere(
    client: Client,
    peer: { peerId: string; name: string; token: string; roomCode: string | null },
    hello: { rid: Rid | undefined } | null,
  ): Session {
    let session = sessions.byId(peer.peerId);
    if (session) takeOverSession(session, client, peer.name, hello !== null);
    else {
      session = sessions.create(client, peer.name, peer.peerId, hello === null ? peer.token : undefined);
      client.session = session;
    }
    if (hello) send(client, welcome(session, 'resumed', hello.rid));
    const entry = roomOf(session) ?? (peer.roomCode === null ? undefined : rooms.get(peer.roomCode));
    if (entry?.actor.getSnapshot().context.peers.some((p) => p.id === peer.peerId)) {
      if (session.actor.context.roomCode !== entry.code) session.actor.send({ type: 'joined', code: entry.code });
      const event = { type: 'resume', by: peer.peerId, name: peer.name } as const;
      rooms.dispatch(entry, event, causeOf(session, hello?.rid));
      if (hello) rooms.answerUnchanged(entry, client.conn, hello.rid);
    }
    return session;
  }

  /** `client`'s session moves to another node: forgotten here, its room not told. */
  function detach(client: Client): Session | null {
    const session = client.session;
    if (!session) return null;
    sessions.detach(session);
    return session;
  }

  /** The socket closed: its session, if any, enters its reconnect grace. */
  function disconnect(client: Client): void {
    const session = sessions.disconnect(client);
    const entry = session && roomOf(session);
    if (session && entry) rooms.dispatch(entry, { type: 'disconnect', by: session.peerId }, null);
  }

  /**
   * Server shutdown: every member still in a room is told it is closed (unless `tellMembers` is
   * false: in a cluster, another node takes the room over), then every machine stops.
   */
  function shutdown(tellMembers = true): void {
    rooms.clear((entry) => {
      if (!tellMembers) return;
      for (const peer of entry.actor.getSnapshot().context.peers) {
        const client = sessions.clientOf(peer.id);
        if (client) send(client, { type: 'room.left', code: entry.code, reason: LeftReason.CLOSED });
      }
    });
    sessions.clear();
  }

  return {
    hello,
    roomCreate,
    roomJoin,
    roomQuickplay,
    roomList,
    roomLeave,
    roomRequest,
    roomRestore,
    roomChat,
    signal,
    disconnect,
    shutdown,
    resumeHere,
    detach,
    joinBudgetOpen,
    /** The directories themselves, for a cluster node (cluster/node.ts). */
    sessions,
    rooms,
    sessionCount: sessions.size,
    roomCount: rooms.size,
    roomsByState: rooms.byState,
  };
}

function refusalText(code: ErrorCode, roomCode: string): string {
  switch (code) {
    case ErrorCode.ROOM_FULL:
      return `room ${roomCode} is full`;
    case ErrorCode.ROOM_IN_GAME:
      return `room ${roomCode} is playing and does not allow late joins`;
    case ErrorCode.NOT_HOST:
      return 'only the host may do that';
    case ErrorCode.NOT_READY:
      return 'starting needs at least 2 connected peers, every non-host ready';
    case ErrorCode.BAD_STATE:
      return "not allowed in the room's current state";
    case ErrorCode.PEER_NOT_FOUND:
      return 'no other member of your room has that peer id';
    case ErrorCode.ALREADY_IN_ROOM:
      return 'already a member of that room';
    default:
      return code;
  }
}
