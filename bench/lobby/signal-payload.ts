/**
 * The signal messages the bench relays, and a parser for relayed ones that skips JSON.parse.
 *
 * A client sends `{"type":"signal","to":ID,"data":{...}}` whose `data` is either an
 * RTCIceCandidateInit (a frame of about 300 bytes) or an RTCSessionDescriptionInit with a
 * realistic audio and data-channel offer (about 1.8 KB), each with two extra fields first: `t`, the
 * sender's `performance.now()` when it built the frame, and `s`, its sequence number from this
 * sender to this receiver (1, 2, 3 ...). Sender and receiver of a signal live in the same load
 * generator process (rooms never span two), so `now - t` is a one-way latency on one clock, and
 * a gap in `s` is a signal the server dropped.
 *
 * Both servers relay `data` verbatim as `{"type":"signal","from":ID,"data":{"t":...,"s":...}}`
 * (ours as the characters the frame carried, the ws baseline with JSON.stringify, same key order),
 * so the receiver finds `from`, `t` and `s` with indexOf. {@link checkSignal} fully parses a sample
 * of them to prove that.
 */

/** A realistic server-reflexive candidate line; the padding brings a client frame to ~300 bytes. */
const CANDIDATE =
  'candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 10.0.0.7 rport 46154 ' +
  'generation 0 ufrag EsAw network-id 1 network-cost 10 foundation 3582612378';

/** An offer as Chromium writes it for one Opus audio line and one data channel (trimmed codec list). */
const SDP = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'a=extmap-allow-mixed',
  'a=msid-semantic: WMS 3b8c1f2e-6a4d-4e8f-9b1a-2c7d5e0f8a91',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
  'c=IN IP4 0.0.0.0',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=ice-ufrag:EsAw',
  'a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 75:74:5A:A6:A4:E5:52:F4:A7:67:4C:01:C7:EE:91:3F:21:3D:A2:E3:53:7B:6F:30:86:F2:30:AA:65:FB:04:24',
  'a=setup:actpass',
  'a=mid:0',
  'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=sendrecv',
  'a=msid:3b8c1f2e-6a4d-4e8f-9b1a-2c7d5e0f8a91 0c4e2a7b-5d3f-4b1e-8a6c-9f2d7e1b3c5a',
  'a=rtcp-mux',
  'a=rtcp-rsize',
  'a=rtpmap:111 opus/48000/2',
  'a=rtcp-fb:111 transport-cc',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:63 red/48000/2',
  'a=fmtp:63 111/111',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:13 CN/8000',
  'a=rtpmap:110 telephone-event/48000',
  'a=rtpmap:126 telephone-event/8000',
  'a=ssrc:1487335617 cname:Yq3Jx7Fh2Lk9Wm4N',
  'a=ssrc:1487335617 msid:3b8c1f2e-6a4d-4e8f-9b1a-2c7d5e0f8a91 0c4e2a7b-5d3f-4b1e-8a6c-9f2d7e1b3c5a',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:EsAw',
  'a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 75:74:5A:A6:A4:E5:52:F4:A7:67:4C:01:C7:EE:91:3F:21:3D:A2:E3:53:7B:6F:30:86:F2:30:AA:65:FB:04:24',
  'a=setup:actpass',
  'a=mid:1',
  'a=sctp-port:5000',
  'a=max-message-size:262144',
  '',
].join('\r\n');
const SDP_JSON = JSON.stringify(SDP);

const RELAYED_PREFIX = '{"type":"signal","from":"';
const T_FIELD = '"data":{"t":';
const S_FIELD = ',"s":';

/** What a signal's `data` looks like besides its stamps. */
export type SignalKind = 'candidate' | 'sdp';

/** One client signal frame to `to`, stamped with `sentAtMs` and sequence number `seq`. */
export function signalFrame(to: string, sentAtMs: number, seq: number, kind: SignalKind = 'candidate'): string {
  const head = `{"type":"signal","to":"${to}","data":{"t":${sentAtMs},"s":${seq},`;
  return kind === 'sdp'
    ? `${head}"type":"offer","sdp":${SDP_JSON}}}`
    : `${head}"candidate":"${CANDIDATE}","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"EsAw"}}`;
}

/** A relayed signal's sender, send time and sequence number; `null` when `text` is not a relayed signal. */
export interface RelayedSignal {
  from: string;
  sentAtMs: number;
  seq: number;
}

/** Reads `from`, `data.t` and `data.s` of a relayed signal without JSON.parse; `null` for any other message. */
export function readRelayedSignal(text: string): RelayedSignal | null {
  if (!text.startsWith(RELAYED_PREFIX)) return null;
  const fromEnd = text.indexOf('"', RELAYED_PREFIX.length);
  const tAt = text.indexOf(T_FIELD, fromEnd);
  if (fromEnd < 0 || tAt < 0) return null;
  const tStart = tAt + T_FIELD.length;
  const tEnd = text.indexOf(',', tStart);
  if (!text.startsWith(S_FIELD, tEnd)) return null;
  const sStart = tEnd + S_FIELD.length;
  const sentAtMs = Number(text.slice(tStart, tEnd));
  const seq = Number(text.slice(sStart, text.indexOf(',', sStart)));
  if (!Number.isFinite(sentAtMs) || !Number.isSafeInteger(seq)) return null;
  return { from: text.slice(RELAYED_PREFIX.length, fromEnd), sentAtMs, seq };
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
  const data = message.data as
    | { s?: unknown; candidate?: unknown; sdpMLineIndex?: unknown; type?: unknown; sdp?: unknown }
    | null
    | undefined;
  const intact =
    (data?.candidate === CANDIDATE && data.sdpMLineIndex === 0) || (data?.type === 'offer' && data.sdp === SDP);
  return (
    message.type === 'signal' &&
    message.from === expectedFrom &&
    typeof data?.s === 'number' &&
    intact &&
    Object.keys(message).length === 3
  );
}
