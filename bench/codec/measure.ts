/**
 * Timing for `bench:codec`: each codec prepares a scenario (its bytes, checked by decoding them
 * once) and a `run` doing one encode + decode. `measureRates` warms every codec of a scenario up,
 * then takes its samples in rounds, each round sampling every codec once in a rotating order, so
 * that load from other processes on the machine falls on all codecs alike; a codec's rate is the
 * median of its samples, which shrugs off a GC pause or a busy neighbour better than a mean.
 * (No forced GC between samples: a full collection shrinks V8's young generation and then taxes
 * whichever codec allocates most, which is not how a long-running game process behaves.)
 */

export interface Prepared {
  /** Bytes on the wire for the scenario (all parts). */
  readonly bytes: number;
  /** Packets it takes (tickmesh splits at the unreliable packet limit; the others never do). */
  readonly parts: number;
  /** Why the decoded result is wrong, or null when it matches what was encoded. */
  readonly problem: string | null;
  /** One encode and decode of the scenario. */
  readonly run: () => void;
}

export interface RateConfig {
  readonly warmupMs: number;
  readonly sampleMs: number;
  readonly samples: number;
}

export interface Rate {
  /** Median of the samples, encode + decode per second. */
  readonly perS: number;
  /** Lowest and highest sample, per second. */
  readonly minPerS: number;
  readonly maxPerS: number;
}

function sample(run: () => void, ms: number): number {
  let batch = 8;
  let runs = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < batch; i++) run();
    runs += batch;
    elapsed = performance.now() - start;
    if (elapsed < ms / 10) batch *= 2;
  }
  return (runs / elapsed) * 1000;
}

/** Rates of several runs measured side by side, in the order given. */
export function measureRates(runs: readonly (() => void)[], config: RateConfig): Rate[] {
  for (const run of runs) sample(run, config.warmupMs);
  const samples: number[][] = runs.map(() => []);
  for (let round = 0; round < config.samples; round++) {
    for (let k = 0; k < runs.length; k++) {
      const index = (round + k) % runs.length;
      samples[index]?.push(sample(runs[index] as () => void, config.sampleMs));
    }
  }
  return samples.map((rates) => {
    rates.sort((a, b) => a - b);
    return {
      perS: rates[Math.floor(rates.length / 2)] ?? 0,
      minPerS: rates[0] ?? 0,
      maxPerS: rates[rates.length - 1] ?? 0,
    };
  });
}
