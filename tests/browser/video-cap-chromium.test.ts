// The cap on the camera video a page accepts, in real Chromium: each link's SDP asks the peer for at
// most `videoMaxReceiveBitrateBps` of video (`b=AS`/`b=TIAS`, transport/video-sdp.ts). A greedy
// page raises its own sender's caps (2 Mbit/s, 640x480 at 30 fps) and sends to two pages: one that
// keeps the default cap (150 kbit/s) gets it held near the cap (the encoder drops to a smaller
// picture for that link), one that asks for 2 Mbit/s gets more (so the sender really would go over:
// the test can fail), and the camera's counter of
// inbound video over the cap stays 0 at the first and rises at the second, whose camera still
// measures against 150 kbit/s. Rates are read from the receivers' `inbound-rtp` byte counters.
import type { VideoLinkStats } from '@tickmesh/netcode';
import { meshDefaults } from '@tickmesh/netcode';
import { expect, it } from 'vitest';
import { type HarnessPeer, harnessSuite } from '../helpers/harness-suite.js';
import { describeWith } from '../helpers/requirements.js';
import { letTimePass } from '../helpers/wait.js';

const suite = harnessSuite({
  needs: ['__camera'],
  join: { video: true },
  report: async (page) => ({ counters: await page.evaluate(() => window.__camera.counters()) }),
  untilMs: 20_000,
});

const CAP_BPS = meshDefaults.videoMaxReceiveBitrateBps;
/** How far over the cap a held stream may measure over the window: RTP headers, a keyframe, the encoder's aim. */
const MARGIN = 0.3;
const WINDOW_MS = 4000;

const received = (s: VideoLinkStats | undefined) => (s ? s.bytesReceived + s.headerBytesReceived : 0);
const statsFrom = async (viewer: HarnessPeer, sender: HarnessPeer) =>
  (await viewer.page.evaluate(() => window.__camera.stats()))[sender.peerId];

describeWith(['chromium'], 'the inbound video cap in Chromium', () => {
  it('a peer that raises its own sender cap is held near the cap our SDP asks for', async ({ annotate }) => {
    const greedy = await suite.openPage('greedy');
    const held = await suite.openPage('held');
    const open = await suite.openPage('open');
    const code = await suite.join(greedy, {
      create: true,
      tuning: { videoMaxBitrateBps: 2_000_000, videoMaxWidthPx: 640, videoMaxFramerate: 30 },
    });
    await suite.join(held, { code });
    await suite.join(open, { code, tuning: { videoMaxReceiveBitrateBps: 2_000_000 } });
    const peers = [greedy, held, open];
    await suite.until(peers, suite.fullMesh(peers), 'a full mesh of 3');

    // The two viewers make a camera without one (to see and measure), the greedy page captures big.
    for (const viewer of [held, open])
      expect(await viewer.page.evaluate(() => window.__camera.start({ fail: 'NotFoundError' }))).toEqual({
        ok: false,
        reason: 'no-device',
      });
    const started = await greedy.page.evaluate(() =>
      window.__camera.start({ capture: { widthPx: 640, heightPx: 480, frameRate: 30 } }),
    );
    expect(started).toEqual({ ok: true });
    await suite.until(
      peers,
      async () =>
        ((await statsFrom(held, greedy))?.framesDecoded ?? 0) > 0 &&
        ((await statsFrom(open, greedy))?.framesDecoded ?? 0) > 0,
      'frames of the greedy page decoded at both viewers',
    );
    await letTimePass(3000); // the sender's bandwidth estimate ramps up from its start rate

    const before = await Promise.all([statsFrom(held, greedy), statsFrom(open, greedy)]);
    await letTimePass(WINDOW_MS); // the window the rates are measured over
    const after = await Promise.all([statsFrom(held, greedy), statsFrom(open, greedy)]);
    const bps = (i: 0 | 1) => ((received(after[i]) - received(before[i])) * 8 * 1000) / WINDOW_MS;
    const [heldBps, openBps] = [bps(0), bps(1)];
    const shape = (s: VideoLinkStats | undefined) => `${s?.frameWidth}x${s?.frameHeight} at ${s?.framesPerSecond} fps`;
    await annotate(
      `inbound video from the greedy page over ${WINDOW_MS} ms: held ${Math.round(heldBps)} bit/s (${shape(after[0])}), ` +
        `open ${Math.round(openBps)} bit/s (${shape(after[1])})`,
    );

    // Software encoding on a busy machine adapts (about 480x360 at 20 fps, 250-270 kbit/s, was
    // seen): over the cap at all is what shows the sender would go over it; the held page must be
    // under the cap plus the margin, so a cap not applied fails there.
    expect(openBps, 'the sender goes over the cap where it may').toBeGreaterThan(CAP_BPS);
    expect(heldBps, 'held near the cap').toBeLessThan(CAP_BPS * (1 + MARGIN));
    expect(heldBps, 'still sending video').toBeGreaterThan(CAP_BPS / 4);
    const counters = await Promise.all([held, open].map((p) => p.page.evaluate(() => window.__camera.counters())));
    expect(counters[0]?.inboundOverCap, 'nothing over the cap at the held page').toBe(0);
    expect(counters[1]?.inboundOverCap, 'the open page counts what came over 150 kbit/s').toBeGreaterThan(0);
    expect(peers.flatMap((p) => p.errors)).toEqual([]);
  }, 90_000);
});
