/**
 * The registry owns sessions and rooms: one session machine per peer (run on pure transitions, see
 * machines/machine-runner.ts), one room actor per room, and
 * the maps between tokens, peer ids, room codes and live connections. It turns parsed client
 * messages into machine events and machine results into server messages. It knows nothing of
 * sockets beyond the {@link Connection} interface, and decides nothing the machines decide.
 */
import {
  type ClientMessageOf,
  ErrorCode,
  LeftReason,
  Limits,
  PROTOCOL_VERSION,
  type Rid,
  type RoomListEntry,
  type RoomSettings,
  RoomState,
  type ServerMessage,
  withRid,
} from '@tickmesh/protocol';
import { type Actor, type ActorOptions, type AnyActorLogic, createActor } from 'xstate';
import type { LobbyConfig } from './config.js';
import { iceServersFor } from './ice.js';
import type { IdSource } from './ids.js';
import { type MachineInstance, realTimerClock, runMachine, type TimerClock } from './machines/machine-runner.js';
import { type RoomContext, type RoomEvent, roomMachine, toWireRoom } from './machines/room.machine.js';
import { type SessionEmitted, sessionMachine } from './machines/session.machine.js';
import { bump, type LobbyCounters } from './metrics.js';

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
  session: Session | null;
}

export interface Session {
  readonly peerId: string;
  /** `JSON.stringify(peerId)`, reused when stamping relayed signals. */
  readonly peerIdJson: string;
  readonly token: string;
  /** The session machine (not an actor: thousands of idle sessions must stay cheap). */
  readonly actor: MachineInstance<typeof sessionMachine>;
  client: Client | null;
}

interface RoomEntry {
  readonly code: string;
  readonly actor: Actor<typeof roomMachine>;
  /** Who caused the event being processed, so their copy of `room.state` echoes their `rid`. */
  cause: { peerId: string; rid: Rid | undefined } | null;
  rejection: ErrorCode | null;
  broadcasted: boolean;
  last: { value: unknown; context: RoomContext };
}

export interface RegistryDeps {
  config: Pick<LobbyConfig, 'graceMs' | 'countdownMs' | 'stunUrls' | 'turnUrls' | 'turnSecret' | 'turnTtlS'>;
  counters: LobbyCounters;
  ids: IdSource;
  /** Wall clock, epoch ms (chat `at`, `countdownEndsAt`, TURN expiry, code retirement). */
  now: () => number;
  /** Clock for machine timers; XState's default (setTimeout) when absent. */
  clock?: MachineClock;
}

/** A room code is not handed out again for this long after its room is deleted. */
const CODE_RETIREMENT_MS = 10 * 60 * 1000;

export type Registry = ReturnType<typeof createRegistry>;

