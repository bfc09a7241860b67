/**
 * Room chat on the mesh: a message goes over the reliable channel of every connected link, and
 * through the lobby's `room.chat` as well while some member has no link up (route.ts), so chat
 * goes on while the lobby is away and reaches a member whose link is not up yet; a message that
 * went both ways is shown once (twins.ts).
 *
 * What a peer sends is hostile until parsed: the sender is the link a message came on and the
 * name the lobby room's for it (the packet carries neither); the text must pass the lobby's rules
 * (@tickmesh/protocol's `isChatLength`, `isCleanText`); each peer has a token bucket of messages;
 * and anything refused is dropped and counted by reason (`dropped`), never thrown.
 */
import type { LobbyClient, LobbyEvents } from '../signaling/lobby-client.js';
import { createTokenBuckets } from '../sync/token-bucket.js';
import type { Mesh } from '../transport/mesh.js';
import { createEmitter } from '../util/emitter.js';
import { realTimers, type Timers } from '../util/timers.js';
import { encodeChat, isChatPayload, isChatText, parseChat } from './chat-packet.js';
import { routeChat } from './route.js';
import { type ChatPath, createTwins } from './twins.js';

/** Chat's limits; every value can be overridden through `createChat`'s `tuning`. */
export const chatDefaults = {
  /** Messages taken from one peer per second, sustained (a token bucket per peer); also the local send limit. Default 2. */
  peerMessagesPerS: 2,
  /** Messages one peer may send at once: its bucket's size. Default 8. */
  peerMessageBurst: 8,
  /** How long a message that went both ways waits for its other copy, ms. Default 10 000. */
  twinWindowMs: 10_000,
  /** Copies held per peer while they wait for their other copy. Default 16. */
  maxTwinsPerPeer: 16,
};
export type ChatTuning = typeof chatDefaults;

/** A chat message as a game shows it. */
export interface ChatMessage {
  /** The sender's peer id: the link it came on, or the lobby's stamp. */
  readonly from: string;
  /** The sender's name in the lobby room (never a claim of the packet). */
  readonly name: string;
  readonly text: string;
  /** When it was said, epoch ms: the lobby's `at`, or when it came over the mesh. */
  readonly at: number;
  /** The path of the copy shown (an own message: `mesh`, unless only the lobby carried it). */
  readonly via: ChatPath;
}

/**
 * Why a peer's chat was dropped: `malformed` (not chat's tuple, or on the unreliable channel),
 * `text` (breaks the lobby's text rules: length, control characters), `rate` (over the peer's
 * bucket), `stranger` (its peer is not a member of the room).
 */
export type ChatDropReason = 'malformed' | 'text' | 'rate' | 'stranger';
export type ChatDrops = Record<ChatDropReason, number>;

export interface ChatCounters {
  /** Messages shown from other peers, by path. */
  received: { mesh: number; lobby: number };
  /** Second copies of messages that went both ways, dropped (twins.ts). */
  twins: number;
  /** Refused, by reason (totals since the chat was made). */
  dropped: ChatDrops;
}

/** Why `send` sent nothing. */
export type ChatFailureCode = 'BAD_TEXT' | 'NOT_IN_ROOM' | 'RATE_LIMITED' | 'UNREACHABLE';

export type ChatSendResult =
  | {
      ok: true;
      value: ChatMessage;
      /** Members neither path reached (no connected link while the lobby is away). */
      unreached: readonly string[];
    }
  | { ok: false; code: ChatFailureCode; message: string };

export interface ChatEvents {
  /** A message to show: another member's, or this peer's own once sent. */
  message: ChatMessage;
}

export interface Chat {
  /** Sends `text` (the lobby's rules: 1-280 characters, no control characters) to the room. */
  send(text: string): Promise<ChatSendResult>;
  readonly counters: Readonly<ChatCounters>;
  on<K extends keyof ChatEvents>(type: K, listener: (event: ChatEvents[K]) => void): () => void;
  close(): void;
}

/** What chat needs of the lobby client: who it is, the room, its connection, and `room.chat`. */
export type ChatLobby = Pick<LobbyClient, 'peerId' | 'room' | 'connection' | 'chat'> & {
  on(type: 'chat', listener: (event: LobbyEvents['chat']) => void): () => void;
};

export interface ChatOptions {
  lobby: ChatLobby;
  mesh: Pick<Mesh<unknown>, 'links' | 'send' | 'on'>;
  tuning?: Partial<ChatTuning>;
  timers?: Timers;
  /** Wall clock, epoch ms, for a mesh message's `at`. Default `Date.now`. */
  clock?: () => number;
}

