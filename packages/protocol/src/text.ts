/** Text rules of the protocol: lengths count Unicode code points; control characters are C0, DEL and C1. */
import { Limits } from './limits.js';

/** Number of Unicode code points in `s` (a surrogate pair counts once). */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** True when `s` holds a C0 control character, DEL, or a C1 control character. */
export function hasControlChars(s: string): boolean {
  return CONTROL.test(s);
}

/** True when `name` (already trimmed) is a valid player name: 1-24 code points, no control chars. */
export function isValidName(name: string): boolean {
  const len = codePointLength(name);
  return len >= Limits.minNameLength && len <= Limits.maxNameLength && !hasControlChars(name);
}

const encoder = new TextEncoder();

/** Size in bytes of `value` serialized as JSON (UTF-8). */
export function jsonByteLength(value: unknown): number {
  return utf8ByteLength(JSON.stringify(value) ?? '');
}

/** Size in bytes of `s` as UTF-8, without allocating for ASCII strings. */
export function utf8ByteLength(s: string): number {
  // Fast path: pure ASCII is the common case (SDP, ICE candidates).
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  return ascii ? s.length : encoder.encode(s).length;
}
