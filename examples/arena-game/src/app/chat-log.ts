/**
 * The room's chat: players' messages in their colours, and a line of its own for entering a room,
 * each player who joins or leaves it, and each change of host. Leaving the room clears it.
 */
import type { LobbyEvents, Room } from '@tickmesh/netcode';
import { colorOfSeq } from '../colors.js';
import type { ChatLine } from '../ui/room.js';
import type { RoomChange } from './lobby-flow.js';

/** The colour of a message from someone no longer in the room. */
const UNKNOWN_COLOR = 0xcccccc;

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

export interface ChatLog {
  /** Every line so far, oldest first (the same array, growing; emptied on leaving the room). */
  readonly lines: readonly ChatLine[];
  roomChanged(change: RoomChange): void;
  message(message: Pick<LobbyEvents['chat'], 'from' | 'name' | 'text'>, room: Room | null): void;
}

/**
 * @example
 * const chat = createChatLog({ selfId: () => lobby.peerId });
 * lobby.on('chat', (m) => chat.message(m, lobby.room));
 * roomView.render({ ..., chat: chat.lines });
 */
export function createChatLog(deps: { selfId(): string | null }): ChatLog {
  const lines: ChatLine[] = [];
  return {
    lines,
    roomChanged(change) {
      if (!change.room) {
        lines.length = 0;
        return;
      }
      for (const text of roomChangeLines(change, deps.selfId())) lines.push({ name: '', text, color: null });
    },
    message(m, room) {
      const peer = room?.peers.find((p) => p.id === m.from);
      lines.push({ name: m.name, text: m.text, color: peer ? colorOfSeq(peer.seq) : UNKNOWN_COLOR });
    },
  };
}
