// The arena demo in real Chromium, three players: one creates a room, two join by its code, all
// ready up and the host starts. Real key presses move a player and the others see it within
// 250 ms; real mouse aim and clicks shoot another until a kill, and every page agrees on the
// score; the host's page closes and the other two play on under a new host. Screenshots of the
// menu, the room lobby and the arena go to test-results/screenshots/.
import type { LobbyServer } from '@tickmesh/lobby-server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ArenaBuild,
  type ArenaPage,
  buildArena,
  everyPage,
  launchArenaBrowser,
  openArena,
  screenshot,
  serveArena,
  until,
} from '../helpers/arena-game.js';

let build: ArenaBuild | undefined;
let browser: Browser | undefined;
let server: LobbyServer | undefined;

beforeAll(async () => {
  [build, browser] = await Promise.all([buildArena(), launchArenaBrowser()]);
  server = await serveArena(build.dir);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  build?.remove();
});

const playerIn = async (page: ArenaPage, id: string) => (await page.snapshot()).players.find((p) => p.id === id);

/** Records (in the page) the wall-clock time at which player `id` is first drawn right of `x0`. */
function watchX(page: ArenaPage, id: string, x0: number): Promise<void> {
  return page.page.evaluate(
    ([pid, from]) => {
      const w = window as unknown as { __movedAt?: number | undefined };
      w.__movedAt = undefined;
      const timer = setInterval(() => {
        const p = window.__arena.snapshot().players.find((q) => q.id === pid);
        if (p?.x != null && p.x > from + 0.5) {
          w.__movedAt = Date.now();
          clearInterval(timer);
        }
      }, 8);
    },
    [id, x0] as const,
  );
}

