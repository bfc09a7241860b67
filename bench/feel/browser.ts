/**
 * Key to remote screen in real Chromium: three headless pages of the arena demo on loopback play a
 * match; one client holds an arrow key `presses` times (400 ms down, 600 ms up, right then left),
 * and the host's page and the other client's page record when they first draw that player moved.
 * Once per sync configuration (e.g. the previous defaults, the current ones, predicted remote
 * players), each in three fresh pages opened with the arena's `sync=` URL parameter, a new room and
 * the same presses, one after the other in the same run, so the figures can be set side by side.
 *
 * Key-to-remote-screen = the viewing page's time of the first frame that draws the player more than
 * {@link MOVED_PX} world px from where it drew it at the keydown, in the key's direction, minus the
 * keydown's `event.timeStamp` on the pressing page; both pages' clocks as Unix ms (page-recorder.ts
 * says why they can be subtracted, and `clockSpreadMs` says how well they agree). The pressing
 * page's own screen is measured the same way, as a check of the method (prediction: a tick or two).
 *
 * Set-up as tests/browser/arena-play.test.ts (its helpers): the demo built with Vite from the
 * sources into a temporary directory, served by an in-process lobby server on 127.0.0.1, one
 * Chromium with a context per page. WebRTC on this machine must stay on loopback: run this
 * inside `scripts/in-netns.js` (`npm run bench:feel -- --browser` does).
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { LobbyServer } from '@tickmesh/lobby-server';
import type { SyncTuning } from '@tickmesh/netcode';
import type { Browser } from 'playwright-core';
import { syncParam } from '../../examples/arena-game/src/params.ts';
import {
  type ArenaPage,
  allPlaying,
  buildExample,
  type ExampleBuild,
  everyPage,
  launchArenaBrowser,
  openArena,
  serveBuild,
  until,
} from '../../tests/helpers/arena-game.ts';
import { CHROMIUM_PATH } from '../../tests/helpers/chromium.ts';
import { letTimePass } from '../../tests/helpers/wait.ts';
import { type Distribution, distribution, mean } from './distribution.ts';
import { type KeyDown, keyToScreen } from './key-to-screen.ts';
import { clockOffset, type PageRecording, startRecording, stopRecording } from './page-recorder.ts';

/** A page sees the press once it draws the player this far from where it was, world px. */
const MOVED_PX = 0.5;
const PRESS_MS = 400;
const REST_MS = 600;
/** Presses before the measured ones: the match has just begun, clocks and render delays settle. */
const WARMUP_PRESSES = 3;
/** Directions by key: right, then left, so the player stays near its spawn. */
const KEYS = [
  { key: 'ArrowRight', dx: 1 },
  { key: 'ArrowLeft', dx: -1 },
] as const;

/** What one page showed, and what it was doing meanwhile. */
export interface PageFeel {
  /** Key (on the pressing page) to this page's screen, ms. */
  keyToScreen: Distribution;
  /** Presses this page never showed within a press cycle. */
  missed: number;
  /** Each press in order, ms; null: missed. */
  perPressMs: (number | null)[];
  /** This page's lead and interpolation delay at each keydown (its last sample before), ms. */
  netAtPress: { leadMs: number; interpDelayMs: number }[];
  /** Main-thread long tasks (> 50 ms) while the presses were played: when (ms after the first measured keydown) and how long. */
  longTasks: { count: number; longestMs: number; tasks: { atMs: number; durationMs: number }[] };
  fps: number;
  /** The longest time between two animation frames, ms. */
  longestFrameGapMs: number;
  /** Means over the presses: this page's tick lead over the host (0 on the host), its interpolation delay. */
  leadMs: number;
  interpDelayMs: number;
  /** Mean link round trip to each other page, by its role, ms (null: never measured). */
  rttMs: Record<string, number | null>;
}

/** Sync tuning overrides every page of one match plays with, and their name in the figures. */
export interface FeelConfiguration {
  name: string;
  sync: Partial<SyncTuning>;
}

export interface BrowserFeelResult {
  chromium: string;
  presses: number;
  /** One match per configuration, in the order played. */
  configurations: ConfigurationFeel[];
}

