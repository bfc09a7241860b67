/**
 * The lobby client: protocol v1 (docs/lobby-protocol.md) over an injected WebSocket.
 *
 * - Requests are promises matched by `rid`; expected refusals are values (`{ ok: false, code }`),
 *   never exceptions.
 * - Every server frame is parsed with the protocol's schema; a bad one is logged, counted and dropped.
 * - A dropped connection is retried for as long as the game keeps the client, with exponential
 *   backoff and jitter (capped at 30 s), resuming the session by its token (same peer id, same
 *   room) while the server still holds it in its grace. Given several lobby nodes, it moves to the
 *   next after each failure, and at once when a node goes away (reconnect-plan.ts). Signals it
 *   cannot send yet (the lobby away, the room not yet confirmed, the target not connected) are
 *   kept and sent, in order, once their target can be reached (signal-queue.ts).
 * - An attempt that is not welcomed within `attemptTimeoutMs` is given up and counts as failed, so a
 *   node whose machine vanished (the SYN or the HTTP upgrade unanswered) costs that long, not the
 *   minute or more the browser or OS takes to give up on TCP.
 * - A node that goes silent without closing (its machine vanished: no FIN, no RST) is found by the
 *   keep-alive, a `ping` after `keepAliveMs` with nothing heard (keep-alive.ts), and left for the
 *   next node at once when nothing answers it within `keepAliveTimeoutMs`, not minutes later
 *   when TCP would give up.
 * - A lobby restart does not end a game: the server's `room.left` `closed` leaves the room as it
 *   is, and once back, a client the restarted server recognises (`welcome.restarted`) gives the
 *   room back with the last room and ticket it got (`room.restore`, docs/lobby-protocol.md).
 * - Its status is one union value, never a set of booleans.
 *
 * @example
 * const lobby = createLobbyClient({ url: 'ws://localhost:8080/lobby', name: 'Ann' });
 * await lobby.connect();
 * const joined = await lobby.joinRoom('ABCDEF');
 * if (!joined.ok) console.warn(joined.code); // e.g. ROOM_FULL
 * lobby.on('room', (room) => render(room));
 */
import {
  type ClientMessageInput,
  CloseCode,
  type ErrorCode,
  type IceServer,
  parseServerMessage,
  type Room,
  type RoomListEntry,
  type ServerMessage,
  type ServerMessageOf,
} from '@tickmesh/protocol';
import { createEmitter } from '../util/emitter.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { realTimers, type Timers } from '../util/timers.js';
import { type KeepAlive, startKeepAlive } from './keep-alive.js';
import { createReconnectPlan } from './reconnect-plan.js';
import { createSignalQueue } from './signal-queue.js';

/**
 * An event handler slot the client assigns. Declared through a method so it is compared
 * bivariantly, as methods are: a socket whose events carry more than the client reads (the
 * browser's `CloseEvent`, `ws`'s `WebSocket.CloseEvent`) fits without a cast, while one whose event
 * lacks or mistypes a field the client reads (a `code` that is a string) is still refused.
 */
type SocketHandler<E> = { handle(event: E): void }['handle'];

/**
 * The part of a WebSocket this client uses: `readyState`, `send`, `close` and the four `on*`
 * handlers, of which it reads only `code` and `reason` on close and `data` on message. The
 * browser's `WebSocket` and the `ws` package's both fit as they are.
 *
 * @example
 * ```ts
 * import WebSocket from 'ws';
 * const lobby = createLobbyClient({ url, name: 'bot', createSocket: (url) => new WebSocket(url) });
 * ```
 */
export interface LobbySocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: SocketHandler<unknown> | null;
  onclose: SocketHandler<{ readonly code: number; readonly reason: string }> | null;
  onerror: SocketHandler<unknown> | null;
  onmessage: SocketHandler<{ readonly data: unknown }> | null;
}

/** Opens a {@link LobbySocket} to `url`; e.g. `(url) => new WebSocket(url)` with `ws` in Node. */
export type LobbySocketFactory = (url: string) => LobbySocket;

