/**
 * The cap on the video a link accepts, written into the session description this side sends:
 * `b=AS:<kbit/s>` (RFC 4566 section 5.8, application-specific maximum) and `b=TIAS:<bit/s>`
 * (RFC 3890, transport-independent) on every video media section. A description states what its
 * author is willing to receive, so the other side's sender keeps under it (libwebrtc takes the
 * remote description's `b=AS`/`b=TIAS` of a media section as the cap of what it sends there),
 * whatever that side's own `maxBitrate` says: a peer cannot push more video at us than we ask for,
 * short of a modified client. Each side caps its own sender too (media-line.ts). Lines go where
 * RFC 4566 orders them: after the section's `i=` and `c=` lines, before `k=` and `a=`.
 *
 * @example
 * withVideoBandwidth(sdp, 150_000); // 'm=video ...\r\nc=IN IP4 0.0.0.0\r\nb=AS:150\r\nb=TIAS:150000\r\na=...'
 */

/** Sets `b=AS` and `b=TIAS` (replacing any there) on every video section of `sdp` to `maxBitrateBps`. */
export function withVideoBandwidth(sdp: string, maxBitrateBps: number): string {
  if (!/^m=video /m.test(sdp)) return sdp;
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const bps = Math.max(1000, Math.round(maxBitrateBps));
  const bandwidth = [`b=AS:${Math.round(bps / 1000)}`, `b=TIAS:${bps}`];
  const out: string[] = [];
  let video = false;
  /** In a video section, and its bandwidth lines not yet written. */
  let pending = false;
  for (const line of sdp.split(eol)) {
    if (line.startsWith('m=')) {
      video = line.startsWith('m=video ');
      pending = video;
    } else if (video) {
      if (line.startsWith('b=')) continue; // replaced
      if (pending && !line.startsWith('i=') && !line.startsWith('c=')) {
        out.push(...bandwidth);
        pending = false;
      }
    }
    out.push(line);
  }
  // A video section that ended at the end of the description (no line after its `c=`).
  if (pending) {
    const last = out.length > 0 && out[out.length - 1] === '' ? out.length - 1 : out.length;
    out.splice(last, 0, ...bandwidth);
  }
  return out.join(eol);
}
