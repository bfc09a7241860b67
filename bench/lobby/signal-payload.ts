/**
 * The signal messages the bench relays, and a parser for relayed ones that skips JSON.parse.
 *
 * A client sends `{"type":"signal","to":ID,"data":{...}}` of about 300 bytes whose `data` looks
 * like an RTCIceCandidateInit with one extra field, `t`: the sender's `performance.now()` when it
 * built the frame. Sender and receiver of a signal live in the same load generator process (rooms
 * never span two), so `now - t` is a one-way latency on one clock.
 *
 * Both servers relay `data` verbatim as `{"type":"signal","from":ID,"data":{"t":...}}` (ours with
 * a template string, the ws baseline with JSON.stringify, same key order), so the receiver finds
 * `from` and `t` with indexOf. {@link checkSignal} fully parses a sample of them to prove that.
 */

/** A realistic server-reflexive candidate line; the padding brings a client frame to ~300 bytes. */
const CANDIDATE =
  'candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 10.0.0.7 rport 46154 ' +
  'generation 0 ufrag EsAw network-id 1 network-cost 10 foundation 3582612378';

const RELAYED_PREFIX = '{"type":"signal","from":"';
const T_FIELD = '"data":{"t":';

/** One client signal frame to `to`, stamped with `sentAtMs`. */
export function signalFrame(to: string, sentAtMs: number): string {
  return (
    `{"type":"signal","to":"${to}","data":{"t":${sentAtMs},"candidate":"${CANDIDATE}",` +
    '"sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"EsAw"}}'
  );
}

/** A relayed signal's sender and send time; `null` when `text` is not a relayed signal. */
export interface RelayedSignal {
  from: string;
  sentAtMs: number;
}

/** Reads `from` and `data.t` of a relayed signal without JSON.parse; `null` for any other message. */
export function readRelayedSignal(text: string): RelayedSignal | null {
  if (!text.startsWith(RELAYED_PREFIX)) return null;
  const fromEnd = text.indexOf('"', RELAYED_PREFIX.length);
  const tAt = text.indexOf(T_FIELD, fromEnd);
  if (fromEnd < 0 || tAt < 0) return null;
  const tStart = tAt + T_FIELD.length;
  const sentAtMs = Number(text.slice(tStart, text.indexOf(',', tStart)));
  if (!Number.isFinite(sentAtMs)) return null;
  return { from: text.slice(RELAYED_PREFIX.length, fromEnd), sentAtMs };
}

/** Full check of one relayed signal: valid JSON, the expected sender, the payload intact. */
export function checkSignal(text: string, expectedFrom: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof value !== 'object' || value === null) return false;
  const message = value as { type?: unknown; from?: unknown; data?: unknown };
  const data = message.data as { candidate?: unknown; sdpMLineIndex?: unknown } | null | undefined;
  return (
    message.type === 'signal' &&
    message.from === expectedFrom &&
    data?.candidate === CANDIDATE &&
    data.sdpMLineIndex === 0 &&
    Object.keys(message).length === 3
  );
}
