/**
 * Headless Debian Chromium for WebRTC tests (see /work/shared/TESTING-WEBRTC.md, section 2).
 * Always the system binary: playwright's own browser downloads are never used.
 *
 * - `--allow-loopback-in-peer-connection`: without it Chromium gathers no 127.0.0.1 candidates.
 * - `--use-fake-ui-for-media-stream`: grants the media permission, which is what makes Chromium
 *   expose raw host candidates instead of mDNS `.local` names (relay candidates need neither).
 * - Timer throttling and renderer backgrounding off: several pages run at once, none in front.
 */
import { type Browser, chromium, type Page } from 'playwright-core';
import { waitFor } from './wait.js';

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

/**
 * The page's uncaught errors from now on, and what a Content-Security-Policy blocks (the lobby
 * serves the examples under one): the returned array fills as they happen.
 */
export function capturePageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) errors.push(m.text());
  });
  return errors;
}

/**
 * `waitFor` at the browser tests' pace (a check every 50 ms, 10 s by default): on timeout the error
 * names `what` and carries what `report` says about the pages.
 */
export async function untilOrReport(
  check: () => Promise<boolean>,
  what: string,
  report: () => Promise<unknown>,
  timeoutMs = 10_000,
): Promise<void> {
  await waitFor(check, what, { timeoutMs, intervalMs: 50, report });
}
