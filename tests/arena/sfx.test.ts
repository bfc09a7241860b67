import { describe, expect, it } from 'vitest';
import {
  renderSfx,
  renderTones,
  SFX_KINDS,
  SFX_PEAK,
  SFX_RECIPES,
  seededRandom,
  sfxDurationMs,
} from '../../examples/arena-game/src/audio/sfx.js';

const RATE = 48_000;

const peak = (s: Float32Array) => s.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const rms = (s: Float32Array) => Math.sqrt(s.reduce((sum, v) => sum + v * v, 0) / s.length);

describe('synthesized sound effects', () => {
  it.each(SFX_KINDS)(
    '%s: as long as its recipe, audible, never louder than the peak, no click at either end',
    (kind) => {
      const samples = renderSfx(kind, RATE);
      const ms = sfxDurationMs(SFX_RECIPES[kind]);
      expect(samples.length).toBe(Math.ceil((ms / 1000) * RATE));
      expect(ms).toBeGreaterThanOrEqual(50);
      expect(ms).toBeLessThanOrEqual(1000);
      expect(peak(samples)).toBeLessThanOrEqual(SFX_PEAK + 1e-6);
      expect(rms(samples)).toBeGreaterThan(0.02);
      expect(Math.abs(samples[0] ?? 1)).toBeLessThan(0.05);
      expect(Math.abs(samples.at(-1) ?? 1)).toBeLessThan(0.05);
      expect(samples.every(Number.isFinite)).toBe(true);
    },
  );

  it('renders the same samples every time (noise from a seeded source), and at any sample rate', () => {
    expect(renderSfx('shot', RATE)).toEqual(renderSfx('shot', RATE));
    expect(renderSfx('shot', 44_100).length).toBe(Math.ceil(0.08 * 44_100));
  });

  it('pitch: a tone gliding from 900 Hz down has more zero crossings in its first half than its last', () => {
    const samples = renderTones([{ wave: 'sine', atMs: 0, durationMs: 200, fromHz: 900, toHz: 150, gain: 0.5 }], RATE);
    const crossings = (s: Float32Array) =>
      s.reduce((n, v, i) => (i > 0 && Math.sign(v) !== Math.sign(s[i - 1] ?? 0) ? n + 1 : n), 0);
    const half = samples.length / 2;
    expect(crossings(samples.subarray(0, half))).toBeGreaterThan(2 * crossings(samples.subarray(half)));
  });

  it('a louder sum is scaled down to the peak, a quiet one left alone', () => {
    const loud = renderTones(
      [
        { wave: 'square', atMs: 0, durationMs: 100, fromHz: 200, toHz: 200, gain: 1 },
        { wave: 'square', atMs: 0, durationMs: 100, fromHz: 200, toHz: 200, gain: 1 },
      ],
      RATE,
    );
    expect(peak(loud)).toBeCloseTo(SFX_PEAK, 5);
    const quiet = renderTones([{ wave: 'square', atMs: 0, durationMs: 100, fromHz: 200, toHz: 200, gain: 0.2 }], RATE);
    expect(peak(quiet)).toBeLessThanOrEqual(0.2);
    expect(peak(quiet)).toBeGreaterThan(0.15);
  });

  it('a tone that starts later is silent before it starts', () => {
    const samples = renderTones([{ wave: 'sine', atMs: 50, durationMs: 50, fromHz: 440, toHz: 440, gain: 0.5 }], RATE);
    expect(samples.length).toBe(RATE / 10);
    expect(peak(samples.subarray(0, RATE / 20))).toBe(0);
  });

  it('the seeded source stays in [0, 1) and differs by seed', () => {
    const a = seededRandom(1);
    const values = Array.from({ length: 1000 }, a);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(seededRandom(2)()).not.toBe(seededRandom(1)());
  });
});
