/**
 * The arena's sound effects, synthesized in code: no audio files. Each effect is a recipe of a few
 * tones (an oscillator gliding from one pitch to another, or noise) with a short attack and a
 * decaying envelope, rendered into a sample array the sound board hands to the audio output.
 * Rendering is pure: the same recipe, sample rate and seed give the same samples.
 */

/** Every effect the game plays. */
export const SFX_KINDS = ['shot', 'hit', 'hurt', 'kill', 'death', 'beep', 'go', 'end'] as const;
export type SfxKind = (typeof SFX_KINDS)[number];

export type Wave = 'sine' | 'square' | 'triangle' | 'saw' | 'noise';

/** One tone of an effect. */
export interface Tone {
  wave: Wave;
  /** When it starts, ms from the effect's start. */
  atMs: number;
  durationMs: number;
  /** Pitch at the start and at the end (an exponential glide); ignored by noise. */
  fromHz: number;
  toHz: number;
  /** Peak amplitude, 0..1. */
  gain: number;
}

/** What each effect is made of. */
export const SFX_RECIPES: Record<SfxKind, readonly Tone[]> = {
  // A short crack: a noise burst over a falling square.
  shot: [
    { wave: 'noise', atMs: 0, durationMs: 60, fromHz: 0, toHz: 0, gain: 0.35 },
    { wave: 'square', atMs: 0, durationMs: 80, fromHz: 900, toHz: 180, gain: 0.22 },
  ],
  // Your shot landed: a bright tick.
  hit: [{ wave: 'triangle', atMs: 0, durationMs: 60, fromHz: 1400, toHz: 1000, gain: 0.5 }],
  // You were hit: a low thud.
  hurt: [
    { wave: 'square', atMs: 0, durationMs: 150, fromHz: 200, toHz: 90, gain: 0.35 },
    { wave: 'noise', atMs: 0, durationMs: 70, fromHz: 0, toHz: 0, gain: 0.25 },
  ],
  // Someone went down: two rising notes.
  kill: [
    { wave: 'sine', atMs: 0, durationMs: 110, fromHz: 660, toHz: 660, gain: 0.45 },
    { wave: 'sine', atMs: 90, durationMs: 200, fromHz: 990, toHz: 990, gain: 0.45 },
  ],
  // You went down: a long falling saw.
  death: [
    { wave: 'saw', atMs: 0, durationMs: 550, fromHz: 440, toHz: 70, gain: 0.35 },
    { wave: 'noise', atMs: 0, durationMs: 120, fromHz: 0, toHz: 0, gain: 0.2 },
  ],
  // A second of the countdown.
  beep: [{ wave: 'sine', atMs: 0, durationMs: 130, fromHz: 880, toHz: 880, gain: 0.45 }],
  // The round starts.
  go: [
    { wave: 'sine', atMs: 0, durationMs: 360, fromHz: 1320, toHz: 1320, gain: 0.4 },
    { wave: 'square', atMs: 0, durationMs: 360, fromHz: 660, toHz: 660, gain: 0.12 },
  ],
  // The round is over: three falling notes.
  end: [
    { wave: 'triangle', atMs: 0, durationMs: 170, fromHz: 784, toHz: 784, gain: 0.5 },
    { wave: 'triangle', atMs: 160, durationMs: 170, fromHz: 659, toHz: 659, gain: 0.5 },
    { wave: 'triangle', atMs: 320, durationMs: 480, fromHz: 523, toHz: 523, gain: 0.5 },
  ],
};

/** Length of each tone's linear fade-in, ms (no click at the start). */
const ATTACK_MS = 3;
/** The loudest a rendered sample gets: the tones' sum is scaled down to this when it is louder. */
export const SFX_PEAK = 0.9;

/** How long an effect lasts, ms. */
export function sfxDurationMs(tones: readonly Tone[]): number {
  return tones.reduce((end, t) => Math.max(end, t.atMs + t.durationMs), 0);
}

/** A seeded random source in [0, 1) (mulberry32), so noise renders the same every time. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function oscillator(wave: Exclude<Wave, 'noise'>, phase: number): number {
  const p = phase - Math.floor(phase);
  switch (wave) {
    case 'sine':
      return Math.sin(2 * Math.PI * p);
    case 'square':
      return p < 0.5 ? 1 : -1;
    case 'triangle':
      return 1 - 4 * Math.abs(p - 0.5);
    case 'saw':
      return 2 * p - 1;
  }
}

/**
 * Renders tones into mono samples at `sampleRate`: each tone fades in over a few ms, then decays
 * to silence at its end (so the effect starts and ends at zero: no clicks); the sum is scaled down
 * to {@link SFX_PEAK} if it is louder.
 *
 * @example
 * const samples = renderTones(SFX_RECIPES.shot, 48_000);
 * const buffer = context.createBuffer(1, samples.length, 48_000);
 * buffer.copyToChannel(samples, 0);
 */
export function renderTones(tones: readonly Tone[], sampleRate: number, seed = 1): Float32Array {
  const out = new Float32Array(Math.ceil((sfxDurationMs(tones) / 1000) * sampleRate));
  const random = seededRandom(seed);
  for (const tone of tones) {
    const start = Math.round((tone.atMs / 1000) * sampleRate);
    const length = Math.round((tone.durationMs / 1000) * sampleRate);
    const attack = Math.max(1, Math.round((ATTACK_MS / 1000) * sampleRate));
    let phase = 0;
    for (let i = 0; i < length && start + i < out.length; i++) {
      const x = i / length;
      const envelope = Math.min(1, i / attack) * (1 - x) ** 2;
      let v: number;
      if (tone.wave === 'noise') v = random() * 2 - 1;
      else {
        const hz = tone.fromHz * (tone.toHz / tone.fromHz) ** x;
        phase += hz / sampleRate;
        v = oscillator(tone.wave, phase);
      }
      out[start + i] = (out[start + i] ?? 0) + v * envelope * tone.gain;
    }
  }
  let peak = 0;
  for (const v of out) peak = Math.max(peak, Math.abs(v));
  if (peak > SFX_PEAK) for (let i = 0; i < out.length; i++) out[i] = ((out[i] ?? 0) * SFX_PEAK) / peak;
  return out;
}

/** The samples of one effect. */
export function renderSfx(kind: SfxKind, sampleRate: number): Float32Array {
  return renderTones(SFX_RECIPES[kind], sampleRate);
}
