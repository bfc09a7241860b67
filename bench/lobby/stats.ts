/**
 * Arithmetic over generator reports: summing counters across generators, percentiles of latency
 * samples, and the list of reasons a measurement cannot be trusted (lost, skipped, repeated or
 * refused signals, failed connections, closes, paced sends that had to be skipped).
 */
import { emptyCounters, type GeneratorCounters, type GeneratorReport } from './generator-protocol.ts';

/** Counters of every generator added up, plus signals still in flight. */
export interface Totals extends GeneratorCounters {
  inFlight: number;
}

function addRecords(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, value] of Object.entries(from)) into[key] = (into[key] ?? 0) + value;
}

export function sumReports(reports: readonly GeneratorReport[]): Totals {
  const totals: Totals = { ...emptyCounters(), inFlight: 0 };
  for (const { counters, inFlight } of reports) {
    totals.connected += counters.connected;
    totals.connectFailures += counters.connectFailures;
    totals.sent += counters.sent;
    totals.received += counters.received;
    totals.malformed += counters.malformed;
    totals.seqGaps += counters.seqGaps;
    totals.seqOutOfOrder += counters.seqOutOfOrder;
    totals.skipped += counters.skipped;
    totals.inFlight += inFlight;
    addRecords(totals.errors, counters.errors);
    addRecords(totals.closes, counters.closes);
    addRecords(totals.unexpected, counters.unexpected);
  }
  return totals;
}

const sum = (record: Record<string, number>) => Object.values(record).reduce((a, b) => a + b, 0);

/** Why `totals` make a measurement unsound, each prefixed with `label`; empty when sound. */
export function problemsOf(label: string, totals: Totals): string[] {
  const problems: string[] = [];
  const describe = (record: Record<string, number>) => JSON.stringify(record);
  if (totals.connectFailures > 0) problems.push(`${label}: ${totals.connectFailures} connections failed`);
  if (sum(totals.errors) > 0) problems.push(`${label}: error messages ${describe(totals.errors)}`);
  if (sum(totals.closes) > 0) problems.push(`${label}: connections closed by the server ${describe(totals.closes)}`);
  if (totals.inFlight > 0) problems.push(`${label}: ${totals.inFlight} signals never arrived`);
  if (totals.malformed > 0) problems.push(`${label}: ${totals.malformed} relayed signals failed their check`);
  if (totals.seqGaps > 0) problems.push(`${label}: ${totals.seqGaps} signals skipped in their sender's sequence`);
  if (totals.seqOutOfOrder > 0) problems.push(`${label}: ${totals.seqOutOfOrder} signals repeated or out of order`);
  if (sum(totals.unexpected) > 0) problems.push(`${label}: unexpected messages ${describe(totals.unexpected)}`);
  if (totals.skipped > 0) problems.push(`${label}: ${totals.skipped} paced sends skipped (server fell behind)`);
  return problems;
}

/** The `q` quantile (0-1) of ascending `sorted` samples, by the nearest-rank method; NaN when empty. */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

/** All samples of several arrays in one sorted array. */
export function mergeSorted(parts: readonly Float64Array[]): Float64Array {
  const all = new Float64Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all.sort();
}

/** A growable list of samples kept in a Float64Array: off the GC'd heap, so no scavenge copies it. */
export class SampleBuffer {
  private data = new Float64Array(1 << 12);
  private count = 0;

  push(value: number): void {
    if (this.count === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.count++] = value;
  }

  clear(): void {
    this.count = 0;
  }

  /** A copy of the samples so far. */
  toArray(): Float64Array {
    return this.data.slice(0, this.count);
  }
}
