// Voice over the mesh in real Chromium. Each browser process gets its own fake microphone
// (`--use-file-for-fake-audio-capture`): a tone the test writes itself, or silence. Pages form a mesh
// through the lobby server with `audio: true` and start voice; what a player would notice is read
// from the pages: remote voices present, audio packets and energy arriving, a muted player going
// quiet, a late joiner, a refused microphone, listeners without a microphone (never started, or
// stopped), speaking indicators. Runs inside the loopback-only namespace of `npm test`.
import type { LinkStats, VoiceLinkStats } from '@tickmesh/netcode';
import { expect, it } from 'vitest';
import { type HarnessPeer as BrowserPeer, harnessSuite } from '../helpers/harness-suite.js';
import { describeWith } from '../helpers/requirements.js';
import { letTimePass } from '../helpers/wait.js';
import type { VoiceStartOptions } from './page/voice-harness.js';

const suite = harnessSuite({
  mics: ['tone', 'silence'],
  needs: ['__voice'],
  join: { audio: true, statsIntervalMs: 250 },
  report: async (page) => ({
    voice: await page.evaluate(() => ({ status: window.__voice.status(), peers: window.__voice.peers() })),
  }),
});
const { room, until, fullMesh } = suite;
const join = (peer: BrowserPeer, options: { code: string }) => suite.join(peer, options);
/** A page in the browser whose fake microphone plays `mic`. */
const openPage = (mic: 'tone' | 'silence', name: string) => suite.openPage(name, { mic });

const startVoice = (p: BrowserPeer, options: VoiceStartOptions = {}) =>
  p.page.evaluate((o) => window.__voice.start(o), options);
const voiceStats = (p: BrowserPeer) => p.page.evaluate(() => window.__voice.stats());

/** Below this level (0..1) a voice plays silence: the test tone never drops under 0.1 at the microphone. */
const QUIET_LEVEL = 0.01;

/** Each listener plays sound from each speaker. */
const soundFrom = (listeners: readonly BrowserPeer[], speakers: readonly BrowserPeer[]) => async () =>
  (await Promise.all(listeners.map(voiceStats))).every((stats, i) =>
    speakers.every((s) => s === listeners[i] || (stats[s.peerId]?.totalAudioEnergy ?? 0) > 0),
  );

/** Each listener plays silence from `speaker`: what was in flight and in the jitter buffer has played out. */
const quietFrom = (listeners: readonly BrowserPeer[], speaker: BrowserPeer) => async () =>
  (await Promise.all(listeners.map(voiceStats))).every(
    (stats) => (stats[speaker.peerId]?.audioLevel ?? 1) < QUIET_LEVEL,
  );

/** What `listener` received from `speaker` between two stats reads. */
function rise(before: Record<string, VoiceLinkStats>, after: Record<string, VoiceLinkStats>, speaker: BrowserPeer) {
  const a = before[speaker.peerId];
  const b = after[speaker.peerId];
  return {
    packets: (b?.packetsReceived ?? 0) - (a?.packetsReceived ?? 0),
    energy: (b?.totalAudioEnergy ?? 0) - (a?.totalAudioEnergy ?? 0),
  };
}

/** Every listener keeps receiving packets and sound energy from every speaker over `ms`. */
async function hearing(listeners: BrowserPeer[], speakers: BrowserPeer[], ms: number) {
  const before = await Promise.all(listeners.map(voiceStats));
  await letTimePass(ms); // the window the rise is measured over
  const after = await Promise.all(listeners.map(voiceStats));
  return listeners.map((l, i) =>
    Object.fromEntries(
      speakers.filter((s) => s !== l).map((s) => [s.name, rise(before[i] ?? {}, after[i] ?? {}, s)] as const),
    ),
  );
}

