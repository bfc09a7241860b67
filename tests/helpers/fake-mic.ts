/**
 * WAV files for Chromium's fake microphone (`--use-file-for-fake-audio-capture`, one file per
 * browser process; it loops), written by the test itself: 48 kHz, mono, 16-bit PCM.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SAMPLE_RATE = 48_000;
const SECONDS = 10;

/** A RIFF/WAVE file of 16-bit mono PCM samples in [-1, 1]. */
export function wavFile(samples: Float32Array, sampleRate = SAMPLE_RATE): Buffer {
  const data = samples.length * 2;
  const out = Buffer.alloc(44 + data);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + data, 4);
  out.write('WAVE', 8, 'ascii');
  out.write('fmt ', 12, 'ascii');
  out.writeUInt32LE(16, 16); // fmt chunk size
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * 2, 28); // bytes per second
  out.writeUInt16LE(2, 32); // bytes per frame
  out.writeUInt16LE(16, 34); // bits per sample
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(data, 40);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i] ?? 0));
    out.writeInt16LE(Math.round(s * 32_767), 44 + i * 2);
  }
  return out;
}

/**
 * A tone a player could be saying: 440 Hz at half scale, its amplitude swinging at 3 Hz by 80%
 * (a steady tone is what noise suppression removes).
 */
export function toneSamples(seconds = SECONDS, sampleRate = SAMPLE_RATE): Float32Array {
  const samples = new Float32Array(seconds * sampleRate);
  for (let i = 0; i < samples.length; i++) {
    const t = i / sampleRate;
    const tremolo = 1 - 0.8 * (0.5 + 0.5 * Math.sin(2 * Math.PI * 3 * t));
    samples[i] = 0.5 * tremolo * Math.sin(2 * Math.PI * 440 * t);
  }
  return samples;
}

/** The tone above and 10 s of silence, written to `dir`. */
export function makeWavs(dir: string): { tone: string; silence: string } {
  const tone = join(dir, 'tone.wav');
  const silence = join(dir, 'silence.wav');
  writeFileSync(tone, wavFile(toneSamples()));
  writeFileSync(silence, wavFile(new Float32Array(SECONDS * SAMPLE_RATE)));
  return { tone, silence };
}

/** The Chromium flag that feeds `wav` to the fake microphone. */
export const fakeMicArg = (wav: string) => `--use-file-for-fake-audio-capture=${wav}`;
