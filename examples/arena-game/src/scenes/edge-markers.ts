/**
 * Edge markers: a player outside the camera's view gets an arrow near the screen's edge, pointing
 * at them. The arrow sits where the line from the centre of the marker box (the screen less an
 * inset on each side: room for the whole arrow, and for the HUD's timer at the top) to the player
 * leaves that box. Pure: screen pixels in, screen pixels out.
 */

/** How far markers keep from each edge of the screen, px. */
export interface Insets {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/** Where a marker goes on the screen, px, and which way it points, at the player (radians, 0 = right, clockwise). */
export interface EdgeMarker {
  x: number;
  y: number;
  angle: number;
}

/**
 * The marker of a point at (`x`, `y`) on a screen of `width` × `height` px, or null if the point
 * is on the screen.
 *
 * @example
 * edgeMarker(2000, 270, 960, 540, { top: 24, right: 24, bottom: 24, left: 24 }) // → { x: 936, y: 270, angle: 0 }
 */
export function edgeMarker(x: number, y: number, width: number, height: number, inset: Insets): EdgeMarker | null {
  if (x >= 0 && x <= width && y >= 0 && y <= height) return null;
  const halfW = Math.max(0, (width - inset.left - inset.right) / 2);
  const halfH = Math.max(0, (height - inset.top - inset.bottom) / 2);
  const cx = inset.left + halfW;
  const cy = inset.top + halfH;
  const dx = x - cx;
  const dy = y - cy;
  // The largest step along the line from the box's centre that stays inside the box.
  const t = Math.min(
    dx === 0 ? Number.POSITIVE_INFINITY : halfW / Math.abs(dx),
    dy === 0 ? Number.POSITIVE_INFINITY : halfH / Math.abs(dy),
  );
  const mx = cx + dx * t;
  const my = cy + dy * t;
  return { x: mx, y: my, angle: Math.atan2(y - my, x - mx) };
}
