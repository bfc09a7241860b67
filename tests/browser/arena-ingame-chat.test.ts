// The arena's chat during a round (issue 15), in two Chromium pages of a room of the real lobby
// (arenaSuite's): Enter opens a one-line field over the game; a player running with a key held
// stops when it opens, and W, Space and Tab typed into it do not act on the game; Enter sends the
// line over the mesh chat and the other player sees it over the game, by name, until it fades
// after about 8 s; Enter shows it again with the rest. T opens the field too (without typing a
// "t"), and Escape closes it without sending and without opening the match menu, the controls
// back. Before the round, the host's room lobby shows several lines of chat at 960x540 and at a
// phone's 390x844. Screenshots (looked at) go to test-results/screenshots/.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { gameChatDefaults } from '../../examples/arena-game/src/app/game-chat.js';
import {
  type ArenaPage,
  allPlaying,
  annAndBob,
  arenaSuite,
  everyPage,
  framesDrawn,
  sayInRoom,
  screenshot,
  until,
} from '../helpers/arena-game.js';
import { describeWith } from '../helpers/requirements.js';
import { letTimePass } from '../helpers/wait.js';

const arena = arenaSuite();

/** How many of the room chat's lines show whole: inside its box, on screen, and not covered. */
const wholeLinesShown = (page: Page) =>
  page.getByTestId('chat-log').evaluate((log) => {
    const box = log.getBoundingClientRect();
    return Array.from(log.children).filter((line) => {
      const r = line.getBoundingClientRect();
      if (r.height === 0 || r.top < Math.max(box.top, 0) - 0.5 || r.bottom > Math.min(box.bottom, innerHeight) + 0.5)
        return false;
      const top = document.elementFromPoint(r.left + 4, r.bottom - 2);
      const top2 = document.elementFromPoint(r.left + 4, r.top + 2);
      return top !== null && top2 !== null && line.contains(top) && line.contains(top2);
    }).length;
  });

const position = async (p: ArenaPage, id: string) => {
  const me = (await p.snapshot()).players.find((q) => q.id === id);
  if (!me || me.x === null || me.y === null) throw new Error(`${p.name} does not draw ${id}`);
  return { x: me.x, y: me.y };
};

/** The in-game chat's lines as shown (opacity above 0), one string each. */
const overGame = (p: ArenaPage) =>
  p.page.getByTestId('game-chat-log').evaluate((log) =>
    Array.from(log.children)
      .filter((l) => l instanceof HTMLElement && l.offsetHeight > 0 && Number(getComputedStyle(l).opacity) > 0)
      .map((l) => (l as HTMLElement).innerText),
  );
const focused = (p: ArenaPage) => p.page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);
const chatOpen = (p: ArenaPage) => p.page.getByTestId('game-chat').evaluate((el) => el.classList.contains('open'));

