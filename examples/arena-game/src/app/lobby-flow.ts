/**
 * The lobby flow: connect under the player's name (resuming with the token remembered for this
 * lobby), then create, join or quick-play a room; the room actions (ready, settings, start,
 * leave, chat, end, kick); ready-up for `ready=1`, and Ready again after a round for a player who
 * was ready before it (the lobby clears every flag when a room returns to `open`) unless they
 * turned "stay ready" off; and a sentence for every refusal. Another name means
 * a new lobby client and a new net layer. Room changes and chat go to the callbacks, whichever
 * client they come from. Chat goes through the net's mesh chat once there is a net (`netChat`: it
 * keeps working while the lobby is away, and brings the lobby's chat too), the lobby's before;
 * either way how the send ended goes to `chatSent`, so a line refused or not delivered is said.
 *
 * An unreachable lobby is said within `connectTimeoutMs` ("Can't reach the game server. Retrying
 * in 5 s…", with Retry now), the menu's buttons usable meanwhile; the request is asked again when
 * the countdown ends, at once when the player presses Retry now, or as soon as the lobby client
 * (which keeps trying underneath) gets through.
 */
import type {
  ChatMessage,
  LobbyClient,
  LobbyClientOptions,
  LobbyConnection,
  LobbyEvents,
  LobbyFailureCode,
  LobbyResult,
  Room,
} from '@tickmesh/netcode';
import type { MenuView } from '../ui/menu.js';
import type { ChatSent } from './chat-send.js';
import type { Remembered } from './remembered.js';

/** What the player asked for (a menu button, or the URL). */
export type RoomRequest = { kind: 'quickplay' } | { kind: 'create' } | { kind: 'join'; code: string };

/** A change of the current room: `before` as last seen (null: none), `room` now (null: left). */
export interface RoomChange {
  before: Room | null;
  room: Room | null;
}

/** Refusals in the player's words; any other shows the server's message. */
const FAILURES: Partial<Record<LobbyFailureCode, string>> = {
  ROOM_NOT_FOUND: 'No room with that code. Check it with your friend.',
  ROOM_FULL: 'That room is full.',
  ROOM_IN_GAME: 'That room is in a match; try again when it ends.',
  INVALID_NAME: 'That name is not allowed (1-24 visible characters, no control or direction-changing ones).',
  TOO_MANY_ROOMS: 'Too many rooms are open from your network (or on this server). Join one instead.',
  TOO_MANY_FAILED_JOINS: 'Too many wrong room codes from your network. Wait a minute, then try again.',
  RATE_LIMITED: 'Slow down a little and try again.',
  TIMEOUT: "The game server didn't answer.",
  DISCONNECTED: "Can't reach the game server.",
};

/** Failures that mean the lobby is out of reach (not a refusal): the flow retries them. */
const UNREACHABLE: ReadonlySet<LobbyFailureCode> = new Set(['DISCONNECTED', 'TIMEOUT']);

/** What the menu says while it waits to retry an unreachable lobby. */
export function unreachableText(retryInS: number): string {
  return `Can't reach the game server. Retrying in ${retryInS} s…`;
}

/** Why the room was lost, when the player did not leave it themselves. */
const LOST: Partial<Record<LobbyEvents['left']['reason'], string>> = {
  kicked: 'You were removed from the room by the host.',
  expired: 'Your connection dropped for too long; the room moved on.',
};

/** What the menu says when the lobby refuses (`code`, with the server's `message`). */
export function failureText(code: LobbyFailureCode, message: string): string {
  return FAILURES[code] ?? message;
}

export interface LobbyFlowDeps<Net extends { close(): void }> {
  /** Lobby WebSocket URL. */
  lobbyUrl: string;
  remembered: Pick<Remembered, 'token' | 'setToken' | 'setName'>;
  /** The settings a room this page creates starts with. */
  newRoomSettings: Record<string, unknown>;
  /** Mark ready on entering an open room as a guest (`ready=1`), once until the room is left. */
  autoReady: boolean;
  createClient(options: LobbyClientOptions): LobbyClient;
  /** The net layer of a client that has just connected. */
  createNet(client: LobbyClient): Net;
  /** Where the flow says what it is doing, and why it failed. */
  menu: Pick<MenuView, 'setBusy' | 'setNotice'>;
  /**
   * How long `connect` waits before saying the lobby is unreachable, ms. Default 3000. Only when it
   * is said: the client keeps trying underneath, and a slow welcome still gets the player in.
   */
  connectTimeoutMs?: number;
  /** How long after that the flow asks again on its own, ms. Default 5000. */
  retryDelayMs?: number;
  /** Timers for the retry countdown. Default the global ones. */
  timers?: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(handle: unknown): void };
  roomChanged(change: RoomChange): void;
  /** A chat message, with the room of the client it came to. */
  chat(message: Pick<ChatMessage, 'from' | 'name' | 'text' | 'at'>, room: Room | null): void;
  /**
   * The net's chat (`createChat` over its session's mesh): once a net is made, chat is sent and heard through it
   * (over the mesh, and the lobby while a member has no link). Default: the lobby's chat only.
   */
  netChat?(net: Net): NetChat;
  /** How the player's chat send ended (refused, or some members not reached), with the room it was sent in. */
  chatSent?(sent: ChatSent, room: Room | null): void;
  /** A client has connected and its net layer is made: subscribe to the net's events here. */
  connected(client: LobbyClient, net: Net): void;
}

