/**
 * The setup the harness page's browser tests share (mesh, voice and camera in Chromium; the page
 * is tests/browser/page), as `arenaSuite()` is the arena's: the page built once and Chromium
 * launched before the file's tests (one browser process per fake microphone: Chromium's is per
 * process), a lobby server serving the page, every test's pages closed after it, and the file's
 * servers, browsers and build torn down after it. Pages are opened, put in a room, and waited on
 * with `until`, whose timeout reports every page's links, log and errors (and what the file adds).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { type LobbyServer, startLobbyServer } from '@tickmesh/lobby-server';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { JoinOptions } from '../browser/page/harness.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, untilOrReport } from './chromium.js';
import { fakeMicArg, makeWavs } from './fake-mic.js';
import { buildHarnessPage, type HarnessPage } from './harness-page.js';

/** A page of the harness, as a player: its peer id once it joined a room. */
export interface HarnessPeer {
  name: string;
  page: Page;
  peerId: string;
  /** Uncaught errors on the page. */
  errors: string[];
}

/** What a browser's fake microphone plays: Chromium's own beep, the test's tone, or silence. */
export type Mic = 'beep' | 'tone' | 'silence';

/** The page's parts a test drives (`window.__mesh` always). */
type Part = '__voice' | '__camera';

export interface HarnessSuiteOptions {
  /** The fake microphones the file's pages use, one browser process each. Default `['beep']`. */
  mics?: readonly Mic[];
  /** The parts a page must have loaded before it is used, besides `__mesh`. Default none. */
  needs?: readonly Part[];
  /** Options every `join` has (say `audio: true`). Default none. */
  join?: JoinOptions;
  /** What a timed-out `until` reports of each page besides its links, log and errors. */
  report?(page: Page): Promise<Record<string, unknown>>;
  /** `until`'s timeout, ms. Default 10 000. */
  untilMs?: number;
}

export interface HarnessSuite {
  /** The file's lobby server, serving the page (throws before the suite's `beforeAll` made it). */
  readonly server: LobbyServer;
  /** Another lobby server serving the page (say, with TURN), closed after the file. */
  startServer(overrides?: Parameters<typeof startLobbyServer>[0]): Promise<LobbyServer>;
  /** Opens the page in a new context of the `mic` browser (default the first), from `server` (default the file's). */
  openPage(name: string, options?: { mic?: Mic; server?: LobbyServer }): Promise<HarnessPeer>;
  /** Joins (or with `create`, creates) a room; returns its code. */
  join(peer: HarnessPeer, options: JoinOptions, server?: LobbyServer): Promise<string>;
  /** The first page creates a room, the rest join it at once; returns its code. */
  room(peers: readonly HarnessPeer[], options?: JoinOptions, server?: LobbyServer): Promise<string>;
  /** Waits for `check`; on timeout fails with `what` and each page's links, log, errors and the file's report. */
  until(peers: readonly HarnessPeer[], check: () => Promise<boolean>, what: string, timeoutMs?: number): Promise<void>;
  /** A check for `until`: every page has a connected link to every other. */
  fullMesh(peers: readonly HarnessPeer[]): () => Promise<boolean>;
}

/**
 * Registers the file's hooks and hands back its helpers.
 * @example
 * const suite = harnessSuite({ needs: ['__camera'], join: { audio: true, video: true } });
 * it('decodes', async () => {
 *   const peers = await Promise.all(['ann', 'bob'].map((n) => suite.openPage(n)));
 *   await suite.room(peers);
 *   await suite.until(peers, suite.fullMesh(peers), 'a full mesh of 2');
 * });
 */