describeWith(['chromium'], 'arena in-game chat in Chromium', () => {
  it('the host’s room lobby shows several lines of chat at 960x540 and on a phone', async () => {
    const [ann, bob] = await annAndBob(arena, {
      bobParams: 'ready=1',
      // The small map: every spawn sees every other.
      setUp: (ann) =>
        ann.page
          .getByTestId('map-select')
          .selectOption('2')
          .then(() => undefined),
    });
    for (let i = 1; i <= 4; i++) await sayInRoom(i % 2 ? ann : bob, `room line ${i}`);
    await until(
      [ann],
      async () => (await ann.page.getByTestId('chat-log').innerText()).includes('room line 4'),
      'lines',
    );
    // The log has the room's own lines too (Ann's room, Bob joined): 6 or more.
    await framesDrawn(ann.page);
    await screenshot(ann.page, 'ingame-chat-room-960x540');
    expect(await wholeLinesShown(ann.page), 'lines shown whole at 960x540').toBeGreaterThanOrEqual(5);
    await ann.page.setViewportSize({ width: 390, height: 844 });
    // As a player about to type: the chat's field in view.
    await ann.page.getByTestId('chat-input').scrollIntoViewIfNeeded();
    await framesDrawn(ann.page);
    await screenshot(ann.page, 'ingame-chat-room-390x844');
    expect(await wholeLinesShown(ann.page), 'lines shown whole at 390x844').toBeGreaterThanOrEqual(5);
  }, 60_000);

  it('Enter opens the chat over the game: the typer stops, keys type, the line shows at the other player and fades', async () => {
    const [ann, bob] = await annAndBob(arena, {
      bobParams: 'ready=1',
      // The small map: every spawn sees every other.
      setUp: (ann) =>
        ann.page
          .getByTestId('map-select')
          .selectOption('2')
          .then(() => undefined),
    });
    const pages = [ann, bob];
    await until([ann], async () => !(await ann.page.getByTestId('start').isDisabled()), 'Start to be enabled');
    await ann.page.getByTestId('start').click();
    await until(pages, allPlaying(pages, 2), 'both playing', 20_000);
    await until(
      pages,
      async () => (await everyPage(pages, (p) => p.page.locator('.hud').isVisible())).every(Boolean),
      'HUDs',
    );
    const [annId, bobId] = (await everyPage(pages, (p) => p.selfId())) as [string, string];

    // Bob runs towards the map's open centre, and opens the chat with the key still held: he stops.
    const start = await position(bob, bobId);
    const run = start.x < 500 ? 'd' : 'a';
    await bob.page.keyboard.down(run);
    await until([bob], async () => Math.abs((await position(bob, bobId)).x - start.x) > 30, 'Bob to run');
    await bob.page.keyboard.press('Enter');
    expect(await focused(bob), 'Enter puts the keyboard in the chat field').toBe('game-chat-input');
    // He comes to a stop: his position stands still across 150 ms (however long the machine takes).
    let stopped = await position(bob, bobId);
    await until(
      [bob],
      async () => {
        await letTimePass(150);
        const now = await position(bob, bobId);
        const still = Math.abs(now.x - stopped.x) < 1;
        stopped = now;
        return still;
      },
      'Bob to stop once the chat is open',
    );
    await letTimePass(700);
    const still = await position(bob, bobId);
    expect(Math.abs(still.x - stopped.x), `Bob ran on while typing, from ${stopped.x} to ${still.x}`).toBeLessThan(1);
    await bob.page.keyboard.up(run);

    // W, Space and Tab go into the field: Bob does not move, the scoreboard does not open.
    await bob.page.keyboard.down('w');
    await letTimePass(600);
    await bob.page.keyboard.up('w');
    await bob.page.keyboard.press('Space');
    await bob.page.keyboard.press('Tab');
    const after = await position(bob, bobId);
    expect(
      Math.abs(after.y - stopped.y),
      `Bob moved with W while typing, from ${stopped.y} to ${after.y}`,
    ).toBeLessThan(1);
    expect(await bob.page.getByTestId('game-chat-input').inputValue()).toMatch(/^w+ $/);
    expect(await focused(bob), 'Tab keeps the keyboard in the field').toBe('game-chat-input');
    expect(await bob.page.locator('.scoreboard').isVisible(), 'Tab opened the scoreboard').toBe(false);

    // Enter sends: Ann sees the line over the game, by name; Bob's field closes.
    await bob.page.getByTestId('game-chat-input').fill('gg wp');
    await bob.page.keyboard.press('Enter');
    expect(await chatOpen(bob)).toBe(false);
    await until(
      [ann],
      async () => (await overGame(ann)).some((l) => l.includes('Bob') && l.includes('gg wp')),
      'Bob’s line over Ann’s game',
    );
    const shownAt = Date.now();
    expect(
      (await overGame(bob)).some((l) => l.includes('gg wp')),
      'Bob sees his own line',
    ).toBe(true);
    await framesDrawn(ann.page);
    await screenshot(ann.page, 'ingame-chat-line');

    // T opens it too (no "t" typed); Escape closes it unsent, the match menu stays shut, and Ann moves again.
    await ann.page.keyboard.press('t');
    expect(await focused(ann)).toBe('game-chat-input');
    expect(await ann.page.getByTestId('game-chat-input').inputValue()).toBe('');
    await ann.page.keyboard.type('never mind');
    await framesDrawn(ann.page);
    await screenshot(ann.page, 'ingame-chat-open');
    await ann.page.keyboard.press('Escape');
    expect(await chatOpen(ann)).toBe(false);
    expect(await ann.page.getByTestId('match-menu').isVisible(), 'Escape opened the match menu').toBe(false);
    const annAt = await position(ann, annId);
    const toCentre = annAt.y < 350 ? 's' : 'w';
    await ann.page.keyboard.down(toCentre);
    await until([ann], async () => Math.abs((await position(ann, annId)).y - annAt.y) > 30, 'Ann to move after Escape');
    await ann.page.keyboard.up(toCentre);

    // The line fades after about 8 s; Enter shows it again, with the room's earlier lines.
    await until(
      [ann],
      async () => !(await overGame(ann)).some((l) => l.includes('gg wp')),
      'Bob’s line to fade',
      gameChatDefaults.showMs + gameChatDefaults.fadeMs + 5_000,
    );
    expect(Date.now() - shownAt, 'shown for about 8 s').toBeGreaterThan(gameChatDefaults.showMs - 1_000);
    await ann.page.keyboard.press('Enter');
    const all = await overGame(ann);
    expect(all.some((l) => l.includes('gg wp'))).toBe(true);
    expect(all.some((l) => l.includes('Bob joined.'))).toBe(true);
    expect(
      all.some((l) => l.includes('never mind')),
      'a cancelled line is not sent',
    ).toBe(false);
    expect(
      (await overGame(bob)).some((l) => l.includes('never mind')),
      'nor seen by Bob',
    ).toBe(false);
    await ann.page.keyboard.press('Escape');
    for (const p of pages) expect(p.errors).toEqual([]);
  }, 90_000);

  it('on a phone, the Chat button opens the field over the game; its Enter sends', async () => {
    const phone = { width: 390, height: 844 };
    const touch = { isMobile: true, hasTouch: true, deviceScaleFactor: 1 };
    const ann = await arena.openArena(arena.browser, arena.server, 'Ann', 'create=1', phone, touch);
    await until([ann], async () => (await ann.snapshot()).room !== null, 'Ann’s room');
    const code = (await ann.snapshot()).room?.code ?? '';
    const bob = await arena.openArena(arena.browser, arena.server, 'Bob', `room=${code}&ready=1`);
    const pages = [ann, bob];
    await until([ann], async () => !(await ann.page.getByTestId('start').isDisabled()), 'Bob ready');
    await ann.page.getByTestId('start').tap();
    await until(pages, allPlaying(pages, 2), 'both playing', 20_000);
    await ann.page.getByTestId('chat-open').tap();
    expect(await focused(ann), 'Chat puts the keyboard in the field').toBe('game-chat-input');
    await ann.page.keyboard.type('on my phone');
    await framesDrawn(ann.page);
    await screenshot(ann.page, 'ingame-chat-phone-open');
    await ann.page.keyboard.press('Enter');
    expect(await chatOpen(ann)).toBe(false);
    await until([bob], async () => (await overGame(bob)).some((l) => l.includes('on my phone')), 'Ann’s line at Bob');
    await framesDrawn(ann.page);
    await screenshot(ann.page, 'ingame-chat-phone-line');
    for (const p of pages) expect(p.errors).toEqual([]);
  }, 60_000);
});
