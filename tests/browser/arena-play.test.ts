// The arena demo in real Chromium. Three players: one creates a room, two join by its code, all
// ready up and the host starts. Real key presses move a player and every page draws it where it
// stopped (how fast is a bench's business, not a test's); real mouse aim and clicks shoot another
// until a kill, and every page agrees on the score; the host's page closes and the other two play
// on under a new host. Two players with voice, one fed a tone and one silence: a short round ends,
// the end screen shows the scores, and the host sends everyone back to the room lobby; the talker
// is seen speaking, the silent one never.
// What a page shows for a few seconds (the end screen) is recorded by the page itself, so a busy
// test process cannot miss it. Every page a test opens is closed after it, pass or fail, so a
// failed test never leaves games running under the next one.
// Screenshots of the menu, the room lobby, the arena and the end screen go to
// test-results/screenshots/.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LobbyServer } from '@tickmesh/lobby-server';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { AppPhase } from '../../examples/arena-game/src/app.js';
import {
  type ArenaPage,
  allPlaying,
  buildExample,
  type ExampleBuild,
  everyPage,
  framesDrawn,
  launchArenaBrowser,
  openArena as openArenaPage,
  screenshot,
  serveBuild,
  until,
} from '../helpers/arena-game.js';
import { makeWavs } from '../helpers/fake-mic.js';
import { describeWith } from '../helpers/requirements.js';
import { letTimePass } from '../helpers/wait.js';

let build: ExampleBuild | undefined;
let browser: Browser | undefined;
/** One browser process per fake microphone: a tone, and silence. */
let toneBrowser: Browser | undefined;
let quietBrowser: Browser | undefined;
let server: LobbyServer | undefined;
const wavDir = mkdtempSync(join(tmpdir(), 'tickmesh-arena-mic-'));

beforeAll(async () => {
  const wavs = makeWavs(wavDir);
  [build, browser, toneBrowser, quietBrowser] = await Promise.all([
    buildExample('arena-game'),
    launchArenaBrowser(),
    launchArenaBrowser({ mic: wavs.tone }),
    launchArenaBrowser({ mic: wavs.silence }),
  ]);
  server = await serveBuild(build.dir);
}, 60_000);
/** Pages the running test opened: closed after it whatever its outcome. */
const opened: ArenaPage[] = [];
afterEach(() => Promise.all(opened.splice(0).map((p) => p.context.close().catch(() => undefined))));
const openArena = async (...args: Parameters<typeof openArenaPage>) => {
  const page = await openArenaPage(...args);
  opened.push(page);
  return page;
};
afterAll(async () => {
  await Promise.all([browser?.close(), toneBrowser?.close(), quietBrowser?.close()]);
  await server?.close();
  build?.remove();
  rmSync(wavDir, { recursive: true, force: true });
});

const playerIn = async (page: ArenaPage, id: string) => (await page.snapshot()).players.find((p) => p.id === id);

/** The end screen as drawn: its title, its countdown line, kills by peer id, and who has a speaking ring. */
interface EndScreen {
  title: string;
  note: string;
  kills: Record<string, number>;
  ringed: string[];
}

interface Recording {
  /** Each phase the page went through, with the wall-clock time it began. */
  phases: { phase: AppPhase; at: number }[];
  /** Every id ever in `voice.speaking`. */
  heard: string[];
  /** The end screen as last drawn while the round was over (it shows for a few seconds only). */
  end: EndScreen | null;
  /** Every peer id ever drawn with a speaking ring on the end screen. */
  ringedOnEnd: string[];
}

/**
 * Records, in the page and every 50 ms, the phases it goes through, who it hears speaking and the
 * end screen as drawn: the page's own sampling cannot miss a screen shown for a few seconds the
 * way a test process polling over the DevTools protocol can when the machine is busy.
 */
function record(page: ArenaPage): Promise<void> {
  return page.page.evaluate(() => {
    const rec = {
      phases: [] as { phase: string; at: number }[],
      heard: [] as string[],
      end: null as unknown,
      ringedOnEnd: [] as string[],
    };
    (window as unknown as { __rec: typeof rec }).__rec = rec;
    const readEndScreen = () => {
      const board = document.querySelector<HTMLElement>('.scoreboard');
      if (board === null || board.style.display === 'none' || board.offsetHeight === 0) return null;
      const rows = Array.from(board.querySelectorAll<HTMLTableRowElement>('tr[data-peer]'));
      return {
        title: board.querySelector('h2')?.textContent ?? '',
        note: board.querySelector('.muted')?.textContent ?? '',
        kills: Object.fromEntries(rows.map((tr) => [tr.dataset.peer, Number(tr.cells[1]?.textContent)])),
        ringed: rows
          .filter((tr) => (tr.querySelector<HTMLElement>('.dot')?.style.boxShadow ?? '') !== '')
          .map((tr) => tr.dataset.peer ?? ''),
      };
    };
    setInterval(() => {
      const s = window.__arena.snapshot();
      if (rec.phases.at(-1)?.phase !== s.phase) rec.phases.push({ phase: s.phase, at: Date.now() });
      for (const id of s.voice.speaking) if (!rec.heard.includes(id)) rec.heard.push(id);
      const end = s.phase === 'ended' ? readEndScreen() : null;
      if (end) {
        rec.end = end;
        for (const id of end.ringed) if (!rec.ringedOnEnd.includes(id)) rec.ringedOnEnd.push(id);
      }
    }, 50);
  });
}

