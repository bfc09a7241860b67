import { describe, expect, it } from 'vitest';
import { edgeMarker } from '../../examples/arena-game/src/scenes/edge-markers.js';

const W = 960;
const H = 540;
const INSET = 24;
const EVEN = { top: INSET, right: INSET, bottom: INSET, left: INSET };

describe('edge markers', () => {
  it('none for a point on the screen, corners and edges included', () => {
    for (const [x, y] of [
      [480, 270],
      [0, 0],
      [W, H],
      [W, 10],
    ] as const)
      expect(edgeMarker(x, y, W, H, EVEN)).toBeNull();
  });

  it('straight right, left, above, below: on that edge, inset, pointing that way', () => {
    expect(edgeMarker(2000, 270, W, H, EVEN)).toEqual({ x: W - INSET, y: 270, angle: 0 });
    expect(edgeMarker(-50, 270, W, H, EVEN)).toEqual({ x: INSET, y: 270, angle: Math.PI });
    expect(edgeMarker(480, -400, W, H, EVEN)).toEqual({ x: 480, y: INSET, angle: -Math.PI / 2 });
    expect(edgeMarker(480, 900, W, H, EVEN)).toEqual({ x: 480, y: H - INSET, angle: Math.PI / 2 });
  });

  it('on the line from the centre to the player, inside the inset box, pointing at the player', () => {
    for (const [x, y] of [
      [3000, 900],
      [-700, -300],
      [1200, -2000],
      [-10, 600],
    ] as const) {
      const m = edgeMarker(x, y, W, H, EVEN);
      if (!m) throw new Error('expected a marker');
      // Inside the inset box, and on its border.
      expect(m.x).toBeGreaterThanOrEqual(INSET - 1e-9);
      expect(m.x).toBeLessThanOrEqual(W - INSET + 1e-9);
      expect(m.y).toBeGreaterThanOrEqual(INSET - 1e-9);
      expect(m.y).toBeLessThanOrEqual(H - INSET + 1e-9);
      const onBorder = [m.x - INSET, W - INSET - m.x, m.y - INSET, H - INSET - m.y].some((d) => Math.abs(d) < 1e-6);
      expect(onBorder).toBe(true);
      // Collinear with the centre and the player, on the player's side.
      const cross = (m.x - W / 2) * (y - H / 2) - (m.y - H / 2) * (x - W / 2);
      expect(Math.abs(cross)).toBeLessThan(1e-6 * Math.hypot(x, y) * W);
      expect(Math.atan2(y - m.y, x - m.x)).toBeCloseTo(m.angle, 9);
    }
  });

  it('a deeper inset at the top (the timer): a player straight above gets the arrow below it, pointing up', () => {
    const m = edgeMarker(480, -300, W, H, { ...EVEN, top: 64 });
    expect(m).toEqual({ x: 480, y: 64, angle: -Math.PI / 2 });
    const side = edgeMarker(-300, 270, W, H, { ...EVEN, top: 64 });
    expect(side?.x).toBe(INSET);
    // Still pointing at the player from where it is drawn.
    expect(side?.angle).toBeCloseTo(Math.atan2(270 - (side?.y ?? 0), -300 - INSET), 9);
  });
});
