// Names where space is short: cut with "…" at a number of characters (never half an emoji), and
// what an invite page says of who sent it.
import { describe, expect, it } from 'vitest';
import { inviteButtonText } from '../../examples/arena-game/src/ui/menu.js';
import { LABEL_NAME_CHARS, shortName } from '../../examples/arena-game/src/ui/names.js';

describe('shortName', () => {
  it('keeps a short name, cuts a long one with an ellipsis to the limit', () => {
    expect(shortName('Ann')).toBe('Ann');
    expect(shortName('x'.repeat(LABEL_NAME_CHARS))).toBe('x'.repeat(LABEL_NAME_CHARS));
    const cut = shortName('Bartholomew the Unstoppable');
    expect(cut).toBe('Bartholomew t…');
    expect(Array.from(cut)).toHaveLength(LABEL_NAME_CHARS);
  });

  it('counts characters, not UTF-16 units, and drops a space before the ellipsis', () => {
    expect(shortName('🚀🚀🚀🚀🚀🚀', 4)).toBe('🚀🚀🚀…');
    expect(shortName('Ann Bob Cyrus', 5)).toBe('Ann…');
  });
});

describe('inviteButtonText', () => {
  it('names the inviter when the link says who, else the room', () => {
    expect(inviteButtonText('ABC234', 'Ann')).toBe('Join Ann’s room');
    expect(inviteButtonText('ABC234', null)).toBe('Join room ABC234');
  });
});
