// bench:feel's key-to-screen matcher (bench/feel/key-to-screen.ts), the pure half of the browser
// measurement: a press is seen at the first frame after its keydown that draws the player more than
// `movedPx` from where that page drew it at the keydown, in the key's direction, before the next
// keydown and within the window; and the p50 / p95 / max ranks the figures are read at.
import { describe, expect, it } from 'vitest';
import { distribution, mean } from '../../bench/feel/distribution.ts';
import { type DrawnFrame, keyToScreen } from '../../bench/feel/key-to-screen.ts';

const MOVED_PX = 0.5;
const WINDOW_MS = 1000;

/** Frames at these times, the player at these x (y stays 0). */
const framesAt = (...points: [atMs: number, x: number][]): DrawnFrame[] => points.map(([at, x]) => [at, x, 0]);

describe('keyToScreen', () => {
  it('sees a press at the first frame beyond movedPx in the key’s direction', () => {
    const frames = framesAt([990, 5], [1010, 5.2], [1030, 5.6], [1050, 7]);
    expect(keyToScreen([{ atMs: 1000, dx: 1 }], frames, MOVED_PX, WINDOW_MS)).toEqual({
      perPressMs: [30],
      latenciesMs: [30],
      missed: 0,
    });
  });

  it('sees a left press in a move to the left', () => {
    const frames = framesAt([990, 5], [1020, 4.4]);
    expect(keyToScreen([{ atMs: 1000, dx: -1 }], frames, MOVED_PX, WINDOW_MS).perPressMs).toEqual([20]);
  });

  it('measures from the last frame at or before the keydown, a frame at the keydown included', () => {
    const frames = framesAt([980, 0], [1000, 5], [1020, 5.4], [1040, 5.6]);
    expect(keyToScreen([{ atMs: 1000, dx: 1 }], frames, MOVED_PX, WINDOW_MS).perPressMs).toEqual([40]);
  });

  it('needs more than movedPx: a move of exactly movedPx, or less, is not seen', () => {
    const frames = framesAt([990, 5], [1010, 5.25], [1030, 5.5]);
    expect(keyToScreen([{ atMs: 1000, dx: 1 }], frames, MOVED_PX, WINDOW_MS)).toEqual({
      perPressMs: [null],
      latenciesMs: [],
      missed: 1,
    });
  });

  it('does not see a move the wrong way, however far', () => {
    const frames = framesAt([990, 5], [1010, 2], [1030, -20]);
    expect(keyToScreen([{ atMs: 1000, dx: 1 }], frames, MOVED_PX, WINDOW_MS).perPressMs).toEqual([null]);
    expect(keyToScreen([{ atMs: 1000, dx: -1 }], framesAt([990, 5], [1010, 9]), MOVED_PX, WINDOW_MS).missed).toBe(1);
  });

  it('misses a press with no frame at or before its keydown: nothing to measure from', () => {
    const frames = framesAt([1010, 5], [1030, 50]);
    expect(keyToScreen([{ atMs: 1000, dx: 1 }], frames, MOVED_PX, WINDOW_MS).perPressMs).toEqual([null]);
    expect(keyToScreen([{ atMs: 1000, dx: 1 }], [], MOVED_PX, WINDOW_MS).perPressMs).toEqual([null]);
  });

  it('ends the search at the next keydown (a frame at it still counts), and the next press measures from there', () => {
    const keys = [
      { atMs: 1000, dx: 1 },
      { atMs: 1100, dx: -1 },
    ] as const;
    // The move right shows only after the left key went down: the right press is missed, and the
    // left press is not seen in it.
    expect(keyToScreen(keys, framesAt([990, 5], [1050, 5.1], [1150, 9]), MOVED_PX, WINDOW_MS).perPressMs).toEqual([
      null,
      null,
    ]);
    // A frame at the next keydown belongs to the press before; the next press measures from it.
    expect(
      keyToScreen(keys, framesAt([990, 5], [1100, 6], [1130, 5.8], [1160, 5.4]), MOVED_PX, WINDOW_MS).perPressMs,
    ).toEqual([100, 60]);
  });

  it('ends the search windowMs after the keydown (a frame then still counts)', () => {
    const key = [{ atMs: 1000, dx: 1 }] as const;
    expect(keyToScreen(key, framesAt([990, 5], [1200, 6]), MOVED_PX, 200).perPressMs).toEqual([200]);
    expect(keyToScreen(key, framesAt([990, 5], [1201, 6]), MOVED_PX, 200).perPressMs).toEqual([null]);
  });

  it('keeps the presses in order, the seen ones apart, and counts the missed', () => {
    const keys = [
      { atMs: 1000, dx: 1 },
      { atMs: 2000, dx: -1 },
      { atMs: 3000, dx: 1 },
    ] as const;
    const frames = framesAt([990, 0], [1080, 1], [1990, 1], [2500, 1.2], [2990, 1.2], [3040, 2]);
    expect(keyToScreen(keys, frames, MOVED_PX, WINDOW_MS)).toEqual({
      perPressMs: [80, null, 40],
      latenciesMs: [80, 40],
      missed: 1,
    });
  });
});

describe('distribution', () => {
  const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

  it('reads p50 and p95 at the rank floor(n p), so with 20 values p95 is the max', () => {
    expect(distribution(oneTo(20))).toEqual({ p50: 11, p95: 20, max: 20, n: 20 });
  });

  it('with 40 values p95 is the second largest', () => {
    expect(distribution(oneTo(40))).toEqual({ p50: 21, p95: 39, max: 40, n: 40 });
  });

  it('sorts a copy: any order in, the input left as it was', () => {
    const values = [30, 10, 50, 20, 40];
    expect(distribution(values)).toEqual({ p50: 30, p95: 50, max: 50, n: 5 });
    expect(values).toEqual([30, 10, 50, 20, 40]);
  });

  it('of one value is that value; of none, NaN', () => {
    expect(distribution([7])).toEqual({ p50: 7, p95: 7, max: 7, n: 1 });
    expect(distribution([])).toEqual({ p50: Number.NaN, p95: Number.NaN, max: Number.NaN, n: 0 });
  });

  it('mean of none is NaN, not 0', () => {
    expect(mean([])).toBeNaN();
    expect(mean([1, 2, 6])).toBe(3);
  });
});