/**
 * The client's lifecycle. `connecting` names the lobby URL of that attempt (the node the client is
 * on once `identified`); `reconnecting` says why, and when the next attempt is (`retryInMs` 0: at once).
 */
export type LobbyStatus =
  | { kind: 'idle' }
  | { kind: 'connecting'; attempt: number; url: string }
  | { kind: 'identified'; peerId: string; resumed: boolean }
  | { kind: 'reconnecting'; attempt: number; retryInMs: number; reason: string }
  | { kind: 'closed'; reason: 'client' | 'taken-over' | 'refused'; detail: string };

/**
 * The lobby connection as a game shows it: `online` (identified), `reconnecting` (connecting or
 * waiting to retry; the game and the mesh go on), `offline` (not started, or closed for good).
 */
export type LobbyConnection = 'online' | 'reconnecting' | 'offline';

/** What a status means for the connection. */
const connectionOf = (status: LobbyStatus): LobbyConnection =>
  status.kind === 'identified'
    ? 'online'
    : status.kind === 'connecting' || status.kind === 'reconnecting'
      ? 'reconnecting'
      : 'offline';

/** Why a request did not get its answer. `TIMEOUT` and `DISCONNECTED` are the client's own. */
export type LobbyFailureCode = ErrorCode | 'TIMEOUT' | 'DISCONNECTED';
export type LobbyResult<T> = { ok: true; value: T } | { ok: false; code: LobbyFailureCode; message: string };

/** A page of `room.list`. */
export interface RoomListPage {
  rooms: RoomListEntry[];
  /** The cursor of the next page, or null when this is the last. */
  next: string | null;
}

export interface LobbyEvents {
  status: LobbyStatus;
  /** The connection changed (see {@link LobbyConnection}); a game shows "lobby offline, reconnecting". */
  connection: LobbyConnection;
  /** The current room changed (or became null: left, kicked, expired). */
  room: Room | null;
  chat: ServerMessageOf<'room.chat'>;
  signal: { from: string; data: unknown };
  /**
   * No longer in a room: `left`, `kicked`, or `expired` when a reconnect came too late to resume
   * the session (or the room could not be restored). A server going away (`room.left` `closed`)
   * is not this: the client keeps the room and reconnects.
   */
  left: { code: string; reason: 'left' | 'kicked' | 'expired' };
}

export interface LobbyClientOptions {
  /**
   * `ws://host:port/lobby`, or the nodes of a lobby cluster, tried in turn: the client starts on
   * the first and moves to the next after each failed attempt or lost connection (round robin),
   * at once when a node closes with 1012 `SERVICE_RESTART` or 1001 `GOING_AWAY`.
   */
  url: string | readonly string[];
  /** Display name, 1-24 characters. */
  name: string;
  /**
   * A session token from an earlier client (`lobby.token`), e.g. kept in sessionStorage across a
   * page reload: the server resumes that session (same peer id and room) if it is still in its grace.
   */
  token?: string;
  /** Defaults to the global `WebSocket` (browsers); pass one made from `ws` in Node. */
  createSocket?: LobbySocketFactory;
  logger?: Logger;
  timers?: Timers;
  /** Random source in [0, 1) for backoff jitter. */
  random?: () => number;
  /** Per-request timeout. Default 10000. */
  requestTimeoutMs?: number;
  /** First reconnect delay, doubled per attempt. Default 250. */
  reconnectInitialMs?: number;
  /** Reconnect delay cap: the client retries forever, at least this often. Default 30000. */
  reconnectMaxMs?: number;
  /** `connect()` reports a lobby it could not reach by then (and keeps trying). Default 5000. */
  connectTimeoutMs?: number;
  /**
   * An attempt whose socket has not opened and been welcomed by then is given up (the socket
   * closed, its late events ignored) and counts as a failed attempt: the next URL, after the
   * backoff. Bounds a node that answers nothing (its machine vanished), which TCP would take a
   * minute or more to give up on. 0 disables. Default 5000.
   */
  attemptTimeoutMs?: number;
  /** Signals kept while the lobby is away: most, and for how long. Default 256 and 60000. */
  maxQueuedSignals?: number;
  maxQueuedSignalAgeMs?: number;
  /**
   * Sends a `ping` after this long with nothing heard from the server (any message counts), from
   * the moment the socket opens, so a node that vanished without closing is noticed. 0 disables.
   * Default 10000.
   */
  keepAliveMs?: number;
  /**
   * With nothing at all heard this long after a keep-alive `ping`, the connection counts as dead:
   * the client drops it and goes on to the next URL at once, as after a 1012. Default 5000.
   */
  keepAliveTimeoutMs?: number;
}