describe('arena in Chromium: three players', () => {
  it('plays a round: join by code, ready, start, move, kill, host leaves', async () => {
    if (!browser || !server) throw new Error('not set up');
    const ann = await openArena(browser, server, 'Ann', '', { width: 1280, height: 720 });
    await ann.page.waitForTimeout(400); // the attract mode draws a few frames
    await screenshot(ann.page, 'menu');
    await ann.page.getByTestId('create-room').click();
    await until([ann], async () => (await ann.snapshot()).room !== null, 'the room to be created');
    const code = (await ann.page.getByTestId('room-code').textContent()) ?? '';
    expect(code).toMatch(/^[2-9A-HJ-NP-Z]{6}$/);

    const [bob, cy] = await Promise.all(
      ['Bob', 'Cy'].map((name) => openArena(browser as Browser, server as LobbyServer, name, 'voice=1')),
    );
    if (!bob || !cy) throw new Error('pages');
    const pages = [ann, bob, cy];
    for (const p of [bob, cy]) {
      await p.page.getByTestId('room-code-input').fill(code.toLowerCase());
      await p.page.getByTestId('join-room').click();
    }
    await until(
      pages,
      async () => (await everyPage(pages, (p) => p.snapshot())).every((s) => s.room?.code === code),
      'all in the room',
    );
    const [annId, bobId, cyId] = (await everyPage(pages, (p) => p.selfId())) as [string, string, string];
    // voice=1: both joiners' microphones (Chromium's fake device) are on.
    await until(
      pages,
      async () => (await everyPage([bob, cy], (p) => p.snapshot())).every((s) => s.voice.state === 'on'),
      'voice on',
    );
    // The host picks the small map (every spawn sees every other) and a short round.
    await ann.page.getByTestId('map-select').selectOption('2');
    for (const p of [bob, cy]) await p.page.getByTestId('ready').click();
    await until(
      pages,
      async () =>
        (await everyPage(pages, (p) => p.snapshot())).every(
          (s) => s.peers.length === 2 && s.peers.every((q) => q.link === 'connected'),
        ),
      'a full mesh',
    );
    await ann.page.getByTestId('chat-input').fill('good luck, have fun');
    await ann.page.getByTestId('chat-input').press('Enter');
    await until([ann], async () => !(await ann.page.getByTestId('start').isDisabled()), 'start to be enabled');
    await ann.page.waitForTimeout(300);
    await screenshot(ann.page, 'room-lobby');

    // Software WebGL on two cores: small windows while playing keep the machine's timing honest.
    await ann.page.getByTestId('start').click();
    await everyPage(pages, (p) => p.page.setViewportSize({ width: 640, height: 360 }));
    await until(
      pages,
      async () =>
        (await everyPage(pages, (p) => p.snapshot())).every(
          (s) => s.phase === 'playing' && s.players.length === 3 && s.players.every((q) => q.x !== null && q.alive),
        ),
      'all three playing',
      15_000,
    );

    // Bob holds D for one second; Ann and Cy see his x grow within 250 ms of the key going down.
    await bob.page.waitForTimeout(300);
    const x0 = (await playerIn(bob, bobId))?.x ?? 0;
    await Promise.all([ann, cy].map(async (p) => watchX(p, bobId, Math.max(x0, (await playerIn(p, bobId))?.x ?? 0))));
    await bob.page.mouse.move(200, 200);
    const keyDownAt = Date.now();
    await bob.page.keyboard.down('d');
    await bob.page.waitForTimeout(1000);
    await bob.page.keyboard.up('d');
    const seenAfter = await everyPage([ann, cy], (p) =>
      p.page.evaluate(() => (window as unknown as { __movedAt?: number }).__movedAt ?? null),
    );
    for (const at of seenAfter) {
      expect(at).not.toBeNull();
      expect((at as number) - keyDownAt).toBeLessThan(250);
    }
    for (const p of pages) expect((await playerIn(p, bobId))?.x ?? 0).toBeGreaterThan(x0 + 20);

    // Cy aims the real mouse at Bob and holds the button until Bob goes down.
    await cy.page.mouse.move(100, 100);
    let downed = false;
    const deadline = Date.now() + 15_000;
    while (!downed && Date.now() < deadline) {
      const at = await cy.page.evaluate((id) => window.__arena.screenOf(id), bobId);
      if (at) {
        await cy.page.mouse.move(at.x, at.y);
        await cy.page.mouse.down();
      }
      await cy.page.waitForTimeout(150);
      downed = ((await playerIn(cy, cyId))?.score ?? 0) >= 1;
    }
    await cy.page.mouse.up();
    expect(downed).toBe(true);
    await until(
      pages,
      async () => {
        const scores = await everyPage(pages, async (p) => (await p.snapshot()).players.map((q) => [q.id, q.score]));
        return (
          scores.every((s) => JSON.stringify(s) === JSON.stringify(scores[0])) &&
          scores[0]?.some(([id, score]) => id === cyId && score === 1) === true
        );
      },
      'every page to agree on the scores',
    );
    await screenshot(cy.page, 'arena-kill');

    // The host's page closes: Bob and Cy carry on under a new host.
    await ann.context.close();
    const rest = [bob, cy];
    await until(
      rest,
      async () =>
        (await everyPage(rest, (p) => p.snapshot())).every(
          (s) =>
            s.room?.hostId !== annId &&
            s.room?.hostId === [bobId, cyId].find((id) => id === s.room?.hostId) &&
            s.phase === 'playing',
        ),
      'a new host',
    );
    const hosts = await everyPage(rest, async (p) => (await p.snapshot()).room?.hostId);
    expect(hosts[0]).toBe(hosts[1]);
    const cyX = (await playerIn(bob, cyId))?.x ?? 0;
    await cy.page.keyboard.down('a');
    await cy.page.waitForTimeout(600);
    await cy.page.keyboard.up('a');
    await until(rest, async () => ((await playerIn(bob, cyId))?.x ?? cyX) < cyX - 20, 'Cy to move under the new host');
    for (const p of rest) expect(await p.page.getByText('now the host').count()).toBeGreaterThan(0);
    for (const p of pages) expect(p.errors).toEqual([]);
    await everyPage(rest, (p) => p.context.close());
  }, 90_000);
});
