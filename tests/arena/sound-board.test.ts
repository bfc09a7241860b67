import { describe, expect, it } from 'vitest';
import { parseSoundSettings } from '../../examples/arena-game/src/app/remembered.js';
import {
  createSoundBoard,
  type SfxOutput,
  SOUND_LIMITS,
  type SoundSettings,
  type SoundState,
} from '../../examples/arena-game/src/audio/sound-board.js';

/** An audio output in memory: what was added and started, sounds "playing" until `finish()`. */
function memoryOutput(state: SoundState = 'on') {
  const buffers = new Map<string, number>();
  const playing: string[] = [];
  const started: { key: string; volume: number }[] = [];
  const set = { volume: -1, muted: false };
  const output: SfxOutput = {
    state: () => state,
    sampleRate: () => 8000,
    has: (key) => buffers.has(key),
    add: (key, samples) => void buffers.set(key, samples.length),
    play(key, volume) {
      started.push({ key, volume });
      playing.push(key);
      return true;
    },
    playing: (key) => playing.filter((k) => key === undefined || k === key).length,
    setVolume(v) {
      set.volume = v;
    },
    setMute(m) {
      set.muted = m;
    },
  };
  return { output, buffers, started, set, finish: () => playing.splice(0) };
}

function board(out: SfxOutput | null, settings: SoundSettings = { volume: 0.5, muted: false }) {
  let now = 1000;
  const saved: SoundSettings[] = [];
  const warnings: string[] = [];
  const b = createSoundBoard({
    output: () => out,
    settings,
    save: (s) => saved.push(s),
    now: () => now,
    warn: (m) => warnings.push(m),
  });
  return { b, saved, warnings, advance: (ms: number) => (now += ms) };
}

describe('the sound board', () => {
  it('renders an effect once, plays it, applies the volume and counts it', () => {
    const out = memoryOutput();
    const { b, advance } = board(out.output);
    b.play('shot');
    advance(100);
    b.play('shot', 0.4);
    expect(out.buffers.get('shot')).toBe(Math.ceil(0.08 * 8000));
    expect(out.started).toEqual([
      { key: 'shot', volume: 1 },
      { key: 'shot', volume: 0.4 },
    ]);
    expect(out.set.volume).toBe(0.5);
    expect(b.stats()).toMatchObject({ state: 'on', volume: 0.5, muted: false, played: 2, recent: ['shot', 'shot'] });
  });

  it('muted or at zero volume: nothing plays; the setting is saved and reaches the output', () => {
    const out = memoryOutput();
    const { b, saved } = board(out.output);
    b.setMuted(true);
    b.play('hit');
    expect(out.started).toEqual([]);
    expect(out.set.muted).toBe(true);
    b.setMuted(false);
    b.setVolume(0);
    b.play('hit');
    expect(out.started).toEqual([]);
    b.setVolume(2);
    b.play('hit');
    expect(out.started).toHaveLength(1);
    expect(saved).toEqual([
      { volume: 0.5, muted: true },
      { volume: 0.5, muted: false },
      { volume: 0, muted: false },
      { volume: 1, muted: false },
    ]);
  });

  it('eight players firing at once: a few shots sound, the rest are skipped, none too close together', () => {
    const out = memoryOutput();
    const { b, advance } = board(out.output);
    for (let i = 0; i < 8; i++) b.play('shot');
    expect(out.started).toHaveLength(1);
    for (let i = 0; i < 8; i++) {
      advance(SOUND_LIMITS.minGapMs);
      b.play('shot');
    }
    expect(out.started).toHaveLength(SOUND_LIMITS.maxVoicesPerKind);
    expect(b.stats().limited).toBe(7 + 8 - (SOUND_LIMITS.maxVoicesPerKind - 1));
    // Other effects still have room, up to the overall cap.
    const kinds = ['hit', 'hurt', 'kill', 'death', 'beep', 'go', 'end'] as const;
    for (const kind of kinds)
      for (let i = 0; i < 3; i++) {
        advance(SOUND_LIMITS.minGapMs);
        b.play(kind);
      }
    expect(out.output.playing()).toBe(SOUND_LIMITS.maxVoices);
    out.finish();
    advance(SOUND_LIMITS.minGapMs);
    b.play('shot');
    expect(out.started.at(-1)?.key).toBe('shot');
  });

  it('no output (no Web Audio, scene not booted): silent, says off', () => {
    const { b, warnings } = board(null);
    b.play('shot');
    expect(b.stats()).toMatchObject({ state: 'off', played: 0, failed: 0 });
    const off = memoryOutput('off');
    const second = board(off.output);
    second.b.play('shot');
    expect(off.started).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('an output that throws never throws into the game: logged once, counted', () => {
    const out = memoryOutput();
    out.output.play = () => {
      throw new Error('InvalidStateError');
    };
    const { b, warnings, advance } = board(out.output);
    expect(() => b.play('shot')).not.toThrow();
    advance(100);
    expect(() => b.play('shot')).not.toThrow();
    expect(warnings).toEqual(['sound off: playing "shot" failed (InvalidStateError)']);
    expect(b.stats()).toMatchObject({ played: 0, failed: 2 });
    const broken = board({
      ...out.output,
      state: () => {
        throw new Error('closed');
      },
    });
    expect(() => broken.b.play('hit')).not.toThrow();
    expect(broken.b.stats().state).toBe('off');
  });

  it('a suspended context (waiting for a gesture): says locked, plays nothing (it would all sound at once later)', () => {
    const out = memoryOutput('locked');
    const { b } = board(out.output);
    b.play('beep');
    expect(out.started).toEqual([]);
    expect(b.stats()).toMatchObject({ state: 'locked', played: 0 });
  });
});

describe('remembered sound settings', () => {
  it('reads what was written, and nothing else', () => {
    expect(parseSoundSettings(JSON.stringify({ volume: 0.3, muted: true }))).toEqual({ volume: 0.3, muted: true });
    expect(parseSoundSettings(JSON.stringify({ volume: 7, muted: false }))).toEqual({ volume: 1, muted: false });
    for (const text of [null, '', '{', 'null', '[]', '{"volume":"loud","muted":false}', '{"volume":0.5}'])
      expect(parseSoundSettings(text)).toBeNull();
  });
});
