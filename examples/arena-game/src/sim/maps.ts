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

/** The id a room's settings name a custom map by (one at a time: the host's, shared before the round). */
export const CUSTOM_MAP_ID = 100;
/** Largest custom map file the arena takes, bytes (the file transfer's `maxFileBytes` for maps). */
export const MAX_MAP_FILE_BYTES = 64 * 1024;

let customMap: ArenaMap | null = null;

/** Makes `map` the custom map `mapById(CUSTOM_MAP_ID)` returns on this page (null: none). */
export function setCustomMap(map: ArenaMap | null): void {
  customMap = map;
}

/** The custom map this page holds, if any. */
export const currentCustomMap = (): ArenaMap | null => customMap;

/** The map with id `id`, or the first map for an unknown id (or a custom map this page lacks). */
export function mapById(id: number): ArenaMap {
  if (id === CUSTOM_MAP_ID && customMap) return customMap;
  return MAPS.find((m) => m.id === id) ?? (MAPS[0] as ArenaMap);
}

export type MapCheck = { ok: true; map: ArenaMap } | { ok: false; message: string };

const MIN_SIDE = 400;
const MAX_SIDE = 4000;
const MAX_WALLS = 200;
const MAX_SPAWNS = 16;
/** A spawn needs this much room from every wall, px (a player's radius and a margin). */
const SPAWN_CLEARANCE = 24;

const isCount = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/**
 * Checks a custom map as the built-in ones hold (tests/arena/maps.test.ts runs every built-in map
 * through it): a name, a size within 400-4000 px, walls inside the map (at most 200), 2-16
 * spawns inside the border with room around them, none inside a wall. `text` is the file's JSON:
 * `{ "name": "Fort", "width": 1200, "height": 800, "walls": [{ "x", "y", "w", "h" }, ...],
 * "spawns": [{ "x", "y" }, ...] }` (the border walls are added: the map's own walls are inside it).
 */
export function parseArenaMap(text: string): MapCheck {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, message: 'the file is not JSON' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, message: 'not a map object' };
  const m = raw as Record<string, unknown>;
  if (typeof m.name !== 'string' || m.name.trim() === '' || m.name.length > 40)
    return { ok: false, message: 'the map needs a name (1-40 characters)' };
  if (!isCount(m.width, MIN_SIDE, MAX_SIDE) || !isCount(m.height, MIN_SIDE, MAX_SIDE))
    return { ok: false, message: `width and height must be whole numbers from ${MIN_SIDE} to ${MAX_SIDE}` };
  const { width, height } = m;
  if (!Array.isArray(m.walls) || m.walls.length > MAX_WALLS)
    return { ok: false, message: `walls must be a list of at most ${MAX_WALLS}` };
  const walls: Rect[] = [];
  for (const w of m.walls as unknown[]) {
    const r = w as Record<string, unknown> | null;
    if (
      typeof r !== 'object' ||
      r === null ||
      !isCount(r.x, 0, width) ||
      !isCount(r.y, 0, height) ||
      !isCount(r.w, 1, width) ||
      !isCount(r.h, 1, height) ||
      r.x + r.w > width ||
      r.y + r.h > height
    )
      return { ok: false, message: `wall ${walls.length + 1} is not a rectangle inside the map` };
    walls.push({ x: r.x, y: r.y, w: r.w, h: r.h });
  }
  if (!Array.isArray(m.spawns) || m.spawns.length < 2 || m.spawns.length > MAX_SPAWNS)
    return { ok: false, message: `the map needs 2 to ${MAX_SPAWNS} spawns` };
  const all = [...border(width, height), ...walls];
  const spawns: Point[] = [];
  for (const s of m.spawns as unknown[]) {
    const p = s as Record<string, unknown> | null;
    if (typeof p !== 'object' || p === null || !isCount(p.x, 0, width) || !isCount(p.y, 0, height))
      return { ok: false, message: `spawn ${spawns.length + 1} is not a point inside the map` };
    const point = { x: p.x, y: p.y };
    if (all.some((r) => nearRect(point, r, SPAWN_CLEARANCE)))
      return { ok: false, message: `spawn ${spawns.length + 1} is inside or against a wall` };
    spawns.push(point);
  }
  return { ok: true, map: { id: CUSTOM_MAP_ID, name: m.name.trim(), width, height, walls: all, spawns } };
}

/** Whether `p` is within `margin` of rectangle `r` (or inside it). */
function nearRect(p: Point, r: Rect, margin: number): boolean {
  return p.x > r.x - margin && p.x < r.x + r.w + margin && p.y > r.y - margin && p.y < r.y + r.h + margin;
}

/** A built-in map in the custom map's file format (its border left out), for tests and as a template. */
export function mapToJson(map: ArenaMap): string {
  const edge = border(map.width, map.height);
  const walls = map.walls.filter((w) => !edge.some((b) => b.x === w.x && b.y === w.y && b.w === w.w && b.h === w.h));
  return JSON.stringify({ name: map.name, width: map.width, height: map.height, walls, spawns: map.spawns });
}