/** What one match of one configuration showed. */
export interface ConfigurationFeel {
  name: string;
  /** The pages' `sync=` URL parameter ('' for none: the defaults). */
  syncParam: string;
  /** How far apart the three pages' clocks read at once, ms, with the reading's own error. */
  clockSpreadMs: { spread: number; error: number };
  /** The host's page watching the pressing client. */
  host: PageFeel;
  /** The other client's page watching the pressing client. */
  client: PageFeel;
  /** The pressing page's own screen (prediction), a check of the method. */
  own: PageFeel;
  /** The machine's 1-minute load average when the presses began and ended (other work skews the figures). */
  loadAverage: { before: number; after: number };
}

type Role = 'host' | 'client' | 'own';

export async function measureBrowserFeel(
  configurations: readonly FeelConfiguration[],
  presses: number,
  log: (line: string) => void,
): Promise<BrowserFeelResult> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`bench:feel --browser needs Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`);
  if (
    process.platform === 'linux' &&
    process.env.TICKMESH_NETNS !== '1' &&
    process.env.TICKMESH_ALLOW_HOST_NETWORK !== '1'
  )
    throw new Error(
      'bench:feel --browser makes WebRTC connections: run it inside a loopback-only network namespace, `npm run bench:feel -- --browser` (scripts/in-netns.js)',
    );
  let build: ExampleBuild | undefined;
  let server: LobbyServer | undefined;
  let browser: Browser | undefined;
  try {
    log('bench:feel --browser: building the arena demo with Vite (as the browser tests do)...');
    [build, browser] = await Promise.all([buildExample('arena-game'), launchArenaBrowser()]);
    server = await serveBuild(build.dir);
    const results: ConfigurationFeel[] = [];
    for (const configuration of configurations) {
      const param = syncParam(configuration.sync);
      log(`bench:feel --browser: ${configuration.name} (sync=${param || 'none'}): three fresh pages into a match...`);
      const match = await enterMatch(browser, server, param);
      try {
        log(
          `bench:feel --browser: ${configuration.name}: ${WARMUP_PRESSES} warm-up and ${presses} measured presses...`,
        );
        results.push({ name: configuration.name, syncParam: param, ...(await measureMatch(match, presses)) });
      } finally {
        await Promise.all(match.pages.map((p) => p.context.close()));
      }
    }
    return { chromium: browser.version(), presses, configurations: results };
  } finally {
    await browser?.close();
    await server?.close();
    build?.remove();
  }
}

/** The presses played in one match, and what each page showed. */
async function measureMatch(match: Match, presses: number): Promise<Omit<ConfigurationFeel, 'name' | 'syncParam'>> {
  const before = loadavg()[0] ?? Number.NaN;
  const recordings = await play(match, presses);
  const after = loadavg()[0] ?? Number.NaN;
  const offsets = await everyPage(match.pages, (p) => clockOffset(p.page, 10));
  const readings = offsets.map((o) => o.offsetMs);
  const peerRole = new Map([
    [match.ids.host, 'host'],
    [match.ids.presser, 'presser'],
    [match.ids.client, 'client'],
  ]);
  const keys = keyDowns(recordings.own);
  return {
    clockSpreadMs: {
      spread: Math.max(...readings) - Math.min(...readings),
      error: Math.max(...offsets.map((o) => o.errorMs)),
    },
    host: pageFeel(recordings.host, keys, peerRole),
    client: pageFeel(recordings.client, keys, peerRole),
    own: pageFeel(recordings.own, keys, peerRole),
    loadAverage: { before, after },
  };
}

interface Match {
  pages: ArenaPage[];
  host: ArenaPage;
  presser: ArenaPage;
  client: ArenaPage;
  ids: { host: string; presser: string; client: string };
}

/**
 * The host creates a room, two clients join it by code and ready up, the host starts on the small
 * map; every page with the sync tuning `tuning` (the URL's `sync=`, '' for the defaults).
 */
