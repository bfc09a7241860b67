// The arena demo on a phone: Chromium emulating one (390x844 CSS px, touch, a mobile viewport).
// The menu and the room lobby fit in one column, portrait and landscape: every button and field
// is on screen (or scrolled to) and not covered, nothing is wider than the screen, names are
// whole. In a match the hints speak of thumbs, not keys; a Scores button opens the scoreboard.
// Synthetic touch (the DevTools protocol's touch events, as a touch screen sends them) on the
// move stick moves the player the way it is pushed, and with a second finger on the aim stick at
// the same time, the player keeps moving and shoots the other player down.
// Screenshots (looked at by a person when the layout changes) go to test-results/screenshots/.
import type { CDPSession, Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import {
  type ArenaPage,
  allPlaying,
  arenaSuite,
  everyPage,
  framesDrawn,
  screenshot,
  until,
} from '../helpers/arena-game.js';
import { describeWith } from '../helpers/requirements.js';
import { letTimePass } from '../helpers/wait.js';

const PHONE = { width: 390, height: 844 };
const PHONE_LANDSCAPE = { width: 844, height: 390 };
/** A phone's touch screen; the layout's screenshots at twice the pixels, to be read. */
const TOUCH = { isMobile: true, hasTouch: true, deviceScaleFactor: 1 };
const TOUCH_SHARP = { ...TOUCH, deviceScaleFactor: 2 };

const arena = arenaSuite();
const { openArena } = arena;

/**
 * What keeps a player from using `target`: not shown, off screen once scrolled to (the page
 * scrolls the room lobby when it is taller than the screen), or covered by something else. Null:
 * it is usable.
 */
async function unusable(target: Locator, what: string): Promise<string | null> {
  if ((await target.count()) !== 1) return `${what}: ${await target.count()} on the page`;
  return target.evaluate((el, name) => {
    el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return `${name}: not shown`;
    if (r.left < 0 || r.top < 0 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5)
      return `${name}: at ${Math.round(r.left)},${Math.round(r.top)}-${Math.round(r.right)},${Math.round(r.bottom)}, off a ${innerWidth}x${innerHeight} screen`;
    const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    if (top === null || !(el === top || el.contains(top)))
      return `${name}: covered by ${top?.tagName.toLowerCase()}.${top?.className}`;
    return null;
  }, what);
}

/** Elements wider than their box (cut off or scrolling sideways), by a description of each. */
function overflowing(page: Page, selectors: readonly string[]): Promise<string[]> {
  return page.evaluate((list) => {
    const found: string[] = [];
    const doc = document.scrollingElement ?? document.documentElement;
    if (doc.scrollWidth > innerWidth) found.push(`the page is ${doc.scrollWidth} px wide on a ${innerWidth} px screen`);
    for (const selector of list)
      for (const el of Array.from(document.querySelectorAll<HTMLElement>(selector)))
        if (el.scrollWidth > el.clientWidth + 1)
          found.push(`${selector} "${el.textContent}": ${el.scrollWidth} px in ${el.clientWidth} px`);
    return found;
  }, selectors);
}

async function problems(page: Page, targets: Record<string, Locator>, cutOff: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const [what, target] of Object.entries(targets)) {
    const problem = await unusable(target, what);
    if (problem) found.push(problem);
  }
  return [...found, ...(await overflowing(page, cutOff))];
}

/**
 * Fingers on a touch screen, through the DevTools protocol: each event lists every finger still
 * down, as a touch screen reports them, so two can be down and move at once.
 */
function touchScreen(cdp: CDPSession) {
  const down = new Map<number, { x: number; y: number }>();
  const send = (type: 'touchStart' | 'touchMove' | 'touchEnd') =>
    cdp.send('Input.dispatchTouchEvent', {
      type,
      touchPoints: [...down].map(([id, p]) => ({ id, x: p.x, y: p.y, radiusX: 8, radiusY: 8, force: 1 })),
    });
  return {
    async press(id: number, x: number, y: number) {
      down.set(id, { x, y });
      await send('touchStart');
    },
    async move(id: number, x: number, y: number) {
      down.set(id, { x, y });
      await send('touchMove');
    },
    async lift(id: number) {
      down.delete(id);
      await send('touchEnd');
    },
  };
}

