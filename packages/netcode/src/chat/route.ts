/**
 * Which way a chat message goes (the sender's half of the rule; twins.ts is the receiver's):
 *
 * - over the mesh to every other member whose link is `connected`;
 * - through the lobby as well when some other member has no connected link (connecting, failed,
 *   relay-only without TURN...) and the lobby is online: the lobby's `room.chat` reaches every
 *   member, so the mesh copies then say they have a twin, and each receiver shows whichever copy
 *   comes first and drops the other;
 * - members with no connected link while the lobby is not online are `unreached`.
 *
 * So a message is never shown twice, and reaches every member that has either path up. A room of
 * one sends nothing and reaches everyone.
 */
import type { LinkState } from '../transport/link.js';

export interface ChatRoute {
  /** Members to send the mesh copy to. */
  mesh: string[];
  /** Send it through the lobby too. */
  lobby: boolean;
  /** Members neither path reaches now. */
  unreached: string[];
}

/**
 * @example
 * routeChat(['bob', 'cy'], new Map([['bob', 'connected'], ['cy', 'failed']]), true);
 * // { mesh: ['bob'], lobby: true, unreached: [] }
 */
export function routeChat(
  others: readonly string[],
  links: ReadonlyMap<string, LinkState>,
  lobbyOnline: boolean,
): ChatRoute {
  const mesh = others.filter((id) => links.get(id) === 'connected');
  const rest = others.filter((id) => links.get(id) !== 'connected');
  const lobby = rest.length > 0 && lobbyOnline;
  return { mesh, lobby, unreached: lobby ? [] : rest };
}
