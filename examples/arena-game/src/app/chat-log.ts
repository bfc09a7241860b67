/**
 * The room's chat: players' messages in their colours, and a line of its own for entering a room,
 * each player who joins or leaves it, and each change of host. Leaving the room clears it.
 * Moderation is local: a player can mute another's chat (their lines are hidden, and the log says
 * so once), and a flood from one player is collapsed into a single line with a count, so 120
 * messages in a few seconds never bury the room. The log holds a bounded number of entries.
 * A line of the player's that did not get through is said in the log (app/chat-send.ts), a run
 * of the same note as one line with a count, so a player's own flood does not bury it either.
 */
import type { LobbyEvents, Room } from '@tickmesh/netcode';
import { colorOfSeq } from '../colors.js';
import type { ChatLine } from '../ui/chat-panel.js';
import type { ChatNote } from './chat-send.js';
import type { RoomChange } from './lobby-flow.js';

/** The colour of a message from someone no longer in the room. */
const UNKNOWN_COLOR = 0xcccccc;

/** The chat's limits. */
export const chatLimits = {
  /** Entries kept; the oldest go first. Default 200. */
  maxEntries: 200,
  /** Messages from one player shown within `floodWindowMs`; the rest are collapsed. Default 5. */
  floodLines: 5,
  /** The window of the flood guard, ms. Default 10 000. */
  floodWindowMs: 10_000,
};

export type ChatLimits = typeof chatLimits;

/** What the log stores: a message (`from` a peer id) or a line of the room's own (`from` null). */
export interface ChatEntry {
  from: string | null;
  name: string;
  text: string;
  color: number;
  /** When it was said, epoch ms (the lobby's `at`). */
  atMs: number;
  /** When this page added it or last changed it, on the log's clock (`now`), ms. */
  seenMs: number;
  /** A note to the sender that their line did not get through (shown as an alert). */
  alert?: true;
}

/** Who took over from whom, as the chat and the HUD say it; null when the host did not change. */
export function hostChangeText({ before, room }: RoomChange, selfId: string | null): string | null {
  if (!before || !room || before.code !== room.code || before.hostId === room.hostId) return null;
  const oldHost = before.peers.find((p) => p.id === before.hostId)?.name ?? 'The host';
  const newHost = room.peers.find((p) => p.id === room.hostId);
  return `${oldHost} left. ${newHost?.id === selfId ? 'You are' : `${newHost?.name ?? '?'} is`} now the host.`;
}

/** The lines a change of room adds: entering a room, or who joined, left and took over in the same one. */
export function roomChangeLines(change: RoomChange, selfId: string | null): string[] {
  const { before, room } = change;
  if (!room) return [];
  if (before?.code !== room.code) return [`You joined room ${room.code}.`];
  const lines: string[] = [];
  for (const p of room.peers) if (!before.peers.some((q) => q.id === p.id)) lines.push(`${p.name} joined.`);
  for (const p of before.peers) if (!room.peers.some((q) => q.id === p.id)) lines.push(`${p.name} left.`);
  const host = hostChangeText(change, selfId);
  if (host !== null) lines.push(host);
  return lines;
}

/**
 * What the chat shows of `entries`: muted players' messages left out, and per player at most
 * `floodLines` messages within any `floodWindowMs`; the ones over it become one `flood` line with
 * their count, where the first of them was. The player's own messages are always shown.
 * @example
 * chatView(entries, new Set(['bob']), 'ann'); // Bob's messages gone, Ann's and the room's lines kept
 */