export function harnessSuite(options: HarnessSuiteOptions = {}): HarnessSuite {
  const mics = options.mics ?? ['beep'];
  const untilMs = options.untilMs ?? 10_000;
  let page: HarnessPage | undefined;
  let wavDir = '';
  const browsers = new Map<Mic, Browser>();
  const servers: LobbyServer[] = [];
  let contexts: BrowserContext[] = [];

  function launch(mic: Mic, wavs: { tone: string; silence: string } | null): Promise<Browser> {
    const args = mic === 'beep' || !wavs ? CHROMIUM_ARGS : [...CHROMIUM_ARGS, fakeMicArg(wavs[mic])];
    return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args });
  }

  async function startServer(overrides: Parameters<typeof startLobbyServer>[0] = {}): Promise<LobbyServer> {
    if (!page) throw new Error('the harness suite is not set up (its beforeAll failed or has not run)');
    const server = await startLobbyServer({
      host: '127.0.0.1',
      port: 0,
      metricsPort: 0,
      staticDir: page.dir,
      // Offers, answers and trickled candidates all ride the lobby: keep its per-connection rate
      // limit (default 20/s) out of the way, as the Node mesh tests do.
      rateLimitPerS: 500,
      rateBurst: 500,
      ...overrides,
    });
    servers.push(server);
    return server;
  }

  beforeAll(async () => {
    let wavs: { tone: string; silence: string } | null = null;
    if (mics.some((m) => m !== 'beep')) {
      wavDir = mkdtempSync(joinPath(tmpdir(), 'tickmesh-mic-'));
      wavs = makeWavs(wavDir);
    }
    const launched = Promise.all(mics.map(async (mic) => browsers.set(mic, await launch(mic, wavs))));
    [page] = await Promise.all([buildHarnessPage(), launched]);
    await startServer();
  }, 30_000);
  afterEach(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    contexts = [];
  });
  afterAll(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    await Promise.all([...browsers.values()].map((b) => b.close()));
    page?.remove();
    if (wavDir) rmSync(wavDir, { recursive: true, force: true });
  });

  const fileServer = (): LobbyServer => {
    const server = servers[0];
    if (!server) throw new Error('the harness suite is not set up (its beforeAll failed or has not run)');
    return server;
  };

  async function join(peer: HarnessPeer, joinOptions: JoinOptions, server = fileServer()): Promise<string> {
    const result = await peer.page.evaluate(([u, n, o]) => window.__mesh.join(u, n, o), [
      server.url,
      peer.name,
      { ...options.join, ...joinOptions },
    ] as const);
    if (!result.ok) throw new Error(`${peer.name}: ${result.error}`);
    peer.peerId = result.peerId;
    return result.code;
  }

  return {
    get server() {
      return fileServer();
    },
    startServer,
    async openPage(name, at = {}) {
      const browser = browsers.get(at.mic ?? mics[0] ?? 'beep');
      if (!browser) throw new Error(`no browser with the ${at.mic} microphone: name it in harnessSuite's mics`);
      const context = await browser.newContext();
      contexts.push(context);
      const tab = await context.newPage();
      const peer: HarnessPeer = { name, page: tab, peerId: '', errors: [] };
      tab.on('pageerror', (error) => peer.errors.push(error.message));
      await tab.goto(`http://127.0.0.1:${(at.server ?? fileServer()).port}/`);
      await tab.waitForFunction(
        (parts) =>
          window.__mesh !== undefined &&
          parts.every((p) => (window as unknown as Record<string, unknown>)[p] !== undefined),
        options.needs ?? [],
        { timeout: 15_000 },
      );
      return peer;
    },
    join,
    async room(peers, joinOptions = {}, server = fileServer()) {
      const [host, ...rest] = peers;
      if (!host) throw new Error('a room needs a page');
      const code = await join(host, { ...joinOptions, create: true }, server);
      await Promise.all(rest.map((p) => join(p, { ...joinOptions, code }, server)));
      return code;
    },
    until(peers, check, what, timeoutMs = untilMs) {
      const report = () =>
        Promise.all(
          peers.map(async (p) => ({
            name: p.name,
            peerId: p.peerId,
            links: await p.page.evaluate(() => window.__mesh.links()),
            ...(options.report ? await options.report(p.page) : {}),
            logs: await p.page.evaluate(() => window.__mesh.logs()),
            errors: p.errors,
          })),
        );
      return untilOrReport(check, what, report, timeoutMs);
    },
    fullMesh: (peers) => async () =>
      (await Promise.all(peers.map((p) => p.page.evaluate(() => window.__mesh.links())))).every(
        (links) =>
          Object.keys(links).length === peers.length - 1 && Object.values(links).every((s) => s === 'connected'),
      ),
  };
}