async function enterMatch(browser: Browser, server: LobbyServer, tuning: string): Promise<Match> {
  const sync = tuning ? `&sync=${encodeURIComponent(tuning)}` : '';
  const host = await openArena(browser, server, 'Host', `create=1&voice=0${sync}`);
  await until([host], async () => (await host.snapshot()).room !== null, 'the room to be created');
  const code = (await host.snapshot()).room?.code ?? '';
  const [presser, client] = await Promise.all(
    ['Presser', 'Client'].map((name) => openArena(browser, server, name, `room=${code}&ready=1&voice=0${sync}`)),
  );
  if (!presser || !client) throw new Error('bench:feel: pages not opened');
  const pages = [host, presser, client];
  await until(
    pages,
    async () =>
      (await everyPage(pages, (p) => p.snapshot())).every(
        (s) => s.room?.code === code && s.peers.length === 2 && s.peers.every((q) => q.link === 'connected'),
      ),
    'a full mesh in the room',
  );
  // The small map: every spawn sees every other.
  await host.page.getByTestId('map-select').selectOption('2');
  await until([host], async () => !(await host.page.getByTestId('start').isDisabled()), 'start to be enabled');
  await host.page.getByTestId('start').click();
  // Small windows, as the browser test: software rendering on two cores.
  await everyPage(pages, (p) => p.page.setViewportSize({ width: 640, height: 360 }));
  await until(pages, allPlaying(pages, 3), 'all three playing', 15_000);
  const [hostId, presserId, clientId] = (await everyPage(pages, (p) => p.selfId())) as [string, string, string];
  return { pages, host, presser, client, ids: { host: hostId, presser: presserId, client: clientId } };
}

/** Warm-up presses, then the measured ones with every page recording. */
async function play(match: Match, presses: number): Promise<Record<Role, PageRecording>> {
  const { pages, presser, ids } = match;
  await presser.page.mouse.move(200, 200);
  for (let i = 0; i < WARMUP_PRESSES + presses; i++) {
    if (i === WARMUP_PRESSES) {
      await everyPage(pages, (p) => startRecording(p.page, ids.presser));
      await letTimePass(REST_MS); // every page draws frames before the first measured keydown
    }
    const { key } = KEYS[i % 2] ?? KEYS[0];
    await presser.page.keyboard.down(key);
    await letTimePass(PRESS_MS); // the key is held this long
    await presser.page.keyboard.up(key);
    await letTimePass(REST_MS); // and released this long, until every page has drawn the player stop
  }
  const [host, own, client] = (await everyPage(pages, (p) => stopRecording(p.page))) as [
    PageRecording,
    PageRecording,
    PageRecording,
  ];
  for (const p of pages)
    if (p.errors.length > 0) throw new Error(`bench:feel: ${p.name}'s page: ${p.errors.join('; ')}`);
  return { host, own, client };
}

/** The measured keydowns of the pressing page's recording. */
function keyDowns(own: PageRecording): KeyDown[] {
  const out: KeyDown[] = [];
  for (const k of own.keys) {
    const dx = KEYS.find((d) => d.key === k.code)?.dx;
    if (dx !== undefined) out.push({ atMs: k.atMs, dx });
  }
  return out;
}

function pageFeel(rec: PageRecording, keys: readonly KeyDown[], peerRole: ReadonlyMap<string, string>): PageFeel {
  const seen = keyToScreen(keys, rec.frames, MOVED_PX, PRESS_MS + REST_MS);
  const firstKeyAt = keys[0]?.atMs ?? rec.startedAtMs;
  const rttMs: Record<string, number | null> = {};
  for (const [id, role] of peerRole) {
    const rtts = rec.net.flatMap((s) => {
      const v = s.rttMs[id];
      return v === null || v === undefined ? [] : [v];
    });
    if (rec.net.some((s) => id in s.rttMs)) rttMs[role] = rtts.length > 0 ? mean(rtts) : null;
  }
  return {
    keyToScreen: distribution(seen.latenciesMs),
    missed: seen.missed,
    perPressMs: seen.perPressMs,
    netAtPress: keys.map((k) => {
      const s = rec.net.findLast((n) => n.atMs <= k.atMs) ?? rec.net[0];
      return { leadMs: s?.leadMs ?? Number.NaN, interpDelayMs: s?.interpDelayMs ?? Number.NaN };
    }),
    longTasks: {
      count: rec.longTasks.length,
      longestMs: Math.max(0, ...rec.longTasks.map((t) => t.durationMs)),
      tasks: rec.longTasks.map((t) => ({ atMs: t.atMs - firstKeyAt, durationMs: t.durationMs })),
    },
    fps: (rec.frameCount * 1000) / Math.max(1, rec.stoppedAtMs - rec.startedAtMs),
    longestFrameGapMs: rec.longestFrameGapMs,
    leadMs: mean(rec.net.map((s) => s.leadMs)),
    interpDelayMs: mean(rec.net.map((s) => s.interpDelayMs)),
    rttMs,
  };
}
