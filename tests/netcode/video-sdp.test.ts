// The inbound video cap in our own SDP (transport/video-sdp.ts): `b=AS` and `b=TIAS` on every video
// section where RFC 4566 puts them (after `c=`, before `a=`), replacing any there, and nothing
// else touched; and the camera's count of inbound video over that cap (camera/inbound-cap.ts).
// Chromium holding a sender to it: tests/browser/video-cap-chromium.test.ts.
import { describe, expect, it } from 'vitest';
import { createInboundCap } from '../../packages/netcode/src/camera/inbound-cap.js';
import { withVideoBandwidth } from '../../packages/netcode/src/transport/video-sdp.js';

const sdp = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 0.0.0.0',
  'a=rtpmap:111 opus/48000/2',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97',
  'c=IN IP4 0.0.0.0',
  'b=AS:2000',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=rtpmap:96 VP8/90000',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 0.0.0.0',
  'a=sctp-port:5000',
  '',
].join('\r\n');

describe('withVideoBandwidth', () => {
  it('caps every video section after its c= line, replacing its b= lines, and nothing else', () => {
    const lines = withVideoBandwidth(sdp, 150_000).split('\r\n');
    const video = lines.indexOf('m=video 9 UDP/TLS/RTP/SAVPF 96 97');
    expect(lines.slice(video, video + 5)).toEqual([
      'm=video 9 UDP/TLS/RTP/SAVPF 96 97',
      'c=IN IP4 0.0.0.0',
      'b=AS:150',
      'b=TIAS:150000',
      'a=rtcp:9 IN IP4 0.0.0.0',
    ]);
    expect(lines.filter((l) => l.startsWith('b='))).toEqual(['b=AS:150', 'b=TIAS:150000']);
    expect(lines.length).toBe(sdp.split('\r\n').length + 1);
    expect(lines.at(-1)).toBe('');
  });

  it('caps a video section with no line after its c= line, and a second video section', () => {
    const two = 'v=0\nm=video 9 RTP/SAVPF 96\nc=IN IP4 0.0.0.0\na=mid:1\nm=video 9 RTP/SAVPF 96\nc=IN IP4 0.0.0.0';
    expect(withVideoBandwidth(two, 64_000)).toBe(
      'v=0\nm=video 9 RTP/SAVPF 96\nc=IN IP4 0.0.0.0\nb=AS:64\nb=TIAS:64000\na=mid:1\n' +
        'm=video 9 RTP/SAVPF 96\nc=IN IP4 0.0.0.0\nb=AS:64\nb=TIAS:64000',
    );
  });

  it('leaves a description without video alone', () => {
    const audioOnly = 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nb=AS:64\r\n';
    expect(withVideoBandwidth(audioOnly, 150_000)).toBe(audioOnly);
  });
});

describe('createInboundCap', () => {
  it('measures each peer’s rate between samples and counts those over the cap by more than the slack', () => {
    const cap = createInboundCap(100_000, 0.5);
    expect(cap.sample('bob', 0, 0)).toBeNull();
    expect(cap.sample('bob', 12_500, 1000)).toBe(100_000); // at the cap
    expect(cap.sample('bob', 31_250, 2000)).toBe(150_000); // at the slack's edge: not counted
    expect(cap.counters.overCap).toBe(0);
    expect(cap.sample('bob', 56_250, 3000)).toBe(200_000);
    expect(cap.counters).toEqual({ overCap: 1, maxBps: 200_000 });
  });

  it('starts a peer again after it is forgotten or its counter goes back (a new link)', () => {
    const cap = createInboundCap(100_000, 0.5);
    cap.sample('bob', 1_000_000, 0);
    cap.forget('bob');
    expect(cap.sample('bob', 0, 500)).toBeNull();
    expect(cap.sample('bob', 5000, 1000)).toBe(80_000);
    expect(cap.sample('bob', 10, 1500)).toBeNull();
    expect(cap.counters.overCap).toBe(0);
  });
});
