/**
 * WAV files for Chromium's fake microphone (`--use-file-for-fake-audio-capture`, one file per
 * browser process; it loops), made with Debian's `sox` (see /work/shared/TESTING-WEBRTC.md, 3).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * A tone a player could be saying (440 Hz, amplitude-modulated at 3 Hz: a steady tone is what
 * noise suppression removes) and 10 s of silence, written to `dir`.
 */
export function makeWavs(dir: string): { tone: string; silence: string } {
  const tone = join(dir, 'tone.wav');
  const silence = join(dir, 'silence.wav');
  const format = ['-D', '-n', '-r', '48000', '-c', '1', '-b', '16'];
  execFileSync('sox', [...format, tone, 'synth', '10', 'sine', '440', 'tremolo', '3', '80', 'vol', '0.5']);
  execFileSync('sox', [...format, silence, 'trim', '0', '10']);
  return { tone, silence };
}

/** The Chromium flag that feeds `wav` to the fake microphone. */
export const fakeMicArg = (wav: string) => `--use-file-for-fake-audio-capture=${wav}`;
