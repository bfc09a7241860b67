/**
 * Who killed whom, in words: the kill feed's line ("Ann ✦ Bob": the killer in their colour, the
 * glyph, the victim in theirs, with the sentence for screen readers and tooltips) and the death
 * screen's line that names the killer ("Ann got you — respawning in 2 s").
 */

/** A player as the feed names them. */
export interface Named {
  name: string;
  color: number;
}

/** The glyph between killer and victim. */
export const KILL_GLYPH = '✦';

/** One line of the kill feed. */
export interface KillLine {
  killer: Named;
  victim: Named;
  /** This player is the killer or the victim (the line stands out). */
  mine: boolean;
  /** The line as a sentence: "Ann eliminated Bob", "You eliminated Bob", "Ann eliminated you". */
  says: string;
}

/**
 * @example
 * killLine({ name: 'Ann', color: 0x35e0c1 }, { name: 'Bob', color: 0xff9f43 }, { killer: false, victim: true })
 * // → { killer: Ann, victim: { name: 'you', ... }, mine: true, says: 'Ann eliminated you' }
 */
export function killLine(killer: Named, victim: Named, self: { killer: boolean; victim: boolean }): KillLine {
  const k = self.killer ? { ...killer, name: 'You' } : killer;
  const v = self.victim ? { ...victim, name: 'you' } : victim;
  return { killer: k, victim: v, mine: self.killer || self.victim, says: `${k.name} eliminated ${v.name}` };
}

/** The death screen's title: who got this player (null: not known). */
export function deathTitle(killer: string | null): string {
  return killer === null ? 'Eliminated' : `${killer} got you`;
}

/** The death screen's count: "respawning in 2 s" (whole seconds, rounded up). */
export function respawnText(respawnInS: number): string {
  return `respawning in ${Math.max(0, Math.ceil(respawnInS))} s`;
}

/** The death screen's line: "Ann got you — respawning in 2 s". */
export function deathText(killer: string | null, respawnInS: number): string {
  return `${deathTitle(killer)} — ${respawnText(respawnInS)}`;
}