export function createRegistry(deps: RegistryDeps) {
  const { config, counters, ids, now } = deps;
  const sessionsByToken = new Map<string, Session>();
  const sessionsById = new Map<string, Session>();
  const rooms = new Map<string, RoomEntry>();
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

  function broadcastState(entry: RoomEntry): void {
    const snapshot = entry.actor.getSnapshot();
    const room = toWireRoom(snapshot.context, snapshot.value as RoomState);
    const plain = JSON.stringify({ type: 'room.state', room } satisfies ServerMessage);
    const cause = entry.cause;
    for (const peer of room.peers) {
      const client = sessionsById.get(peer.id)?.client;
      if (!client) continue;
      if (cause && cause.peerId === peer.id && cause.rid !== undefined) {
        send(client, { type: 'room.state', room, rid: cause.rid });
      } else {
        client.conn.send(plain);
      }
    }
    entry.broadcasted = true;
  }

  function createRoom(
    options: { public: boolean; maxPlayers: number; settings: RoomSettings },
    creator: Session,
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
    const initial = actor.getSnapshot();
    const entry: RoomEntry = {
      code,
      actor,
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
    actor.start();
    return entry;
  }

  /** The room machine reached `closed` (its last member is gone); the actor has stopped itself. */
  function deleteRoom(entry: RoomEntry): void {
    if (rooms.get(entry.code) !== entry) return;
    rooms.delete(entry.code);
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
    const snapshot = entry.actor.getSnapshot();
    send(client, withRid({ type: 'room.state', room: toWireRoom(snapshot.context, snapshot.value as RoomState) }, rid));
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

  function createSession(client: Client, name: string): Session {
    const peerId = ids.peerId();
    const token = ids.token();
    const actor = runMachine<typeof sessionMachine, SessionEmitted>(
      sessionMachine,
      { peerId, name, graceMs: config.graceMs },
      timerClock,
      () => expireSession(session),
    );
    const session: Session = { peerId, peerIdJson: JSON.stringify(peerId), token, actor, client };
    sessionsByToken.set(token, session);
    sessionsById.set(peerId, session);
    return session;
  }

  /** The grace ran out (the session machine is now `gone` and stops itself): remove the peer as if it left. */
  function expireSession(session: Session): void {
    const entry = roomOf(session);
    if (entry) dispatch(entry, { type: 'leave', by: session.peerId }, null);
    sessionsByToken.delete(session.token);
    sessionsById.delete(session.peerId);
  }

  // ---- message handlers ----------------------------------------------------------------------

  function hello(client: Client, msg: ClientMessageOf<'hello'>): void {
    if (client.session) return sendError(client, ErrorCode.BAD_STATE, 'already identified', msg.rid);
    const existing = msg.token === undefined ? undefined : sessionsByToken.get(msg.token);
    if (!existing) {
      const session = createSession(client, msg.name);
      client.session = session;
      send(client, welcome(session, false, msg.rid));
      return;
    }
    // Resume: same peer id, same room, the new name. A live connection is taken over (4001).
    const previous = existing.client;
    if (previous) {
      previous.session = null;
      previous.conn.close(4001, 'session resumed elsewhere');
    }
    existing.client = client;
    client.session = existing;
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

  function welcome(session: Session, resumed: boolean, rid: Rid | undefined): ServerMessage {
    return withRid(
      {
        type: 'welcome',
        peerId: session.peerId,
        token: session.token,
        iceServers: iceServersFor(config, session.peerId, now()),
        resumed,
        protocol: PROTOCOL_VERSION,
      },
      rid,
    );
  }

  function roomCreate(client: Client, session: Session, msg: ClientMessageOf<'room.create'>): void {
    if (roomOf(session)) return sendError(client, ErrorCode.ALREADY_IN_ROOM, 'leave your room first', msg.rid);
    const entry = createRoom(
      {
        public: msg.public ?? false,
        maxPlayers: msg.maxPlayers ?? Limits.defaultMaxPlayers,
        settings: msg.settings ?? {},
      },
      session,
    );
    session.actor.send({ type: 'joined', code: entry.code });
    entry.cause = { peerId: session.peerId, rid: msg.rid };
    broadcastState(entry);
    entry.cause = null;
  }

  function roomJoin(client: Client, session: Session, msg: ClientMessageOf<'room.join'>): void {
    if (roomOf(session)) return sendError(client, ErrorCode.ALREADY_IN_ROOM, 'leave your room first', msg.rid);
    const entry = rooms.get(msg.code);
    if (!entry) return sendError(client, ErrorCode.ROOM_NOT_FOUND, `no room ${msg.code}`, msg.rid);
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
    if (best) return joinRoom(client, session, best, msg.rid);
    roomCreate(client, session, {
      type: 'room.create',
      public: true,
      ...(msg.rid === undefined ? {} : { rid: msg.rid }),
    });
  }

  function roomList(client: Client, msg: ClientMessageOf<'room.list'>): void {
    const list: RoomListEntry[] = [];
    for (const entry of rooms.values()) {
      const { context, value } = entry.actor.getSnapshot();
      if (!context.public) continue;
      list.push({
        code: entry.code,
        players: context.peers.length,
        maxPlayers: context.maxPlayers,
        state: value as RoomState,
      });
    }
    send(client, withRid({ type: 'room.list', rooms: list }, msg.rid));
  }

  function roomLeave(client: Client, session: Session, msg: ClientMessageOf<'room.leave'>): void {
    const entry = roomOf(session);
    if (!entry) return sendError(client, ErrorCode.NOT_IN_ROOM, 'you are in no room', msg.rid);
    removeFromRoom(session, LeftReason.LEFT, msg.rid);
    dispatch(entry, { type: 'leave', by: session.peerId }, null);
  }

  /** ready, settings, start, end, kick: the machine decides; the sender always gets an answer. */
  function roomRequest(client: Client, session: Session, event: RoomEvent, rid: Rid | undefined): void {
    const entry = roomOf(session);
    if (!entry) return sendError(client, ErrorCode.NOT_IN_ROOM, 'you are in no room', rid);
    const kicked = event.type === 'kick' ? sessionsById.get(event.target) : undefined;
    const refused = dispatch(entry, event, { peerId: session.peerId, rid });
    if (refused) return sendError(client, refused, refusalText(refused, entry.code), rid);
    if (kicked) removeFromRoom(kicked, LeftReason.KICKED);
    answerUnchanged(entry, client, rid);
  }

  function roomChat(client: Client, session: Session, msg: ClientMessageOf<'room.chat'>): void {
    const entry = roomOf(session);
    if (!entry) return sendError(client, ErrorCode.NOT_IN_ROOM, 'you are in no room', msg.rid);
    const { name } = session.actor.context;
    const chat = { type: 'room.chat', from: session.peerId, name, text: msg.text, at: now() } as const;
    const plain = JSON.stringify(chat);
    for (const peer of entry.actor.getSnapshot().context.peers) {
      const target = sessionsById.get(peer.id)?.client;
      if (!target) continue;
      if (target === client && msg.rid !== undefined) send(client, { ...chat, rid: msg.rid });
      else target.conn.send(plain);
    }
  }

  /** The hot path: relays one signal to another connected member of the sender's room. */
  function signal(client: Client, session: Session, to: string, dataJson: string, rid: Rid | undefined): void {
    const target = sessionsById.get(to);
    const code = session.actor.context.roomCode;
    if (!target || target === session || !target.client || code === null || target.actor.context.roomCode !== code) {
      return sendError(client, ErrorCode.PEER_NOT_FOUND, 'no connected member of your room has that peer id', rid);
    }
    target.client.conn.send(`{"type":"signal","from":${session.peerIdJson},"data":${dataJson}}`);
    counters.signalsRelayed++;
  }

  /** The socket closed: its session, if any, enters its reconnect grace. */
  function disconnect(client: Client): void {
    const session = client.session;
    client.session = null;
    if (!session || session.client !== client) return;
    session.client = null;
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
