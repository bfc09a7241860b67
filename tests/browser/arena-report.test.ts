// "My game lagged" reports, in real Chromium: three players of the arena (with voice, so audio RTP
// flows) on a lobby that hands out a real coturn's TURN REST credentials. After a few seconds of
// play Bob opens the netgraph (F3) and clicks "Save report": the download parses with the dump
// format's schema (@tickmesh/netcode/stats-dump), holds every link's series (tickmesh's figures,
// candidate pairs, data channels, RTP) with several samples each, the signals seen, and the sync
// figures; and nowhere in its text is the TURN username, the TURN credential, Bob's lobby token
// or his connections' ICE passwords. Then /report.html, served with the game, is given the file:
// one uPlot chart per figure per peer (RTT, loss, bitrate, jitter, candidate types for each of
// Ann and Cid; interpolation delay and corrections for Bob's own page), each with values drawn.
// Screenshot: test-results/screenshots/report-viewer.png; the dump: test-results/report-dump.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LobbyServer, startLobbyServer } from '@tickmesh/lobby-server';
import { parseStatsDump, type StatsDump } from '@tickmesh/netcode/stats-dump';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import {
  type ArenaPage,
  allPlaying,
  buildExample,
  type ExampleBuild,
  launchArenaBrowser,
  openArena,
  SCREENSHOT_DIR,
  until,
} from '../helpers/arena-game.js';
import { type Coturn, startCoturn } from '../helpers/coturn.js';
import { describeWith } from '../helpers/requirements.js';
import { letTimePass } from '../helpers/wait.js';

const SECRET = 'report-test-turn-secret';
let build: ExampleBuild | undefined;
let browser: Browser | undefined;
let turn: Coturn | undefined;
let server: LobbyServer | undefined;
const opened: ArenaPage[] = [];
afterEach(() => Promise.all(opened.splice(0).map((p) => p.context.close().catch(() => undefined))));
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await turn?.stop();
  build?.remove();
});

