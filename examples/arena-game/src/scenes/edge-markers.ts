/**
 * Edge markers: a player outside the camera's view gets an arrow on the screen's edge, where the
 * line from the screen's centre to them leaves the screen, pulled in by an inset so the arrow is
 * whole, and pointing at them. Pure: screen pixels in, screen pixels out.
 */

/** Where a marker goes on the screen, px, and which way it points (radians, 0 = right, clockwise). */
export interface EdgeMarker {
  x: number;
  y: number;
  angle: number;
}

/**
 * The marker of a point at (`x`, `y`) on a screen of `width` × `height` px, or null if the point
 * is on the screen (within `inset` px of its edge still counts as off: the player is cut off there).
 *
 * @example
 * edgeMarker(2000, 300, 960, 540, 24) // → { x: 936, y: ~283, angle: ~-0.02 }
 */
export function edgeMarker(x: number, y: number, width: number, height: number, inset: number): EdgeMarker | null {
  if (x >= 0 && x <= width && y >= 0 && y <= height) return null;
  const cx = width / 2;
  const cy = height / 2;
  const dx = x - cx;
  const dy = y - cy;
  const halfW = Math.max(0, cx - inset);
  const halfH = Math.max(0, cy - inset);
  // The largest scale that keeps the point inside the inset box, along the line from the centre.
  const t = Math.min(
    dx === 0 ? Number.POSITIVE_INFINITY : halfW / Math.abs(dx),
    dy === 0 ? Number.POSITIVE_INFINITY : halfH / Math.abs(dy),
  );
  return { x: cx + dx * t, y: cy + dy * t, angle: Math.atan2(dy, dx) };
}