export function chatView(
  entries: readonly ChatEntry[],
  muted: ReadonlySet<string>,
  selfId: string | null,
  limits: ChatLimits = chatLimits,
): ChatLine[] {
  const out: ChatLine[] = [];
  const shownAt = new Map<string, number[]>();
  /** The open flood line of each player (until one of their messages is shown again). */
  const flood = new Map<string, Extract<ChatLine, { kind: 'flood' }>>();
  for (const e of entries) {
    if (e.from === null) {
      const { text, seenMs } = e;
      out.push(e.alert ? { kind: 'system', text, alert: true, seenMs } : { kind: 'system', text, seenMs });
      continue;
    }
    if (muted.has(e.from)) continue;
    if (e.from !== selfId) {
      const recent = (shownAt.get(e.from) ?? []).filter((at) => e.atMs - at < limits.floodWindowMs);
      shownAt.set(e.from, recent);
      if (recent.length >= limits.floodLines) {
        const open = flood.get(e.from);
        if (open) {
          open.hidden++;
          open.seenMs = e.seenMs;
        } else {
          const line = {
            kind: 'flood' as const,
            from: e.from,
            name: e.name,
            color: e.color,
            hidden: 1,
            seenMs: e.seenMs,
          };
          flood.set(e.from, line);
          out.push(line);
        }
        continue;
      }
      recent.push(e.atMs);
      flood.delete(e.from);
    }
    out.push({ kind: 'message', from: e.from, name: e.name, text: e.text, color: e.color, seenMs: e.seenMs });
  }
  return out;
}

export interface ChatLog {
  /** What the chat shows now (a new array after every change, the same one until then). */
  lines(): readonly ChatLine[];
  /** Players whose chat this player muted (peer ids). */
  readonly muted: ReadonlySet<string>;
  /** Mutes or unmutes a player's chat, and says so in the log. */
  toggleMute(peerId: string, name: string): void;
  /** A line of the app's own (say, why a practice round ended). */
  note(text: string): void;
  /** Says that the player's line did not get through; the same note again bumps its count. */
  unsent(note: ChatNote): void;
  roomChanged(change: RoomChange): void;
  message(message: Pick<LobbyEvents['chat'], 'from' | 'name' | 'text' | 'at'>, room: Room | null): void;
}

/**
 * @example
 * const chat = createChatLog({ selfId: () => lobby.peerId, now: () => Date.now() });
 * lobby.on('chat', (m) => chat.message(m, lobby.room));
 * roomView.render({ ..., chat: chat.lines() });
 */
export function createChatLog(deps: { selfId(): string | null; now(): number; limits?: ChatLimits }): ChatLog {
  const limits = deps.limits ?? chatLimits;
  const entries: ChatEntry[] = [];
  const muted = new Set<string>();
  let view: ChatLine[] | null = null;
  /** The last entry's note, while it is the last entry: another of its key bumps it. */
  let lastNote: { key: string; count: number; entry: ChatEntry } | null = null;

  function add(entry: ChatEntry): void {
    lastNote = null;
    entries.push(entry);
    if (entries.length > limits.maxEntries) entries.splice(0, entries.length - limits.maxEntries);
    view = null;
  }
  const system = (text: string) => {
    const now = deps.now();
    add({ from: null, name: '', text, color: UNKNOWN_COLOR, atMs: now, seenMs: now });
  };

  return {
    lines() {
      view ??= chatView(entries, muted, deps.selfId(), limits);
      return view;
    },
    muted,
    toggleMute(peerId, name) {
      if (muted.delete(peerId)) system(`${name}’s chat is shown again.`);
      else {
        muted.add(peerId);
        system(`You muted ${name}’s chat: their messages are hidden.`);
      }
    },
    note: system,
    unsent(note) {
      if (lastNote?.key === note.key && entries.at(-1) === lastNote.entry) {
        lastNote.count++;
        lastNote.entry.text = note.text(lastNote.count);
        lastNote.entry.seenMs = deps.now();
        view = null;
        return;
      }
      const now = deps.now();
      const entry: ChatEntry = {
        from: null,
        name: '',
        text: note.text(1),
        color: UNKNOWN_COLOR,
        atMs: now,
        seenMs: now,
        alert: true,
      };
      add(entry);
      lastNote = { key: note.key, count: 1, entry };
    },
    roomChanged(change) {
      if (!change.room) {
        entries.length = 0;
        lastNote = null;
        muted.clear();
        view = null;
        return;
      }
      for (const text of roomChangeLines(change, deps.selfId())) system(text);
    },
    message(m, room) {
      const peer = room?.peers.find((p) => p.id === m.from);
      const color = peer ? colorOfSeq(peer.seq) : UNKNOWN_COLOR;
      add({ from: m.from, name: m.name, text: m.text, color, atMs: m.at, seenMs: deps.now() });
    },
  };
}
