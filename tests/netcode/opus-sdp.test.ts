import { describe, expect, it } from 'vitest';
import { withOpusSettings } from '../../packages/netcode/src/transport/opus-sdp.js';

const audioSdp = [
  'v=0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9',
  'a=rtpmap:111 opus/48000/2',
  'a=fmtp:111 minptime=10;useinbandfec=1;usedtx=0',
  'a=rtpmap:63 red/48000/2',
  'a=fmtp:63 111/111',
  'a=rtpmap:9 G722/8000',
  '',
].join('\r\n');

describe('withOpusSettings', () => {
  it('asks for DTX and the bitrate cap on Opus only, overwriting what was there', () => {
    const out = withOpusSettings(audioSdp, 32_000);
    expect(out).toContain('a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1;maxaveragebitrate=32000\r\n');
    expect(out).toContain('a=fmtp:63 111/111\r\n');
    expect(out.split('\r\n')).toHaveLength(audioSdp.split('\r\n').length);
  });

  it('adds an fmtp line to an Opus payload type that has none', () => {
    const sdp = 'm=audio 9 RTP/SAVPF 111\na=rtpmap:111 opus/48000/2\na=sendrecv\n';
    expect(withOpusSettings(sdp, 24_000)).toBe(
      'm=audio 9 RTP/SAVPF 111\na=rtpmap:111 opus/48000/2\na=fmtp:111 usedtx=1;maxaveragebitrate=24000\na=sendrecv\n',
    );
  });

  it('leaves a description without Opus (data channels only) alone', () => {
    const sdp = 'v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n';
    expect(withOpusSettings(sdp, 32_000)).toBe(sdp);
  });
});
