/** The summaries bench:feel prints, for the simulated and the browser half alike. */

export interface Distribution {
  p50: number;
  p95: number;
  max: number;
  n: number;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;

/** p50, p95 and max at the rank floor(n p) (with 20 values p95 is the max). */
export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((x, y) => x - y);
  return {
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    max: sorted.at(-1) ?? Number.NaN,
    n: values.length,
  };
}

/** The mean; NaN for none. */
export const mean = (values: readonly number[]) =>
  values.length === 0 ? Number.NaN : values.reduce((s, v) => s + v, 0) / values.length;