/** What the flow needs of a net's chat: tickmesh's `Chat` is one. */
export interface NetChat {
  send(text: string): Promise<ChatSent>;
  on(type: 'message', listener: (message: ChatMessage) => void): () => void;
}

export interface LobbyFlow<Net> {
  room(): Room | null;
  /** This player's peer id, once identified. */
  selfId(): string | null;
  net(): Net | null;
  /** The lobby connection: the game goes on while it is `reconnecting` (a restart, a blip). */
  connection(): LobbyConnection;
  /** Connects as `name` (unless connected as it already), then asks; a resumed session already in a room stays there. */
  enter(name: string, request: RoomRequest): Promise<void>;
  ready(ready: boolean): void;
  start(): void;
  leave(): void;
  /** Host: changes some of the room's settings, keeping the others. */
  settings(settings: Record<string, unknown>): void;
  chat(text: string): void;
  /** Host: ends the match; everyone goes back to the room lobby. */
  end(): void;
  /** Host: removes a player from the room. */
  kick(peerId: string): void;
  /** Whether a player who was ready is marked ready again when the room comes back from a round (default on). */
  stayReady(): boolean;
  setStayReady(on: boolean): void;
}

/**
 * Whether to send Ready again on this change of room: back to `open` from a round (or a countdown)
 * in the same room, as a guest who wanted to be ready and whose flag the lobby cleared.
 */
export function readyAgain(change: RoomChange, selfId: string | null, wantReady: boolean): boolean {
  const { before, room } = change;
  if (!wantReady || !room || !before || before.code !== room.code) return false;
  if (before.state === 'open' || room.state !== 'open' || room.hostId === selfId) return false;
  return room.peers.some((p) => p.id === selfId && !p.ready);
}

/**
 * @example
 * const flow = createLobbyFlow({ lobbyUrl, remembered, newRoomSettings, autoReady: false, createClient: createLobbyClient,
 *   createNet: (client) => createArenaNet({ lobby: client, ... }), menu, roomChanged, chat, connected });
 * menuButton.onclick = () => void flow.enter('Ann', { kind: 'quickplay' });
 */
