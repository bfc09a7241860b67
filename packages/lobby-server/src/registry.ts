/**
 * The registry owns sessions and rooms: one session machine per peer (run on pure transitions, see
 * machines/machine-runner.ts), one room actor per room, and
 * the maps between tokens, peer ids, room codes and live connections. It turns parsed client
 * messages into machine events and machine results into server messages. It knows nothing of
 * sockets beyond the {@link Connection} interface, and decides nothing the machines decide.
 */
import {
  type ClientMessageOf,
  CloseCode,
  ErrorCode,
  LeftReason,
  Limits,
  type PeerInfo,
  PROTOCOL_VERSION,
  type Rid,
  type Room,
  type RoomListEntry,
  type RoomSettings,
  RoomState,
  type ServerMessage,
  withRid,
} from '@tickmesh/protocol';
import { type Actor, type ActorOptions, type AnyActorLogic, createActor } from 'xstate';
import type { AddressBook } from './addresses.js';
import { ByteBudget } from './byte-budget.js';
import type { LobbyConfig } from './config.js';
import { iceServersFor } from './ice.js';
import type { IdSource } from './ids.js';
import { type MachineInstance, realTimerClock, runMachine, type TimerClock } from './machines/machine-runner.js';
import { type RoomContext, type RoomEvent, restoredRoom, roomMachine, toWireRoom } from './machines/room.machine.js';
import { type SessionEmitted, sessionMachine } from './machines/session.machine.js';
import { bump, LimitName, type LobbyCounters } from './metrics.js';
import type { Signer } from './signing.js';

/** XState's timer clock (not exported by name): its default uses setTimeout; tests pass a `SimulatedClock`. */
export type MachineClock = NonNullable<ActorOptions<AnyActorLogic>['clock']>;

/** One live WebSocket, as the registry sees it. */
export interface Connection {
  /** Sends one text frame (the transport closes a socket that stops reading). */
  send(text: string): void;
  /** Closes the socket with a WebSocket close code; idempotent. */
  close(code: number, reason: string): void;
}

/** Per-connection state shared by the socket layer and the registry. */
export interface Client {
  readonly conn: Connection;
  /** The client's address as counted by the {@link AddressBook} (IPv6 by /64). */
  readonly address: string;
  session: Session | null;
}

export interface Session {
  readonly peerId: string;
  /** `JSON.stringify(peerId)`, reused when stamping relayed signals. */
  readonly peerIdJson: string;
  /** The current token; a new one replaces it on every resume. */
  token: string;
  /** Signal bytes this peer may still have relayed (kept across reconnects, so they do not refill it). */
  readonly relay: ByteBudget;
  /** Bytes this peer's requests may still make the server send to the rest of its room. */
  readonly fanout: ByteBudget;
  /** The session machine (not an actor: thousands of idle sessions must stay cheap). */
  readonly actor: MachineInstance<typeof sessionMachine>;
  client: Client | null;
  /** While in its reconnect grace: the address it dropped from, whose limit the grace counts against. */
  graceAddress: string | null;
}

interface RoomEntry {
  readonly code: string;
  readonly actor: Actor<typeof roomMachine>;
  /** The creator's address: the room counts against its `maxRoomsPerIp` while it lives. */
  readonly address: string;
  /** Creation order among all rooms; `room.list` pages by it. */
  readonly listSeq: number;
  /** Who caused the event being processed, so their copy of `room.state` echoes their `rid`. */
  cause: { peerId: string; rid: Rid | undefined } | null;
  rejection: ErrorCode | null;
  broadcasted: boolean;
  last: { value: unknown; context: RoomContext };
}

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
}

/** A room code is not handed out again for this long after its room is deleted. */
const CODE_RETIREMENT_MS = 10 * 60 * 1000;
/** How long an expired session's peer id is remembered, so its signed token cannot revive it. */
const EXPIRED_MEMORY_MS = 60 * 60 * 1000;
/** Seconds of refill the relay and fan-out buckets hold (see config.ts). */
const RELAY_BUCKET_S = 4;
const FANOUT_BUCKET_S = 2;

