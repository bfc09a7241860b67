/**
 * What an arena page records about itself while the presses are played, in the page, so a busy
 * bench process cannot miss a frame: every animation frame, where the watched player is drawn;
 * every keydown; every main-thread long task; and every 250 ms the netgraph's figures.
 *
 * Times are the page's own clock as Unix ms, `performance.timeOrigin + performance.now()` (and a
 * keydown's `timeOrigin + event.timeStamp`). Every page runs on this one machine, so these clocks
 * read the same wall clock and a time on one page can be subtracted from a time on another; the
 * bench checks how well they agree (`clockSpreadMs`).
 *
 * Where the player is drawn: `window.__arena.snapshot().players[].x/y` is the entity the scene
 * draws (`ArenaScene.drawWorld` draws `lobby.net().view().world`, the same `session.sync.view()`
 * the snapshot reads), in world px, sampled in a requestAnimationFrame callback of the same frame
 * in which Phaser computes its picture. The camera follows the viewer's own player, who stands
 * still, so a move in world px is a move on screen (times the zoom).
 *
 * The functions handed to the page avoid named inner functions: tsx compiles with esbuild's
 * `keepNames`, which wraps them in a `__name()` call the page does not have.
 */
import type { Page } from 'playwright-core';
import type { DrawnFrame } from './key-to-screen.ts';

/** The netgraph's figures and the page's link round trips (by peer id), at one moment. */
export interface NetSample {
  atMs: number;
  /** This page's tick lead over the host's (0 on the host), ms. */
  leadMs: number;
  /** How far in the past remote players are drawn (0 on the host), ms. */
  interpDelayMs: number;
  rttMs: Record<string, number | null>;
}

export interface PageRecording {
  /** Each animation frame that drew the watched player. */
  frames: DrawnFrame[];
  /** Each keydown (no auto-repeats). */
  keys: { atMs: number; code: string }[];
  longTasks: { atMs: number; durationMs: number }[];
  net: NetSample[];
  /** Animation frames drawn while recording, and the longest time between two of them, ms. */
  frameCount: number;
  longestFrameGapMs: number;
  startedAtMs: number;
  stoppedAtMs: number;
}

interface Recorder {
  rec: PageRecording;
  stop(): void;
}

type RecorderWindow = Window & { __feel?: Recorder };

/** Starts recording on `page`, watching the player of peer `watchedId`. */
export function startRecording(page: Page, watchedId: string): Promise<void> {
  return page.evaluate((id) => {
    const origin = performance.timeOrigin;
    const rec: PageRecording = {
      frames: [],
      keys: [],
      longTasks: [],
      net: [],
      frameCount: 0,
      longestFrameGapMs: 0,
      startedAtMs: origin + performance.now(),
      stoppedAtMs: 0,
    };
    let running = true;
    let lastFrameAt = Number.NaN;
    let lastNetAt = Number.NEGATIVE_INFINITY;
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) rec.longTasks.push({ atMs: origin + e.startTime, durationMs: e.duration });
    });
    const recorder = {
      rec,
      /** The keydown listener. */
      handleEvent(e: KeyboardEvent) {
        if (!e.repeat) rec.keys.push({ atMs: origin + e.timeStamp, code: e.code });
      },
      frame() {
        if (!running) return;
        const at = origin + performance.now();
        const s = window.__arena.snapshot();
        const p = s.players.find((q) => q.id === id);
        if (p && p.x !== null && p.y !== null) rec.frames.push([at, p.x, p.y]);
        rec.frameCount++;
        if (!Number.isNaN(lastFrameAt)) rec.longestFrameGapMs = Math.max(rec.longestFrameGapMs, at - lastFrameAt);
        lastFrameAt = at;
        if (at - lastNetAt >= 250) {
          lastNetAt = at;
          rec.net.push({
            atMs: at,
            leadMs: s.net.tickOffsetMs,
            interpDelayMs: s.net.interpDelayMs,
            rttMs: Object.fromEntries(s.peers.map((q) => [q.id, q.rttMs])),
          });
        }
        requestAnimationFrame(() => recorder.frame());
      },
      stop() {
        running = false;
        rec.stoppedAtMs = origin + performance.now();
        observer.disconnect();
        window.removeEventListener('keydown', recorder, { capture: true });
      },
    };
    window.addEventListener('keydown', recorder, { capture: true });
    observer.observe({ type: 'longtask' });
    requestAnimationFrame(() => recorder.frame());
    (window as RecorderWindow).__feel = recorder;
  }, watchedId);
}

/** Stops recording on `page` and hands back what it recorded. */
export function stopRecording(page: Page): Promise<PageRecording> {
  return page.evaluate(() => {
    const feel = (window as RecorderWindow).__feel;
    if (!feel) throw new Error('bench:feel: this page was not recording');
    feel.stop();
    return feel.rec;
  });
}

/** This page's clock (Unix ms) minus the bench's, and how far off that reading may be. */
export async function clockOffset(page: Page, rounds = 5): Promise<{ offsetMs: number; errorMs: number }> {
  let best = { offsetMs: Number.NaN, errorMs: Number.POSITIVE_INFINITY };
  for (let i = 0; i < rounds; i++) {
    const before = performance.timeOrigin + performance.now();
    const pageAt = await page.evaluate(() => performance.timeOrigin + performance.now());
    const after = performance.timeOrigin + performance.now();
    const errorMs = (after - before) / 2;
    if (errorMs < best.errorMs) best = { offsetMs: pageAt - (before + after) / 2, errorMs };
  }
  return best;
}
