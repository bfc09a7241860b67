/**
 * Twins: the two copies of one chat message that went both ways, over the mesh and through the
 * lobby (the sender's rule, route.ts). The lobby's `room.chat` carries no id and its wire format is
 * fixed, so a twin is found by its sender and text: the mesh copy says it has one (`twin`), and
 *
 * - a flagged mesh copy is dropped when a lobby copy of the same sender and text came before it,
 *   and else remembered, so the lobby copy that follows is dropped;
 * - every lobby copy is remembered (its sender may have flagged a mesh copy still on its way), and
 *   dropped when a flagged mesh copy of the same sender and text is remembered;
 *
 * each match consuming the oldest remembered copy. An unflagged mesh copy has no twin and never
 * takes part. Remembered copies are forgotten after `windowMs`, and at most `maxPerPeer` are held
 * per sender (the oldest go first), so a twin that never comes (the lobby died with it) cannot
 * pile up. Two flagged messages of the same sender and text within the window still show once
 * each: a match may pair copies of different ones, never drop both copies of one (a lost lobby
 * copy aside, which is why the window is short).
 */

export type ChatPath = 'mesh' | 'lobby';

export interface Twins {
  /**
   * A copy came `via` a path at `nowMs` (monotonic): true when it is the twin of one already
   * shown (drop it), false when it is the first of its message (show it).
   */
  arrive(from: string, text: string, via: ChatPath, nowMs: number): boolean;
  /** Forgets the copies of every sender not in `keep`. */
  retain(keep: readonly string[]): void;
}

export function createTwins(windowMs: number, maxPerPeer: number): Twins {
  const held = new Map<string, { text: string; via: ChatPath; atMs: number }[]>();
  return {
    arrive(from, text, via, nowMs) {
      const list = (held.get(from) ?? []).filter((c) => nowMs - c.atMs < windowMs);
      held.set(from, list);
      const match = list.findIndex((c) => c.text === text && c.via !== via);
      if (match >= 0) {
        list.splice(match, 1);
        return true;
      }
      list.push({ text, via, atMs: nowMs });
      if (list.length > maxPerPeer) list.shift();
      return false;
    },
    retain(keep) {
      for (const from of held.keys()) if (!keep.includes(from)) held.delete(from);
    },
  };
}
