// How the arena's player lists show a link's round-trip time: a placeholder until the first stats
// sample (never a blank), and no "0" for a link faster than a millisecond.
import { describe, expect, it } from 'vitest';
import { pingText } from '../../examples/arena-game/src/ui/dom.js';

describe('pingText', () => {
  it('shows … before the first sample, <1 under half a millisecond, else whole milliseconds', () => {
    expect(pingText(null)).toBe('…');
    expect(pingText(0)).toBe('<1');
    expect(pingText(0.49)).toBe('<1');
    expect(pingText(0.5)).toBe('1');
    expect(pingText(42.4)).toBe('42');
  });
});
