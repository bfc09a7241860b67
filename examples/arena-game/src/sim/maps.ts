/**
 * Arena maps: the world's size, its walls (axis-aligned rectangles) and its spawn points. Pure
 * data, shared by the simulation (collisions, spawns) and the renderer (drawing the walls).
 */

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface ArenaMap {
  readonly id: number;
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly walls: readonly Rect[];
  readonly spawns: readonly Point[];
}

/** Thickness of the border walls, px. */
export const BORDER = 32;
const W = 1600;
const H = 1000;

function border(width: number, height: number): Rect[] {
  return [
    { x: 0, y: 0, w: width, h: BORDER },
    { x: 0, y: height - BORDER, w: width, h: BORDER },
    { x: 0, y: 0, w: BORDER, h: height },
    { x: width - BORDER, y: 0, w: BORDER, h: height },
  ];
}

/** Mirrors a list of rects through the map's centre (point symmetry keeps maps fair). */
function mirrored(rects: readonly Rect[], width: number, height: number): Rect[] {
  return rects.flatMap((r) => [r, { x: width - r.x - r.w, y: height - r.y - r.h, w: r.w, h: r.h }]);
}

export const MAPS: readonly ArenaMap[] = [
  {
    id: 0,
    name: 'Courtyard',
    width: W,
    height: H,
    walls: [
      ...border(W, H),
      ...mirrored(
        [
          { x: 260, y: 220, w: 220, h: 40 },
          { x: 260, y: 220, w: 40, h: 160 },
          { x: 640, y: 140, w: 40, h: 220 },
          { x: 420, y: 560, w: 180, h: 40 },
          { x: 980, y: 300, w: 40, h: 120 },
        ],
        W,
        H,
      ),
      { x: 740, y: 440, w: 120, h: 120 },
    ],
    spawns: [
      { x: 120, y: 120 },
      { x: W - 120, y: H - 120 },
      { x: W - 120, y: 120 },
      { x: 120, y: H - 120 },
      { x: W / 2, y: 110 },
      { x: W / 2, y: H - 110 },
      { x: 140, y: H / 2 },
      { x: W - 140, y: H / 2 },
    ],
  },
  {
    id: 1,
    name: 'Crossfire',
    width: W,
    height: H,
    walls: [
      ...border(W, H),
      ...mirrored(
        [
          { x: 360, y: 160, w: 40, h: 280 },
          { x: 200, y: 470, w: 200, h: 40 },
          { x: 560, y: 300, w: 160, h: 40 },
          { x: 700, y: 120, w: 40, h: 120 },
          { x: 540, y: 720, w: 40, h: 160 },
        ],
        W,
        H,
      ),
      { x: 780, y: 380, w: 40, h: 240 },
      { x: 680, y: 480, w: 240, h: 40 },
    ],
    spawns: [
      { x: 110, y: 110 },
      { x: W - 110, y: H - 110 },
      { x: W - 110, y: 110 },
      { x: 110, y: H - 110 },
      { x: 560, y: 100 },
      { x: W - 560, y: H - 100 },
      { x: 1100, y: 560 },
      { x: 500, y: 440 },
    ],
  },
  {
    id: 2,
    name: 'Pit',
    width: 1000,
    height: 700,
    walls: [
      ...border(1000, 700),
      ...mirrored(
        [
          { x: 110, y: 100, w: 60, h: 60 },
          { x: 830, y: 100, w: 60, h: 60 },
        ],
        1000,
        700,
      ),
    ],
    // A ring around the centre: every spawn sees every other.
    spawns: Array.from({ length: 8 }, (_, i) => ({
      x: 500 + Math.round(250 * Math.cos((i / 8) * 2 * Math.PI)),
      y: 350 + Math.round(230 * Math.sin((i / 8) * 2 * Math.PI)),
    })),
  },
];

/** The map with id `id`, or the first map for an unknown id. */
export function mapById(id: number): ArenaMap {
  return MAPS.find((m) => m.id === id) ?? (MAPS[0] as ArenaMap);
}
