// The arena's custom map in real Chromium, three players: the host picks a map file in the room
// lobby (Playwright's setInputFiles on the real file input); a broken one is refused with the
// reason on the host's page and reaches no one; a good one goes to every member over the mesh's
// file transfer, each page says it has it before the round starts, and the round plays on it:
// every page draws the match on that map (its name and walls) with the players at its spawns.
import { expect, it } from 'vitest';
import { type ArenaPage, allLinked, allPlaying, arenaSuite, everyPage, until } from '../helpers/arena-game.js';
import { describeWith } from '../helpers/requirements.js';

const arena = arenaSuite();
const { openArena } = arena;

/** A map no built-in one looks like: 1100 x 640, two long walls, four spawns. */
const FORT = {
  name: 'Fort',
  width: 1100,
  height: 640,
  walls: [
    { x: 300, y: 200, w: 500, h: 30 },
    { x: 300, y: 410, w: 500, h: 30 },
  ],
  spawns: [
    { x: 120, y: 320 },
    { x: 980, y: 320 },
    { x: 550, y: 100 },
    { x: 550, y: 540 },
  ],
};

const note = (page: ArenaPage) => page.page.getByTestId('custom-map-note').textContent();
const pick = (page: ArenaPage, name: string, text: string) =>
  page.page
    .getByTestId('custom-map-input')
    .setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });

describeWith(['chromium'], 'arena in Chromium: a custom map shared by the host', () => {
  it('refuses a broken map, shares a good one with every member before the round, and plays on it', async () => {
    const ann = await openArena(arena.browser, arena.server, 'Ann', 'create=1');
    await until([ann], async () => (await ann.snapshot()).room !== null, 'the room to be created');
    const code = (await ann.snapshot()).room?.code ?? '';
    const bob = await openArena(arena.browser, arena.server, 'Bob', `room=${code}&ready=1`);
    const cy = await openArena(arena.browser, arena.server, 'Cy', `room=${code}&ready=1`);
    const pages = [ann, bob, cy];
    const members = [bob, cy];
    await until(pages, async () => (await everyPage(pages, (p) => allLinked(p, 3)())).every(Boolean), 'a mesh of 3');

    // A broken map: refused on the host's page with the reason; nothing reaches the others.
    await pick(ann, 'tiny.json', JSON.stringify({ ...FORT, width: 50 }));
    await until([ann], async () => /Map refused: width and height/.test((await note(ann)) ?? ''), 'the refusal');
    await pick(ann, 'junk.json', '{"name": "Fort", ');
    await until([ann], async () => /Map refused: the file is not JSON/.test((await note(ann)) ?? ''), 'junk refused');
    for (const p of members) expect(await note(p)).toBe('');

    // A good one: every member has it (hash checked) before the host can start.
    await pick(ann, 'fort.json', JSON.stringify(FORT));
    await until(
      pages,
      async () => (await everyPage(members, note)).every((text) => text === 'Custom map: Fort'),
      'every member to have the map',
    );
    await until([ann], async () => (await note(ann)) === 'Custom map: Fort (every player has it)', 'the host told');
    await until([ann], async () => !(await ann.page.getByTestId('start').isDisabled()), 'Start enabled');
    await ann.page.getByTestId('start').click();
    await until(pages, allPlaying(pages, 3), 'all three playing', 20_000);

    // Every page draws the match on the Fort: its name, its two walls inside the border of four.
    for (const s of await everyPage(pages, (p) => p.snapshot())) {
      expect(s.map).toEqual({ id: 100, name: 'Fort', walls: 6 });
      // Everyone stands where the Fort puts players (no built-in map has these spawns).
      for (const player of s.players) {
        const near = FORT.spawns.some((sp) => Math.hypot((player.x ?? -99) - sp.x, (player.y ?? -99) - sp.y) < 60);
        expect(near, `${player.name} at ${player.x},${player.y}`).toBe(true);
      }
    }
  }, 120_000);
});