export interface LobbyClient {
  readonly status: LobbyStatus;
  /** The status as a game shows it (see {@link LobbyConnection}). */
  readonly connection: LobbyConnection;
  readonly peerId: string | null;
  /** The session secret; pass it as `token` to a later client to resume this session. */
  readonly token: string | null;
  readonly room: Room | null;
  readonly iceServers: readonly IceServer[];
  /** Server frames that failed the protocol schema and were dropped. */
  readonly droppedMessages: number;
  /** Signals kept until their target can be reached (see `signal`), waiting to be sent. */
  readonly queuedSignals: number;
  /**
   * Connects and identifies; resolves once `welcome` arrives, or with `DISCONNECTED` when none has
   * after `connectTimeoutMs` (the client keeps trying: watch `connection`, or call again).
   */
  connect(): Promise<LobbyResult<ServerMessageOf<'welcome'>>>;
  createRoom(options?: {
    public?: boolean;
    maxPlayers?: number;
    settings?: Record<string, unknown>;
  }): Promise<LobbyResult<Room>>;
  joinRoom(code: string): Promise<LobbyResult<Room>>;
  quickplay(): Promise<LobbyResult<Room>>;
  /**
   * One page of the public rooms, oldest first: pass the previous page's `next` as `cursor` for the
   * next one (`next` is null on the last page). `limit`: 1-100, default 50.
   */
  listRooms(page?: { cursor?: string; limit?: number }): Promise<LobbyResult<RoomListPage>>;
  leaveRoom(): Promise<LobbyResult<null>>;
  setReady(ready: boolean): Promise<LobbyResult<Room>>;
  setSettings(settings: Record<string, unknown>): Promise<LobbyResult<Room>>;
  start(): Promise<LobbyResult<Room>>;
  end(): Promise<LobbyResult<Room>>;
  kick(peerId: string): Promise<LobbyResult<Room>>;
  chat(text: string): Promise<LobbyResult<null>>;
  /** Round trip to the server in ms. */
  ping(): Promise<LobbyResult<number>>;
  /**
   * Relays `data` to another member of the room, fire and forget. Until the lobby is there, has
   * confirmed the room (after a lobby restart, once it is restored) and has the target connected
   * in it, the signal is kept, and sent then in the order signals were given.
   */
  signal(to: string, data: unknown): void;
  on<K extends keyof LobbyEvents>(type: K, listener: (event: LobbyEvents[K]) => void): () => void;
  /** Closes for good (no reconnect). */
  close(): void;
}

const OPEN = 1;
/** The close the client gives a connection it found dead (no answer to the keep-alive); the node will not see it. */
const SILENT_CLOSE = { code: 1000, reason: 'keep-alive timeout' } as const;
/** The close the client gives an attempt it gave up (not welcomed within `attemptTimeoutMs`). */
const ATTEMPT_CLOSE = { code: 1000, reason: 'connect timeout' } as const;
/** `hello` carries this rid, so a refusal of it can be told apart; requests count from 1. */
const HELLO_RID = 0;

interface Pending {
  resolve(message: ServerMessage | null, failure?: { code: LobbyFailureCode; message: string }): void;
}

