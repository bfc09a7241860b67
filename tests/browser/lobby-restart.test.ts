// A lobby restart never ends a game (issue 12, one node without Redis). Two Chromium pages of the
// arena and two Node bots (@roamhq/wrtc, the same netcode) play in a room of the real
// `tickmesh-lobby` command. The lobby is stopped (SIGTERM, as a deploy does; then SIGKILL, as a
// crash does) and started again 4 s later on the same port: play never stops (the pages draw the
// bots travelling through the outage, stay `playing` and say the lobby is reconnecting), and
// afterwards the room is back on the new process with the same code, host and all four members,
// and the pages are online again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import {
  type ArenaPage,
  allLinked,
  type Bots,
  buildExample,
  type ExampleBuild,
  everyPage,
  launchArenaBrowser,
  openArena,
  screenshot,
  startBots,
  until,
} from '../helpers/arena-game.js';
import { getHealth } from '../helpers/http.js';
import { buildLobby, freePort, type LobbyProcess, startLobbyProcess } from '../helpers/lobby-process.js';
import { describeWith } from '../helpers/requirements.js';
import { waitFor } from '../helpers/wait.js';

/**
 * How long the lobby stays down. Quiet, the bots travel 600-800 px in 2 s on each page; a page
 * starved by a loaded machine (a build beside it) was seen drawing them nearly still for 2 s (14
 * samples of 40), so the outage is long enough for play to show through such a stall.
 */
const OUTAGE_MS = 4000;

let build: ExampleBuild | undefined;
let browser: Browser | undefined;
let lobby: LobbyProcess | undefined;
let bots: Bots | undefined;
const stateDir = mkdtempSync(join(tmpdir(), 'tickmesh-lobby-state-'));
const opened: ArenaPage[] = [];

beforeAll(async () => {
  buildLobby();
  [build, browser] = await Promise.all([buildExample('arena-game'), launchArenaBrowser()]);
}, 90_000);
afterEach(async () => {
  await bots?.stop();
  bots = undefined;
  await Promise.all(opened.splice(0).map((p) => p.context.close().catch(() => undefined)));
  await lobby?.stop('SIGTERM');
  lobby = undefined;
});
afterAll(async () => {
  await browser?.close();
  build?.remove();
  rmSync(stateDir, { recursive: true, force: true });
});

/** The lobby command serving the arena; its session secret lives in the test's state dir. */
const startLobby = (port: number) =>
  startLobbyProcess(port, ['--static', build?.dir ?? '', '--state-dir', stateDir, '--rate', '500', '--burst', '500']);

async function open(name: string, query: string): Promise<ArenaPage> {
  if (!browser || !lobby) throw new Error('not set up');
  const page = await openArena(browser, lobby, name, query);
  opened.push(page);
  return page;
}

/** How far the page drew the bots go over a window, and what it was made of (for a failure's message). */
interface Travel {
  /** Path length summed over the bots, px (respawn jumps left out). */
  px: number;
  samples: number;
  /** Per bot: px travelled and samples it was alive in. */
  bots: Record<string, { px: number; alive: number }>;
}

/**
 * How far `page` draws `players` travel over `ms`, sampled by the page itself every 50 ms (a test
 * process asking over the DevTools protocol on a busy machine gets a handful of samples in two
 * seconds). A bot runs at up to 230 px/s and always moves while alive: two bots give several hundred
 * px a second, one dead and waiting to respawn still half of that.
 */