export type Registry = ReturnType<typeof createRegistry>;

export function createRegistry(deps: RegistryDeps) {
  const { config, counters, ids, now, addresses, monotonicMs, signer } = deps;
  const sessionsByToken = new Map<string, Session>();
  const sessionsById = new Map<string, Session>();
  const rooms = new Map<string, RoomEntry>();
  /** Public rooms in creation order, for `room.list` pages. */
  const publicRooms: RoomEntry[] = [];
  let nextListSeq = 1;
  /** Peers whose sessions expired here, until when; their signed tokens do not restore them. */
  const expiredPeers = new Map<string, number>();
  /** Deleted rooms' codes and when they may be reused; insertion order is expiry order. */
  const retiredCodes = new Map<string, number>();

  const clockOption = deps.clock ? { clock: deps.clock } : {};
  const timerClock: TimerClock = deps.clock ?? realTimerClock;

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

  /** Charges `session` for `bytes` sent to other members because of its request. */
  function chargeFanout(session: Session | undefined, bytes: number): void {
    counters.fanoutBytes += bytes;
    session?.fanout.charge(bytes, monotonicMs());
  }

  // ---- rooms ---------------------------------------------------------------------------------

  function newRoomCode(): string {
    const t = now();
    for (const [code, until] of retiredCodes) {
      if (until > t) break;
      retiredCodes.delete(code);
    }
    for (;;) {
      const code = ids.roomCode();
      if (!rooms.has(code) && !retiredCodes.has(code)) return code;
    }
  }

  function roomState(entry: RoomEntry): RoomState {
    return entry.actor.getSnapshot().value as RoomState;
  }

  /**
   * A `room.state` of `entry` as text, with its ticket (a restart can give the room back to whoever
   * holds both), and with `rid` for the sender of the request that caused it.
   */
  function roomStateText(entry: RoomEntry, rid?: Rid): { text: string; peers: readonly PeerInfo[] } {
    const snapshot = entry.actor.getSnapshot();
    const room = toWireRoom(snapshot.context, snapshot.value as RoomState);
    const roomJson = JSON.stringify(room);
    const ridJson = rid === undefined ? '' : `,"rid":${JSON.stringify(rid)}`;
    const ticket = JSON.stringify(signer.roomTicket(roomJson));
    return { text: `{"type":"room.state","room":${roomJson},"ticket":${ticket}${ridJson}}`, peers: room.peers };
  }

  function broadcastState(entry: RoomEntry): void {
    const { text: plain, peers } = roomStateText(entry);
    const cause = entry.cause;
    let others = 0;
    for (const peer of peers) {
      const client = sessionsById.get(peer.id)?.client;
      if (!client) continue;
      if (cause && cause.peerId === peer.id) {
        client.conn.send(cause.rid === undefined ? plain : roomStateText(entry, cause.rid).text);
      } else {
        client.conn.send(plain);
        others++;
      }
    }
    entry.broadcasted = true;
    // What a request makes the server send to the others is charged to whoever sent it.
    if (others > 0) chargeFanout(cause ? sessionsById.get(cause.peerId) : undefined, others * plain.length);
  }

  function createRoom(
    options: { public: boolean; maxPlayers: number; settings: RoomSettings },
    creator: Session,
    address: string,
  ): RoomEntry {
    const code = newRoomCode();
    const actor = createActor(roomMachine, {
      ...clockOption,
      input: {
        code,
        public: options.public,
        maxPlayers: options.maxPlayers,
        settings: options.settings,
        creator: { id: creator.peerId, name: creator.actor.context.name },
        countdownMs: config.countdownMs,
        now,
      },
    });
    return track(code, options.public, actor, address);
  }

  /** Brings back a room a restart lost, from a member's ticket (see restoreRoom). */
  function createRestoredRoom(room: Room, by: Session, address: string): RoomEntry {
    const snapshot = restoredRoom({ room, by: by.peerId, countdownMs: config.countdownMs, now });
    // XState takes the input too, and ignores it when it starts from a snapshot.
    const input = {
      code: room.code,
      public: room.public,
      maxPlayers: room.maxPlayers,
      settings: room.settings,
      creator: { id: by.peerId, name: by.actor.context.name },
      countdownMs: config.countdownMs,
      now,
    };
    const actor = createActor(roomMachine, { ...clockOption, snapshot, input });
    const entry = track(room.code, room.public, actor, address);
    // Members not back when the grace ends are removed, as if their own grace had run out.
    timerClock.setTimeout(() => {
      if (rooms.get(entry.code) !== entry) return;
      for (const peer of entry.actor.getSnapshot().context.peers) {
        if (!peer.connected && !sessionsById.has(peer.id)) dispatch(entry, { type: 'leave', by: peer.id }, null);
      }
      if (rooms.get(entry.code) === entry) dispatch(entry, { type: 'restoreEnded' }, null);
    }, config.graceMs);
    return entry;
  }

  /** Registers a room actor: its broadcasts, its deletion, the indexes; then starts it. */
  function track(code: string, isPublic: boolean, actor: Actor<typeof roomMachine>, address: string): RoomEntry {
    const initial = actor.getSnapshot();
    const entry: RoomEntry = {
      code,
      actor,
      address,
      listSeq: nextListSeq++,
      cause: null,
      rejection: null,
      broadcasted: false,
      last: { value: initial.value, context: initial.context },
    };
    actor.on('rejected', (e) => {
      entry.rejection = e.code;
    });
    // Every change, whether caused by a request or by the countdown timer, reaches every member.
    actor.subscribe((snapshot) => {
      if (snapshot.status === 'done') {
        deleteRoom(entry);
        return;
      }
      if (snapshot.value === entry.last.value && snapshot.context === entry.last.context) return;
      entry.last = { value: snapshot.value, context: snapshot.context };
      broadcastState(entry);
    });
    rooms.set(code, entry);
    if (isPublic) publicRooms.push(entry);
    addresses.roomOpened(address);
    actor.start();
    return entry;
  }

  /** The room machine reached `closed` (its last member is gone); the actor has stopped itself. */
  function deleteRoom(entry: RoomEntry): void {
    if (rooms.get(entry.code) !== entry) return;
    rooms.delete(entry.code);
    const index = publicRooms.indexOf(entry);
    if (index >= 0) publicRooms.splice(index, 1);
    addresses.roomClosed(entry.address);
    retiredCodes.set(entry.code, now() + CODE_RETIREMENT_MS);
  }

  /** Sends `event` to a room on behalf of `cause`; returns the refusal code, if refused. */
  function dispatch(entry: RoomEntry, event: RoomEvent, cause: RoomEntry['cause']): ErrorCode | null {
    entry.cause = cause;
    entry.rejection = null;
    entry.broadcasted = false;
    entry.actor.send(event);
    entry.cause = null;
    return entry.rejection;
  }

  /** Answers the sender with the current room when its accepted request changed nothing. */
  function answerUnchanged(entry: RoomEntry, client: Client, rid: Rid | undefined): void {
    if (entry.broadcasted) return;
    client.conn.send(roomStateText(entry, rid).text);
  }

  function roomOf(session: Session): RoomEntry | null {
    const code = session.actor.context.roomCode;
    return code === null ? null : (rooms.get(code) ?? null);
  }

  function joinRoom(client: Client, session: Session, entry: RoomEntry, rid: Rid | undefined): void {
    const name = session.actor.context.name;
    const refused = dispatch(
      entry,
      { type: 'join', peer: { id: session.peerId, name } },
      { peerId: session.peerId, rid },
    );
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

  // ---- sessions ------------------------------------------------------------------------------

  /** A new session, with a new peer id, or with `peerId` when a restart lost it (signed token). */
  function createSession(client: Client, name: string, peerId = ids.peerId()): Session {
    const token = signer.issueToken(peerId, ids.token());
    const actor = runMachine<typeof sessionMachine, SessionEmitted>(
      sessionMachine,
      { peerId, name, graceMs: config.graceMs },
      timerClock,
      () => expireSession(session),
    );
    const nowMs = monotonicMs();
    const session: Session = {
      peerId,
      peerIdJson: JSON.stringify(peerId),
      token,
      relay: new ByteBudget(config.relayBytesPerS, config.relayBytesPerS * RELAY_BUCKET_S, nowMs),
      fanout: new ByteBudget(config.fanoutBytesPerS, config.fanoutBytesPerS * FANOUT_BUCKET_S, nowMs),
      actor,
      client,
      graceAddress: null,
    };
    sessionsByToken.set(token, session);
    sessionsById.set(peerId, session);
    return session;
  }

  /** The grace ran out (the session machine is now `gone` and stops itself): remove the peer as if it left. */
  function expireSession(session: Session): void {
    endGrace(session);
    const entry = roomOf(session);
    if (entry) dispatch(entry, { type: 'leave', by: session.peerId }, null);
    sessionsByToken.delete(session.token);
    sessionsById.delete(session.peerId);
    // Its signed token must not bring the id back (that is for restarts): remembered a while.
    expiredPeers.set(session.peerId, now() + EXPIRED_MEMORY_MS);
    for (const [peerId, until] of expiredPeers) {
      if (until > now()) break;
      expiredPeers.delete(peerId);
    }
  }

  // ---- message handlers ----------------------------------------------------------------------

  function hello(client: Client, msg: ClientMessageOf<'hello'>): void {
    if (client.session) return sendError(client, ErrorCode.BAD_STATE, 'already identified', msg.rid);
    const existing = msg.token === undefined ? undefined : sessionsByToken.get(msg.token);
    if (!existing) {
      // A token this server signed, for a peer it holds no session of: it restarted (or the
      // session expired). The peer gets its id back; its room, if any, comes back by room.restore.
      const signedFor = msg.token === undefined ? null : signer.verifyToken(msg.token);
      const restarted = signedFor !== null && !sessionsById.has(signedFor) && !expiredPeers.has(signedFor);
      const session = createSession(client, msg.name, restarted ? signedFor : undefined);
      client.session = session;
      send(client, welcome(session, restarted, msg.rid, restarted));
      return;
    }
    // Resume: same peer id, same room, the new name, a new token (the one just used stops
    // working, so a token seen by someone else resumes at most once). A live connection is taken
    // over (4001).
    const previous = existing.client;
    if (previous) {
      previous.session = null;
      previous.conn.close(CloseCode.SESSION_TAKEN_OVER, 'session resumed elsewhere');
    }
    sessionsByToken.delete(existing.token);
    existing.token = signer.issueToken(existing.peerId, ids.token());
    sessionsByToken.set(existing.token, existing);
    existing.client = client;
    client.session = existing;
    endGrace(existing);
    const wasLive = previous !== null;
    const { leftWhileAway } = existing.actor.context;
    existing.actor.send(wasLive ? { type: 'renamed', name: msg.name } : { type: 'resumed', name: msg.name });
    send(client, welcome(existing, true, msg.rid));
    if (leftWhileAway) send(client, { type: 'room.left', code: leftWhileAway.code, reason: leftWhileAway.reason });
    const entry = roomOf(existing);
    if (entry) {
      dispatch(
        entry,
        { type: 'resume', by: existing.peerId, name: msg.name },
        { peerId: existing.peerId, rid: msg.rid },
      );
      answerUnchanged(entry, client, msg.rid);
    }
  }

  function welcome(session: Session, resumed: boolean, rid: Rid | undefined, restarted = false): ServerMessage {
    return withRid(
      {
        type: 'welcome',
        peerId: session.peerId,
        token: session.token,
        iceServers: iceServersFor(config, session.peerId, now()),
        resumed,
        protocol: PROTOCOL_VERSION,
        ...(restarted ? { restarted: true as const } : {}),
      },
      rid,
    );
  }

  /** False (and the sender told) when a new room would pass the per-address or total room limit. */
  function mayCreateRoom(client: Client, rid: Rid | undefined): boolean {
    if (rooms.size >= config.maxRooms) {
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

  function roomCreate(client: Client, session: Session, msg: ClientMessageOf<'room.create'>): void {
    if (roomOf(session)) return sendError(client, ErrorCode.ALREADY_IN_ROOM, 'leave your room first', msg.rid);
    if (!mayCreateRoom(client, msg.rid)) return;
    const entry = createRoom(
      {
        public: msg.public ?? false,
        maxPlayers: msg.maxPlayers ?? Limits.defaultMaxPlayers,
        settings: msg.settings ?? {},
      },
      session,
      client.address,
    );
    session.actor.send({ type: 'joined', code: entry.code });
    entry.cause = { peerId: session.peerId, rid: msg.rid };
    broadcastState(entry);
    entry.cause = null;
  }

  function roomJoin(client: Client, session: Session, msg: ClientMessageOf<'room.join'>): void {
    if (roomOf(session)) return sendError(client, ErrorCode.ALREADY_IN_ROOM, 'leave your room first', msg.rid);
    const nowMs = monotonicMs();
    // Guessing codes: past its budget an address learns nothing more, whether the code is right or not.
    if (!addresses.mayJoin(client.address, nowMs)) {
      const text = 'too many codes of no room from your address; wait a minute';
      return refuseLimit(client, LimitName.joinFailures, ErrorCode.TOO_MANY_FAILED_JOINS, text, msg.rid);
    }
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
    // Rooms iterate in creation order, so on a tie the first seen (the oldest) stays best.
    let best: RoomEntry | null = null;
    let bestPlayers = -1;
    for (const entry of rooms.values()) {
      const snapshot = entry.actor.getSnapshot();
      const { context } = snapshot;
      if (!context.public || snapshot.value !== RoomState.OPEN) continue;
      const players = context.peers.length;
      if (players >= context.maxPlayers) continue;
      if (players > bestPlayers) {
        best = entry;
        bestPlayers = players;
      }
    }
    if (!fanoutOpen(client, session, msg.rid)) return;
    if (best) return joinRoom(client, session, best, msg.rid);
    roomCreate(client, session, {
      type: 'room.create',
      public: true,
      ...(msg.rid === undefined ? {} : { rid: msg.rid }),
    });
  }

  /** One page of the public rooms in creation order, after `cursor` (a `listSeq`, from `next`). */
  function roomList(client: Client, msg: ClientMessageOf<'room.list'>): void {
    const limit = msg.limit ?? Limits.defaultRoomListPage;
    const after = msg.cursor === undefined ? 0 : Number.parseInt(msg.cursor, 36) || 0;
    // publicRooms is sorted by listSeq: find the first room after the cursor by bisection.
    let lo = 0;
    let hi = publicRooms.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((publicRooms[mid]?.listSeq ?? 0) <= after) lo = mid + 1;
      else hi = mid;
    }
    const page = publicRooms.slice(lo, lo + limit);
    const list: RoomListEntry[] = page.map((entry) => {
      const { context, value } = entry.actor.getSnapshot();
      return {
        code: entry.code,
        players: context.peers.length,
        maxPlayers: context.maxPlayers,
        state: value as RoomState,
      };
    });
    const last = page.at(-1);
    const more = lo + limit < publicRooms.length && last !== undefined;
    send(
      client,
      withRid(
        more ? { type: 'room.list', rooms: list, next: last.listSeq.toString(36) } : { type: 'room.list', rooms: list },
        msg.rid,
      ),
    );
  }

  function roomLeave(client: Client, session: Session, msg: ClientMessageOf<'room.leave'>): void {
    const entry = roomOf(session);
    if (!entry) return sendError(client, ErrorCode.NOT_IN_ROOM, 'you are in no room', msg.rid);
    removeFromRoom(session, LeftReason.LEFT, msg.rid);
    dispatch(entry, { type: 'leave', by: session.peerId }, null);
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
      dispatch(
        live,
        { type: 'resume', by: session.peerId, name: session.actor.context.name },
        { peerId: session.peerId, rid },
      );
      return answerUnchanged(live, client, rid);
    }
    if (retiredCodes.has(room.code))
      return sendError(client, ErrorCode.ROOM_NOT_FOUND, `room ${room.code} has ended`, rid);
    if (!mayCreateRoom(client, rid)) return;
    const entry = createRestoredRoom(room, session, client.address);
    session.actor.send({ type: 'joined', code: entry.code });
    entry.cause = { peerId: session.peerId, rid };
    broadcastState(entry);
    entry.cause = null;
  }

  /** ready, settings, start, end, kick: the machine decides; the sender always gets an answer. */
  function roomRequest(client: Client, session: Session, event: RoomEvent, rid: Rid | undefined): void {
    const entry = roomOf(session);
    if (!entry) return sendError(client, ErrorCode.NOT_IN_ROOM, 'you are in no room', rid);
    if (!fanoutOpen(client, session, rid)) return;
    const kicked = event.type === 'kick' ? sessionsById.get(event.target) : undefined;
    const refused = dispatch(entry, event, { peerId: session.peerId, rid });
    if (refused) return sendError(client, refused, refusalText(refused, entry.code), rid);
    if (kicked) removeFromRoom(kicked, LeftReason.KICKED);
    answerUnchanged(entry, client, rid);
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
      const target = sessionsById.get(peer.id)?.client;
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
    const target = sessionsById.get(to);
    const code = session.actor.context.roomCode;
    if (!target || target === session || !target.client || code === null || target.actor.context.roomCode !== code) {
      return sendError(client, ErrorCode.PEER_NOT_FOUND, 'no connected member of your room has that peer id', rid);
    }
    // Charged to the sender as the frame carried it: a receiver gets at most what senders may relay.
    if (!session.relay.take(dataJson.length, monotonicMs())) {
      const text = 'you relayed too many signal bytes in the last seconds; this signal was dropped';
      return refuseLimit(client, LimitName.relayBytes, ErrorCode.RATE_LIMITED, text, rid);
    }
    target.client.conn.send(`{"type":"signal","from":${session.peerIdJson},"data":${dataJson}}`);
    counters.signalsRelayed++;
    counters.relayedBytes += dataJson.length;
  }

  /** A session left its reconnect grace (resumed or expired): its address no longer holds it. */
  function endGrace(session: Session): void {
    if (session.graceAddress === null) return;
    addresses.graceEnded(session.graceAddress);
    session.graceAddress = null;
  }

  /** The socket closed: its session, if any, enters its reconnect grace. */
  function disconnect(client: Client): void {
    const session = client.session;
    client.session = null;
    if (!session || session.client !== client) return;
    session.client = null;
    session.graceAddress = client.address;
    addresses.graceStarted(client.address);
    session.actor.send({ type: 'disconnected' });
    const entry = roomOf(session);
    if (entry) dispatch(entry, { type: 'disconnect', by: session.peerId }, null);
  }

  /** Server shutdown: every member still in a room is told it is closed, then every machine stops. */
  function shutdown(): void {
    for (const entry of rooms.values()) {
      for (const peer of entry.actor.getSnapshot().context.peers) {
        const client = sessionsById.get(peer.id)?.client;
        if (client) send(client, { type: 'room.left', code: entry.code, reason: LeftReason.CLOSED });
      }
      entry.actor.stop();
    }
    for (const session of sessionsById.values()) session.actor.stop();
    rooms.clear();
    sessionsById.clear();
    sessionsByToken.clear();
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
    sessionCount: () => sessionsById.size,
    roomCount: () => rooms.size,
    roomsByState(): Record<string, number> {
      const byState: Record<string, number> = {};
      for (const entry of rooms.values()) {
        const state = roomState(entry);
        byState[state] = (byState[state] ?? 0) + 1;
      }
      return byState;
    },
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
