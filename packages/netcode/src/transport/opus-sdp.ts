/**
 * Opus settings written into a session description's `a=fmtp` line: `usedtx=1` (discontinuous
 * transmission: during silence the encoder sends a comfort-noise packet about every 400 ms
 * instead of 50 packets a second) and `maxaveragebitrate` (the bitrate this side asks the other
 * side's encoder to stay under). An SDP states what its author wants to receive, so each side
 * writes them into its own description and the other side's encoder follows them
 * (RFC 7587, section 6.1). The link also caps its own sender (`RTCRtpSender.setParameters`).
 *
 * @example
 * withOpusSettings(sdp, 32_000); // 'a=fmtp:111 minptime=10;useinbandfec=1' → '...;usedtx=1;maxaveragebitrate=32000'
 */

/** Adds (or overwrites) `usedtx=1` and `maxaveragebitrate` on every Opus payload type of `sdp`. */
export function withOpusSettings(sdp: string, maxAverageBitrateBps: number): string {
  if (!/opus\/48000/i.test(sdp)) return sdp;
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(eol);
  const opus = new Set<string>();
  for (const line of lines) {
    const match = /^a=rtpmap:(\d+) opus\/48000/i.exec(line);
    if (match?.[1]) opus.add(match[1]);
  }
  const settings: Record<string, string> = { usedtx: '1', maxaveragebitrate: String(Math.round(maxAverageBitrateBps)) };
  const withFmtp = new Set<string>();
  const out = lines.map((line) => {
    const match = /^a=fmtp:(\d+) (.*)$/.exec(line);
    if (!match?.[1] || !opus.has(match[1])) return line;
    withFmtp.add(match[1]);
    const params = (match[2] ?? '')
      .split(';')
      .map((p) => p.trim())
      .filter((p) => p !== '' && !(p.split('=')[0] ?? '').toLowerCase().match(/^(usedtx|maxaveragebitrate)$/));
    for (const [key, value] of Object.entries(settings)) params.push(`${key}=${value}`);
    return `a=fmtp:${match[1]} ${params.join(';')}`;
  });
  // An Opus payload type without an fmtp line gets one right after its rtpmap.
  const result: string[] = [];
  for (const line of out) {
    result.push(line);
    const match = /^a=rtpmap:(\d+) opus\/48000/i.exec(line);
    if (match?.[1] && !withFmtp.has(match[1])) {
      result.push(
        `a=fmtp:${match[1]} ${Object.entries(settings)
          .map(([k, v]) => `${k}=${v}`)
          .join(';')}`,
      );
    }
  }
  return result.join(eol);
}
