// The arena's social side in real Chromium, against a real lobby. An invite link opened in a fresh
// page says whose room it is ("Join Ann's room"), with the cursor in the name field, and Enter
// joins. In the room the host mutes one player's chat (their message never shows, the others' do)
// and kicks another, who lands on the menu told why. Two players with 24-character names at
// 1024x640: the HOST badge stays in view, the scoreboard's columns stay in its panel, and after a
// kill the kill feed stays clear of the timer (bounding boxes; screenshots in
// test-results/screenshots/ checked by eye). A player alone after quick play is offered bots at
// once, the practice round's bots move, and a second player joining ends it with a chat line.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import {
  type ArenaPage,
  allPlaying,
  arenaSuite,
  everyPage,
  framesDrawn,
  openArenaAt,
  screenshot,
  until,
} from '../helpers/arena-game.js';
import { describeWith } from '../helpers/requirements.js';
import { letTimePass } from '../helpers/wait.js';

/** How long a Playwright action (a click, a wait for an element) may take before the test fails naming it. */
const ACTION_MS = 15_000;
const arena = arenaSuite({ actionTimeoutMs: ACTION_MS });
const { openArena } = arena;

const LAPTOP = { width: 1024, height: 640 };
/** Pages whose layout a test does not measure: small, so three software-rendered pages fit two busy cores. */
const SMALL = { width: 640, height: 360 };

/** A page opened at `url` as a friend would (no `name=`: the automation's shortcut is not used). */
async function openLink(url: string, label: string): Promise<ArenaPage> {
  return openArenaAt(arena.track(await arena.browser.newContext({ viewport: SMALL })), url, label);
}

const inRoom = (pages: readonly ArenaPage[], code: string, players: number) => async () =>
  (await everyPage(pages, (p) => p.snapshot())).every((s) => s.room?.code === code && s.players.length === players);

const chatText = (p: ArenaPage) => p.page.getByTestId('chat-log').innerText();

/** The page box of an element (it must be laid out). */
async function box(page: Page, selector: string) {
  const b = await page.locator(selector).first().boundingBox();
  if (!b) throw new Error(`${selector} is not laid out`);
  return b;
}

type Box = { x: number; y: number; width: number; height: number };
const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const inside = (inner: Box, outer: Box) =>
  inner.x >= outer.x - 0.5 &&
  inner.y >= outer.y - 0.5 &&
  inner.x + inner.width <= outer.x + outer.width + 0.5 &&
  inner.y + inner.height <= outer.y + outer.height + 0.5;

