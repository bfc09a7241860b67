// Camera video over the mesh in real Chromium, with its fake camera (`--use-fake-device-for-media-stream`:
// a moving test pattern) and a fake microphone playing a tone. Three pages form a mesh with
// `audio: true, video: true`; what a player would notice is read from the pages: every page
// decoding frames from every other (`framesDecoded` rises) in small tiles, a camera turned off
// stopping its frames and its tiles (and on again, with no renegotiation), and a page whose camera
// is refused still seeing the others, playing and hearing; and switching cameras (`setDevice`):
// a new capture sent in place of the old with no renegotiation, the other page decoding on, and an
// unknown device a failure value that leaves the camera as it was. Runs inside the loopback-only
// namespace.
import type { VideoLinkStats } from '@tickmesh/netcode';
import { expect, it } from 'vitest';
import { type HarnessPeer as BrowserPeer, harnessSuite } from '../helpers/harness-suite.js';
import { describeWith } from '../helpers/requirements.js';
import { letTimePass } from '../helpers/wait.js';
import type { CameraStartOptions } from './page/camera-harness.js';

const suite = harnessSuite({
  mics: ['tone'],
  needs: ['__camera'],
  // Every link has audio and video from its first offer.
  join: { audio: true, video: true },
  // What a failure needs to tell "not sent" from "not decoded" from "not shown".
  report: async (page) => ({
    camera: await page.evaluate(async () => ({
      status: window.__camera.status(),
      tiles: window.__camera.tiles(),
      tileSizes: window.__camera.tileSizes(),
      localTrack: window.__camera.localTrackId(),
      sending: window.__camera.sentTrackIds(),
      negotiations: window.__camera.negotiations(),
      transceivers: await window.__camera.transceivers(),
      videoEvents: window.__camera.videoEvents(),
      inbound: Object.fromEntries(
        Object.entries(await window.__camera.stats()).map(([peer, s]) => [
          peer,
          { framesDecoded: s.framesDecoded, bytesReceived: s.bytesReceived, size: `${s.frameWidth}x${s.frameHeight}` },
        ]),
      ),
    })),
  }),
  untilMs: 20_000,
});
const { openPage, room, until, fullMesh } = suite;

const startCamera = (p: BrowserPeer, options: CameraStartOptions = {}) =>
  p.page.evaluate((o) => window.__camera.start(o), options);
const cameraStats = (p: BrowserPeer) => p.page.evaluate(() => window.__camera.stats());
const tiles = (p: BrowserPeer) => p.page.evaluate(() => window.__camera.tiles());
const idsOf = (peers: readonly BrowserPeer[]) => peers.map((p) => p.peerId).sort();

/** Each viewer shows a tile for exactly the peers in `shown`, and the decoded video of each has a size. */
const tilesOf = (viewers: readonly BrowserPeer[], shown: readonly BrowserPeer[]) => async () =>
  (
    await Promise.all(
      viewers.map(async (v) => {
        const want = idsOf(shown.filter((s) => s !== v));
        const sizes = await v.page.evaluate(() => window.__camera.tileSizes());
        return (
          JSON.stringify(Object.keys(sizes).sort()) === JSON.stringify(want) &&
          want.every((id) => (sizes[id]?.width ?? 0) > 0)
        );
      }),
    )
  ).every(Boolean);

/** Frames each viewer decoded from each sender over `ms`, by viewer and sender name. */
async function framesOver(viewers: BrowserPeer[], senders: BrowserPeer[], ms: number) {
  const before = await Promise.all(viewers.map(cameraStats));
  await letTimePass(ms); // the window the rise is measured over
  const after = await Promise.all(viewers.map(cameraStats));
  const rise = (a: VideoLinkStats | undefined, b: VideoLinkStats | undefined) =>
    (b?.framesDecoded ?? 0) - (a?.framesDecoded ?? 0);
  return Object.fromEntries(
    viewers.map((v, i) => [
      v.name,
      Object.fromEntries(
        senders.filter((s) => s !== v).map((s) => [s.name, rise(before[i]?.[s.peerId], after[i]?.[s.peerId])]),
      ),
    ]),
  ) as Record<string, Record<string, number>>;
}

