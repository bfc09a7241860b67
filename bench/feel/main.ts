/**
 * `npm run bench:feel [-- --json] [--presses N] [--browser] [--browser-presses N]`: key to remote
 * screen, on the simulated network (simulated.ts) at 0, 50 and 100 ms RTT with 0% and 5% loss,
 * with the sync layer's current defaults beside the previous ones, in the same run; with
 * `--browser`, also in three real Chromium pages of the arena on loopback (browser.ts, about a
 * minute). The npm script runs it inside a loopback-only network namespace (scripts/in-netns.js).
 */
import { parseArgs } from 'node:util';
import type { SyncTuning } from '@tickmesh/netcode';
import type { BrowserFeelResult, PageFeel } from './browser.ts';
import { type FeelResult, type FeelScenario, measureFeel } from './simulated.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);

/** The defaults before issue 13, as overrides of today's. */
const PREVIOUS: Partial<SyncTuning> = { jitterStatistic: 'mean', snapshotRateHz: 30, interpolationJitterFactor: 2 };
const CURRENT: Partial<SyncTuning> = {};

const SCENARIOS: FeelScenario[] = [
  { name: 'loopback', rttMs: 0, jitterMs: 0, loss: 0 },
  { name: '50 ms RTT ±10', rttMs: 50, jitterMs: 10, loss: 0 },
  { name: '50 ms RTT ±10, 5% loss', rttMs: 50, jitterMs: 10, loss: 0.05 },
  { name: '100 ms RTT ±20', rttMs: 100, jitterMs: 20, loss: 0 },
  { name: '100 ms RTT ±20, 5% loss', rttMs: 100, jitterMs: 20, loss: 0.05 },
];

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      presses: { type: 'string', default: '40' },
      /** Also measure in real Chromium. Default off: the simulated half takes seconds. */
      browser: { type: 'boolean', default: false },
      'browser-presses': { type: 'string', default: '20' },
    },
  });
  const presses = Number(values.presses);
  const results: { scenario: string; previous: FeelResult; current: FeelResult }[] = [];
  for (const scenario of SCENARIOS) {
    log(`bench:feel: ${scenario.name}, ${presses} presses, previous and current defaults...`);
    results.push({
      scenario: scenario.name,
      previous: measureFeel(scenario, PREVIOUS, presses),
      current: measureFeel(scenario, CURRENT, presses),
    });
  }
  let browser: BrowserFeelResult | undefined;
  if (values.browser) {
    const { measureBrowserFeel } = await import('./browser.ts');
    browser = await measureBrowserFeel(Number(values['browser-presses']), log);
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ node: process.version, presses, results, browser }, null, 2)}\n`);
    return 0;
  }
  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '-');
  const rows = [['', 'client p50 / p95 / max', 'host p50', 'lead + one-way + interp + rest', 'as sent']];
  for (const r of results) {
    for (const [label, x] of [
      ['previous', r.previous],
      ['current', r.current],
    ] as const) {
      const c = x.components;
      rows.push([
        `${r.scenario}, ${label}`,
        `${f(x.client.p50)} / ${f(x.client.p95)} / ${f(x.client.max)} ms${x.missed ? ` (${x.missed} missed)` : ''}`,
        `${f(x.host.p50)} ms`,
        `${f(c.leadMs)} + ${f(c.oneWayMs)} + ${f(c.interpDelayMs)} + ${f(c.restMs)}`,
        `${x.inputsAsSent}/${x.inputsStepped}`,
      ]);
    }
  }
  printTable(rows);
  if (browser) printBrowser(browser);
  return 0;
}

function printTable(rows: readonly (readonly string[])[]): void {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? [];
  for (const row of rows) process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')}\n`);
}

function printBrowser(b: BrowserFeelResult): void {
  const f = (n: number | null | undefined) =>
    n !== null && n !== undefined && Number.isFinite(n) ? n.toFixed(0) : '-';
  process.stdout.write(
    `\nreal Chromium ${b.chromium}, 3 pages on loopback, ${b.presses} presses; current defaults only (${b.previousDefaults}); page clocks agree within ${f(b.clockSpreadMs.spread)} ms (±${f(b.clockSpreadMs.error)}); load average ${b.loadAverage.before.toFixed(1)} -> ${b.loadAverage.after.toFixed(1)}\n`,
  );
  const rows = [['page', 'key to screen p50 / p95 / max', 'lead', 'interp', 'rtt', 'fps, longest gap', 'long tasks']];
  const row = (label: string, x: PageFeel) => [
    label,
    `${f(x.keyToScreen.p50)} / ${f(x.keyToScreen.p95)} / ${f(x.keyToScreen.max)} ms${x.missed ? ` (${x.missed} missed)` : ''}`,
    `${f(x.leadMs)} ms`,
    `${f(x.interpDelayMs)} ms`,
    Object.entries(x.rttMs)
      .map(([to, ms]) => `${to} ${f(ms)}`)
      .join(', '),
    `${f(x.fps)}, ${f(x.longestFrameGapMs)} ms`,
    `${x.longTasks.count}, longest ${f(x.longTasks.longestMs)} ms`,
  ];
  rows.push(row("host's", b.host), row("other client's", b.client), row("presser's own", b.own));
  printTable(rows);
  process.stdout.write(
    "lead, interp: the page's own tick lead over the host and interpolation delay (means); a remote page waits for the presser's lead, then its own interp.\n",
  );
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    log(`bench:feel: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  },
);
