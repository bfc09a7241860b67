// examples/dots in real Chromium, driven only through its page: two players (one browser context
// each) type their names, one creates a room, the other joins by the code the first page shows,
// the joiner presses Ready and the host Start; after the countdown each page sees the other's dot
// move while an arrow key is held there, and space presses score points that both pages agree on.
// The page is the example's own Vite build, served by a real lobby server (its `staticDir`), inside
// the loopback-only namespace of `npm test`. The pages are read through `window.__dots.snapshot()`,
// never canvas pixels; one screenshot goes to test-results/screenshots/dots.png.
import type { LobbyServer } from '@tickmesh/lobby-server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DotsSnapshot } from '../../examples/dots/src/main.js';
import { buildExample, type ExampleBuild, screenshot, serveBuild } from '../helpers/arena-game.js';
import { capturePageErrors, launchChromium, untilOrReport } from '../helpers/chromium.js';
import { describeWith } from '../helpers/requirements.js';

/** How far (px) a dot must travel to count as moved: a few ticks of holding a key. */
const MOVED_PX = 40;

interface Player {
  name: string;
  page: Page;
  /** Uncaught errors and Content-Security-Policy refusals on the page. */
  errors: string[];
  snapshot(): Promise<DotsSnapshot>;
}

describeWith(['chromium'], 'dots example in Chromium', () => {
  let build: ExampleBuild | undefined;
  let browser: Browser | undefined;
  let server: LobbyServer | undefined;

  beforeAll(async () => {
    [build, browser] = await Promise.all([buildExample('dots'), launchChromium()]);
    server = await serveBuild(build.dir);
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    build?.remove();
  });

  async function open(name: string): Promise<Player> {
    if (!browser || !server) throw new Error('not set up');
    const context = await browser.newContext({ viewport: { width: 700, height: 640 } });
    const page = await context.newPage();
    const errors = capturePageErrors(page);
    await page.goto(`http://127.0.0.1:${server.port}/`);
    await page.waitForFunction(() => window.__dots !== undefined, null, { timeout: 10_000 });
    await page.fill('#name', name);
    return { name, page, errors, snapshot: () => page.evaluate(() => window.__dots.snapshot()) };
  }

  it('two players create and join a room, start, see each other move and agree on scores', async () => {
    const [ann, bob] = await Promise.all([open('Ann'), open('Bob')]);
    const players = [ann, bob];
    const until = (check: (a: DotsSnapshot, b: DotsSnapshot) => boolean, what: string) =>
      untilOrReport(
        async () => check(await ann.snapshot(), await bob.snapshot()),
        what,
        () => Promise.all(players.map(async (p) => ({ name: p.name, errors: p.errors, ...(await p.snapshot()) }))),
        15_000,
      );
    const dotOf = (seen: DotsSnapshot, whose: DotsSnapshot) => seen.dots.find((d) => d.player === whose.selfId);

    await ann.page.click('#create');
    await ann.page
      .locator('#room-code')
      .filter({ hasText: /^[A-Z0-9]{4,}$/ })
      .waitFor({ timeout: 10_000 });
    const code = (await ann.page.textContent('#room-code')) ?? '';
    expect((await ann.snapshot()).status).toMatch(/waiting for another player/);

    await bob.page.fill('#code', code.toLowerCase());
    await bob.page.click('#join');
    await until((a) => /Waiting for 1 player to press Ready/.test(a.status), 'Ann told Bob is not ready');
    await bob.page.click('#ready');
    await until(
      (a, b) =>
        a.status === 'Everyone is ready: press Start.' && b.status === 'Everyone is ready: waiting for Ann to start.',
      'Ann told to start, Bob to wait for her',
    );
    await ann.page.click('#start');
    await until((a, b) => a.status.startsWith('Starting in') && b.status.startsWith('Starting in'), 'a countdown');
    await until((a, b) => a.dots.length === 2 && b.dots.length === 2, 'both dots drawn on both pages');
    await until((a, b) => a.status.startsWith('Playing') && b.status.startsWith('Playing'), 'both playing');

    // Players spawn apart, and both pages agree on who is where before anyone moves.
    const [a0, b0] = [await ann.snapshot(), await bob.snapshot()];
    expect(a0.room?.hostId).toBe(a0.selfId);
    const [annDot, bobDot] = [dotOf(a0, a0), dotOf(a0, b0)];
    expect(annDot && bobDot && Math.hypot(annDot.x - bobDot.x, annDot.y - bobDot.y)).toBeGreaterThan(100);
    expect(dotOf(b0, a0)).toMatchObject({ name: 'Ann', local: false });
    expect(dotOf(b0, b0)).toMatchObject({ name: 'Bob', local: true });

    // Bob holds the right arrow: Ann sees his dot move right; Ann holds down: Bob sees hers go down.
    const bobX = dotOf(a0, b0)?.x ?? Number.NaN;
    await bob.page.click('canvas');
    await bob.page.keyboard.down('ArrowRight');
    await until((a, b) => (dotOf(a, b)?.x ?? 0) > bobX + MOVED_PX, "Ann sees Bob's dot move right");
    await bob.page.keyboard.up('ArrowRight');
    const annY = dotOf(b0, a0)?.y ?? Number.NaN;
    await ann.page.click('canvas');
    await ann.page.keyboard.down('s');
    await until((a, b) => (dotOf(b, a)?.y ?? 0) > annY + MOVED_PX, "Bob sees Ann's dot move down (WASD)");
    await ann.page.keyboard.up('s');

    // Space scores one point per press (a tap shorter than a tick counts); both pages agree.
    for (const [player, presses] of [[ann, 3] as const, [bob, 2] as const]) {
      for (let i = 1; i <= presses; i++) {
        await player.page.keyboard.press('Space');
        await until(
          (a, b) => (dotOf(player === ann ? a : b, player === ann ? a : b)?.score ?? 0) >= i,
          `${player.name} scores ${i}`,
        );
      }
    }
    const scores = (seen: DotsSnapshot, a: DotsSnapshot, b: DotsSnapshot) => [
      dotOf(seen, a)?.score,
      dotOf(seen, b)?.score,
    ];
    await until(
      (a, b) => scores(a, a, b).join() === '3,2' && scores(b, a, b).join() === '3,2',
      'both pages show Ann 3, Bob 2',
    );
    // Game events: the host's own, and Bob's from the host through `parseEvent`.
    await until((a, b) => a.note === 'Bob scored (2).' && b.note === a.note, 'the last score in both notes');
    await screenshot(ann.page, 'dots');
    expect(ann.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
    // About 7 s on a quiet machine (3 s of it the countdown); pages load and step far slower on two
    // cores shared with other test runs, so the budget is generous and each wait reports what it saw.
  }, 40_000);
});