/**
 * The room's chat over a session's mesh (or a mesh of the game's own), made by a game that wants
 * chat: a game that never calls it ships none of it. Close it before the mesh.
 * @example
 * const chat = createChat({ lobby: session.lobby, mesh: session.mesh });
 * chat.on('message', ({ name, text }) => log.add(`${name}: ${text}`));
 * const sent = await chat.send('gg');
 * if (!sent.ok) input.setError(sent.code);
 * // when the game ends: chat.close(); session.close();
 */
export function createChat(options: ChatOptions): Chat {
  const { lobby, mesh } = options;
  const tuning: ChatTuning = { ...chatDefaults, ...options.tuning };
  const timers = options.timers ?? realTimers;
  const clock = options.clock ?? Date.now;
  const events = createEmitter<ChatEvents>();
  const buckets = createTokenBuckets(tuning.peerMessagesPerS, tuning.peerMessageBurst);
  const twins = createTwins(tuning.twinWindowMs, tuning.maxTwinsPerPeer);
  const counters: ChatCounters = {
    received: { mesh: 0, lobby: 0 },
    twins: 0,
    dropped: { malformed: 0, text: 0, rate: 0, stranger: 0 },
  };

  /** A room member's name; null for anyone else. */
  const nameOf = (id: string) => lobby.room?.peers.find((p) => p.id === id)?.name ?? null;

  /** Shows another member's message unless it is the second copy of one already shown. */
  function show(message: ChatMessage, twin: boolean): void {
    const members = lobby.room?.peers.map((p) => p.id) ?? [];
    buckets.retain(members);
    twins.retain(members);
    if (twin && twins.arrive(message.from, message.text, message.via, timers.now())) {
      counters.twins++;
      return;
    }
    counters.received[message.via]++;
    events.emit('message', message);
  }

  function fromMesh({ from, payload, reliable }: { from: string; payload: unknown; reliable: boolean }): void {
    if (!isChatPayload(payload)) return; // another layer's
    const drop = (reason: ChatDropReason): void => {
      counters.dropped[reason]++;
    };
    if (!buckets.take(from, timers.now())) return drop('rate');
    const packet = parseChat(payload);
    if (typeof packet === 'string' || !reliable) return drop(typeof packet === 'string' ? packet : 'malformed');
    const name = nameOf(from);
    if (name === null) return drop('stranger');
    show({ from, name, text: packet.text, at: clock(), via: 'mesh' }, packet.twin);
  }

  function fromLobby(m: LobbyEvents['chat']): void {
    // Own messages are shown when sent; every lobby copy may have a mesh twin.
    if (m.from !== lobby.peerId) show({ from: m.from, name: m.name, text: m.text, at: m.at, via: 'lobby' }, true);
  }

  const unsubscribe = [mesh.on('message', fromMesh), lobby.on('chat', fromLobby)];
  const fail = (code: ChatFailureCode, message: string) => ({ ok: false, code, message }) as const;

  async function send(text: string): Promise<ChatSendResult> {
    const selfId = lobby.peerId;
    const room = lobby.room;
    const self = room?.peers.find((p) => p.id === selfId);
    if (!isChatText(text)) return fail('BAD_TEXT', 'chat text must be 1-280 characters, no control characters');
    if (!room || !self || selfId === null) return fail('NOT_IN_ROOM', 'not in a room');
    if (!buckets.take(self.id, timers.now())) return fail('RATE_LIMITED', 'sending chat too fast');
    const others = room.peers.filter((p) => p !== self).map((p) => p.id);
    const route = routeChat(others, mesh.links, lobby.connection === 'online');
    const packet = encodeChat(text, route.lobby);
    const missed = route.mesh.filter((id) => mesh.send(id, packet, { reliable: true }) === 0);
    let viaLobby = false;
    if (route.lobby) viaLobby = (await lobby.chat(text)).ok;
    const unreached = [...route.unreached, ...(viaLobby ? [] : missed)];
    if (route.lobby && !viaLobby) unreached.push(...others.filter((id) => !route.mesh.includes(id)));
    if (others.length > 0 && unreached.length === others.length) return fail('UNREACHABLE', 'no member reachable');
    const via: ChatPath = viaLobby && missed.length === route.mesh.length ? 'lobby' : 'mesh';
    const value: ChatMessage = { from: self.id, name: self.name, text, at: clock(), via };
    events.emit('message', value);
    return { ok: true, value, unreached };
  }

  return {
    send,
    counters,
    on: events.on,
    close() {
      for (const off of unsubscribe) off();
    },
  };
}