const recording = (page: ArenaPage) =>
  page.page.evaluate(() => (window as unknown as { __rec: Recording }).__rec) as Promise<Recording>;

describeWith(['chromium'], 'arena in Chromium: three players', () => {
  it('plays a round: join by code, ready, start, move, kill, host leaves', async () => {
    if (!browser || !server) throw new Error('not set up');
    const ann = await openArena(browser, server, 'Ann', '', { width: 1280, height: 720 });
    await framesDrawn(ann.page); // the attract mode draws a few frames
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
    const [, bobId, cyId] = (await everyPage(pages, (p) => p.selfId())) as [string, string, string];
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
    await framesDrawn(ann.page);
    await screenshot(ann.page, 'room-lobby');

    // Software WebGL on two cores: small windows while playing keep the machine's timing honest.
    await ann.page.getByTestId('start').click();
    await everyPage(pages, (p) => p.page.setViewportSize({ width: 640, height: 360 }));
    await until(pages, allPlaying(pages, 3), 'all three playing', 15_000);

    // Bob holds D for one second; once he stops, every page draws him where he stopped.
    await until(
      pages,
      async () => {
        const xs = await everyPage(pages, async (p) => (await playerIn(p, bobId))?.x ?? Number.NaN);
        return xs.every((x) => Math.abs(x - (xs[0] ?? Number.NaN)) < 1);
      },
      'every page to draw Bob in the same place before he moves',
    );
    const x0 = (await playerIn(bob, bobId))?.x ?? 0;
    await bob.page.mouse.move(200, 200);
    await bob.page.keyboard.down('d');
    await letTimePass(1000); // Bob holds D for a second
    await bob.page.keyboard.up('d');
    await until(
      pages,
      async () => {
        const xs = await everyPage(pages, async (p) => (await playerIn(p, bobId))?.x ?? 0);
        return xs.every((x) => x > x0 + 20 && Math.abs(x - (xs[0] ?? 0)) < 1);
      },
      'every page to draw Bob where he stopped',
    );

    // Bob opens the netgraph (F3): where a key's time goes, as figures, not placeholders.
    await bob.page.keyboard.press('F3');
    const netgraph = bob.page.locator('.netgraph');
    await until(
      [bob],
      async () =>
        /lead over host\s*[\d.]+ ms\s*one way \+ input wait\s*\d+ ms \+ -?\d+ ms/.test(await netgraph.innerText()),
      "the netgraph to show Bob's lead, one-way trip and input wait",
    );
    await screenshot(bob.page, 'netgraph');
    await bob.page.keyboard.press('F3');

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
      await letTimePass(150); // aim again every 150 ms: Bob may move
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
          (s) => s.room !== null && [bobId, cyId].includes(s.room.hostId) && s.phase === 'playing',
        ),
      'a new host',
    );
    const hosts = await everyPage(rest, async (p) => (await p.snapshot()).room?.hostId);
    expect(hosts[0]).toBe(hosts[1]);
    const cyX = (await playerIn(bob, cyId))?.x ?? 0;
    await cy.page.keyboard.down('a');
    await letTimePass(600); // Cy holds A for 0.6 s
    await cy.page.keyboard.up('a');
    await until(rest, async () => ((await playerIn(bob, cyId))?.x ?? cyX) < cyX - 20, 'Cy to move under the new host');
    for (const p of rest) expect(await p.page.getByText('now the host').count()).toBeGreaterThan(0);
    for (const p of pages) expect(p.errors).toEqual([]);
  }, 90_000);
});