function travelled(page: ArenaPage, players: readonly string[], ms: number): Promise<Travel> {
  return page.page.evaluate(
    ({ players, ms }) =>
      new Promise<Travel>((resolve) => {
        const travel: Travel = { px: 0, samples: 0, bots: {} };
        const last = new Map<string, { x: number; y: number }>();
        const sample = () => {
          travel.samples++;
          for (const p of window.__arena.snapshot().players) {
            if (!players.includes(p.id)) continue;
            const bot = travel.bots[p.id] ?? { px: 0, alive: 0 };
            travel.bots[p.id] = bot;
            if (!p.alive || p.x === null || p.y === null) {
              last.delete(p.id);
              continue;
            }
            bot.alive++;
            const before = last.get(p.id);
            const step = before ? Math.hypot(p.x - before.x, p.y - before.y) : 0;
            if (step < 150) bot.px += step; // a longer step is a respawn
            last.set(p.id, { x: p.x, y: p.y });
          }
        };
        const timer = setInterval(sample, 50);
        setTimeout(() => {
          clearInterval(timer);
          sample();
          travel.px = Math.round(Object.values(travel.bots).reduce((sum, b) => sum + b.px, 0));
          resolve(travel);
        }, ms);
      }),
    { players, ms },
  );
}

/** Every page in play, with all four players drawn, and online. */
async function allPlaying(pages: readonly ArenaPage[], what: string): Promise<void> {
  await until(
    pages,
    async () =>
      (await everyPage(pages, (p) => p.snapshot())).every(
        (s) =>
          s.phase === 'playing' &&
          s.lobby === 'online' &&
          s.players.length === 4 &&
          s.players.every((q) => q.x !== null),
      ),
    what,
    30_000,
  );
}

describeWith(['chromium'], 'the arena through lobby restarts (one node, no Redis)', () => {
  it('plays on through a SIGTERM and a SIGKILL of the lobby, and gets its room back each time', async () => {
    const port = await freePort();
    lobby = await startLobby(port);
    const ann = await open('Ann', 'create=1&round=600');
    await until([ann], async () => (await ann.snapshot()).room !== null, 'the room to be created');
    const code = (await ann.snapshot()).room?.code ?? '';
    const bob = await open('Bob', `room=${code}&ready=1`);
    bots = startBots(lobby.url, code, 2);
    const { output } = bots;
    const pages = [ann, bob];
    await until(
      [ann],
      allLinked(ann, 4),
      () => `Bob and two bots in the room, linked (bots said: ${output()})`,
      30_000,
    );
    await until([ann], async () => !(await ann.page.getByTestId('start').isDisabled()), 'everyone ready');
    await ann.page.getByTestId('start').click();
    await allPlaying(pages, 'all four playing');
    const annId = await ann.selfId();
    const botIds = (await ann.snapshot()).players.filter((p) => p.name.endsWith('(bot)')).map((p) => p.id);
    expect(botIds).toHaveLength(2);

    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      await lobby.stop(signal);
      lobby = undefined;
      // The outage: the bots' moves keep arriving, peer to peer; the pages play and say so.
      const [annSaw, bobSaw] = await Promise.all([
        travelled(ann, botIds, OUTAGE_MS),
        travelled(bob, botIds, OUTAGE_MS),
      ]);
      const said = (who: string, t: Travel) =>
        `${signal}: how far the bots went on ${who}'s page during the outage (${JSON.stringify(t)})`;
      expect(annSaw.px, said('Ann', annSaw)).toBeGreaterThan(150);
      expect(bobSaw.px, said('Bob', bobSaw)).toBeGreaterThan(150);
      for (const s of await everyPage(pages, (p) => p.snapshot())) {
        expect(s).toMatchObject({ phase: 'playing', lobby: 'reconnecting', room: { code, state: 'playing' } });
      }
      if (signal === 'SIGTERM') await screenshot(bob.page, 'lobby-offline');

      lobby = await startLobby(port);
      await allPlaying(pages, `${signal}: every page back online, still playing`);
      for (const s of await everyPage(pages, (p) => p.snapshot())) {
        expect(s.room).toEqual({ code, state: 'playing', hostId: annId });
      }
      // The new process holds the room again, with all four members connected.
      await waitFor(async () => {
        const health = await getHealth(port);
        return health.rooms === 1 && health.connections === 4;
      }, `${signal}: the restarted lobby to hold the room and its four members`);
      const after = await travelled(ann, botIds, 1000);
      expect(after.px, `${signal}: the bots on Ann's page after it (${JSON.stringify(after)})`).toBeGreaterThan(75);
    }
    for (const p of pages) expect(p.errors).toEqual([]);
  }, 150_000);
});
