// What an invite link carries: the room and who sent it (`from=`), read back as plain text only:
// trimmed, cut to 24 characters, and refused when it holds control, format (bidi override,
// zero-width) or private-use characters.
import { describe, expect, it } from 'vitest';
import { inviteLink, inviterName, readParams } from '../../examples/arena-game/src/params.js';

const page = { origin: 'https://arena.test', pathname: '/' };

describe('invite links', () => {
  it('carry the room and the inviter, and read back as both', () => {
    const link = inviteLink(page, 'ABC234', 'Ann & Bob?');
    expect(link).toBe('https://arena.test/?room=ABC234&from=Ann%20%26%20Bob%3F');
    const p = readParams(new URL(link));
    expect(p).toMatchObject({ room: 'ABC234', from: 'Ann & Bob?', name: null });
    expect(inviteLink(page, 'ABC234', null)).toBe('https://arena.test/?room=ABC234');
    expect(readParams(new URL('https://arena.test/?room=abc234')).from).toBeNull();
  });

  it('take the inviter as plain text, cut to 24 characters', () => {
    expect(inviterName('  Ann  ')).toBe('Ann');
    expect(inviterName('<b>Ann</b>')).toBe('<b>Ann</b>'); // shown as text, never as markup
    expect(inviterName('A'.repeat(40))).toBe('A'.repeat(24));
    expect(inviterName('🚀'.repeat(30))).toBe('🚀'.repeat(24));
    expect(inviterName('Zoë Ølstrøm')).toBe('Zoë Ølstrøm');
  });

  it.each([
    ['missing', null],
    ['empty', ''],
    ['only spaces', '   '],
    ['a control character', 'Ann\u0007'],
    ['a newline', 'Ann\nBob'],
    ['a bidi override', 'Ann\u202Egnp.exe'],
    ['a zero-width space', 'An\u200Bn'],
    ['a private-use character', 'Ann\uE000'],
    ['a lone surrogate', 'Ann\uD800'],
  ])('refuse an inviter name that is %s', (_, v) => {
    expect(inviterName(v)).toBeNull();
  });
});
