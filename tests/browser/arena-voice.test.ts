// The arena's voice for a player who only listens, in real Chromium: Tia talks on open mic (her
// browser's fake microphone plays a tone), Sam joins her room through the menu (typing the code,
// clicking Join: a real gesture) and never touches the mic button. Sam hears Tia (audio packets
// and played energy rising on his page) and sees her speaking ring; then he turns his microphone
// on and off again, and still hears her and sees her ring. Screenshot: Sam's room lobby with
// Tia ringing and his mic off, test-results/screenshots/voice-listener.png.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LobbyServer } from '@tickmesh/lobby-server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type ArenaPage,
  buildExample,
  type ExampleBuild,
  everyPage,
  framesDrawn,
  launchArenaBrowser,
  openArena,
  screenshot,
  serveBuild,
  until,
} from '../helpers/arena-game.js';
import { makeWavs } from '../helpers/fake-mic.js';
import { describeWith } from '../helpers/requirements.js';
import { letTimePass } from '../helpers/wait.js';

let build: ExampleBuild | undefined;
/** One browser process per fake microphone: a tone, and silence. */
let toneBrowser: Browser | undefined;
let quietBrowser: Browser | undefined;
let server: LobbyServer | undefined;
const pages: ArenaPage[] = [];
const wavDir = mkdtempSync(join(tmpdir(), 'tickmesh-arena-voice-'));

beforeAll(async () => {
  const wavs = makeWavs(wavDir);
  [build, toneBrowser, quietBrowser] = await Promise.all([
    buildExample('arena-game'),
    launchArenaBrowser({ mic: wavs.tone }),
    launchArenaBrowser({ mic: wavs.silence }),
  ]);
  server = await serveBuild(build.dir);
}, 60_000);
afterAll(async () => {
  await Promise.all(pages.map((p) => p.context.close().catch(() => undefined)));
  await Promise.all([toneBrowser?.close(), quietBrowser?.close()]);
  await server?.close();
  build?.remove();
  rmSync(wavDir, { recursive: true, force: true });
});

/** Audio received by the page over all its connections: RTP packets and played energy. */
function audioIn(page: Page): Promise<{ packets: number; energy: number }> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? [];
    let packets = 0;
    let energy = 0;
    for (const pc of pcs.filter((c) => c.connectionState === 'connected'))
      (await pc.getStats()).forEach((r) => {
        if (r.type !== 'inbound-rtp' || r.kind !== 'audio') return;
        packets += r.packetsReceived ?? 0;
        energy += r.totalAudioEnergy ?? 0;
      });
    return { packets, energy };
  });
}

/** What `page` received over `ms`. */
async function heardOver(page: Page, ms: number): Promise<{ packets: number; energy: number }> {
  const before = await audioIn(page);
  await letTimePass(ms); // the window the rise is measured over
  const after = await audioIn(page);
  return { packets: after.packets - before.packets, energy: after.energy - before.energy };
}

describeWith(['chromium'], 'arena voice in Chromium: listening without a microphone', () => {
  it('a player who never turns the mic on hears the talker and sees her ring, and keeps both after mic on and off', async () => {
    if (!toneBrowser || !quietBrowser || !server) throw new Error('not set up');
    // Both pages load at once (most of this test's time on a loaded machine); Sam waits in the menu.
    const [tia, sam] = await Promise.all([
      openArena(toneBrowser, server, 'Tia', 'create=1&voice=1'),
      openArena(quietBrowser, server, 'Sam', ''),
    ]);
    pages.push(tia, sam);
    await until([tia], async () => (await tia.snapshot()).room !== null, 'the room to be created');
    const code = (await tia.snapshot()).room?.code ?? '';
    await sam.page.getByTestId('room-code-input').fill(code);
    await sam.page.getByTestId('join-room').click();
    const both = [tia, sam];
    await until(
      both,
      async () =>
        (await everyPage(both, (p) => p.snapshot())).every((s) => s.room?.code === code && s.players.length === 2),
      'Sam in Tia’s room',
    );
    const tiaId = await tia.selfId();
    const ring = sam.page.locator(`li[data-peer="${tiaId}"] .avatar.speaking`);
    const hearsTia = async () => (await sam.snapshot()).voice.speaking.includes(tiaId) && (await ring.count()) === 1;
    expect((await tia.snapshot()).voice.state).toBe('on');
    expect((await sam.snapshot()).voice.state).toBe('off');
    expect(await sam.page.getByTestId('mic').textContent()).toBe('Mic off');

    // Mic never on: Tia's voice plays and rings on Sam's page.
    await until(both, hearsTia, 'Tia speaking on Sam’s page, his mic never on');
    const neverOn = await heardOver(sam.page, 1500);
    expect(neverOn.packets).toBeGreaterThan(40); // 50 a second while the tone plays
    expect(neverOn.energy).toBeGreaterThan(0);
    await framesDrawn(sam.page);
    await screenshot(sam.page, 'voice-listener');

    // Mic on (open), then push-to-talk, then off: the button's cycle.
    const mic = sam.page.getByTestId('mic');
    await mic.click();
    await until(both, async () => (await sam.snapshot()).voice.state === 'on', 'Sam’s mic on');
    await mic.click();
    await mic.click();
    await until(both, async () => (await sam.snapshot()).voice.state === 'off', 'Sam’s mic off again');
    expect(await mic.textContent()).toBe('Mic off');
    expect(await mic.getAttribute('title')).toBe('Microphone off. You still hear everyone.');
    const afterOff = await heardOver(sam.page, 1500);
    expect(afterOff.packets).toBeGreaterThan(40);
    expect(afterOff.energy).toBeGreaterThan(0);
    await until(both, hearsTia, 'Tia speaking on Sam’s page after his mic went off');
    for (const p of both) expect(p.errors).toEqual([]);
  }, 90_000); // as arena-play's: two arena pages on two cores shared with other Chromium runs
});
