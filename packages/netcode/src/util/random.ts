/**
 * A seeded random source, injected wherever chance enters (the network conditioner, link session
 * ids), so a test replays the same run from the same seed.
 *
 * The generator is sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, PractRand-tested,
 * 128-bit state with a counter, so no short cycles), its state filled from the 32-bit seed by
 * splitmix32 so that nearby seeds give unrelated streams. Not for cryptography.
 * References: https://pracrand.sourceforge.net/ (sfc), Steele, Lea & Flood, "Fast Splittable
 * Pseudorandom Number Generators" (OOPSLA 2014, splitmix).
 *
 * @example
 * const random = createRandom(42);
 * random(); // a number in [0, 1), the same sequence for every run seeded with 42
 */

/** Uniform numbers in [0, 1), like `Math.random`. */
export type Random = () => number;

/** A seeded generator; any number is a valid seed (it is reduced to 32 bits). */
export function createRandom(seed: number): Random {
  let s = seed >>> 0;
  const splitmix32 = (): number => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix32();
  let b = splitmix32();
  let c = splitmix32();
  let d = splitmix32();
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next(); // mix the seeded state before the first output
  return next;
}

/** A standard normal sample (mean 0, standard deviation 1) by the Box-Muller transform. */
export function normalSample(random: Random): number {
  const u = 1 - random(); // (0, 1]: log(0) is never taken
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
