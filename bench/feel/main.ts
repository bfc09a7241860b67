/**
 * `npm run bench:feel [-- --json] [--presses N] [--browser] [--browser-presses N]`: key to remote
 * screen, and how far the other client draws the presser from where the host has it, on the
 * simulated network (simulated.ts) at 0, 50 and 100 ms RTT with 0% and 5% loss; with `--browser`,
 * also in three real Chromium pages of the arena on loopback (browser.ts, about two and a half
 * minutes with the default 20 presses). Both halves play the same three sync configurations in the
 * same run: the defaults before issue 13 (`previous`), today's (`current`), and today's with
 * `remotePlayers: 'predicted'` (`predicted`; the browser's pages get each through the arena's
 * `sync=` URL parameter, a fresh match apiece). The npm script runs it inside a loopback-only
 * network namespace (scripts/in-netns.js).
 */
import { parseArgs } from 'node:util';
import type { SyncTuning } from '@tickmesh/netcode';
import type { BrowserFeelResult, FeelConfiguration, PageFeel } from './browser.ts';
import { type FeelResult, type FeelScenario, measureFeel } from './simulated.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);

/** The defaults before issue 13, as overrides of today's. */
const PREVIOUS: Partial<SyncTuning> = { jitterStatistic: 'mean', snapshotRateHz: 30, interpolationJitterFactor: 2 };
const CURRENT: Partial<SyncTuning> = {};
/** Today's defaults, remote players drawn from each client's prediction (docs/netcode.md). */
const PREDICTED: Partial<SyncTuning> = { ...CURRENT, remotePlayers: 'predicted' };

const CONFIGURATIONS = [
  { name: 'previous', sync: PREVIOUS },
  { name: 'current', sync: CURRENT },
  { name: 'predicted', sync: PREDICTED },
] as const satisfies readonly FeelConfiguration[];

type ConfigurationName = (typeof CONFIGURATIONS)[number]['name'];

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
  const results: ({ scenario: string } & Record<ConfigurationName, FeelResult>)[] = [];
  for (const scenario of SCENARIOS) {
    log(`bench:feel: ${scenario.name}, ${presses} presses, ${CONFIGURATIONS.map((c) => c.name).join(', ')}...`);
    results.push({
      scenario: scenario.name,
      previous: measureFeel(scenario, PREVIOUS, presses),
      current: measureFeel(scenario, CURRENT, presses),
      predicted: measureFeel(scenario, PREDICTED, presses),
    });
  }
  let browser: BrowserFeelResult | undefined;
  if (values.browser) {
    const { measureBrowserFeel } = await import('./browser.ts');
    browser = await measureBrowserFeel(CONFIGURATIONS, Number(values['browser-presses']), log);
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ node: process.version, presses, results, browser }, null, 2)}\n`);
    return 0;
  }
  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '-');
  const px = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
  const rows = [
    [
      '',
      'client p50 / p95 / max',
      'host p50',
      'lead + one-way + interp + rest',
      'client draw error p95 / max',
      'as sent',
    ],
  ];
  for (const r of results) {
    for (const { name } of CONFIGURATIONS) {
      const x = r[name];
      const c = x.components;
      rows.push([
        `${r.scenario}, ${name}`,
        `${f(x.client.p50)} / ${f(x.client.p95)} / ${f(x.client.max)} ms${x.missed ? ` (${x.missed} missed)` : ''}`,
        `${f(x.host.p50)} ms`,
        `${f(c.leadMs)} + ${f(c.oneWayMs)} + ${f(c.interpDelayMs)} + ${f(c.restMs)}`,
        `${px(x.drawErrorPx.p95)} / ${px(x.drawErrorPx.max)} px`,
        `${x.inputsAsSent}/${x.inputsStepped}`,
      ]);
    }
  }
  printTable(rows);
  process.stdout.write(
    "predicted: lead and interp are off the path (0); draw error: where the other client drew the presser, every frame, from the host's position at that tick.\n",
  );
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
    `\nreal Chromium ${b.chromium}, 3 fresh pages on loopback per configuration, ${b.presses} presses each, one after the other:\n`,
  );
  for (const c of b.configurations) {
    process.stdout.write(
      `  ${c.name}: sync=${c.syncParam || '(none)'}; page clocks agree within ${f(c.clockSpreadMs.spread)} ms (±${f(c.clockSpreadMs.error)}); load average ${c.loadAverage.before.toFixed(1)} -> ${c.loadAverage.after.toFixed(1)}\n`,
    );
  }
  const rows = [
    ['page', 'sync', 'key to screen p50 / p95 / max', 'lead', 'interp', 'rtt', 'fps, longest gap', 'long tasks'],
  ];
  const row = (label: string, name: string, x: PageFeel) => [
    label,
    name,
    `${f(x.keyToScreen.p50)} / ${f(x.keyToScreen.p95)} / ${f(x.keyToScreen.max)} ms${x.missed ? ` (${x.missed} missed)` : ''}`,
    `${f(x.leadMs)} ms`,
    `${f(x.interpDelayMs)} ms`,
    Object.entries(x.rttMs)
      .map(([to, ms]) => `${to} ${f(ms)}`)
      .join(', '),
    `${f(x.fps)}, ${f(x.longestFrameGapMs)} ms`,
    `${x.longTasks.count}, longest ${f(x.longTasks.longestMs)} ms`,
  ];
  for (const [label, role] of [
    ["host's", 'host'],
    ["other client's", 'client'],
    ["presser's own", 'own'],
  ] as const) {
    for (const c of b.configurations) rows.push(row(label, c.name, c[role]));
  }
  printTable(rows);
  process.stdout.write(
    "lead, interp: the page's own tick lead over the host and interpolation delay (means); interpolated, a remote page waits for the presser's lead, then its own interp; predicted, for the presser's input to arrive and its own next tick.\n",
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
