// The arena's match feedback in real Chromium, two players on the small map: a shot makes a sound
// (Phaser's sound manager plays it, on the shooter's page and the other's); Escape opens the
// in-match menu, which takes the keys from the game and gives them back on closing; its mute
// silences this page's sounds (and is remembered) while the other still hears; a real kill shows
// "Bob got you" on the victim's death screen and "Bob ✦ you" / "You ✦ Ann" in the kill feeds; on a
// small screen the other player, out of view, gets an arrow on the edge towards them; and Leave
// takes the player back to the menu while the other sees them go.
// What a page shows for a moment (the death screen, a kill-feed line) is recorded by the page
// itself every 50 ms, so a busy test process cannot miss it. Screenshots: test-results/screenshots/.
import { expect, it } from 'vitest';
import { type ArenaPage, allPlaying, arenaSuite, framesDrawn, screenshot, until } from '../helpers/arena-game.js';
import { describeWith } from '../helpers/requirements.js';
import { letTimePass } from '../helpers/wait.js';

const arena = arenaSuite();
const { openArena } = arena;

const playerIn = async (page: ArenaPage, id: string) => (await page.snapshot()).players.find((p) => p.id === id);
const sound = async (page: ArenaPage) => (await page.snapshot()).sound;
const menuShown = (page: ArenaPage) => page.page.getByTestId('match-menu').isVisible();

/** What a page drew for a moment: every death-screen text and kill-feed line it ever showed. */
interface Seen {
  death: string[];
  feed: string[];
}

function record(page: ArenaPage): Promise<void> {
  return page.page.evaluate(() => {
    const seen = { death: [] as string[], feed: [] as string[] };
    (window as unknown as { __seen: typeof seen }).__seen = seen;
    const keep = (list: string[], text: string | null | undefined) => {
      if (text && !list.includes(text)) list.push(text);
    };
    setInterval(() => {
      const death = document.querySelector<HTMLElement>('[data-testid="death-screen"]');
      if (death && death.style.display !== 'none' && death.offsetHeight > 0) keep(seen.death, death.textContent);
      for (const line of Array.from(document.querySelectorAll<HTMLElement>('.killfeed > div')))
        keep(seen.feed, line.textContent);
    }, 50);
  });
}

const seen = (page: ArenaPage) =>
  page.page.evaluate(() => (window as unknown as { __seen: Seen }).__seen) as Promise<Seen>;

/** Holds the mouse button at `at` until `heard` (the button held: shots at the fire rate), then lets go. */
async function fireUntil(
  pages: ArenaPage[],
  page: ArenaPage,
  at: { x: number; y: number },
  heard: () => Promise<boolean>,
  what: string,
): Promise<void> {
  await page.page.mouse.move(at.x, at.y);
  await page.page.mouse.down();
  try {
    await until(pages, heard, what);
  } finally {
    await page.page.mouse.up();
  }
}

