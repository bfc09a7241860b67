/**
 * Key to screen from recordings (pure): when a page first drew a player moved after its key went
 * down. A press is seen at the first frame after the keydown that draws the player more than
 * `movedPx` from where that page drew it at the keydown (its last frame at or before it), in the
 * key's direction, before the next key goes down and within `windowMs`. The rule of simulated.ts.
 */

/** A key going down: when (Unix ms, from the pressing page's clock) and which way along x. */
export interface KeyDown {
  atMs: number;
  dx: -1 | 1;
}

/** A frame: when (Unix ms, the drawing page's clock) and where the player was drawn, world px. */
export type DrawnFrame = readonly [atMs: number, x: number, y: number];

export interface KeyToScreen {
  /** One per press, ms; null: the page never showed it within the window (or drew no frame before). */
  perPressMs: (number | null)[];
  /** The presses seen, ms. */
  latenciesMs: number[];
  missed: number;
}

/**
 * @example
 * keyToScreen([{ atMs: 1000, dx: 1 }], [[990, 5, 0], [1010, 5, 0], [1040, 6, 0]], 0.5, 1000);
 * // { perPressMs: [40], latenciesMs: [40], missed: 0 }
 */
export function keyToScreen(
  keys: readonly KeyDown[],
  frames: readonly DrawnFrame[],
  movedPx: number,
  windowMs: number,
): KeyToScreen {
  const perPressMs: (number | null)[] = [];
  for (const [i, key] of keys.entries()) {
    const end = Math.min(key.atMs + windowMs, keys[i + 1]?.atMs ?? Number.POSITIVE_INFINITY);
    let from: number | undefined;
    let seenAt: number | undefined;
    for (const [at, x] of frames) {
      if (at <= key.atMs) {
        from = x;
        continue;
      }
      if (at > end || from === undefined) break;
      if ((x - from) * key.dx > movedPx) {
        seenAt = at;
        break;
      }
    }
    perPressMs.push(seenAt === undefined ? null : seenAt - key.atMs);
  }
  const latenciesMs = perPressMs.filter((ms): ms is number => ms !== null);
  return { perPressMs, latenciesMs, missed: perPressMs.length - latenciesMs.length };
}
