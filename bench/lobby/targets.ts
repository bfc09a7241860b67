/**
 * A bench's goals and their verdicts: each goal is data (a bound and its label), checked the same
 * way by every report.
 */

/** A goal for one figure: at least `min`, at most `max`, or under `below`; `label` says which. */
export type Target = { readonly label: string } & (
  | { readonly min: number }
  | { readonly max: number }
  | { readonly below: number }
);

export interface TargetResult {
  name: string;
  target: string;
  value: number;
  pass: boolean;
}

/**
 * `value` against `target` (a NaN never passes).
 *
 * @example
 * checkTarget('p99 latency (ms)', { below: 5, label: '< 5 ms' }, 3.2); // pass: true
 */
export function checkTarget(name: string, target: Target, value: number): TargetResult {
  const pass = 'min' in target ? value >= target.min : 'max' in target ? value <= target.max : value < target.below;
  return { name, target: target.label, value, pass };
}

/** The table cell of a verdict: `<= 2x PASS`. */
export const verdict = (t: TargetResult) => `${t.target} ${t.pass ? 'PASS' : 'FAIL'}`;