describeWith(['chromium'], 'arena in Chromium: sound, the in-match menu and match feedback', () => {
  it('plays sounds, pauses input under the menu, mutes, names the killer, marks the unseen, leaves', async () => {
    const small = { width: 640, height: 360 };
    const ann = await openArena(arena.browser, arena.server, 'Ann', 'create=1', small);
    await until([ann], async () => (await ann.snapshot()).room !== null, 'the room to be created');
    const code = (await ann.snapshot()).room?.code ?? '';
    const bob = await openArena(arena.browser, arena.server, 'Bob', `room=${code}&ready=1`, small);
    const pages = [ann, bob];
    await ann.page.getByTestId('map-select').selectOption('2');
    await until([ann], async () => !(await ann.page.getByTestId('start').isDisabled()), 'Bob ready');
    const [annId, bobId] = [await ann.selfId(), await bob.selfId()];
    await ann.page.getByTestId('start').click();
    await until(pages, allPlaying(pages, 2), 'both playing', 20_000);
    for (const p of pages) await record(p);

    // Sound is on in both pages, every effect played so far counted (the countdown's beeps, the start).
    for (const p of pages) expect((await sound(p)).state).toBe('on');
    expect((await sound(ann)).recent).toEqual(expect.arrayContaining(['beep', 'go']));
    // Everyone on screen on the small map at this size: no edge markers.
    expect((await ann.snapshot()).edgeMarkers).toEqual([]);

    // Ann fires away from Bob: a shot sounds on her page, and more quietly on Bob's.
    const annShots = (await sound(ann)).played;
    const bobHeard = (await sound(bob)).played;
    await fireUntil(
      pages,
      ann,
      { x: 20, y: 20 },
      async () =>
        (await sound(ann)).played > annShots &&
        (await sound(ann)).recent.includes('shot') &&
        (await sound(bob)).played > bobHeard,
      "a shot's sound on Ann's page and on Bob's",
    );

    // Escape opens the menu; the game takes no keys or clicks while it is open.
    await ann.page.keyboard.press('Escape');
    await until([ann], () => menuShown(ann), 'the menu to open on Escape');
    const x0 = (await playerIn(ann, annId))?.x ?? Number.NaN;
    await ann.page.keyboard.down('d');
    await letTimePass(500); // D held under the menu
    await ann.page.keyboard.up('d');
    await framesDrawn(ann.page);
    expect((await playerIn(ann, annId))?.x).toBe(x0);
    await screenshot(ann.page, 'match-menu');

    // The volume slider sets the sound's volume, remembered with the mute below.
    await ann.page.getByTestId('volume').fill('30');
    await until([ann], async () => (await sound(ann)).volume === 0.3, 'the volume at 30%');
    // Mute: remembered, and Ann's page plays nothing more; Bob's still hears her shots.
    await ann.page.getByTestId('mute-sound').check();
    await until([ann], async () => (await sound(ann)).muted, 'muted');
    expect(JSON.parse((await ann.page.evaluate(() => localStorage.getItem('tickmesh.arena.sound'))) ?? '{}')).toEqual({
      volume: 0.3,
      muted: true,
    });
    // Escape closes it and the keys are the game's again (the checkbox does not keep them).
    await ann.page.keyboard.press('Escape');
    await until([ann], async () => !(await menuShown(ann)), 'the menu to close on Escape');
    await ann.page.keyboard.down('d');
    await letTimePass(400); // D held with the menu closed
    await ann.page.keyboard.up('d');
    await until([ann], async () => ((await playerIn(ann, annId))?.x ?? x0) > x0 + 10, 'Ann to move again');
    const mutedPlayed = (await sound(ann)).played;
    const bobBefore = (await sound(bob)).played;
    // On the canvas, clear of the HUD's panels.
    await fireUntil(
      pages,
      ann,
      { x: 120, y: 120 },
      async () => (await sound(bob)).recent.includes('shot') && (await sound(bob)).played > bobBefore,
      "Ann's muted shot heard by Bob",
    );
    expect((await sound(ann)).played).toBe(mutedPlayed);

    // Bob aims the real mouse at Ann and holds the button until she goes down.
    await bob.page.mouse.move(100, 100);
    let downed = false;
    const deadline = Date.now() + 20_000;
    while (!downed && Date.now() < deadline) {
      const at = await bob.page.evaluate((id) => window.__arena.screenOf(id), annId);
      if (at) {
        await bob.page.mouse.move(at.x, at.y);
        await bob.page.mouse.down();
      }
      await letTimePass(150); // aim again every 150 ms
      downed = ((await playerIn(bob, bobId))?.score ?? 0) >= 1;
    }
    await bob.page.mouse.up();
    expect(downed).toBe(true);
    // Ann's death screen names Bob; each kill feed says who killed whom from its reader's side.
    await until([ann], async () => (await seen(ann)).death.length > 0, "Ann's death screen");
    await screenshot(ann.page, 'death-screen'); // while it shows (two seconds), most runs
    expect((await seen(ann)).death[0]).toMatch(/^Bob got you — respawning in [0-2] s$/);
    await until(
      pages,
      async () => (await seen(ann)).feed.includes('Bob ✦ you') && (await seen(bob)).feed.includes('You ✦ Ann'),
      'the kill in both kill feeds',
    );
    expect(await bob.page.locator('.killfeed > div').first().getAttribute('title')).toBe('You eliminated Ann');
    expect((await sound(bob)).recent).toContain('kill');
    await screenshot(bob.page, 'kill-feed');

    // On a small screen Ann (back on her feet) no longer sees Bob: an arrow on the edge points at him.
    await ann.page.setViewportSize({ width: 320, height: 240 });
    await until(
      [ann],
      async () => {
        const s = await ann.snapshot();
        return s.players.every((p) => p.alive) && s.edgeMarkers.some((m) => m.id === bobId);
      },
      'an edge marker for Bob on Ann’s small screen',
    );
    const marker = (await ann.snapshot()).edgeMarkers.find((m) => m.id === bobId);
    const bobAt = await ann.page.evaluate((id) => window.__arena.screenOf(id), bobId);
    if (!marker || !bobAt) throw new Error('marker');
    await framesDrawn(ann.page);
    await screenshot(ann.page, 'edge-marker');
    const offScreen = bobAt.x < 0 || bobAt.x > 320 || bobAt.y < 0 || bobAt.y > 240;
    expect(offScreen).toBe(true);
    // On the screen, on the way from the centre to Bob, near an edge: within 100 px (clear of the
    // HUD at the top and bottom).
    expect(Math.min(marker.x, 320 - marker.x, marker.y, 240 - marker.y)).toBeLessThanOrEqual(100);
    expect(marker.x >= 0 && marker.x <= 320 && marker.y >= 0 && marker.y <= 240).toBe(true);
    const towards = (bobAt.x - 160) * (marker.x - 160) + (bobAt.y - 120) * (marker.y - 120);
    expect(towards).toBeGreaterThan(0);
    // Not hidden under the HUD: no panel or button drawn over the arrow (15 px around its centre);
    // the kill feed's lines, gone in 5 s, may pass over it.
    const covering = await ann.page.evaluate(
      ({ x, y }) =>
        Array.from(document.querySelectorAll<HTMLElement>('#ui .panel, #ui button'))
          .filter((el) => el.offsetParent !== null && el.closest('.killfeed') === null)
          .filter((el) => {
            const r = el.getBoundingClientRect();
            return r.left < x + 15 && r.right > x - 15 && r.top < y + 15 && r.bottom > y - 15;
          })
          .map((el) => el.className || el.tagName),
      marker,
    );
    expect(covering).toEqual([]);

    // The menu button (no keyboard on a phone), then Leave: Ann is back at the menu, Bob sees her go.
    await ann.page.setViewportSize(small);
    await ann.page.getByTestId('open-menu').click();
    await until([ann], () => menuShown(ann), 'the menu to open from its button');
    await ann.page.getByTestId('leave-match').click();
    // The phase turns at once; the screen follows at the app's next render (within 100 ms).
    await until(
      [ann],
      async () => (await ann.snapshot()).phase === 'menu' && (await ann.page.getByTestId('create-room').isVisible()),
      'Ann back at the menu, its buttons on screen',
    );
    // Bob, alone, is back in the room lobby, where the chat says Ann left.
    await until(
      [bob],
      async () => {
        const s = await bob.snapshot();
        return s.players.length === 1 && s.players[0]?.id === bobId;
      },
      'Bob to see Ann leave',
    );
    await until([bob], async () => (await bob.page.getByText('Ann left.').count()) > 0, "'Ann left.' on Bob's page");
    for (const p of pages) expect(p.errors).toEqual([]);
  }, 120_000);
});
