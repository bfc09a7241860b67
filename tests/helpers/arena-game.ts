/**
 * The examples for browser tests, the arena demo first: an example built with its own Vite config
 * into a fresh temporary directory (workspace packages from their TypeScript sources), served by a
 * real lobby server, and opened in Chromium pages that the tests drive with real keys and mouse,
 * with Node bots (`npm run bots`) to fill an arena room. Screenshots go to
 * test-results/screenshots/.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LobbyServer, startLobbyServer } from '@tickmesh/lobby-server';
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { ArenaSnapshot } from '../../examples/arena-game/src/app.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, capturePageErrors } from './chromium.js';
import { fakeMicArg } from './fake-mic.js';
import { waitFor } from './wait.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));

export interface ExampleBuild {
  dir: string;
  remove(): void;
}

/** Builds `examples/<name>` (say `arena-game`, `dots`) into a fresh temporary directory. */
export async function buildExample(name: string): Promise<ExampleBuild> {
  const root = join(repoRoot, 'examples', name);
  const dir = mkdtempSync(join(tmpdir(), `tickmesh-${name}-`));
  try {
    await build({
      root,
      configFile: join(root, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: dir, emptyOutDir: false, minify: false, sourcemap: false },
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The lobby server serving the build; signaling of several pages at once needs a roomier rate limit. */
export function serveBuild(dir: string): Promise<LobbyServer> {
  return startLobbyServer({
    host: '127.0.0.1',
    port: 0,
    metricsPort: 0,
    staticDir: dir,
    rateLimitPerS: 500,
    rateBurst: 500,
  });
}

/**
 * Chromium with WebGL through SwiftShader (Phaser 4 renders with it headless); `mic`: a WAV its
 * fake microphone plays (default: Chromium's beep).
 */
export function launchArenaBrowser(options: { mic?: string } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      ...CHROMIUM_ARGS,
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      ...(options.mic ? [fakeMicArg(options.mic)] : []),
    ],
  });
}

/** Keeps every RTCPeerConnection a page makes (in `window.__pcs`), for failure reports. */
function recordPeerConnections(): void {
  const Native = window.RTCPeerConnection;
  const made: RTCPeerConnection[] = [];
  (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs = made;
  window.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      made.push(this);
    }
  };
}

/** Each of a page's connections: signaling, transceivers and audio RTP counters (a failure report). */
function readPeerConnections(page: Page): Promise<unknown> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? [];
    return Promise.all(
      pcs
        .filter((pc) => pc.connectionState !== 'closed')
        .map(async (pc) => ({
          signaling: pc.signalingState,
          ice: pc.iceConnectionState,
          transceivers: pc.getTransceivers().map((t) => ({
            mid: t.mid,
            direction: t.direction,
            currentDirection: t.currentDirection,
            sending: t.sender.track?.readyState ?? null,
            receiving: `${t.receiver.track.readyState}${t.receiver.track.muted ? ' muted' : ''}`,
          })),
          audio: await pc.getStats().then((report) => {
            const rtp: unknown[] = [];
            report.forEach((r) => {
              if (r.kind === 'audio' && (r.type === 'inbound-rtp' || r.type === 'outbound-rtp'))
                rtp.push({
                  type: r.type,
                  mid: r.mid,
                  packets: r.packetsReceived ?? r.packetsSent,
                  energy: r.totalAudioEnergy,
                });
            });
            return rtp;
          }),
        })),
    );
  });
}

export interface ArenaPage {
  name: string;
  context: BrowserContext;
  page: Page;
  errors: string[];
  snapshot(): Promise<ArenaSnapshot>;
  selfId(): Promise<string>;
}

export async function openArena(
  browser: Browser,
  server: Pick<LobbyServer, 'port'>,
  name: string,
  query: string,
  viewport = { width: 960, height: 540 },
  /** A phone, say: `{ isMobile: true, hasTouch: true, deviceScaleFactor: 3 }`. */
  device: Pick<BrowserContextOptions, 'isMobile' | 'hasTouch' | 'deviceScaleFactor'> = {},
): Promise<ArenaPage> {
  const context = await browser.newContext({ viewport, ...device });
  const url = `http://127.0.0.1:${server.port}/?name=${encodeURIComponent(name)}${query ? `&${query}` : ''}`;
  return openArenaAt(context, url, name);
}

