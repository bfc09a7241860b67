/**
 * The sound board's output in the game: Phaser's Web Audio sound manager. Effects rendered in
 * code become AudioBuffers in Phaser's audio cache and play as Phaser sounds (so the sound
 * manager's volume, mute and unlock-on-first-gesture apply). Without Web Audio (no AudioContext,
 * or Phaser's no-audio or HTML5 managers) the output says `off`, and nothing plays.
 */
import * as Phaser from 'phaser';
import type { SfxOutput, SoundState } from './sound-board.js';

/**
 * @example
 * const output = phaserSfxOutput(scene); // read on each use: the scene boots after the app starts
 */
export function phaserSfxOutput(scene: Phaser.Scene): SfxOutput | null {
  // Phaser sets `sound` and `cache` on the scene when it boots it; until then they are absent.
  const manager = (scene as { sound?: Phaser.Sound.BaseSoundManager }).sound;
  const cache = (scene as { cache?: Phaser.Cache.CacheManager }).cache;
  if (!manager || !cache) return null;
  const web = manager instanceof Phaser.Sound.WebAudioSoundManager ? manager : null;
  return {
    state(): SoundState {
      if (!web?.context) return 'off';
      if (web.locked || web.context.state !== 'running') return 'locked';
      return 'on';
    },
    sampleRate: () => web?.context.sampleRate ?? 48_000,
    has: (key) => cache.audio.exists(key),
    add(key, samples, sampleRate) {
      if (!web) return;
      const buffer = web.context.createBuffer(1, samples.length, sampleRate);
      buffer.copyToChannel(samples as Float32Array<ArrayBuffer>, 0);
      cache.audio.add(key, buffer);
    },
    play: (key, volume) => web?.play(key, { volume }) ?? false,
    playing: (key) => manager.getAllPlaying().filter((s) => key === undefined || s.key === key).length,
    setVolume(volume) {
      manager.volume = volume;
    },
    setMute(muted) {
      manager.mute = muted;
    },
  };
}
