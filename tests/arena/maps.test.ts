// Custom arena maps are checked as the built-in ones hold: every built-in map, written in the
// custom map file format, passes the check and comes back the same; broken maps are refused
// with a message a host can act on.
import { describe, expect, it } from 'vitest';
import { CUSTOM_MAP_ID, MAPS, mapToJson, parseArenaMap } from '../../examples/arena-game/src/sim/maps.js';

describe('custom arena maps', () => {
  it('takes every built-in map in the file format, walls and spawns unchanged', () => {
    for (const map of MAPS) {
      const parsed = parseArenaMap(mapToJson(map));
      expect(parsed.ok, `${map.name}: ${parsed.ok ? '' : parsed.message}`).toBe(true);
      if (!parsed.ok) continue;
      expect(parsed.map).toMatchObject({ id: CUSTOM_MAP_ID, name: map.name, width: map.width, height: map.height });
      expect(new Set(parsed.map.walls.map((w) => JSON.stringify(w)))).toEqual(
        new Set(map.walls.map((w) => JSON.stringify(w))),
      );
      expect(parsed.map.spawns).toEqual(map.spawns);
    }
  });

  it('refuses broken maps with a reason', () => {
    const base = { name: 'Fort', width: 1000, height: 700, walls: [{ x: 300, y: 300, w: 100, h: 40 }] };
    const spawns = [
      { x: 100, y: 100 },
      { x: 900, y: 600 },
    ];
    const cases: [unknown, RegExp][] = [
      ['{', /not JSON/],
      [[], /not a map/],
      [{ ...base, spawns, name: '' }, /name/],
      [{ ...base, spawns, width: 50 }, /width and height/],
      [{ ...base, spawns, walls: [{ x: 900, y: 0, w: 200, h: 10 }] }, /wall 1/],
      [{ ...base, spawns: [spawns[0]] }, /2 to 16 spawns/],
      [{ ...base, spawns: [...spawns, { x: 310, y: 310 }] }, /spawn 3 is inside/],
      [{ ...base, spawns: [...spawns, { x: 10, y: 10 }] }, /spawn 3 is inside/],
    ];
    for (const [map, message] of cases) {
      const parsed = parseArenaMap(typeof map === 'string' ? map : JSON.stringify(map));
      expect(parsed.ok ? 'ok' : parsed.message).toMatch(message);
    }
    expect(parseArenaMap(JSON.stringify({ ...base, spawns })).ok).toBe(true);
  });
});
