// One browser player and three headless bots (the `npm run bots` CLI: Node, @roamhq/wrtc, the same
// netcode) fill a room and play for 20 s; the browser sees all four move. A screenshot of the
// arena in play goes to test-results/screenshots/arena.png.
import type { LobbyServer } from '@tickmesh/lobby-server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  allLinked,
  type Bots,
  buildExample,
  type ExampleBuild,
  launchArenaBrowser,
  openArena,
  screenshot,
  serveBuild,
  startBots,
  until,
} from '../helpers/arena-game.js';
import { describeWith } from '../helpers/requirements.js';
import { letTimePass } from '../helpers/wait.js';

const PLAY_MS = 20_000;

let build: ExampleBuild | undefined;
let browser: Browser | undefined;
let server: LobbyServer | undefined;
let bots: Bots | undefined;

beforeAll(async () => {
  [build, browser] = await Promise.all([buildExample('arena-game'), launchArenaBrowser()]);
  server = await serveBuild(build.dir);
}, 60_000);
afterAll(async () => {
  await bots?.stop();
  await browser?.close();
  await server?.close();
  build?.remove();
});

describeWith(['chromium'], 'arena: a browser player and three bots', () => {
  it('fills a room with bots that ready up and play; the browser sees all four move', async () => {
    if (!browser || !server) throw new Error('not set up');
    const ann = await openArena(browser, server, 'Ann', 'create=1', { width: 1280, height: 720 });
    await until([ann], async () => (await ann.snapshot()).room !== null, 'the room to be created');
    const code = (await ann.snapshot()).room?.code ?? '';

    bots = startBots(server.url, code, 3);
    const { output } = bots;
    await until([ann], allLinked(ann, 4), () => `three bots in the room, linked (bots said: ${output()})`, 20_000);
    await until([ann], async () => !(await ann.page.getByTestId('start').isDisabled()), 'every bot ready');
    await ann.page.getByTestId('start').click();
    await until(
      [ann],
      async () => {
        const s = await ann.snapshot();
        return s.phase === 'playing' && s.players.every((p) => p.x !== null);
      },
      'the match to start',
    );

    // Play: Ann strafes and fires; record where everyone is drawn on Ann's page.
    const tracks = new Map<string, Set<string>>();
    const started = Date.now();
    let shot = false;
    await ann.page.mouse.move(640, 200);
    await ann.page.mouse.down();
    let key: 'a' | 'd' = 'd';
    let round = 0;
    await ann.page.keyboard.down(key);
    while (Date.now() - started < PLAY_MS) {
      const s = await ann.snapshot();
      for (const p of s.players) {
        if (p.x === null || p.y === null) continue;
        const seen = tracks.get(p.id) ?? new Set();
        seen.add(`${Math.round(p.x)},${Math.round(p.y)}`);
        tracks.set(p.id, seen);
      }
      if (!shot && Date.now() - started > 6000) {
        await screenshot(ann.page, 'arena');
        shot = true;
      }
      if (++round % 12 === 0) {
        await ann.page.keyboard.up(key);
        key = key === 'd' ? 'a' : 'd';
        await ann.page.keyboard.down(key);
      }
      await letTimePass(200); // a sample every 200 ms for PLAY_MS
    }
    await ann.page.keyboard.up(key);
    await ann.page.mouse.up();

    const final = await ann.snapshot();
    expect(final.players).toHaveLength(4);
    for (const p of final.players) {
      const distinct = tracks.get(p.id)?.size ?? 0;
      expect(distinct, `${p.name} was drawn at ${distinct} distinct positions`).toBeGreaterThan(10);
    }
    expect(final.phase).toMatch(/playing|ended/);
    expect(ann.errors).toEqual([]);
    await ann.context.close();
  }, 90_000);
});
