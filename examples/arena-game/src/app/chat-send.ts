/**
 * What the player is told when their chat line did not get through: refused before it left
 * (too fast, text the rules refuse, not in a room, nobody reachable), or sent while some members
 * could not be reached. Both the mesh chat's (`createChat`) result (once there is a net) and the lobby client's
 * (before) come here; the chat log shows the note (app/chat-log.ts), and a run of the same note,
 * a flood, as one line with a count.
 */
import type { ChatFailureCode, LobbyFailureCode, Room } from '@tickmesh/netcode';

/** How a send ended, whichever chat carried it. */
export type ChatSent =
  | {
      ok: true;
      /** Members no path reached. */
      unreached: readonly string[];
    }
  | { ok: false; code: ChatFailureCode | LobbyFailureCode; message: string };

/** A line to show the sender; notes of the same `key` in a row are shown as one with a count. */
export interface ChatNote {
  key: string;
  /** The line for `count` notes of this key in a row. */
  text(count: number): string;
}

/** Refusals said in the player's words; any other is "Message not sent." */
const REFUSED: Partial<Record<ChatFailureCode | LobbyFailureCode, string>> = {
  BAD_TEXT: 'Message not sent: keep it to 280 characters of plain text.',
  BAD_MESSAGE: 'Message not sent: keep it to 280 characters of plain text.',
  NOT_IN_ROOM: 'Message not sent: you are not in a room.',
  UNREACHABLE: 'Message not sent: nobody in the room can be reached right now.',
  DISCONNECTED: 'Message not sent: nobody in the room can be reached right now.',
  TIMEOUT: 'Message not sent: the game server did not answer.',
};

/** "Bob", "Bob and Cy", "Bob, Cy and Dee". */
function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

const times = (line: string, count: number) => (count === 1 ? line : `${line} (${count} times)`);

/**
 * The note for a send's result, null when every member got the line.
 * @example
 * chatNote({ ok: false, code: 'RATE_LIMITED', message: '' }, room)?.text(3); // 'Slow down — 3 messages not sent.'
 */
export function chatNote(sent: ChatSent, room: Pick<Room, 'peers'> | null): ChatNote | null {
  if (sent.ok) {
    if (sent.unreached.length === 0) return null;
    const names = sent.unreached.map((id) => room?.peers.find((p) => p.id === id)?.name ?? 'A player');
    const line = `${listNames(names)} didn’t get your message: no connection to them right now.`;
    return { key: `unreached:${sent.unreached.join(',')}`, text: (count) => times(line, count) };
  }
  if (sent.code === 'RATE_LIMITED')
    return {
      key: 'refused:RATE_LIMITED',
      text: (count) => (count === 1 ? 'Slow down — message not sent.' : `Slow down — ${count} messages not sent.`),
    };
  const line = REFUSED[sent.code] ?? 'Message not sent.';
  return { key: `refused:${sent.code}`, text: (count) => times(line, count) };
}