describeWith(['chromium'], 'voice over the mesh in Chromium', () => {
  it('3 pages hear each other; a muted page goes quiet; a page joining later hears and is heard', async ({
    annotate,
  }) => {
    const peers = await Promise.all(['ann', 'bob', 'cy'].map((n) => openPage('tone', n)));
    const [ann, bob, cy] = peers as [BrowserPeer, BrowserPeer, BrowserPeer];
    const code = await room(peers);
    await until(peers, fullMesh(peers), 'a full mesh of 3');
    expect(await Promise.all(peers.map((p) => startVoice(p)))).toEqual(peers.map(() => ({ ok: true })));
    await until(
      peers,
      async () =>
        (await Promise.all(peers.map((p) => p.page.evaluate(() => window.__voice.peers().length)))).every(
          (n) => n === 2,
        ),
      'two remote voices on every page',
    );
    // Packets and sound from both others on every page.
    await until(peers, soundFrom(peers, peers), 'sound from both others on every page');
    for (const heard of await hearing(peers, peers, 1500))
      for (const { packets, energy } of Object.values(heard)) {
        expect(packets).toBeGreaterThan(40); // 50 a second while the tone plays
        expect(energy).toBeGreaterThan(0);
      }

    // cy mutes: ann and bob stop getting sound from cy, and still get it from each other.
    await cy.page.evaluate(() => window.__voice.setMuted(true));
    await until(peers, quietFrom([ann, bob], cy), 'cy gone quiet at ann and bob');
    const [annHeard, bobHeard] = await hearing([ann, bob], peers, 1500);
    expect(annHeard?.cy?.energy).toBeLessThan((annHeard?.bob?.energy ?? 0) / 100);
    expect(bobHeard?.cy?.energy).toBeLessThan((bobHeard?.ann?.energy ?? 0) / 100);
    expect(annHeard?.bob?.energy).toBeGreaterThan(0);
    expect(bobHeard?.ann?.energy).toBeGreaterThan(0);
    await cy.page.evaluate(() => window.__voice.setMuted(false));

    // di joins the room after voice started: it hears everyone and everyone hears it.
    const di = await openPage('tone', 'di');
    const everyone = [...peers, di];
    await join(di, { code });
    expect(await startVoice(di)).toEqual({ ok: true });
    await until(everyone, fullMesh(everyone), 'di linked to the 3 others');
    await until(
      everyone,
      async () =>
        (await Promise.all(everyone.map((p) => p.page.evaluate(() => window.__voice.peers().length)))).every(
          (n) => n === 3,
        ),
      'three remote voices on every page',
    );
    await until(everyone, soundFrom(everyone, everyone), 'sound from the 3 others on every page');
    for (const heard of await hearing(everyone, everyone, 1500))
      for (const { packets, energy } of Object.values(heard)) {
        expect(packets).toBeGreaterThan(40);
        expect(energy).toBeGreaterThan(0);
      }

    // Opus capped at 32 kbit/s per link, DTX asked for; measure what ann uploads per link.
    for (const q of [bob, cy, di]) {
      expect(await ann.page.evaluate((id) => window.__voice.maxBitrates(id), q.peerId)).toEqual([32_000]);
      const fmtp = (await ann.page.evaluate((id) => window.__voice.opusFmtp(id), q.peerId))?.split(';');
      expect(fmtp).toContain('usedtx=1');
      expect(fmtp).toContain('maxaveragebitrate=32000');
    }
    const upload = async () => {
      const t0 = Date.now();
      const a = await voiceStats(ann);
      await letTimePass(2000); // the window the rates are measured over
      const b = await voiceStats(ann);
      const seconds = (Date.now() - t0) / 1000;
      const links: Record<string, LinkStats | null> = await ann.page.evaluate(() => window.__mesh.stats());
      const kbps = (q: BrowserPeer, key: 'bytesSent' | 'headerBytesSent') =>
        (((b[q.peerId]?.[key] ?? 0) - (a[q.peerId]?.[key] ?? 0)) * 8) / seconds / 1000;
      return [bob, cy, di].map((q) => ({
        opusKbps: kbps(q, 'bytesSent'),
        rtpKbps: kbps(q, 'bytesSent') + kbps(q, 'headerBytesSent'),
        packetsPerS: ((b[q.peerId]?.packetsSent ?? 0) - (a[q.peerId]?.packetsSent ?? 0)) / seconds,
        wireKbps: ((links[q.peerId]?.bytesOutPerS ?? 0) * 8) / 1000,
      }));
    };
    const talking = await upload();
    for (const link of talking) {
      expect(link.opusKbps).toBeGreaterThan(5);
      expect(link.opusKbps).toBeLessThan(34); // the 32 kbit/s cap, give or take a sampling edge
    }
    await ann.page.evaluate(() => window.__voice.setMuted(true));
    await until(everyone, quietFrom([bob, cy, di], ann), 'ann gone quiet at the 3 others');
    const mutedUpload = await upload();
    const fmt = (xs: { opusKbps: number; rtpKbps: number; packetsPerS: number; wireKbps: number }[]) =>
      xs
        .map(
          (x) =>
            `Opus ${x.opusKbps.toFixed(1)}, RTP ${x.rtpKbps.toFixed(1)} kbit/s, ${x.packetsPerS.toFixed(0)} pkt/s, wire ${x.wireKbps.toFixed(1)} kbit/s`,
        )
        .join(' | ');
    await annotate(`ann's upload per link, talking: ${fmt(talking)}`);
    await annotate(`ann's upload per link, muted (DTX): ${fmt(mutedUpload)}`);
    for (const p of everyone) expect(p.errors).toEqual([]);
  }, 40_000);

  it('a page whose microphone is refused reports denied, listens, and its game traffic flows', async () => {
    // The refusal is injected (a getUserMedia rejecting with NotAllowedError): this browser's fake
    // media UI grants the permission, which also gives the page its loopback host candidates.
    const ann = await openPage('tone', 'ann');
    const bob = await openPage('tone', 'bob');
    const peers = [ann, bob];
    await room(peers);
    await until(peers, fullMesh(peers), 'ann and bob linked');
    expect(await startVoice(ann)).toEqual({ ok: true });
    expect(await startVoice(bob, { deny: true })).toEqual({ ok: false, reason: 'denied' });
    expect(await bob.page.evaluate(() => window.__voice.statuses())).toEqual(['starting', 'denied']);
    // Game traffic both ways on both channels.
    await Promise.all(peers.map((p) => p.page.evaluate(() => window.__mesh.burst(50, true))));
    await Promise.all(peers.map((p) => p.page.evaluate(() => window.__mesh.burst(50, false))));
    await until(
      peers,
      async () =>
        (await Promise.all(peers.map((p) => p.page.evaluate(() => window.__mesh.inbox())))).every(
          (inbox) => inbox.filter((m) => m.tag === 'r').length === 50 && inbox.some((m) => m.tag === 'u'),
        ),
      'packets both ways',
    );
    expect(await Promise.all(peers.map((p) => p.page.evaluate(() => window.__mesh.links())))).toEqual([
      { [bob.peerId]: 'connected' },
      { [ann.peerId]: 'connected' },
    ]);
    // bob still hears ann, and sends nothing.
    await until(
      peers,
      async () => (await bob.page.evaluate(() => window.__voice.peers())).length === 1,
      'ann heard at bob',
    );
    await until(peers, soundFrom([bob], [ann]), 'sound from ann at bob');
    const [bobHeard, annHeard] = await hearing([bob, ann], peers, 1000);
    expect(bobHeard?.ann?.energy).toBeGreaterThan(0);
    expect(annHeard?.bob?.packets).toBe(0);
    for (const p of peers) expect(p.errors).toEqual([]);
  }, 20_000);

  it('a listener that never starts a microphone, and one that stops it, hear a talker and see it speaking', async () => {
    const peers = await Promise.all([openPage('tone', 'tia'), openPage('silence', 'lis'), openPage('silence', 'sam')]);
    const [tia, lis, sam] = peers as [BrowserPeer, BrowserPeer, BrowserPeer];
    await room(peers);
    await until(peers, fullMesh(peers), 'a full mesh of 3');
    // lis only listens; sam turns the microphone on and off again before tia talks.
    await lis.page.evaluate(() => window.__voice.listen());
    expect(await startVoice(sam)).toEqual({ ok: true });
    await sam.page.evaluate(() => window.__voice.stop());
    expect(await startVoice(tia)).toEqual({ ok: true });
    for (const p of [lis, sam])
      expect(await p.page.evaluate(() => [window.__voice.status(), window.__voice.listening()])).toEqual(['off', true]);

    await until(peers, soundFrom([lis, sam], [tia]), 'sound from tia at lis and sam');
    for (const p of [lis, sam])
      await until(
        peers,
        async () => (await p.page.evaluate(() => window.__voice.speaking())).includes(tia.peerId),
        `${p.name} sees tia speaking`,
      );
    const [lisHeard, samHeard, tiaHeard] = await hearing([lis, sam, tia], peers, 1500);
    for (const heard of [lisHeard, samHeard]) {
      expect(heard?.tia?.packets).toBeGreaterThan(40); // 50 a second while the tone plays
      expect(heard?.tia?.energy).toBeGreaterThan(0);
    }
    // Neither listener sends anything: no microphone, no packets.
    expect([tiaHeard?.lis?.packets, tiaHeard?.sam?.packets]).toEqual([0, 0]);
    const level = (p: BrowserPeer) => voiceStats(p).then((s) => s[tia.peerId]?.audioLevel ?? 0);
    expect(await level(lis)).toBeGreaterThan(QUIET_LEVEL);
    expect(await level(sam)).toBeGreaterThan(QUIET_LEVEL);
    for (const p of peers) expect(p.errors).toEqual([]);
  }, 30_000); // 3 pages loading at once on a machine shared with other Chromium runs

  it('speaking indicators light up for a peer fed a tone and stay dark for a silent one', async () => {
    const ann = await openPage('silence', 'ann');
    const bob = await openPage('tone', 'bob');
    const cy = await openPage('silence', 'cy');
    const peers = [ann, bob, cy];
    await room(peers);
    await until(peers, fullMesh(peers), 'a full mesh of 3');
    expect(await Promise.all(peers.map((p) => startVoice(p)))).toEqual(peers.map(() => ({ ok: true })));
    await until(
      peers,
      async () => (await ann.page.evaluate(() => window.__voice.speaking())).includes(bob.peerId),
      'ann sees bob speaking',
    );
    await until(
      peers,
      async () => (await bob.page.evaluate(() => window.__voice.speaking())).includes('self'),
      'bob sees himself speaking',
    );
    await until(
      peers,
      async () => (await cy.page.evaluate(() => window.__voice.speaking())).includes(bob.peerId),
      'cy sees bob speaking',
    );
    await letTimePass(1500); // time for a silent microphone to light up, were it going to
    const annLog = await ann.page.evaluate(() => window.__voice.speakingLog());
    const cyLog = await cy.page.evaluate(() => window.__voice.speakingLog());
    const bobLog = await bob.page.evaluate(() => window.__voice.speakingLog());
    // Nobody ever saw a silent microphone speak (and ann's and cy's own stayed dark too).
    expect(annLog.filter((c) => c.speaking && c.id !== bob.peerId)).toEqual([]);
    expect(cyLog.filter((c) => c.speaking && c.id !== bob.peerId)).toEqual([]);
    expect(bobLog.filter((c) => c.speaking && c.id !== 'self')).toEqual([]);
    // The tone is amplitude-modulated: bob's indicator may blink with it, but it is on now.
    expect(await ann.page.evaluate(() => window.__voice.speaking())).toContain(bob.peerId);
    for (const p of peers) expect(p.errors).toEqual([]);
  }, 20_000);
});