/** The arena at `url` in a new page of `context` (as a friend opens a link), called `label` in errors. */
export async function openArenaAt(context: BrowserContext, url: string, label: string): Promise<ArenaPage> {
  const page = await context.newPage();
  await page.addInitScript(recordPeerConnections);
  const errors = capturePageErrors(page);
  await page.goto(url);
  await page.waitForFunction(() => window.__arena !== undefined, null, { timeout: 10_000 });
  const snapshot = () => page.evaluate(() => window.__arena.snapshot());
  return {
    name: label,
    context,
    page,
    errors,
    snapshot,
    async selfId() {
      const id = (await snapshot()).selfId;
      if (!id) throw new Error(`${label} has no peer id yet`);
      return id;
    },
  };
}

/** A test file's arena: the build, the lobby serving it and one Chromium, made before its tests. */
export interface ArenaSuite {
  /** These three throw before the suite's `beforeAll` has made them. */
  readonly build: ExampleBuild;
  readonly server: LobbyServer;
  readonly browser: Browser;
  /** `openArena`, the page closed after the running test whatever its outcome. */
  openArena(...args: Parameters<typeof openArena>): Promise<ArenaPage>;
  /** A context the test made itself, closed after it like `openArena`'s. */
  track(context: BrowserContext): BrowserContext;
}

/**
 * Registers the hooks of a browser test file on the arena: builds the game, serves it from a real
 * lobby and launches Chromium before its tests (in parallel), closes each test's pages after it,
 * and tears everything down after the file. `actionTimeoutMs`: how long a Playwright action (a
 * click, a wait for an element) may take on the suite's pages before the test fails naming it.
 * @example
 * const arena = arenaSuite();
 * it('plays', async () => {
 *   const ann = await arena.openArena(arena.browser, arena.server, 'Ann', 'create=1');
 * });
 */
export function arenaSuite(options: { actionTimeoutMs?: number } = {}): ArenaSuite {
  let made: { build: ExampleBuild; browser: Browser; server: LobbyServer } | null = null;
  let builtDir: ExampleBuild | undefined;
  let launched: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    [builtDir, launched] = await Promise.all([buildExample('arena-game'), launchArenaBrowser()]);
    made = { build: builtDir, browser: launched, server: await serveBuild(builtDir.dir) };
  }, 60_000);
  afterEach(() => Promise.all(contexts.splice(0).map((c) => c.close().catch(() => undefined))));
  afterAll(async () => {
    await launched?.close();
    await made?.server.close();
    builtDir?.remove();
  });
  const ready = () => {
    if (!made) throw new Error('the arena suite is not set up (its beforeAll failed or has not run)');
    return made;
  };
  const track = (context: BrowserContext) => {
    if (options.actionTimeoutMs !== undefined) context.setDefaultTimeout(options.actionTimeoutMs);
    contexts.push(context);
    return context;
  };
  return {
    get build() {
      return ready().build;
    },
    get server() {
      return ready().server;
    },
    get browser() {
      return ready().browser;
    },
    async openArena(...args) {
      const page = await openArena(...args);
      track(page.context);
      return page;
    },
    track,
  };
}

/**
 * `waitFor` with a check every 25 ms; on timeout the error names `what` (a function is read then)
 * and carries every page's errors, snapshot and WebRTC connections.
 */
export async function until(
  pages: readonly ArenaPage[],
  check: () => Promise<boolean>,
  what: string | (() => string),
  timeoutMs = 15_000,
): Promise<void> {
  const report = () =>
    Promise.all(
      pages.map(async (p) => ({
        name: p.name,
        errors: p.errors,
        snapshot: await p.snapshot().catch(String),
        webrtc: await readPeerConnections(p.page).catch(String),
      })),
    );
  await waitFor(check, what, { timeoutMs, intervalMs: 25, report });
}

