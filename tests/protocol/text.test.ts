import { codePointLength, hasControlChars, isValidName, utf8ByteLength } from '@tickmesh/protocol';
import { describe, expect, it } from 'vitest';

describe('protocol text rules', () => {
  it('counts code points, not UTF-16 units', () => {
    expect(codePointLength('abc')).toBe(3);
    expect(codePointLength('😀😀')).toBe(2);
    expect(codePointLength('\ud83d')).toBe(1); // a lone surrogate is one code point
  });
  it('finds C0, DEL and C1 control characters', () => {
    expect(hasControlChars('a\u0000')).toBe(true);
    expect(hasControlChars('a\u007f')).toBe(true);
    expect(hasControlChars('a\u0085')).toBe(true);
    expect(hasControlChars('zoë 😀')).toBe(false);
  });
  it('accepts 1-24 code point names', () => {
    expect(isValidName('😀'.repeat(24))).toBe(true);
    expect(isValidName('😀'.repeat(25))).toBe(false);
    expect(isValidName('')).toBe(false);
  });
  it('measures UTF-8 bytes', () => {
    expect(utf8ByteLength('abc')).toBe(3);
    expect(utf8ByteLength('é😀')).toBe(6);
  });
});
