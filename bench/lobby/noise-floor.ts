/**
 * The machine's own latency noise, measured before any load: how late a 1 ms timer fires in this
 * otherwise idle process, and the share of CPU the hypervisor stole (`steal` in /proc/stat). On a
 * small VM both can reach milliseconds, and every latency figure of the bench sits on top of them.
 */

import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { percentile, SampleBuffer } from './stats.ts';

export interface NoiseFloor {
  timerLatenessP99Ms: number;
  timerLatenessMaxMs: number;
  /** Steal time as a share (%) of all CPU time of the machine during the measurement. */
  stealPct: number;
}

function cpuLine(): number[] {
  return (readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
}

/** Watches a 1 ms interval for `durationMs`. */
export function measureNoiseFloor(durationMs: number): Promise<NoiseFloor> {
  const before = cpuLine();
  const lateness = new SampleBuffer();
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    lateness.push(Math.max(0, now - last - 1));
    last = now;
  }, 1);
  return new Promise((resolve) => {
    setTimeout(() => {
      clearInterval(timer);
      const after = cpuLine();
      const delta = after.map((value, i) => value - (before[i] ?? 0));
      const total = delta.reduce((a, b) => a + b, 0);
      const sorted = lateness.toArray().sort();
      resolve({
        timerLatenessP99Ms: percentile(sorted, 0.99),
        timerLatenessMaxMs: sorted.at(-1) ?? Number.NaN,
        stealPct: total > 0 ? (100 * (delta[7] ?? 0)) / total : 0,
      });
    }, durationMs);
  });
}
