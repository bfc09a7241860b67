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

/**
 * Bidirectional formatting characters: embeddings and overrides (U+202A-U+202E), isolates
 * (U+2066-U+2069) and the implicit marks (U+200E, U+200F, U+061C). An override turns the rest of a
 * line around ("Ann\u202Egnp.exe" shows as "Annexe.png"); plain right-to-left text needs none.
 */
const BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** True when `s` holds a bidirectional formatting character (see {@link BIDI_CONTROL}). */
export function hasBidiControls(s: string): boolean {
  return BIDI_CONTROL.test(s);
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when `s` holds a UTF-16 surrogate that is not half of a pair (not valid Unicode text). */
export function hasLoneSurrogates(s: string): boolean {
  return LONE_SURROGATE.test(s);
}

/** Nothing a reader would see: white space, default-ignorable code points (zero-width, fillers), marks. */
const INVISIBLE_ONLY = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}\p{M}]*$/u;

/** True when `s` draws nothing: empty, or only spaces, zero-width characters, fillers and marks. */
export function isInvisible(s: string): boolean {
  return INVISIBLE_ONLY.test(s);
}

/** True for text a lobby relays to others (chat): no control, bidi or lone surrogate characters. */
export function isCleanText(s: string): boolean {
  return !hasControlChars(s) && !hasBidiControls(s) && !hasLoneSurrogates(s);
}

/**
 * True when `text` has the length chat text may have (`room.chat.text`, and chat on the mesh):
 * {@link Limits.minChatLength}-{@link Limits.maxChatLength} code points, as sent (chat is not trimmed).
 */
export function isChatLength(text: string): boolean {
  const n = codePointLength(text);
  return n >= Limits.minChatLength && n <= Limits.maxChatLength;
}

/**
 * True when `name` (already trimmed) is a valid player name: 1-24 code points, clean text
 * ({@link isCleanText}), and something visible.
 */
export function isValidName(name: string): boolean {
  const len = codePointLength(name);
  return len >= Limits.minNameLength && len <= Limits.maxNameLength && isCleanText(name) && !isInvisible(name);
}

// Pure: a bundle whose code never measures JSON drops it.
const encoder = /* @__PURE__ */ new TextEncoder();

/**
 * Size in bytes of `value` serialized as JSON (UTF-8). `JSON.stringify` recurses: give it only
 * values of bounded depth, as {@link parseClientMessage} does (it refuses a frame nested deeper
 * than {@link Limits.maxJsonDepth} before any schema runs).
 */
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