async function centreOf(target: Locator): Promise<{ x: number; y: number }> {
  const box = await target.boundingBox();
  if (!box) throw new Error('not shown');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** The room lobby's controls, each usable, and nothing cut off; a screenshot as `shot` if given. */
async function lobbyFits(page: Page, host: boolean, shot?: string): Promise<void> {
  const targets: Record<string, Locator> = {
    'room code': page.getByTestId('room-code'),
    'Copy link': page.getByRole('button', { name: 'Copy link' }),
    'round length': page.getByTestId('round-select'),
    map: page.getByTestId('map-select'),
    'chat field': page.getByTestId('chat-input'),
    Mic: page.locator('.room').getByTestId('mic'),
    Leave: page.getByRole('button', { name: 'Leave' }),
    ...(host ? { Start: page.getByTestId('start') } : { Ready: page.getByTestId('ready') }),
  };
  if (shot) {
    await page.locator('.room').evaluate((el) => el.scrollTo(0, 0));
    await framesDrawn(page);
    await screenshot(page, shot);
  }
  const cutOff = ['.player-name', '.room-grid', '.room-foot', '.room-head', '.settings', '.chat'];
  expect(await problems(page, targets, cutOff), `the room lobby at ${JSON.stringify(page.viewportSize())}`).toEqual([]);
}

const playerIn = async (page: ArenaPage, id: string) => {
  const found = (await page.snapshot()).players.find((p) => p.id === id);
  if (!found || found.x === null || found.y === null) throw new Error(`no player ${id} on ${page.name}'s page`);
  return { ...found, x: found.x, y: found.y };
};

describeWith(['chromium'], 'arena on a phone', () => {
  it('fits the menu, the room lobby and the match on a 390 px screen, portrait and landscape', async () => {
    const ann = await openArena(arena.browser, arena.server, 'Annabelle', '', PHONE, TOUCH_SHARP);
    await framesDrawn(ann.page);
    await screenshot(ann.page, 'phone-menu');
    const menu = ann.page.locator('.menu');
    expect(
      await problems(
        ann.page,
        {
          name: menu.locator('input').first(),
          'Quick play': ann.page.getByRole('button', { name: 'Quick play' }),
          'Create private room': ann.page.getByTestId('create-room'),
          'room code': ann.page.getByTestId('room-code-input'),
          Join: ann.page.getByTestId('join-room'),
        },
        ['.menu'],
      ),
    ).toEqual([]);
    // The hints speak of thumbs on a touch screen.
    expect(await menu.locator('.help.touch-only').isVisible()).toBe(true);
    expect(await menu.getByText('WASD').isVisible()).toBe(false);
    // Held sideways the menu is taller than the screen: it scrolls, every control reachable.
    await ann.page.setViewportSize(PHONE_LANDSCAPE);
    await framesDrawn(ann.page);
    await screenshot(ann.page, 'phone-menu-landscape');
    expect(
      await problems(
        ann.page,
        { 'Create private room': ann.page.getByTestId('create-room'), Join: ann.page.getByTestId('join-room') },
        ['.menu'],
      ),
    ).toEqual([]);
    await ann.page.setViewportSize(PHONE);

    await ann.page.getByTestId('create-room').click();
    await until([ann], async () => (await ann.snapshot()).room !== null, 'the room to be created');
    const code = (await ann.snapshot()).room?.code ?? '';
    const bob = await openArena(arena.browser, arena.server, 'Bartholomew', `room=${code}`, PHONE, TOUCH_SHARP);
    const pages = [ann, bob];
    await until(
      pages,
      async () =>
        (await everyPage(pages, (p) => p.snapshot())).every(
          (s) => s.room?.code === code && s.peers.length === 1 && s.peers.every((q) => q.link === 'connected'),
        ),
      'both in the room, linked',
    );
    await bob.page.getByTestId('chat-input').fill('hi from a phone');
    await bob.page.getByTestId('chat-input').press('Enter');
    await until([ann], async () => (await ann.page.getByText('hi from a phone').count()) > 0, 'the chat line');

    await lobbyFits(bob.page, false, 'phone-room-lobby');
    await bob.page.setViewportSize(PHONE_LANDSCAPE);
    await lobbyFits(bob.page, false, 'phone-room-lobby-landscape');
    await bob.page.setViewportSize({ width: 360, height: 640 }); // a small phone
    await lobbyFits(bob.page, false, 'phone-room-lobby-360');
    await bob.page.setViewportSize(PHONE);
    await lobbyFits(ann.page, true);
    // Names are whole (and both are there).
    expect(await bob.page.locator('.player-name').allInnerTexts()).toEqual(
      expect.arrayContaining([expect.stringContaining('Annabelle'), expect.stringContaining('Bartholomew')]),
    );

    // Bob taps Ready, Ann taps Start.
    await bob.page.getByTestId('ready').tap();
    await until([ann], async () => !(await ann.page.getByTestId('start').isDisabled()), 'Start to be enabled');
    await ann.page.getByTestId('start').tap();
    await until(pages, allPlaying(pages, 2), 'both playing', 20_000);
    await framesDrawn(ann.page);
    await screenshot(ann.page, 'phone-match');
    const hud = ann.page.locator('.hud');
    expect(await hud.locator('.controls-hint.touch-only').isVisible()).toBe(true);
    expect(await hud.getByText('WASD').isVisible()).toBe(false);
    expect(
      await problems(
        ann.page,
        {
          Mic: hud.getByTestId('mic'),
          Scores: hud.getByTestId('scores'),
          'move stick': ann.page.getByTestId('move-stick'),
        },
        [],
      ),
    ).toEqual([]);
    // No Tab on a phone: the Scores button opens the scoreboard and closes it.
    await hud.getByTestId('scores').tap();
    await until([ann], () => hud.locator('.scoreboard').isVisible(), 'the scoreboard to open');
    await framesDrawn(ann.page);
    await screenshot(ann.page, 'phone-match-scores');
    expect(await overflowing(ann.page, ['.scoreboard'])).toEqual([]);
    expect(await hud.locator('.scoreboard').getByText('Tap Scores to close').isVisible()).toBe(true);
    await hud.getByTestId('scores').tap();
    await until([ann], async () => !(await hud.locator('.scoreboard').isVisible()), 'the scoreboard to close');

    await ann.page.setViewportSize(PHONE_LANDSCAPE);
    await framesDrawn(ann.page, 10);
    await screenshot(ann.page, 'phone-match-landscape');
    expect(
      await problems(
        ann.page,
        {
          Mic: hud.getByTestId('mic'),
          Scores: hud.getByTestId('scores'),
          'move stick': ann.page.getByTestId('move-stick'),
          'aim stick': ann.page.getByTestId('aim-stick'),
        },
        [],
      ),
    ).toEqual([]);
    for (const p of pages) expect(p.errors).toEqual([]);
  }, 90_000);

  it('plays by touch: the move stick moves the player its way, the aim stick at once aims and shoots', async () => {
    // Ann on a phone hosts the small map (every spawn sees every other); Bob at a desktop joins.
    const ann = await openArena(arena.browser, arena.server, 'Ann', 'create=1', PHONE, TOUCH);
    await until([ann], async () => (await ann.snapshot()).room !== null, 'the room to be created');
    await ann.page.getByTestId('map-select').selectOption('2');
    const code = (await ann.snapshot()).room?.code ?? '';
    const bob = await openArena(arena.browser, arena.server, 'Bob', `room=${code}&ready=1`, {
      width: 640,
      height: 360,
    });
    const pages = [ann, bob];
    await until([ann], async () => !(await ann.page.getByTestId('start').isDisabled()), 'Bob ready');
    // The desktop room lobby as before at common laptop sizes.
    for (const size of [
      { width: 1024, height: 640 },
      { width: 1280, height: 800 },
    ]) {
      await bob.page.setViewportSize(size);
      await lobbyFits(bob.page, false, `desktop-room-lobby-${size.width}x${size.height}`);
    }
    await bob.page.setViewportSize({ width: 640, height: 360 });
    await ann.page.getByTestId('start').tap();
    await until(pages, allPlaying(pages, 2), 'both playing', 20_000);
    const [annId, bobId] = (await everyPage(pages, (p) => p.selfId())) as [string, string];

    const cdp = await ann.context.newCDPSession(ann.page);
    const screen = touchScreen(cdp);
    const moveAt = await centreOf(ann.page.getByTestId('move-stick'));
    const aimAt = await centreOf(ann.page.getByTestId('aim-stick'));

    // Ann pushes the move stick sideways for 0.6 s, then up or down: she runs that way each time.
    // Both towards the map's open centre (her spawn is on a ring around it; the corners have
    // blocks a run outwards can stop against).
    const start = await playerIn(ann, annId);
    const side = start.x < 500 ? 1 : -1;
    await screen.press(1, moveAt.x, moveAt.y);
    await screen.move(1, moveAt.x + 30 * side, moveAt.y);
    await screen.move(1, moveAt.x + 50 * side, moveAt.y + 4);
    await letTimePass(600); // the thumb holds the stick
    await screen.lift(1);
    await until(
      [ann],
      async () => ((await playerIn(ann, annId)).x - start.x) * side > 40,
      `Ann to run ${side > 0 ? 'right' : 'left'} from x=${start.x}`,
    );
    const across = await playerIn(ann, annId);
    expect(Math.abs(across.y - start.y)).toBeLessThan(10);
    const upDown = across.y > 350 ? -1 : 1;
    await screen.press(1, moveAt.x, moveAt.y);
    await screen.move(1, moveAt.x - 3, moveAt.y + 50 * upDown);
    await letTimePass(400); // the thumb holds the stick
    await screen.lift(1);
    await until(
      [ann],
      async () => ((await playerIn(ann, annId)).y - across.y) * upDown > 30,
      `Ann to run ${upDown < 0 ? 'up' : 'down'} from y=${across.y}`,
    );

    // Both thumbs at once: the left one holds the stick down, the right one aims at Bob (again
    // every 150 ms: both move) and pushes past the dead zone until Bob is hit.
    const before = await playerIn(ann, annId);
    await screen.press(1, moveAt.x, moveAt.y);
    await screen.move(1, moveAt.x, moveAt.y + 50);
    await screen.press(2, aimAt.x, aimAt.y);
    const deadline = Date.now() + 15_000;
    let hit = false;
    let moved = false;
    while (!(hit && moved) && Date.now() < deadline) {
      const [me, him] = await Promise.all([
        ann.page.evaluate((id) => window.__arena.screenOf(id), annId),
        ann.page.evaluate((id) => window.__arena.screenOf(id), bobId),
      ]);
      if (me && him) {
        const len = Math.hypot(him.x - me.x, him.y - me.y) || 1;
        await screen.move(2, aimAt.x + ((him.x - me.x) / len) * 50, aimAt.y + ((him.y - me.y) / len) * 50);
      }
      await letTimePass(150); // aim again every 150 ms
      const [a, b] = await Promise.all([playerIn(ann, annId), playerIn(ann, bobId)]);
      moved ||= a.y > before.y + 20;
      hit ||= (b.hp ?? 100) < 100 || a.score > 0;
    }
    await screen.lift(2);
    await screen.lift(1);
    await screenshot(ann.page, 'phone-match-touch');
    expect({ moved, hit }).toEqual({ moved: true, hit: true });
    for (const p of pages) expect(p.errors).toEqual([]);
  }, 90_000);
});