export function createLobbyClient(options: LobbyClientOptions): LobbyClient {
  const logger = options.logger ?? silentLogger;
  const timers = options.timers ?? realTimers;
  const random = options.random ?? Math.random;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const urls = typeof options.url === 'string' ? [options.url] : options.url;
  const plan = createReconnectPlan({
    urls,
    initialMs: options.reconnectInitialMs ?? 250,
    maxMs: options.reconnectMaxMs ?? 30_000,
    random,
  });
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 5_000;
  if (!(attemptTimeoutMs >= 0)) {
    throw new RangeError(`attemptTimeoutMs must be >= 0, got ${attemptTimeoutMs}`);
  }
  const keepAliveMs = options.keepAliveMs ?? 10_000;
  const keepAliveTimeoutMs = options.keepAliveTimeoutMs ?? 5_000;
  if (keepAliveMs > 0 && !(keepAliveTimeoutMs > 0)) {
    throw new RangeError(`keepAliveTimeoutMs must be > 0, got ${keepAliveTimeoutMs}`);
  }
  const queue = createSignalQueue({
    maxSignals: options.maxQueuedSignals ?? 256,
    maxAgeMs: options.maxQueuedSignalAgeMs ?? 60_000,
  });
  const createSocket =
    options.createSocket ??
    ((url: string) => new (globalThis as unknown as { WebSocket: new (u: string) => LobbySocket }).WebSocket(url));

  const events = createEmitter<LobbyEvents>();
  let status: LobbyStatus = { kind: 'idle' };
  let socket: LobbySocket | null = null;
  /** Watches `socket` once it is open (null: none open, or keep-alive disabled). */
  let keepAlive: KeepAlive | null = null;
  /** Gives up `socket` if it is not welcomed in time (null: welcomed, none open, or disabled). */
  let attemptTimer: unknown = null;
  let token: string | undefined = options.token;
  let peerId: string | null = null;
  let room: Room | null = null;
  /** The server's ticket for `room` (room.restore after a lobby restart). */
  let ticket: string | null = null;
  /** The server confirmed `room` since this connection identified (signals can reach it). */
  let roomConfirmed = false;
  let iceServers: IceServer[] = [];
  let nextRid = 1;
  let dropped = 0;
  let reconnectTimer: unknown = null;
  const pending = new Map<number, Pending>();
  let welcomeWaiters: ((result: LobbyResult<ServerMessageOf<'welcome'>>) => void)[] = [];

  function setStatus(next: LobbyStatus): void {
    const before = connectionOf(status);
    status = next;
    events.emit('status', next);
    const after = connectionOf(next);
    if (after !== before) events.emit('connection', after);
  }

  function setRoom(next: Room | null, nextTicket: string | null = null): void {
    room = next;
    ticket = next === null ? null : nextTicket;
    events.emit('room', next);
    flushSignals();
  }

  /** Sends the kept signals whose target is a connected member of the room now. */
  function flushSignals(): void {
    if (queue.size === 0 || !roomConfirmed || status.kind !== 'identified' || socket?.readyState !== OPEN) return;
    const connected = new Set(room?.peers.filter((p) => p.connected).map((p) => p.id));
    for (const s of queue.take((to) => connected.has(to), timers.now())) {
      socket.send(JSON.stringify({ type: 'signal', to: s.to, data: s.data }));
    }
  }

  /** After a lobby restart: gives the room back, or drops it when the server will not have it. */
  async function restoreRoom(lost: Room, lostTicket: string): Promise<void> {
    const result = await request({ type: 'room.restore', room: lost, ticket: lostTicket });
    if (result.ok || room?.code !== lost.code) return; // room.state set it already
    logger.warn('lobby: the room could not be restored', { code: lost.code, reason: result.code });
    setRoom(null);
    events.emit('left', { code: lost.code, reason: 'expired' });
  }

  function failPending(code: LobbyFailureCode, message: string): void {
    const all = [...pending.values()];
    pending.clear();
    for (const p of all) p.resolve(null, { code, message });
  }

  function settleWelcome(result: LobbyResult<ServerMessageOf<'welcome'>>): void {
    const waiters = welcomeWaiters;
    welcomeWaiters = [];
    for (const w of waiters) w(result);
  }

  function open(): void {
    const url = plan.begin();
    setStatus({ kind: 'connecting', attempt: plan.attempt, url });
    let ws: LobbySocket;
    try {
      ws = createSocket(url);
    } catch (error) {
      scheduleReconnect(plan.failed(null), `cannot open socket to ${url}: ${String(error)}`);
      return;
    }
    socket = ws;
    if (attemptTimeoutMs > 0) attemptTimer = timers.setTimeout(() => giveUpAttempt(ws, url), attemptTimeoutMs);
    ws.onopen = () => {
      if (socket !== ws) return;
      const hello: ClientMessageInput = { type: 'hello', name: options.name, rid: HELLO_RID };
      ws.send(JSON.stringify(token === undefined ? hello : { ...hello, token }));
      if (keepAliveMs > 0) {
        keepAlive = startKeepAlive({
          timers,
          intervalMs: keepAliveMs,
          timeoutMs: keepAliveTimeoutMs,
          sendPing: () => {
            if (ws.readyState === OPEN) ws.send(JSON.stringify({ type: 'ping' } satisfies ClientMessageInput));
          },
          onSilent: (silentMs) => giveUpSilent(ws, url, silentMs),
        });
      }
    };
    ws.onmessage = (event) => {
      if (socket !== ws) return;
      keepAlive?.heard();
      const text = typeof event.data === 'string' ? event.data : null;
      const message = text === null ? null : parseServerMessage(text);
      if (!message) {
        dropped++;
        logger.warn('lobby: dropped a malformed server message', { sample: String(event.data).slice(0, 120) });
        return;
      }
      handle(message);
    };
    ws.onerror = () => {
      // The close event follows and carries the details.
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      forgetSocket();
      if (status.kind === 'closed') return;
      if (event.code === CloseCode.SESSION_TAKEN_OVER) {
        setStatus({ kind: 'closed', reason: 'taken-over', detail: 'this session was resumed by another connection' });
        settleWelcome({ ok: false, code: 'DISCONNECTED', message: 'session taken over' });
        return;
      }
      scheduleReconnect(
        plan.failed(event.code),
        `${url} closed with ${event.code}${event.reason ? ` (${event.reason})` : ''}`,
      );
    };
  }

  /** The current connection is gone: stop watching it and fail what waited on it. */
  function forgetSocket(): void {
    socket = null;
    stopAttemptTimer();
    keepAlive?.stop();
    keepAlive = null;
    roomConfirmed = false;
    failPending('DISCONNECTED', 'the lobby connection closed');
  }

  /**
   * The keep-alive heard nothing from `ws`: its node is most likely gone. Closing a socket whose
   * peer vanished does not finish (the close handshake gets no answer), so the client forgets it
   * first and moves on at once.
   */
  function giveUpSilent(ws: LobbySocket, url: string, silentMs: number): void {
    if (socket !== ws) return;
    logger.warn('lobby: the node went silent; moving on', { url, silentMs: Math.round(silentMs) });
    forgetSocket();
    ws.close(SILENT_CLOSE.code, SILENT_CLOSE.reason);
    if (status.kind === 'closed') return;
    scheduleReconnect(plan.silent(), `${url} went silent: nothing for ${Math.round(silentMs)} ms, a ping unanswered`);
  }

  function stopAttemptTimer(): void {
    if (attemptTimer !== null) timers.clearTimeout(attemptTimer);
    attemptTimer = null;
  }

  /**
   * `ws` was not welcomed within `attemptTimeoutMs`: most likely its node is gone, and the SYN or
   * the upgrade will never be answered. The client stops listening to it (a late open or frame is
   * not heard; `onerror` stays, as `ws` throws an error event nobody listens to, and closing a
   * socket that is still connecting emits one), closes it, and counts a failed attempt.
   */
  function giveUpAttempt(ws: LobbySocket, url: string): void {
    if (socket !== ws) return;
    attemptTimer = null;
    const stage = ws.readyState === OPEN ? 'was not welcomed' : 'did not open';
    logger.warn('lobby: an attempt timed out; moving on', { url, stage, attemptTimeoutMs });
    forgetSocket();
    ws.onopen = null;
    ws.onmessage = null;
    ws.onclose = null;
    ws.close(ATTEMPT_CLOSE.code, ATTEMPT_CLOSE.reason);
    scheduleReconnect(plan.failed(null), `${url} ${stage} in ${attemptTimeoutMs} ms`);
  }

  /** After a failed attempt or a lost connection: the next URL, `retryInMs` from now (0: at once). */
  function scheduleReconnect(retryInMs: number, reason: string): void {
    setStatus({ kind: 'reconnecting', attempt: plan.attempt, retryInMs, reason });
    if (status.kind === 'closed') return; // a status listener closed the client
    if (retryInMs === 0) {
      open();
      return;
    }
    reconnectTimer = timers.setTimeout(() => {
      reconnectTimer = null;
      open();
    }, retryInMs);
  }

  function handle(message: ServerMessage): void {
    const rid = 'rid' in message ? message.rid : undefined;
    if (typeof rid === 'number' && rid !== HELLO_RID) {
      const p = pending.get(rid);
      if (p) {
        pending.delete(rid);
        p.resolve(message);
      }
    }
    switch (message.type) {
      case 'welcome': {
        const resumedRoomLost = token !== undefined && !message.resumed && room !== null;
        token = message.token;
        peerId = message.peerId;
        iceServers = message.iceServers;
        stopAttemptTimer();
        plan.welcomed();
        setStatus({ kind: 'identified', peerId: message.peerId, resumed: message.resumed });
        if (resumedRoomLost && room) {
          const code = room.code;
          setRoom(null);
          events.emit('left', { code, reason: 'expired' });
        } else if (message.restarted && room) {
          // The server restarted and no longer knows the room: give it back.
          if (ticket !== null) void restoreRoom(room, ticket);
          else {
            const code = room.code;
            setRoom(null);
            events.emit('left', { code, reason: 'expired' });
          }
        }
        settleWelcome({ ok: true, value: message });
        return;
      }
      case 'room.state':
        roomConfirmed = true;
        setRoom(message.room, message.ticket ?? null);
        return;
      case 'room.left':
        // `closed`: the server is going away, not the room; keep it and come back.
        if (message.reason === 'closed') return;
        if (room?.code === message.code) setRoom(null);
        events.emit('left', { code: message.code, reason: message.reason });
        return;
      case 'room.chat':
        events.emit('chat', message);
        return;
      case 'signal':
        events.emit('signal', { from: message.from, data: message.data });
        return;
      case 'error':
        if (message.rid === HELLO_RID) {
          // hello refused (INVALID_NAME): retrying cannot help.
          setStatus({ kind: 'closed', reason: 'refused', detail: `${message.code}: ${message.message}` });
          settleWelcome({ ok: false, code: message.code, message: message.message });
          const ws = socket;
          forgetSocket();
          ws?.close(1000, 'refused');
        } else if (message.rid === undefined) {
          logger.warn('lobby: server error', { code: message.code, message: message.message });
        }
        return;
      case 'pong':
      case 'room.list':
        return;
      default:
        assertNever(message);
    }
  }

  function request(msg: ClientMessageInput): Promise<LobbyResult<ServerMessage>> {
    return new Promise((resolve) => {
      const ws = socket;
      if (!ws || ws.readyState !== OPEN || status.kind !== 'identified') {
        resolve({ ok: false, code: 'DISCONNECTED', message: 'not connected to the lobby' });
        return;
      }
      const rid = nextRid++;
      const timer = timers.setTimeout(() => {
        pending.delete(rid);
        resolve({ ok: false, code: 'TIMEOUT', message: `no answer to ${msg.type} in ${requestTimeoutMs} ms` });
      }, requestTimeoutMs);
      pending.set(rid, {
        resolve(answer, failure) {
          timers.clearTimeout(timer);
          if (!answer) resolve({ ok: false, code: failure?.code ?? 'DISCONNECTED', message: failure?.message ?? '' });
          else if (answer.type === 'error') resolve({ ok: false, code: answer.code, message: answer.message });
          else resolve({ ok: true, value: answer });
        },
      });
      ws.send(JSON.stringify({ ...msg, rid }));
    });
  }

  async function roomRequest(msg: ClientMessageInput): Promise<LobbyResult<Room>> {
    const result = await request(msg);
    if (!result.ok) return result;
    if (result.value.type !== 'room.state')
      return { ok: false, code: 'BAD_MESSAGE', message: `unexpected ${result.value.type}` };
    return { ok: true, value: result.value.room };
  }

  return {
    get status() {
      return status;
    },
    get connection() {
      return connectionOf(status);
    },
    get peerId() {
      return peerId;
    },
    get token() {
      return token ?? null;
    },
    get room() {
      return room;
    },
    get iceServers() {
      return iceServers;
    },
    get droppedMessages() {
      return dropped;
    },
    connect() {
      if (status.kind === 'identified') {
        return Promise.resolve({ ok: false, code: 'BAD_STATE', message: 'already connected' });
      }
      const result = new Promise<LobbyResult<ServerMessageOf<'welcome'>>>((resolve) => {
        const timer = timers.setTimeout(() => {
          welcomeWaiters = welcomeWaiters.filter((w) => w !== settle);
          resolve({
            ok: false,
            code: 'DISCONNECTED',
            message: `cannot reach the lobby at ${urls.join(' or ')}; still trying`,
          });
        }, connectTimeoutMs);
        const settle = (r: LobbyResult<ServerMessageOf<'welcome'>>) => {
          timers.clearTimeout(timer);
          resolve(r);
        };
        welcomeWaiters.push(settle);
      });
      if (status.kind === 'idle') open();
      return result;
    },
    createRoom: (o = {}) => roomRequest({ type: 'room.create', ...o }),
    joinRoom: (code) => roomRequest({ type: 'room.join', code }),
    quickplay: () => roomRequest({ type: 'room.quickplay' }),
    async listRooms(page = {}) {
      const result = await request({ type: 'room.list', ...page });
      if (!result.ok) return result;
      return result.value.type === 'room.list'
        ? { ok: true, value: { rooms: result.value.rooms, next: result.value.next ?? null } }
        : { ok: false, code: 'BAD_MESSAGE', message: `unexpected ${result.value.type}` };
    },
    async leaveRoom() {
      const result = await request({ type: 'room.leave' });
      return result.ok ? { ok: true, value: null } : result;
    },
    setReady: (ready) => roomRequest({ type: 'room.ready', ready }),
    setSettings: (settings) => roomRequest({ type: 'room.settings', settings }),
    start: () => roomRequest({ type: 'room.start' }),
    end: () => roomRequest({ type: 'room.end' }),
    kick: (target) => roomRequest({ type: 'room.kick', peerId: target }),
    async chat(text) {
      const result = await request({ type: 'room.chat', text });
      return result.ok ? { ok: true, value: null } : result;
    },
    async ping() {
      const started = timers.now();
      const result = await request({ type: 'ping' });
      return result.ok ? { ok: true, value: timers.now() - started } : result;
    },
    signal(to, data) {
      // Through the queue even when the lobby is there: it sends at once to a member the server
      // has confirmed, and holds the rest (a restored room not yet confirmed) in order.
      queue.push(to, data, timers.now());
      flushSignals();
    },
    get queuedSignals() {
      return queue.size;
    },
    on: events.on,
    close() {
      if (reconnectTimer !== null) timers.clearTimeout(reconnectTimer);
      reconnectTimer = null;
      setStatus({ kind: 'closed', reason: 'client', detail: 'closed by the game' });
      failPending('DISCONNECTED', 'closed by the game');
      settleWelcome({ ok: false, code: 'DISCONNECTED', message: 'closed by the game' });
      const ws = socket;
      forgetSocket();
      ws?.close(1000, 'bye');
    },
  };
}

function assertNever(value: never): never {
  throw new Error(`unhandled server message ${JSON.stringify(value)}`);
}
