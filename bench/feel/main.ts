/**
 * `npm run bench:feel [-- --json] [--presses N]`: key to remote screen, on the simulated network
 * (simulated.ts) at 0, 50 and 100 ms RTT with 0% and 5% loss, with the sync layer's current
 * defaults beside the previous ones, in the same run.
 */
import { parseArgs } from 'node:util';
import type { SyncTuning } from '@tickmesh/netcode';
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

function main(): number {
  const { values } = parseArgs({
    options: { json: { type: 'boolean', default: false }, presses: { type: 'string', default: '40' } },
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
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ node: process.version, presses, results }, null, 2)}\n`);
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
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? [];
  for (const row of rows) process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')}\n`);
  return 0;
}

try {
  process.exitCode = main();
} catch (error: unknown) {
  log(`bench:feel: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
}
