/**
 * `bench:codec` results: the targets, checked, and a table for people.
 */
import type { Scenario } from './arena.ts';
import type { Candidate } from './candidates.ts';

export interface CellResult {
  readonly bytes: number;
  readonly parts: number;
  /** Encode + decode per second (median of the samples). */
  readonly perS: number;
  readonly minPerS: number;
  readonly maxPerS: number;
  readonly problem: string | null;
}

/** Per scenario name, per candidate name. */
export type Results = Record<string, Record<string, CellResult>>;

export interface Target {
  readonly name: string;
  readonly limit: string;
  readonly value: string;
  /** null when it could not be measured. */
  readonly pass: boolean | null;
}

export function evaluateTargets(results: Results): Target[] {
  const ours = (scenario: string) => results[scenario]?.tickmesh;
  const bytesTarget = (scenario: string, name: string, limit: number): Target => {
    const cell = ours(scenario);
    return {
      name,
      limit: `<= ${limit} B`,
      value: cell === undefined ? 'n/a' : `${cell.bytes} B`,
      pass: cell === undefined || cell.problem !== null ? null : cell.bytes <= limit,
    };
  };
  const mine = ours('allMoved');
  const theirs = results.allMoved?.colyseus;
  const measurable = mine !== undefined && theirs !== undefined && mine.problem === null && theirs.problem === null;
  const ratio = measurable ? mine.perS / theirs.perS : 0;
  return [
    bytesTarget('full', 'full snapshot', 650),
    bytesTarget('allMoved', 'delta, everything moved', 300),
    bytesTarget('twoMoved', 'delta, 2 players moved', 40),
    {
      name: 'everything-moved encode+decode rate',
      limit: '>= 2x @colyseus/schema',
      value: measurable ? `${ratio.toFixed(1)}x (${Math.round(mine.perS)}/s vs ${Math.round(theirs.perS)}/s)` : 'n/a',
      pass: measurable ? ratio >= 2 : null,
    },
  ];
}

const group = (n: number) => Math.round(n).toLocaleString('en-US');

export function renderTable(
  scenarios: readonly Scenario[],
  candidates: readonly Candidate[],
  results: Results,
): string {
  const header = ['scenario', 'codec', 'bytes', 'packets', 'encode+decode/s', 'min..max/s'];
  const rows: string[][] = [];
  for (const scenario of scenarios) {
    candidates.forEach((candidate, i) => {
      const cell = results[scenario.name]?.[candidate.name];
      if (cell === undefined) return;
      rows.push([
        i === 0 ? scenario.title : '',
        candidate.label,
        group(cell.bytes),
        String(cell.parts),
        group(cell.perS),
        `${group(cell.minPerS)}..${group(cell.maxPerS)}`,
      ]);
    });
  }
  const widths = header.map((title, c) => Math.max(title.length, ...rows.map((row) => (row[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, c) => (c < 2 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ');
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  out.push('', 'targets');
  for (const target of evaluateTargets(results)) {
    const verdict = target.pass === null ? 'N/A ' : target.pass ? 'PASS' : 'FAIL';
    out.push(`  ${verdict}  ${target.name.padEnd(38)} ${target.limit.padEnd(24)} ${target.value}`);
  }
  return out.join('\n');
}