export function createLobbyFlow<Net extends { close(): void }>(deps: LobbyFlowDeps<Net>): LobbyFlow<Net> {
  const { menu, remembered } = deps;
  let client: LobbyClient | null = null;
  let clientName = '';
  let net: Net | null = null;
  let lastRoom: Room | null = null;
  let readySent = false;
  /** The player's own choice (Ready pressed, or `ready=1`), kept across rounds while `stayReady`. */
  let wantReady = false;
  let stayReady = true;
  const connectTimeoutMs = deps.connectTimeoutMs ?? 3_000;
  const retryDelayMs = deps.retryDelayMs ?? 5_000;
  const timers = deps.timers ?? {
    setTimeout: (fn: () => void, ms: number): unknown => globalThis.setTimeout(fn, ms),
    clearTimeout: (handle: unknown) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
  /** The countdown to the next try, while the lobby is unreachable. */
  let retry: { timer: unknown; stop(): void } | null = null;

  function onRoom(room: Room | null): void {
    const before = lastRoom;
    lastRoom = room;
    deps.roomChanged({ before, room });
    if (!room) {
      readySent = false;
      wantReady = false;
      return;
    }
    if (deps.autoReady && !readySent && room.state === 'open' && room.hostId !== selfId()) {
      readySent = true;
      wantReady = true;
      void client?.setReady(true);
    } else if (stayReady && readyAgain({ before, room }, selfId(), wantReady)) void client?.setReady(true);
  }

  function selfId(): string | null {
    return client?.peerId ?? null;
  }

  async function connect(name: string): Promise<LobbyResult<LobbyClient>> {
    if (client && clientName === name && client.status.kind === 'identified') return { ok: true, value: adopt(client) };
    net?.close();
    net = null;
    client?.close();
    clientName = name;
    const token = remembered.token();
    const next = deps.createClient({
      url: lobbyUrls(deps.lobbyUrl),
      name,
      connectTimeoutMs,
      ...(token ? { token } : {}),
    });
    client = next;
    next.on('room', onRoom);
    next.on('chat', (m) => {
      if (!net || !deps.netChat) deps.chat(m, next.room); // else the net's chat brings it
    });
    next.on('left', ({ reason }) => {
      const lost = LOST[reason];
      if (lost) menu.setNotice(lost, 'error');
    });
    const welcome = await next.connect();
    return welcome.ok ? { ok: true, value: adopt(next) } : welcome;
  }

  /** A client just identified: remember its token and name, and make its net layer (once). */
  function adopt(next: LobbyClient): LobbyClient {
    if (net) return next;
    if (next.token !== null) remembered.setToken(next.token);
    // The lobby hands out a new token on every resume: keep the newest, so a reload resumes.
    next.on('status', (status) => {
      if (status.kind === 'identified' && next.token !== null) remembered.setToken(next.token);
    });
    remembered.setName(clientName);
    net = deps.createNet(next);
    deps.netChat?.(net).on('message', (m) => deps.chat(m, next.room));
    deps.connected(next, net);
    return next;
  }

  function stopRetry(): void {
    retry?.stop();
    retry = null;
  }

  /**
   * The lobby is out of reach: count down to the next try, saying so every second, with Retry
   * now; the client keeps trying underneath, and its getting through ends the wait at once.
   */
  function retryLater(name: string, request: RoomRequest): void {
    stopRetry();
    const again = () => {
      stopRetry();
      void enter(name, request);
    };
    const action = { label: 'Retry now', run: again };
    let remainingMs = retryDelayMs;
    const offStatus = client?.on('status', (status) => {
      if (status.kind === 'identified') again();
    });
    const tick = () => {
      if (remainingMs <= 0) {
        again();
        return;
      }
      menu.setNotice(unreachableText(Math.ceil(remainingMs / 1000)), 'error', action);
      const stepMs = remainingMs % 1000 || 1000;
      remainingMs -= stepMs;
      state.timer = timers.setTimeout(tick, stepMs);
    };
    const state = {
      timer: null as unknown,
      stop() {
        timers.clearTimeout(state.timer);
        offStatus?.();
      },
    };
    retry = state;
    tick();
  }

  async function enter(name: string, request: RoomRequest): Promise<void> {
    stopRetry();
    menu.setBusy(true);
    menu.setNotice('Connecting…');
    const connected = await connect(name);
    if (!connected.ok) {
      menu.setBusy(false);
      if (UNREACHABLE.has(connected.code)) retryLater(name, request);
      else menu.setNotice(failureText(connected.code, connected.message), 'error');
      return;
    }
    const to = connected.value;
    const result = to.room ? null : await ask(to, request);
    if (result && !result.ok) menu.setNotice(failureText(result.code, result.message), 'error');
    else menu.setNotice('');
    menu.setBusy(false);
  }

  /** Sends through the net's chat once there is one, else the lobby's, and says how it ended. */
  async function sendChat(text: string): Promise<void> {
    const via = client;
    if (!via) return;
    const room = via.room;
    let sent: ChatSent;
    if (net && deps.netChat) sent = await deps.netChat(net).send(text);
    else {
      const result = await via.chat(text);
      sent = result.ok ? { ok: true, unreached: [] } : result;
    }
    deps.chatSent?.(sent, room);
  }

  function ask(to: LobbyClient, request: RoomRequest): Promise<LobbyResult<Room>> {
    switch (request.kind) {
      case 'quickplay':
        return to.quickplay();
      case 'create':
        return to.createRoom({ settings: deps.newRoomSettings });
      case 'join':
        return to.joinRoom(request.code);
    }
  }

  return {
    room: () => client?.room ?? null,
    selfId,
    net: () => net,
    connection: () => client?.connection ?? 'offline',
    enter,
    ready(ready) {
      wantReady = ready;
      void client?.setReady(ready);
    },
    start: () => void client?.start(),
    leave: () => void client?.leaveRoom(),
    settings: (settings) => void client?.setSettings({ ...client.room?.settings, ...settings }),
    chat: (text) => void sendChat(text),
    end: () => void client?.end(),
    kick: (peerId) => void client?.kick(peerId),
    stayReady: () => stayReady,
    setStayReady(on) {
      stayReady = on;
    },
  };
}

/** `?lobby=` as the lobby client takes it: one URL, or a cluster's nodes separated by commas. */
export function lobbyUrls(lobby: string): string | string[] {
  const urls = lobby
    .split(',')
    .map((url) => url.trim())
    .filter(Boolean);
  return urls.length === 1 ? (urls[0] as string) : urls;
}
