/**
 * What a stats dump leaves out: secrets never enter it. ICE servers keep their URLs only (a TURN
 * username and credential are the lobby's TURN REST secret's output, valid for a day); an SDP's
 * `a=ice-pwd` is redacted (it keys the connectivity checks of a connection that may still be up
 * when the dump is sent). Kept on purpose: `a=ice-ufrag` (sent in clear in every STUN check, and
 * what ties candidates and stats to an ICE generation), `a=fingerprint` (a certificate hash,
 * public by design), candidates with their addresses (as webrtc-internals keeps them: what tells a
 * LAN from a NAT or a relay).
 */
import type { ConnectionRecord } from './dump-types.js';

export const REDACTED = '[redacted]';

/** The SDP with every `a=ice-pwd:` value replaced by `[redacted]`. */
export function scrubSdp(sdp: string): string {
  return sdp.replace(/^(a=ice-pwd:)[^\r\n]*/gm, `$1${REDACTED}`);
}

/** A peer connection's configuration with the ICE servers' URLs only, and its policies. */
export function scrubConfig(config: RTCConfiguration): ConnectionRecord['pcConfig'] {
  const out: ConnectionRecord['pcConfig'] = {
    iceServers: (config.iceServers ?? []).map((server) => ({
      urls: Array.isArray(server.urls) ? [...server.urls] : server.urls,
    })),
  };
  if (config.iceTransportPolicy) out.iceTransportPolicy = config.iceTransportPolicy;
  if (config.bundlePolicy) out.bundlePolicy = config.bundlePolicy;
  if (config.rtcpMuxPolicy) out.rtcpMuxPolicy = config.rtcpMuxPolicy;
  return out;
}
