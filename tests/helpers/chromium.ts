/**
 * Headless Debian Chromium for WebRTC tests (see /work/shared/TESTING-WEBRTC.md, section 2).
 * Always the system binary: playwright's own browser downloads are never used.
 *
 * - `--allow-loopback-in-peer-connection`: without it Chromium gathers no 127.0.0.1 candidates.
 * - `--use-fake-ui-for-media-stream`: grants the media permission, which is what makes Chromium
 *   expose raw host candidates instead of mDNS `.local` names (relay candidates need neither).
 * - Timer throttling and renderer backgrounding off: several pages run at once, none in front.
 */
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--allow-loopback-in-peer-connection',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/** Polls `check` every 50 ms: true once it holds, false when `timeoutMs` passes first. */
export async function poll(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/** Waits for `check`; on timeout fails with `what` and whatever `report` says about the pages. */
export async function untilOrReport(
  check: () => Promise<boolean>,
  what: string,
  report: () => Promise<unknown>,
  timeoutMs = 10_000,
): Promise<void> {
  if (await poll(check, timeoutMs)) return;
  throw new Error(`timed out waiting for ${what}\n${JSON.stringify(await report(), null, 2)}`);
}