describeWith(['chromium'], 'camera video over the mesh in Chromium', () => {
  it('3 pages decode each other in small tiles; a camera turned off stops and its tiles go; on again without renegotiation', async () => {
    const peers = await Promise.all(['ann', 'bob', 'cy'].map((n) => openPage(n)));
    const [ann, bob, cy] = peers as [BrowserPeer, BrowserPeer, BrowserPeer];
    await room(peers);
    await until(peers, fullMesh(peers), 'a full mesh of 3');
    const negotiated = await Promise.all(peers.map((p) => p.page.evaluate(() => window.__camera.negotiations())));

    expect(await Promise.all(peers.map((p) => startCamera(p)))).toEqual(peers.map(() => ({ ok: true })));
    await until(peers, tilesOf(peers, peers), 'a playing tile of both others on every page');
    const frames = await framesOver(peers, peers, 1500);
    for (const viewer of Object.values(frames))
      for (const rise of Object.values(viewer)) expect(rise).toBeGreaterThan(2); // about 15 a second, fewer on a busy machine
    // Small tiles: what arrives is at most 160x120, sent under the per-link caps.
    for (const p of peers) {
      const stats = await cameraStats(p);
      for (const other of peers.filter((o) => o !== p)) {
        const s = stats[other.peerId];
        expect(s?.frameWidth).toBeGreaterThan(0);
        expect(s?.frameWidth).toBeLessThanOrEqual(160);
        expect(s?.frameHeight).toBeLessThanOrEqual(120);
        const caps = await p.page.evaluate((id) => window.__camera.senderCaps(id), other.peerId);
        expect(caps).toEqual([expect.objectContaining({ maxBitrate: 150_000, maxFramerate: 15 })]);
      }
    }

    // cy turns its camera off: its tiles go at ann and bob, and no more of its frames are decoded.
    await cy.page.evaluate(() => window.__camera.stop());
    await until(peers, tilesOf([ann, bob], [ann, bob]), "cy's tiles gone at ann and bob");
    const off = await framesOver([ann, bob], peers, 1500);
    expect(off.ann?.cy).toBe(0);
    expect(off.bob?.cy).toBe(0);
    expect(off.ann?.bob).toBeGreaterThan(2);
    expect(off.bob?.ann).toBeGreaterThan(2);
    expect(await tiles(cy)).toEqual(idsOf([ann, bob]));

    // And on again: its tiles come back, on the same transceivers (no offer/answer since the mesh formed).
    expect(await startCamera(cy)).toEqual({ ok: true });
    await until(peers, tilesOf(peers, peers), "cy's tiles back at ann and bob");
    const again = await framesOver([ann, bob], [cy], 1500);
    expect(again.ann?.cy).toBeGreaterThan(2);
    expect(again.bob?.cy).toBeGreaterThan(2);
    expect(await Promise.all(peers.map((p) => p.page.evaluate(() => window.__camera.negotiations())))).toEqual(
      negotiated,
    );
    expect(peers.flatMap((p) => p.errors)).toEqual([]);
  }, 120_000);

  it('a page whose camera is refused, and one without a camera, say so, still see the others, play and hear', async () => {
    const peers = await Promise.all(['ann', 'bob', 'cy'].map((n) => openPage(n)));
    const [ann, bob, cy] = peers as [BrowserPeer, BrowserPeer, BrowserPeer];
    await room(peers);
    await until(peers, fullMesh(peers), 'a full mesh of 3');
    expect(await startCamera(ann)).toEqual({ ok: true });
    expect(await startCamera(bob, { fail: 'NotFoundError' })).toEqual({ ok: false, reason: 'no-device' });
    expect(await startCamera(cy, { fail: 'NotAllowedError' })).toEqual({ ok: false, reason: 'denied' });
    expect(await cy.page.evaluate(() => window.__camera.statuses())).toEqual(['starting', 'denied']);
    expect(await bob.page.evaluate(() => window.__camera.status())).toBe('no-device');

    // bob and cy see ann; nobody shows a tile for bob or cy.
    await until(peers, tilesOf(peers, [ann]), "ann's tile at bob and cy, and no other tile");
    const frames = await framesOver([bob, cy], [ann], 1500);
    expect(frames.bob?.ann).toBeGreaterThan(2);
    expect(frames.cy?.ann).toBeGreaterThan(2);

    // cy plays (game traffic both ways) and hears (voice from ann), and is heard.
    await Promise.all(peers.map((p) => p.page.evaluate(() => window.__voice.start())));
    const sent = await cy.page.evaluate(() => window.__mesh.burst(20, true));
    expect(sent).toBe(40); // 20 frames to each of 2 links
    await until(
      peers,
      async () => {
        const inbox = await ann.page.evaluate(() => window.__mesh.inbox());
        return inbox.filter((r) => r.from === cy.peerId && r.tag === 'r').length === 20;
      },
      "cy's game traffic at ann",
    );
    const energy = async (listener: BrowserPeer, speaker: BrowserPeer) =>
      (await listener.page.evaluate(() => window.__voice.stats()))[speaker.peerId]?.totalAudioEnergy ?? 0;
    await until(
      peers,
      async () => (await energy(cy, ann)) > 0 && (await energy(ann, cy)) > 0,
      'cy hears ann and is heard',
    );
    expect(peers.flatMap((p) => p.errors)).toEqual([]);
  }, 120_000);

  it('switches the camera in place: a new capture, frames decoded on at the other page, an unknown device a value', async ({
    annotate,
  }) => {
    const peers = await Promise.all(['ann', 'bob'].map((n) => openPage(n)));
    const [ann, bob] = peers as [BrowserPeer, BrowserPeer];
    await room(peers);
    await until(peers, fullMesh(peers), 'ann and bob linked');
    expect(await startCamera(ann)).toEqual({ ok: true });
    // bob has no camera: his page only watches.
    expect(await startCamera(bob, { fail: 'NotFoundError' })).toEqual({ ok: false, reason: 'no-device' });
    await until(peers, tilesOf([bob], [ann]), "ann's tile at bob");
    const negotiated = await Promise.all(peers.map((p) => p.page.evaluate(() => window.__camera.negotiations())));
    const firstTrack = await ann.page.evaluate(() => window.__camera.localTrackId());

    // Chromium's fake capture lists one camera, or more: switch to another if there is one, else
    // to the same one, which still captures anew.
    const devices = await ann.page.evaluate(() => window.__camera.devices());
    expect(devices.length).toBeGreaterThan(0);
    const target = devices[1] ?? devices[0];
    if (!target) throw new Error('no camera listed');
    await annotate(
      `cameras listed: ${devices.map((d) => d.label || d.deviceId).join(', ')}; switched to ${target.label}`,
    );
    expect(await ann.page.evaluate((id) => window.__camera.setDevice(id), target.deviceId)).toEqual({ ok: true });
    const switched = await ann.page.evaluate(() => ({
      track: window.__camera.localTrackId(),
      device: window.__camera.localDevice(),
      sent: window.__camera.sentTrackIds(),
      status: window.__camera.status(),
    }));
    expect(switched.track).not.toBeNull();
    expect(switched.track).not.toBe(firstTrack);
    expect(switched.device).toBe(target.deviceId);
    expect(switched.status).toBe('on');
    await until(
      peers,
      async () => (await ann.page.evaluate(() => window.__camera.sentTrackIds()))[bob.peerId] === switched.track,
      "the new capture on ann's link to bob",
    );
    expect((await framesOver([bob], [ann], 1500)).bob?.ann).toBeGreaterThan(2);

    // An id no camera has: a failure value, and the camera goes on as it was.
    const unknown = await ann.page.evaluate(() => window.__camera.setDevice('no-such-camera'));
    expect(unknown).toEqual({ ok: false, reason: 'no-device' });
    expect(await ann.page.evaluate(() => window.__camera.status())).toBe('on');
    expect(await ann.page.evaluate(() => window.__camera.localTrackId())).toBe(switched.track);
    expect((await framesOver([bob], [ann], 1500)).bob?.ann).toBeGreaterThan(2);
    // Off and on again: the camera it captured last, not the unknown one.
    await ann.page.evaluate(() => window.__camera.stop());
    expect(await startCamera(ann)).toEqual({ ok: true });
    expect(await ann.page.evaluate(() => window.__camera.localDevice())).toBe(target.deviceId);

    expect(await Promise.all(peers.map((p) => p.page.evaluate(() => window.__camera.negotiations())))).toEqual(
      negotiated,
    );
    expect(peers.flatMap((p) => p.errors)).toEqual([]);
  }, 90_000);
});
