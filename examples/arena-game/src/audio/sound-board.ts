/**
 * The sound board: plays the synthesized effects through an audio output (Phaser's sound
 * manager in the game), renders each effect the first time it is needed, applies the player's
 * volume and mute, and keeps a crowded fight from clipping: a cap on voices at once, overall and
 * per effect, and a minimum gap between two starts of the same effect. Sound never throws into
 * the game: without an audio output it is silent, and a failure is logged once and counted.
 */
import { renderSfx, type SfxKind } from './sfx.js';

/**
 * Where the audio output is: `on`; `locked` (suspended: waiting for the player's first click or
 * key, or the page in the background); `off` (none).
 */
export type SoundState = 'on' | 'locked' | 'off';

/** The player's sound settings (remembered across reloads). */
export interface SoundSettings {
  /** 0..1. */
  volume: number;
  muted: boolean;
}

export const DEFAULT_SOUND_SETTINGS: SoundSettings = { volume: 0.7, muted: false };

/** What the board needs of an audio output. */
export interface SfxOutput {
  state(): SoundState;
  /** The output's sample rate, Hz (what effects are rendered at). */
  sampleRate(): number;
  has(key: string): boolean;
  add(key: string, samples: Float32Array, sampleRate: number): void;
  /** Starts a new instance of `key` at `volume` (0..1); whether it is playing. */
  play(key: string, volume: number): boolean;
  /** How many instances are playing now (of `key`, or of every sound). */
  playing(key?: string): number;
  setVolume(volume: number): void;
  setMute(muted: boolean): void;
}

/** Limits against clipping, and how many recent effects the stats list. */
export const SOUND_LIMITS = {
  /** Voices at once, every effect together. */
  maxVoices: 10,
  /** Voices at once of one effect (eight players firing: the newest shots wait). */
  maxVoicesPerKind: 3,
  /** Least time between two starts of one effect, ms. */
  minGapMs: 35,
  /** How many effects `stats().recent` lists. */
  recent: 8,
};

/** What the automation surface shows (plain JSON). */
export interface SoundStats {
  state: SoundState;
  volume: number;
  muted: boolean;
  /** Effects the output started (muted ones are not played, so not counted). */
  played: number;
  /** Effects skipped by the limits. */
  limited: number;
  /** Failures of the audio output (each logged the first time only). */
  failed: number;
  /** The last effects started, oldest first. */
  recent: SfxKind[];
}

export interface SoundBoard {
  /** Plays `kind` at `volume` (0..1, times the player's volume); nothing when muted or limited. */
  play(kind: SfxKind, volume?: number): void;
  settings(): SoundSettings;
  setVolume(volume: number): void;
  setMuted(muted: boolean): void;
  stats(): SoundStats;
}

export interface SoundBoardDeps {
  /** The output, or null before there is one (the scene not booted yet). */
  output(): SfxOutput | null;
  settings: SoundSettings;
  /** Where changed settings are kept. */
  save(settings: SoundSettings): void;
  /** The page's clock, ms. */
  now(): number;
  /** Where a failure of the audio output is reported. */
  warn(message: string): void;
  limits?: typeof SOUND_LIMITS;
}

const clamp01 = (v: number) => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0);

/**
 * @example
 * const sounds = createSoundBoard({ output: () => phaserSfxOutput(scene), settings: remembered.sound(),
 *   save: (s) => remembered.setSound(s), now: () => performance.now(), warn: log.warn });
 * sounds.play('shot');
 */
export function createSoundBoard(deps: SoundBoardDeps): SoundBoard {
  const limits = deps.limits ?? SOUND_LIMITS;
  let settings: SoundSettings = { volume: clamp01(deps.settings.volume), muted: deps.settings.muted === true };
  const lastStart = new Map<SfxKind, number>();
  const recent: SfxKind[] = [];
  let played = 0;
  let limited = 0;
  let failed = 0;
  let applied: SfxOutput | null = null;

  function fail(what: string, error: unknown): void {
    failed++;
    if (failed === 1)
      deps.warn(`sound off: ${what} failed (${error instanceof Error ? error.message : String(error)})`);
  }

  /** The output with the player's settings applied, or null (none, or it failed). */
  function output(): SfxOutput | null {
    try {
      const out = deps.output();
      if (!out || out.state() === 'off') return null;
      if (applied !== out) {
        out.setVolume(settings.volume);
        out.setMute(settings.muted);
        applied = out;
      }
      return out;
    } catch (error) {
      fail('the audio output', error);
      return null;
    }
  }

  function change(next: SoundSettings): void {
    settings = next;
    deps.save(settings);
    applied = null;
    output();
  }

  return {
    play(kind, volume = 1) {
      if (settings.muted || settings.volume === 0) return;
      const out = output();
      if (!out) return;
      const now = deps.now();
      try {
        // Locked until the player's first click or key: what would play now would all sound at once then.
        if (out.state() !== 'on') return;
        const since = now - (lastStart.get(kind) ?? Number.NEGATIVE_INFINITY);
        if (
          since < limits.minGapMs ||
          out.playing(kind) >= limits.maxVoicesPerKind ||
          out.playing() >= limits.maxVoices
        ) {
          limited++;
          return;
        }
        if (!out.has(kind)) out.add(kind, renderSfx(kind, out.sampleRate()), out.sampleRate());
        if (!out.play(kind, clamp01(volume))) return;
        lastStart.set(kind, now);
        played++;
        recent.push(kind);
        if (recent.length > limits.recent) recent.shift();
      } catch (error) {
        fail(`playing "${kind}"`, error);
      }
    },
    settings: () => settings,
    setVolume: (volume) => change({ ...settings, volume: clamp01(volume) }),
    setMuted: (muted) => change({ ...settings, muted }),
    stats() {
      let state: SoundState = 'off';
      try {
        state = deps.output()?.state() ?? 'off';
      } catch (error) {
        fail('the audio output', error);
      }
      return { state, ...settings, played, limited, failed, recent: [...recent] };
    },
  };
}
