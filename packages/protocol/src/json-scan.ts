/**
 * One pass over a frame's raw JSON text, without building anything: how deep it nests, and where
 * the value of one top-level key lies. It never recurses, so no frame can exhaust the stack, and
 * it costs one `charCodeAt` per character.
 *
 * Why: `JSON.parse` is iterative in V8, but `JSON.stringify`, a schema walk or any recursive copy
 * of a parsed value is not; 5,000 levels of `[` (10 KB) used to overflow the stack of a relay
 * that re-serialized what it parsed. Bounding the depth here, before anything walks the value,
 * makes every later step safe, and the raw span of `signal.data` lets a relay measure and forward
 * the bytes it received instead of serializing them again.
 *
 * The scanner expects text that `JSON.parse` has accepted; on anything else its answer is
 * meaningless (but it still terminates and never throws).
 */

export interface JsonScan {
  /** Deepest nesting of arrays and objects (a scalar is 0, `{}` is 1). */
  depth: number;
  /**
   * `[start, end)` of the value of the top-level object's key `key`, when it has one. Like
   * `JSON.parse`, the last occurrence of a repeated key wins; escaped key spellings count.
   */
  span: readonly [number, number] | null;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Index just past the string literal that opens at `start` (a `"`). */
function skipString(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const c = text.charCodeAt(i);
    if (Number.isNaN(c)) return text.length;
    if (c === BACKSLASH) i += 2;
    else if (c === QUOTE) return i + 1;
    else i++;
  }
}

/** The key a string literal spells: its raw contents, or decoded when it holds escapes. */
function keyOf(text: string, start: number, end: number): string {
  const raw = text.slice(start + 1, end - 1);
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(text.slice(start, end)) as string;
  } catch {
    return raw;
  }
}

/**
 * Scans `text` (valid JSON). Stops early with `depth > maxDepth` as soon as the nesting passes
 * `maxDepth`; `key` names the top-level key whose value span to report.
 */
export function scanJson(text: string, maxDepth: number, key: string | null = null): JsonScan {
  let depth = 0;
  let deepest = 0;
  let span: [number, number] | null = null;
  /** At depth 1 inside the top-level object: the next string is a key. */
  let expectKey = false;
  /** The value of `key` starts after the next colon at depth 1. */
  let capture = false;
  let valueStart = -1;
  const topIsObject = text.trimStart().charCodeAt(0) === OPEN_BRACE;

  const closeValue = (at: number) => {
    if (valueStart < 0) return;
    let end = at;
    while (end > valueStart && isSpace(text.charCodeAt(end - 1))) end--;
    span = [valueStart, end];
    valueStart = -1;
  };

  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = skipString(text, i);
      if (expectKey && depth === 1 && topIsObject) {
        capture = key !== null && keyOf(text, i, end) === key;
        expectKey = false;
      }
      i = end;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > maxDepth) return { depth: deepest, span: null };
      }
      if (depth === 1 && c === OPEN_BRACE) expectKey = true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (depth === 1 && topIsObject) closeValue(i);
      depth--;
    } else if (depth === 1 && topIsObject) {
      if (c === COMMA) {
        closeValue(i);
        expectKey = true;
      } else if (c === COLON && capture) {
        capture = false;
        let start = i + 1;
        while (isSpace(text.charCodeAt(start))) start++;
        valueStart = start;
      }
    }
    i++;
  }
  return { depth: deepest, span };
}
