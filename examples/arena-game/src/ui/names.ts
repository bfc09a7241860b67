/** Player names where space is short: cut to a number of characters with "…" (the full name goes in a `title`). */

/** How many characters of a name the arena draws above a player. */
export const LABEL_NAME_CHARS = 14;

/**
 * `name` cut to at most `max` characters (code points, so no half of an emoji), the last one "…"
 * when it was longer.
 * @example
 * shortName('Bartholomew the Unstoppable', 14); // 'Bartholomew t…'
 */
export function shortName(name: string, max: number = LABEL_NAME_CHARS): string {
  const chars = Array.from(name);
  return chars.length <= max
    ? name
    : `${chars
        .slice(0, Math.max(1, max - 1))
        .join('')
        .trimEnd()}…`;
}

/** "Ann's" as the menu says it of an inviter. */
export function possessive(name: string): string {
  return `${name}’s`;
}
