/**
 * Chat's packet on the mesh's reliable channel, a MessagePack tuple like the sync layer's
 * (sync/packets.ts holds the table of every tag on the mesh; chat's is {@link CHAT_TAG}):
 *
 *   chat  [32, text]      reliable, to each member whose link is connected
 *         [32, text, 1]   the same, when the sender also sent it through the lobby (it has a twin)
 *
 * The packet names no sender and no name: the sender is the link it came on, the name the lobby
 * room's for that peer. Parsing never throws: anything else yields null, to be counted and dropped.
 */
import { isChatLength, isCleanText } from '@tickmesh/protocol';
import { CHAT_TAG } from '../sync/packets.js';

export interface ChatPacket {
  readonly text: string;
  /** The sender sent this message through the lobby too: a `room.chat` copy of it may come. */
  readonly twin: boolean;
}

export const encodeChat = (text: string, twin: boolean): unknown[] => (twin ? [CHAT_TAG, text, 1] : [CHAT_TAG, text]);

/** True for a payload with chat's tag (whether or not it parses): the chat layer's to take or count. */
export const isChatPayload = (payload: unknown): payload is unknown[] =>
  Array.isArray(payload) && payload[0] === CHAT_TAG;

/** Why a chat packet was refused: not the tuple above, or text the lobby would refuse. */
export type ChatParse = ChatPacket | 'malformed' | 'text';

/** Parses a payload with chat's tag; the text must pass the lobby's rules ({@link isChatText}). */
export function parseChat(payload: readonly unknown[]): ChatParse {
  const [, text, twin] = payload;
  if (typeof text !== 'string' || payload.length > 3 || (payload.length === 3 && twin !== 1)) return 'malformed';
  return isChatText(text) ? { text, twin: payload.length === 3 } : 'text';
}

/** The lobby's rules for chat text (`room.chat`): 1-280 code points, no control, bidi or lone surrogate characters. */
export const isChatText = (text: string): boolean => isChatLength(text) && isCleanText(text);