describeWith(['chromium'], 'arena in Chromium: a short round with voice', () => {
  it('ends the round: end screen with the scores, then everyone back in the room; the talker rings, the silent never', async () => {
    if (!toneBrowser || !quietBrowser || !server) throw new Error('not set up');
    // Tia's microphone plays a tone, Sam's silence; both start voice on entering the room.
    const tia = await openArena(toneBrowser, server, 'Tia', 'create=1&round=10&voice=1');
    await until([tia], async () => (await tia.snapshot()).room !== null, 'the room to be created');
    const code = (await tia.snapshot()).room?.code ?? '';
    const sam = await openArena(quietBrowser, server, 'Sam', `room=${code}&ready=1&voice=1`);
    const pages = [tia, sam];
    await until(
      pages,
      async () =>
        (await everyPage(pages, (p) => p.snapshot())).every(
          (s) => s.room?.code === code && s.phase === 'lobby' && s.voice.state === 'on',
        ),
      'both in the room, voice on',
    );
    const [tiaId, samId] = (await everyPage(pages, (p) => p.selfId())) as [string, string];
    await everyPage(pages, record);
    expect(await tia.page.getByTestId('round-select').inputValue()).toBe('10');
    await tia.page.getByTestId('map-select').selectOption('2');
    await until([tia], async () => !(await tia.page.getByTestId('start').isDisabled()), 'Sam ready');
    await tia.page.getByTestId('start').click();

    // Sam sees Tia speaking.
    await until(pages, async () => (await sam.snapshot()).voice.speaking.includes(tiaId), 'Sam to hear Tia speak');
    await until(pages, async () => (await sam.snapshot()).phase === 'playing', 'the round to start');
    // Sam shoots at Tia for the rest of the round, so the end screen has a score to show.
    await sam.page.mouse.move(100, 100);
    const roundOver = Date.now() + 20_000;
    while ((await sam.snapshot()).phase === 'playing' && Date.now() < roundOver) {
      const at = await sam.page.evaluate((id) => window.__arena.screenOf(id), tiaId);
      if (at) {
        await sam.page.mouse.move(at.x, at.y);
        await sam.page.mouse.down();
      }
      await letTimePass(150); // aim again every 150 ms: Tia may move
    }
    await sam.page.mouse.up();

    if ((await sam.snapshot()).phase === 'ended') {
      await framesDrawn(sam.page);
      await screenshot(sam.page, 'end-screen');
    }

    // The host ends the match a few seconds later: everyone is back in the room lobby.
    await until(
      pages,
      async () =>
        (await everyPage(pages, (p) => p.snapshot())).every((s) => s.phase === 'lobby' && s.room?.state === 'open'),
      'everyone back in the room lobby',
      15_000,
    );
    // The in-page recorders sample every 50 ms: let them see it too.
    await until(
      pages,
      async () => (await everyPage(pages, recording)).every((rec) => rec.phases.at(-1)?.phase === 'lobby'),
      'the recorders to see the room lobby',
    );
    const recs = await everyPage(pages, recording);
    // The end screen as each page last drew it: a title, a countdown line, the kills every page
    // agrees on, and a speaking ring only ever on the talker.
    const ends = recs.map((rec) => rec.end);
    const kills = ends[0]?.kills ?? {};
    expect(Object.keys(kills).sort()).toEqual([tiaId, samId].sort());
    // Two players: one's kills are the other's deaths, so equal kills is a draw.
    const tiaKills = kills[tiaId] ?? 0;
    const samKills = kills[samId] ?? 0;
    const titles =
      tiaKills === samKills
        ? ['Draw', 'Draw']
        : tiaKills > samKills
          ? ['You win!', 'Tia wins!']
          : ['Sam wins!', 'You win!'];
    for (const [i, end] of ends.entries()) {
      expect(end, `${pages[i]?.name}'s end screen`).not.toBeNull();
      expect(end?.title).toBe(titles[i]);
      expect(end?.note).toMatch(/^Back to the room in \d s$/);
      expect(end?.kills).toEqual(kills);
    }
    expect(recs[1]?.ringedOnEnd).toContain(tiaId);
    for (const rec of recs) expect(rec.ringedOnEnd).not.toContain(samId);
    for (const rec of recs) {
      expect(rec.phases.map((p) => p.phase)).toEqual(['lobby', 'countdown', 'playing', 'ended', 'lobby']);
      const [, , playing, ended, back] = rec.phases as [
        unknown,
        unknown,
        { at: number },
        { at: number },
        { at: number },
      ];
      expect((ended.at - playing.at) / 1000).toBeGreaterThan(9);
      expect((back.at - ended.at) / 1000).toBeGreaterThan(4);
      expect(rec.heard).toContain(tiaId);
      expect(rec.heard).not.toContain(samId);
    }
    // Back in the room lobby, Tia's avatar rings on Sam's page; Sam's never does on Tia's.
    await until(
      pages,
      async () => (await sam.page.locator(`li[data-peer="${tiaId}"] .avatar.speaking`).count()) === 1,
      "Tia's ring on Sam's page",
    );
    expect(await tia.page.locator(`li[data-peer="${samId}"] .avatar.speaking`).count()).toBe(0);
    for (const p of pages) expect(p.errors).toEqual([]);
  }, 60_000);
});
