/**
 * Parsing one untrusted client frame into a typed message or a protocol error.
 *
 * @example
 * const result = parseClientMessage(frameText);
 * if (!result.ok) send({ type: 'error', code: result.code, message: result.message, rid: result.rid });
 */
import {
  type ClientMessage,
  type ClientMessageType,
  clientMessageSchemas,
  isClientMessageType,
} from './client-messages.js';
import { ErrorCode } from './codes.js';
import { scanJson } from './json-scan.js';
import { Limits } from './limits.js';
import { type Rid, ridCheck } from './server-messages.js';
import { utf8ByteLength } from './text.js';

export type ParseResult =
  | {
      ok: true;
      message: ClientMessage;
      /** For `signal`: `data` already serialized, so a relay need not serialize it again. */
      signalDataJson?: string;
    }
  | {
      ok: false;
      code: ErrorCode;
      message: string;
      /** The request id, when the frame carried a valid one (errors echo it). */
      rid?: Rid;
      /** The message type, when it is a known one whose fields failed validation. */
      type?: ClientMessageType;
      /** Set when the frame nested deeper than {@link Limits.maxJsonDepth}. */
      tooDeep?: true;
    };

export type ParseFailure = Extract<ParseResult, { ok: false }>;

function fail(code: ErrorCode, message: string, rid?: Rid, type?: ClientMessageType): ParseFailure {
  const result: ParseFailure = { ok: false, code, message };
  if (rid !== undefined) result.rid = rid;
  if (type !== undefined) result.type = type;
  return result;
}

/**
 * Parses a text frame. Never throws; every failure is a `BAD_MESSAGE`, `UNKNOWN_TYPE`,
 * `INVALID_NAME` or `TOO_LARGE` value. Nothing here recurses on the frame's nesting: the depth is
 * bounded ({@link Limits.maxJsonDepth}) by one flat scan of the text before any walk of the value,
 * and `signal.data` is measured and handed on as the raw bytes the frame carried.
 */
export function parseClientMessage(text: string): ParseResult {
  // The scan first: it stops at the 33rd level, where JSON.parse would build all 20,000 (several
  // ms a frame, and more than linear in the depth). On text that is not JSON its answer means
  // nothing, but it ends, and JSON.parse then refuses the text.
  const scan = scanJson(text, Limits.maxJsonDepth, 'data');
  if (scan.depth > Limits.maxJsonDepth) {
    const failure = fail(ErrorCode.BAD_MESSAGE, `nested deeper than ${Limits.maxJsonDepth} levels`);
    failure.tooDeep = true;
    return failure;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail(ErrorCode.BAD_MESSAGE, 'not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(ErrorCode.BAD_MESSAGE, 'a message is a JSON object');
  }
  const obj = value as Record<string, unknown>;
  const ridWhy = obj.rid === undefined ? null : ridCheck(obj.rid, 'rid');
  if (ridWhy !== null) return fail(ErrorCode.BAD_MESSAGE, ridWhy);
  const rid = obj.rid as Rid | undefined;
  const type = obj.type;
  if (typeof type !== 'string') return fail(ErrorCode.BAD_MESSAGE, 'missing string field "type"', rid);
  if (!isClientMessageType(type))
    return fail(ErrorCode.UNKNOWN_TYPE, `unknown message type "${type.slice(0, 64)}"`, rid);

  const result = clientMessageSchemas[type].safeParse(value);
  if (!result.success) {
    // A rule with its own error code (INVALID_NAME, TOO_LARGE) wins over a generic BAD_MESSAGE.
    let issue = result.error.issues[0];
    let code: ErrorCode = ErrorCode.BAD_MESSAGE;
    for (const i of result.error.issues) {
      if (i.code === 'custom' && typeof i.params?.code === 'string') {
        issue = i;
        code = i.params.code as ErrorCode;
        break;
      }
    }
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return fail(code, `${type}: ${where}${issue?.message ?? 'invalid'}`, rid, type);
  }
  const message = result.data as ClientMessage;
  if (message.type === 'signal') {
    const span = scan.span;
    if (span === null) return fail(ErrorCode.BAD_MESSAGE, 'signal: data is required', rid, 'signal');
    const dataJson = text.slice(span[0], span[1]);
    // A UTF-16 unit is at most 3 UTF-8 bytes, so short data (every SDP and candidate) skips the count.
    if (dataJson.length * 3 > Limits.maxSignalBytes && utf8ByteLength(dataJson) > Limits.maxSignalBytes) {
      return fail(ErrorCode.TOO_LARGE, `signal: data over ${Limits.maxSignalBytes} bytes as JSON`, rid, 'signal');
    }
    return { ok: true, message, signalDataJson: dataJson };
  }
  return { ok: true, message };
}