/** A check for `until`: `page` draws `players` players (itself included), linked to every other. */
export const allLinked = (page: ArenaPage, players: number) => async () => {
  const s = await page.snapshot();
  return s.players.length === players && s.peers.length === players - 1 && s.peers.every((p) => p.link === 'connected');
};

/**
 * Ann creates a room and Bob joins it by its invite link (`bobParams` after `room=CODE`, say
 * `ready=1`); `setUp` runs on Ann's page before Bob comes (say, a map choice). Resolves once the
 * two are linked in the room, with the room's code.
 */
export async function annAndBob(
  suite: ArenaSuite,
  options: { bobParams?: string; setUp?: (ann: ArenaPage) => Promise<void> } = {},
): Promise<[ArenaPage, ArenaPage, string]> {
  const ann = await suite.openArena(suite.browser, suite.server, 'Ann', 'create=1');
  await until([ann], async () => (await ann.snapshot()).room !== null, 'Ann’s room');
  await options.setUp?.(ann);
  const code = (await ann.snapshot()).room?.code ?? '';
  const params = options.bobParams ? `room=${code}&${options.bobParams}` : `room=${code}`;
  const bob = await suite.openArena(suite.browser, suite.server, 'Bob', params);
  await until(
    [ann, bob],
    async () => (await allLinked(ann, 2)()) && (await allLinked(bob, 2)()),
    'Ann and Bob linked in one room',
  );
  return [ann, bob, code];
}

/** Says `text` in the room lobby's chat field (and Enter). */
export async function sayInRoom(p: ArenaPage, text: string): Promise<void> {
  await p.page.getByTestId('chat-input').fill(text);
  await p.page.getByTestId('chat-input').press('Enter');
}

/** A check for `until`: every page is in the match and draws `players` living players. */
export const allPlaying = (pages: readonly ArenaPage[], players: number) => async () =>
  (await everyPage(pages, (p) => p.snapshot())).every(
    (s) => s.phase === 'playing' && s.players.length === players && s.players.every((q) => q.x !== null && q.alive),
  );

/** Arena bots running in a child process. */
export interface Bots {
  /** Everything they printed so far, stdout and stderr: read it when a wait on them times out. */
  output(): string;
  /** Ends them (SIGTERM) and resolves once the process has exited. */
  stop(): Promise<void>;
}

/**
 * `count` bots joining room `code` of the lobby at `lobbyUrl`: the root `npm run bots` script,
 * minus its namespace wrapper (the tests already run in one).
 *
 * @example
 * const bots = startBots(server.url, code, 3);
 * await until([ann], allLinked(ann, 4), () => `three bots, linked (bots said: ${bots.output()})`);
 * await bots.stop();
 */
export function startBots(lobbyUrl: string, code: string, count: number): Bots {
  const child = spawn(
    'node',
    [
      ...['--conditions', 'source', '--import', 'tsx', 'examples/arena-game/bots/main.ts'],
      ...['--lobby', lobbyUrl, '--room', code, '--count', String(count)],
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d) => (output += String(d)));
  child.stderr.on('data', (d) => (output += String(d)));
  const exited = new Promise<void>((resolve) => {
    child.on('exit', () => resolve());
    child.on('error', (error) => {
      output += `(could not run the bots: ${String(error)})\n`;
      resolve();
    });
  });
  return {
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Resolves once the page has drawn `count` more animation frames (say, before a screenshot). */
export function framesDrawn(page: Page, count = 5): Promise<void> {
  return page.evaluate(
    (n) =>
      new Promise<void>((resolve) => {
        let left = n;
        const frame = () => (--left <= 0 ? resolve() : requestAnimationFrame(frame));
        requestAnimationFrame(frame);
      }),
    count,
  );
}

export const everyPage = <T>(pages: readonly ArenaPage[], read: (p: ArenaPage) => Promise<T>) =>
  Promise.all(pages.map(read));

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
