/**
 * `npm run bench:media [-- --json] [--seconds N]`: what voice and camera video cost per link.
 * Three Chromium pages (the browser test page, tests/browser/page) join one room through a real
 * lobby with `audio: true, video: true`, over loopback only (scripts/in-netns.js), each with
 * Chromium's fake microphone (a tone) and fake camera (a moving test pattern). Every page starts
 * voice; the per-link outbound rate is read from `getStats()` (`bytesSent + headerBytesSent` of
 * the `outbound-rtp` entries, audio and video apart) over a window with the camera off (the
 * baseline, in the same run), then over a window with every camera on.
 *
 * Prints a table (kbit/s per link over the 6 directed links: the payload's median and max, which
 * the caps bound, and the median with RTP headers; SRTP, UDP and IP add more), or with `--json` one JSON object on stdout (progress on stderr).
 * The caps it is measured against: `meshDefaults.audioMaxBitrateBps` and `videoMaxBitrateBps`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startLobbyServer } from '@tickmesh/lobby-server';
import { meshDefaults } from '@tickmesh/netcode';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../tests/helpers/chromium.ts';
import { fakeMicArg, makeWavs } from '../../tests/helpers/fake-mic.ts';
import { buildHarnessPage } from '../../tests/helpers/harness-page.ts';
import { letTimePass, waitFor } from '../../tests/helpers/wait.ts';
import { fixed, renderRows } from '../lobby/table.ts';

const { values: args } = parseArgs({
  options: { json: { type: 'boolean', default: false }, seconds: { type: 'string', default: '10' } },
});
const windowMs = Number(args.seconds) * 1000;
const log = (line: string) => process.stderr.write(`${line}\n`);

/** Cumulative bytes: RTP payload, and payload + header. */
interface Sent {
  audio: number;
  audioRtp: number;
  video: number;
  videoRtp: number;
}

/** Bytes sent (RTP payload + header) per kind toward each peer, cumulative. */
async function sentBytes(page: Page): Promise<Record<string, Sent>> {
  return page.evaluate(async () => {
    const [voice, camera] = await Promise.all([window.__voice.stats(), window.__camera.stats()]);
    const out: Record<string, { audio: number; audioRtp: number; video: number; videoRtp: number }> = {};
    for (const peerId of Object.keys(window.__mesh.links())) {
      const a = voice[peerId];
      const v = camera[peerId];
      out[peerId] = {
        audio: a?.bytesSent ?? 0,
        audioRtp: (a?.bytesSent ?? 0) + (a?.headerBytesSent ?? 0),
        video: v?.bytesSent ?? 0,
        videoRtp: (v?.bytesSent ?? 0) + (v?.headerBytesSent ?? 0),
      };
    }
    return out;
  });
}

/** kbit/s per directed link and kind over `ms`. */
async function measure(pages: Page[], ms: number): Promise<Record<keyof Sent, number[]>> {
  const before = await Promise.all(pages.map(sentBytes));
  await letTimePass(ms); // the measured window
  const after = await Promise.all(pages.map(sentBytes));
  const keys = ['audio', 'audioRtp', 'video', 'videoRtp'] as const;
  const out: Record<keyof Sent, number[]> = { audio: [], audioRtp: [], video: [], videoRtp: [] };
  for (const [i, links] of after.entries())
    for (const [peerId, sent] of Object.entries(links))
      for (const key of keys) out[key].push(((sent[key] - (before[i]?.[peerId]?.[key] ?? 0)) * 8) / ms);
  return out;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0 ? Number.NaN : s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
const summary = (xs: number[]) => ({ medianKbps: median(xs), maxKbps: Math.max(...xs), links: xs.length });
/** Per kind: payload only, and with RTP headers. */
const summarize = (m: Record<keyof Sent, number[]>) => ({
  audio: { payload: summary(m.audio), rtp: summary(m.audioRtp) },
  video: { payload: summary(m.video), rtp: summary(m.videoRtp) },
});

const wavDir = mkdtempSync(join(tmpdir(), 'tickmesh-bench-media-'));
const harness = await buildHarnessPage();
const browser = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  headless: true,
  args: [...CHROMIUM_ARGS, fakeMicArg(makeWavs(wavDir).tone)],
});
const server = await startLobbyServer({ host: '127.0.0.1', port: 0, metricsPort: 0, staticDir: harness.dir });
try {
  log('opening 3 pages');
  const pages = await Promise.all(
    ['ann', 'bob', 'cy'].map(async () => {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`http://127.0.0.1:${server.port}/`);
      await page.waitForFunction(() => window.__camera !== undefined, null, { timeout: 30_000 });
      return page;
    }),
  );
  let code = '';
  for (const [i, page] of pages.entries()) {
    const joined = await page.evaluate(([u, o]) => window.__mesh.join(u, 'bench', o), [
      server.url,
      { ...(i === 0 ? { create: true } : { code }), audio: true, video: true },
    ] as const);
    if (!joined.ok) throw new Error(joined.error);
    code = joined.code;
  }
  await waitFor(
    async () =>
      (await Promise.all(pages.map((p) => p.evaluate(() => Object.values(window.__mesh.links()))))).every(
        (links) => links.length === 2 && links.every((s) => s === 'connected'),
      ),
    'a full mesh of 3',
    { timeoutMs: 30_000 },
  );
  await Promise.all(pages.map((p) => p.evaluate(() => window.__voice.start())));
  await letTimePass(3000); // Opus and the bandwidth estimate settle
  log(`voice only: measuring ${windowMs / 1000} s`);
  const voiceOnly = await measure(pages, windowMs);
  await Promise.all(pages.map((p) => p.evaluate(() => window.__camera.start())));
  await letTimePass(5000); // the video encoder ramps up to its cap
  log(`voice and camera: measuring ${windowMs / 1000} s`);
  const withCamera = await measure(pages, windowMs);

  const result = {
    pages: 3,
    windowS: windowMs / 1000,
    caps: { audioKbps: meshDefaults.audioMaxBitrateBps / 1000, videoKbps: meshDefaults.videoMaxBitrateBps / 1000 },
    voiceOnly: summarize(voiceOnly),
    withCamera: summarize(withCamera),
  };
  if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    const row = (what: string, s: ReturnType<typeof summarize>['audio'], cap: number) => [
      what,
      fixed(s.payload.medianKbps, 1),
      fixed(s.payload.maxKbps, 1),
      fixed(s.rtp.medianKbps, 1),
      String(cap),
    ];
    process.stdout.write(
      `Outbound kbit/s per link, 3 Chromium pages on loopback (${result.windowS} s windows)\n${renderRows([
        ['', 'payload median', 'payload max', 'with RTP headers', 'cap'],
        row('audio, camera off (baseline)', result.voiceOnly.audio, result.caps.audioKbps),
        row('video, camera off (baseline)', result.voiceOnly.video, result.caps.videoKbps),
        row('audio, camera on', result.withCamera.audio, result.caps.audioKbps),
        row('video, camera on', result.withCamera.video, result.caps.videoKbps),
      ])}\n`,
    );
  }
} finally {
  await server.close();
  await browser.close();
  harness.remove();
  rmSync(wavDir, { recursive: true, force: true });
}