describeWith(['chromium'], 'arena in Chromium: invites, chat mute, kick, long names, practice', () => {
  it('an invite says whose room it is and Enter joins; the host mutes one player and kicks another', async () => {
    const ann = await openArena(arena.browser, arena.server, 'Ann', 'create=1', LAPTOP);
    await until([ann], async () => (await ann.snapshot()).room !== null, 'Ann’s room');
    const code = (await ann.snapshot()).room?.code ?? '';
    const link = await ann.page.locator('.invite input').inputValue();
    expect(link).toBe(`http://127.0.0.1:${arena.server.port}/?room=${code}&from=Ann`);

    // Bob opens the link: the menu leads with Ann's room, the cursor is in the name field.
    const bob = await openLink(link, 'Bob');
    const joinInvite = bob.page.getByTestId('join-invite');
    await joinInvite.waitFor();
    expect(await joinInvite.innerText()).toBe('Join Ann’s room');
    expect(await bob.page.locator('.menu button.primary').count()).toBe(1);
    await until(
      [bob],
      () => bob.page.evaluate(() => document.activeElement?.getAttribute('placeholder') === 'Your name'),
      'the name field focused',
    );
    await framesDrawn(bob.page);
    await screenshot(bob.page, 'social-invite');
    await bob.page.keyboard.type('Bob');
    await bob.page.keyboard.press('Enter');
    await until([ann, bob], inRoom([ann, bob], code, 2), 'Bob in Ann’s room');

    const cy = await openArena(arena.browser, arena.server, 'Cy', `room=${code}`, SMALL);
    const pages = [ann, bob, cy];
    await until(pages, inRoom(pages, code, 3), 'all three in the room');
    const [, bobId, cyId] = (await everyPage(pages, (p) => p.selfId())) as [string, string, string];

    // Ann mutes Cy's chat: Cy's message never shows on her page; Bob's, sent after it, does.
    await ann.page.locator(`li.player-row[data-peer="${cyId}"]`).getByTestId('mute-chat').click();
    await until([ann], async () => (await chatText(ann)).includes('You muted Cy’s chat'), 'the mute said once');
    await cy.page.getByTestId('chat-input').fill('secret plan');
    await cy.page.getByTestId('chat-input').press('Enter');
    await until([bob], async () => (await chatText(bob)).includes('secret plan'), 'Cy’s message reaching Bob');
    await bob.page.getByTestId('chat-input').fill('hello all');
    await bob.page.getByTestId('chat-input').press('Enter');
    await until([ann], async () => (await chatText(ann)).includes('hello all'), 'Bob’s message reaching Ann');
    expect(await chatText(ann)).not.toContain('secret plan');
    expect((await chatText(ann)).match(/You muted Cy’s chat/g)).toHaveLength(1);

    // Ann kicks Bob: a first press asks, the second removes him; Bob is told why, on the menu.
    const kick = ann.page.locator(`li.player-row[data-peer="${bobId}"]`).getByTestId('kick');
    await kick.click();
    await until([ann], async () => (await kick.innerText()) === 'Sure?', 'the kick to ask again');
    expect((await bob.snapshot()).room?.code).toBe(code);
    await kick.click();
    await until([bob], async () => (await bob.snapshot()).phase === 'menu', 'Bob back on the menu');
    await bob.page.getByText('You were removed from the room by the host').waitFor();
    await until(pages, inRoom([ann, cy], code, 2), 'Ann and Cy left in the room');
    for (const p of pages) expect(p.errors).toEqual([]);
  }, 90_000);

  it('24-character names at 1024x640: HOST badge, scoreboard and kill feed stay in place', async () => {
    const longA = 'WWWWWWWWWWWWWWWWWWWWWWW1';
    const longB = 'MMMMMMMMMMMMMMMMMMMMMMM2';
    const a = await openArena(arena.browser, arena.server, longA, 'create=1', LAPTOP);
    await until([a], async () => (await a.snapshot()).room !== null, 'the room');
    const code = (await a.snapshot()).room?.code ?? '';
    const b = await openArena(arena.browser, arena.server, longB, `room=${code}&ready=1`, SMALL);
    const pages = [a, b];
    await until(pages, inRoom(pages, code, 2), 'both in the room');
    const [aId, bId] = (await everyPage(pages, (p) => p.selfId())) as [string, string];

    // The room: each long name with the full name on hover (its title).
    // Both rows measured in one evaluate, found by selector there and then: a row is drawn again
    // when something in it changes (a ping, a link), and a handle taken a moment before may be
    // to the row it replaced, detached and measuring nothing.
    const rows = await a.page.evaluate(
      ([guestId, hostId]) => {
        const rect = (el: Element | null) => {
          const r = el?.getBoundingClientRect();
          return r ? { x: r.x, y: r.y, width: r.width, height: r.height } : null;
        };
        const measure = (id: string) => {
          const row = document.querySelector<HTMLElement>(`li.player-row[data-peer="${id}"]`);
          const name = row?.querySelector<HTMLElement>('.name-text') ?? null;
          const badge = row?.querySelector<HTMLElement>('.player-name small') ?? null;
          return {
            row: rect(row),
            rowOverflows: row ? row.scrollWidth > row.clientWidth : null,
            name: rect(name),
            title: name?.title,
            ellipsis: name ? getComputedStyle(name).textOverflow : null,
            controls: rect(row?.querySelector('.row-controls') ?? null),
            badge: rect(badge),
            badgeText: badge?.innerText,
          };
        };
        return { guest: measure(guestId), host: measure(hostId) };
      },
      [bId, aId] as const,
    );
    const { guest, host } = rows;
    if (!guest.name || !guest.controls || !host.badge || !host.row || !host.name)
      throw new Error(`the rows are not laid out: ${JSON.stringify(rows)}`);
    // Cut or not (that turns on a few pixels: the ping's text, the panel's width), the guest's name
    // never runs under the row's controls nor out of the row, and is set to end in an ellipsis.
    expect(guest.name.x + guest.name.width).toBeLessThanOrEqual(guest.controls.x + 0.5);
    expect(guest).toMatchObject({ title: longB, rowOverflows: false, ellipsis: 'ellipsis' });
    // The host's HOST badge in full view after the host's name.
    expect(host).toMatchObject({ title: longA, badgeText: 'HOST' });
    expect(inside(host.badge, host.row)).toBe(true);
    expect(host.badge.x).toBeGreaterThanOrEqual(host.name.x + host.name.width - 0.5);
    await framesDrawn(a.page);
    await screenshot(a.page, 'social-long-names-room');

    await a.page.getByTestId('map-select').selectOption('2'); // the small map: every spawn sees every other
    await until([a], async () => !(await a.page.getByTestId('start').isDisabled()), 'start to be enabled');
    await a.page.getByTestId('start').click();
    await until(pages, allPlaying(pages, 2), 'both playing', 20_000);

    // The scoreboard (Tab): every cell inside its panel.
    await a.page.mouse.move(100, 100);
    await a.page.keyboard.down('Tab');
    await a.page.locator('.scoreboard td').first().waitFor();
    // Panel and cells measured in one go (the board redraws as pings change).
    const { board, cells } = await a.page.evaluate(() => {
      const rect = (el: Element) => {
        const r = el.getBoundingClientRect();
        return { x: r.x, y: r.y, width: r.width, height: r.height, text: (el as HTMLElement).innerText };
      };
      const panel = document.querySelector('.scoreboard');
      return {
        board: panel ? rect(panel) : null,
        cells: Array.from(document.querySelectorAll('.scoreboard td, .scoreboard th, .scoreboard td > *'), rect),
      };
    });
    if (!board) throw new Error('no scoreboard');
    await screenshot(a.page, 'social-long-names-scoreboard');
    expect(cells.length).toBeGreaterThan(10);
    expect(cells.filter((c) => !inside(c, board))).toEqual([]);
    expect(await a.page.locator('.scoreboard .name-text').first().getAttribute('title')).toMatch(/^[WM]{23}[12]$/);
    await a.page.keyboard.up('Tab');

    // A kills B with the real mouse: the kill feed line, two long names, stays clear of the timer.
    let downed = false;
    const deadline = Date.now() + 20_000;
    while (!downed && Date.now() < deadline) {
      const at = await a.page.evaluate((id) => window.__arena.screenOf(id), bId);
      if (at) {
        await a.page.mouse.move(at.x, at.y);
        await a.page.mouse.down();
      }
      await letTimePass(150); // aim again every 150 ms: B may move
      downed = (await a.page.locator('.killfeed > *').count()) > 0;
    }
    await a.page.mouse.up();
    expect(downed).toBe(true);
    const timer = await box(a.page, '.timer');
    const feed = await a.page.locator('.killfeed > *').evaluateAll((els) =>
      els.map((el) => {
        const r = el.getBoundingClientRect();
        return { x: r.x, y: r.y, width: r.width, height: r.height };
      }),
    );
    for (const line of feed) {
      expect(overlaps(line, timer)).toBe(false);
      expect(line.x + line.width).toBeLessThanOrEqual(LAPTOP.width);
    }
    await screenshot(a.page, 'social-long-names-killfeed');
    for (const p of pages) expect(p.errors).toEqual([]);
  }, 90_000);

  it('quick play alone offers bots at once; the practice bots move; a player joining ends it', async () => {
    const dee = await openArena(arena.browser, arena.server, 'Dee', 'quickplay=1', LAPTOP);
    await until([dee], async () => (await dee.snapshot()).room !== null, 'Dee in a room');
    const practice = dee.page.getByTestId('practice');
    await practice.waitFor();
    expect(await practice.innerText()).toBe('Play with bots while you wait');
    await practice.click();
    await until([dee], async () => (await dee.snapshot()).phase === 'practice', 'the practice round');

    const bots = async () =>
      (await dee.snapshot()).players.filter((p) => p.name.endsWith('(bot)')).map((p) => ({ x: p.x ?? 0, y: p.y ?? 0 }));
    await until([dee], async () => (await bots()).length === 3, 'three bots in the world');
    const before = await bots();
    await until(
      [dee],
      async () =>
        (await bots()).some((b, i) => Math.hypot(b.x - (before[i]?.x ?? b.x), b.y - (before[i]?.y ?? b.y)) > 40),
      'a bot to move',
    );
    // Dee plays too: D held moves her own ship.
    const selfId = await dee.selfId();
    const x0 = (await dee.snapshot()).players.find((p) => p.id === selfId)?.x ?? 0;
    await dee.page.mouse.move(500, 300);
    await dee.page.keyboard.down('d');
    await letTimePass(600); // Dee holds D
    await dee.page.keyboard.up('d');
    const x1 = (await dee.snapshot()).players.find((p) => p.id === selfId)?.x ?? 0;
    expect(x1).toBeGreaterThan(x0 + 20);
    await framesDrawn(dee.page);
    await screenshot(dee.page, 'social-practice');

    // Eve quick-plays into Dee's room: the practice ends, and the chat says why.
    const eve = await openArena(arena.browser, arena.server, 'Eve', 'quickplay=1', SMALL);
    const code = (await dee.snapshot()).room?.code ?? '';
    await until([dee, eve], inRoom([dee, eve], code, 2), 'Eve in Dee’s room');
    await until([dee], async () => (await dee.snapshot()).phase === 'lobby', 'Dee back in the room');
    await until([dee], async () => (await chatText(dee)).includes('Eve joined: practice ended.'), 'the chat line');
    expect(await practice.isVisible()).toBe(false);
    for (const p of [dee, eve]) expect(p.errors).toEqual([]);
  }, 60_000);
});