describeWith(['chromium', 'turnserver'], 'arena in Chromium: Save report and the report viewer', () => {
  beforeAll(async () => {
    [build, browser, turn] = await Promise.all([
      buildExample('arena-game'),
      launchArenaBrowser(),
      startCoturn({ secret: SECRET }),
    ]);
    server = await startLobbyServer({
      host: '127.0.0.1',
      port: 0,
      metricsPort: 0,
      staticDir: build.dir,
      rateLimitPerS: 500,
      rateBurst: 500,
      turnUrls: turn.urls,
      turnSecret: SECRET,
    });
  }, 60_000);

  const open = async (name: string, query: string) => {
    if (!browser || !server) throw new Error('not set up');
    const page = await openArena(browser, server, name, query);
    opened.push(page);
    return page;
  };

  it('saves a dump of every link that parses, holds no secret, and the viewer plots every figure per peer', async () => {
    const ann = await open('Ann', 'create=1&voice=1');
    await until([ann], async () => (await ann.snapshot()).room !== null, 'the room to be created');
    const code = (await ann.snapshot()).room?.code ?? '';
    const bob = await open('Bob', `room=${code}&ready=1&voice=1`);
    const cid = await open('Cid', `room=${code}&ready=1&voice=1`);
    const pages = [ann, bob, cid];
    await until([ann], async () => !(await ann.page.getByTestId('start').isDisabled()), 'Bob and Cid ready');
    await ann.page.getByTestId('start').click();
    await until(pages, allPlaying(pages, 3), 'all three playing', 30_000);
    const ids = { ann: await ann.selfId(), bob: await bob.selfId(), cid: await cid.selfId() };

    // A few seconds of play, Bob moving, so every series has samples to show.
    await bob.page.keyboard.down('d');
    await letTimePass(3000); // play: the recorder samples once a second
    await bob.page.keyboard.up('d');
    await letTimePass(3000); // more play

    // What must never be in Bob's dump: his TURN credentials, lobby token and ICE passwords.
    const secrets = await bob.page.evaluate(() => {
      const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
      const turnServers = pcs.flatMap((pc) => pc.getConfiguration().iceServers ?? []).filter((s) => s.username);
      const tokens = Object.keys(sessionStorage)
        .filter((k) => k.startsWith('tickmesh.arena.token'))
        .map((k) => sessionStorage.getItem(k) ?? '');
      const icePwds = pcs.flatMap((pc) =>
        [pc.localDescription?.sdp ?? '', pc.remoteDescription?.sdp ?? ''].flatMap((sdp) =>
          [...sdp.matchAll(/a=ice-pwd:(\S+)/g)].map((m) => m[1] ?? ''),
        ),
      );
      return {
        usernames: turnServers.map((s) => s.username ?? ''),
        credentials: turnServers.map((s) => String(s.credential ?? '')),
        tokens,
        icePwds,
      };
    });
    expect(secrets.usernames.length).toBeGreaterThan(0);
    expect(secrets.credentials.every((c) => c.length > 8)).toBe(true);
    expect(secrets.tokens).toHaveLength(1);
    expect(secrets.icePwds.length).toBeGreaterThanOrEqual(4);

    // Save report, from the netgraph.
    await bob.page.keyboard.press('F3');
    const [download] = await Promise.all([
      bob.page.waitForEvent('download'),
      bob.page.getByTestId('save-report').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^tickmesh-report-.+\.json$/);
    const path = await download.path();
    const text = readFileSync(path, 'utf8');
    // Kept beside the screenshots, to open in the viewer by hand.
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    writeFileSync(join(SCREENSHOT_DIR, '..', 'report-dump.json'), text);
    for (const secret of [...secrets.usernames, ...secrets.credentials, ...secrets.tokens, ...secrets.icePwds])
      expect(text.includes(secret), `the dump holds a secret (${secret.slice(0, 6)}...)`).toBe(false);

    const parsed = parseStatsDump(JSON.parse(text));
    if (!parsed.ok) throw new Error(`the dump does not parse: ${parsed.issues.join('; ')}`);
    const dump: StatsDump = parsed.dump;
    expect(dump.self).toEqual({ peerId: ids.bob, name: 'Bob' });
    expect(Object.keys(dump.peers).sort()).toEqual([ids.ann, ids.cid].sort());
    const samples = (values: unknown[] | undefined) => (values ?? []).filter((v) => v !== null).length;
    for (const [peerId, peer] of Object.entries(dump.peers)) {
      const who = `Bob's link to ${peer.name} (${peerId})`;
      expect(peer.name, who).toBe(peerId === ids.ann ? 'Ann' : 'Cid');
      expect(samples(peer.link.series.rttMs?.values), `${who}: rtt samples`).toBeGreaterThanOrEqual(4);
      expect(samples(peer.link.series.bytesInPerS?.values), `${who}: rate samples`).toBeGreaterThanOrEqual(4);
      const connection = peer.connections.at(-1);
      if (!connection) throw new Error(`${who}: no connection recorded`);
      const byType = (type: string) => Object.values(connection.stats).filter((o) => o.type === type);
      const pairs = byType('candidate-pair').filter((o) => samples(o.series.bytesReceived?.values) >= 4);
      expect(pairs.length, `${who}: a candidate pair with samples`).toBeGreaterThan(0);
      expect(
        byType('data-channel')
          .map((o) => o.series.label?.values.at(-1))
          .sort(),
      ).toEqual(['reliable', 'unreliable']);
      expect(byType('transport').length, `${who}: transport`).toBeGreaterThan(0);
      expect(byType('local-candidate').length, `${who}: candidates`).toBeGreaterThan(0);
      const audioIn = byType('inbound-rtp').filter((o) => samples(o.series.jitter?.values) >= 4);
      expect(audioIn.length, `${who}: inbound audio RTP with jitter`).toBeGreaterThan(0);
      expect(byType('outbound-rtp').length, `${who}: outbound RTP`).toBeGreaterThan(0);
      expect(connection.localDescription?.sdp).toContain('a=ice-pwd:[redacted]');
      expect(connection.remoteDescription?.sdp).toContain('a=ice-pwd:[redacted]');
      expect(connection.pcConfig.iceServers.flatMap((s) => [s.urls].flat()).some((u) => u.startsWith('turn:'))).toBe(
        true,
      );
      const events = new Set(peer.events.map((e) => e.type));
      expect([...events], `${who}: signals seen`).toEqual(
        expect.arrayContaining(['link-state', 'candidates-sent', 'candidates-received']),
      );
      expect(events.has('offer-sent') || events.has('offer-received'), `${who}: an offer`).toBe(true);
    }
    expect(samples(dump.sync?.series.interpDelayMs?.values)).toBeGreaterThanOrEqual(4);
    expect(samples(dump.sync?.series.correctionsPerSec?.values)).toBeGreaterThanOrEqual(4);

    // The viewer, served with the game: load the file, one chart per figure per peer.
    const viewer = await bob.context.newPage();
    await viewer.setViewportSize({ width: 1500, height: 900 });
    await viewer.goto(`http://127.0.0.1:${server?.port}/report.html`);
    await viewer.getByTestId('report-file').setInputFiles(path);
    await viewer.locator('.status', { hasText: '1 report shown.' }).waitFor();
    const drawn = await viewer.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>('section[data-peer]')).map((section) => ({
        peer: section.dataset.peer ?? '',
        plots: Array.from(section.querySelectorAll<HTMLElement>('.plot')).map((plot) => ({
          figure: plot.dataset.figure ?? '',
          values: Number(plot.dataset.values),
          uplot: plot.querySelectorAll('.uplot canvas').length,
          title: plot.querySelector('.u-title')?.textContent ?? '',
        })),
      })),
    );
    expect(drawn.map((s) => s.peer).sort()).toEqual(['self', ids.ann, ids.cid].sort());
    expect(await viewer.locator('.uplot').count()).toBe(2 + 5 * 2);
    for (const section of drawn) {
      const figures = section.plots.map((p) => p.figure);
      expect(figures).toEqual(
        section.peer === 'self' ? ['interpolation', 'corrections'] : ['rtt', 'loss', 'bitrate', 'jitter', 'candidates'],
      );
      for (const plot of section.plots) {
        expect(plot.uplot, `${section.peer} ${plot.figure}: a uPlot canvas`).toBe(1);
        expect(plot.title, `${section.peer} ${plot.figure}: titled`).not.toBe('');
        // Loss and corrections may be all zeros on loopback, but drawn values they are.
        expect(plot.values, `${section.peer} ${plot.figure}: values drawn`).toBeGreaterThanOrEqual(4);
      }
    }
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await viewer.screenshot({ path: join(SCREENSHOT_DIR, 'report-viewer.png'), fullPage: true });
  }, 180_000);
});
