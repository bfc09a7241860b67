/**
 * The baseline: a full mesh of bare @roamhq/wrtc RTCPeerConnections in this process, with no
 * lobby, no framing and no checks. Signaling is direct function calls (offer, answer, trickled
 * candidates handed straight to the other side); each link has the same two pre-negotiated data
 * channels as ours (id 0 unordered with no retransmits, id 1 ordered), the newer peer of a pair
 * offers, and every link starts at once. A packet is 100 raw bytes (packet.ts) sent on every
 * unreliable channel in turn.
 */
import wrtc from '@roamhq/wrtc';
import { barePacketStamp, nowMs, PACKET_BYTES, writeBarePacket } from './packet.ts';
import { emptyTrace, markChannelsOpen, type PcTrace, traceChannels, tracePc } from './pc-trace.ts';
import type { Endpoint } from './traffic.ts';

export interface BareMesh {
  readonly endpoints: readonly Endpoint[];
  /** When setup began, and when the last data channel opened (NaN if not all did in time). */
  readonly startedAtMs: number;
  readonly openAtMs: number;
  /** Every channel open, and one reliable message crossed every link both ways. */
  readonly verified: boolean;
  readonly traces: readonly PcTrace[];
  close(): void;
}

interface Side {
  pc: RTCPeerConnection;
  unreliable: RTCDataChannel;
  reliable: RTCDataChannel;
  trace: PcTrace;
}

function createSide(): Side {
  const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
  const trace = emptyTrace();
  tracePc(pc, trace);
  const unreliable = pc.createDataChannel('unreliable', { negotiated: true, id: 0, ordered: false, maxRetransmits: 0 });
  const reliable = pc.createDataChannel('reliable', { negotiated: true, id: 1, ordered: true });
  unreliable.binaryType = 'arraybuffer';
  reliable.binaryType = 'arraybuffer';
  traceChannels([unreliable, reliable], trace);
  return { pc, unreliable, reliable, trace };
}

/** Offer, answer and trickled candidates between two sides, by direct calls. */
async function negotiate(offerer: RTCPeerConnection, answerer: RTCPeerConnection): Promise<void> {
  const ready = new Map<RTCPeerConnection, Promise<void>>();
  const described = new Map<RTCPeerConnection, () => void>();
  for (const pc of [offerer, answerer]) ready.set(pc, new Promise((resolve) => described.set(pc, resolve)));
  const forward = (from: RTCPeerConnection, to: RTCPeerConnection) => {
    from.onicecandidate = (event) => {
      const candidate = event.candidate;
      if (candidate) void ready.get(to)?.then(() => to.addIceCandidate(candidate));
    };
  };
  forward(offerer, answerer);
  forward(answerer, offerer);
  const offer = await offerer.createOffer();
  await offerer.setLocalDescription(offer);
  await answerer.setRemoteDescription(offer);
  described.get(answerer)?.();
  const answer = await answerer.createAnswer();
  await answerer.setLocalDescription(answer);
  await offerer.setRemoteDescription(answer);
  described.get(offerer)?.();
}

/** Opens a full mesh of `peers`; resolves once every channel is open, or after `timeoutMs`. */
export async function openBareMesh(peers: number, timeoutMs: number): Promise<BareMesh> {
  const startedAtMs = nowMs();
  /** links[i] maps peer j to i's side of the i-j link. */
  const links = Array.from({ length: peers }, () => new Map<number, Side>());
  const sides: Side[] = [];
  const negotiations: Promise<void>[] = [];
  for (let newer = 1; newer < peers; newer++) {
    for (let older = 0; older < newer; older++) {
      const offerer = createSide();
      const answerer = createSide();
      links[newer]?.set(older, offerer);
      links[older]?.set(newer, answerer);
      sides.push(offerer, answerer);
      negotiations.push(negotiate(offerer.pc, answerer.pc));
    }
  }
  const channels = sides.flatMap((s) => [s.unreliable, s.reliable]);
  // Open events set `channelsOpen` (pc-trace.ts); reading `readyState` costs a thread hop in
  // @roamhq/wrtc, so it is polled only every 20 ms, for a side whose open event never came.
  let lastPoll = nowMs();
  const allOpen = () => {
    const poll = nowMs() - lastPoll >= 20;
    if (poll) lastPoll = nowMs();
    return sides.every(
      (s) => !Number.isNaN(s.trace.channelsOpen) || (poll && markChannelsOpen([s.unreliable, s.reliable], s.trace)),
    );
  };
  const deadline = startedAtMs + timeoutMs;
  await Promise.race([Promise.all(negotiations), new Promise((r) => setTimeout(r, timeoutMs))]);
  while (!allOpen() && nowMs() < deadline) await new Promise((r) => setTimeout(r, 2));
  const openAtMs = allOpen() ? Math.max(...sides.map((s) => s.trace.channelsOpen)) : Number.NaN;

  // Prove every link carries data: one reliable message each way.
  let crossed = 0;
  for (const side of sides) {
    side.reliable.onmessage = () => {
      crossed++;
    };
    if (side.reliable.readyState === 'open') side.reliable.send('verify');
  }
  while (crossed < sides.length && nowMs() < deadline + 2_000) await new Promise((r) => setTimeout(r, 2));
  for (const side of sides) side.reliable.onmessage = null;

  const endpoints = links.map((byRemote, self): Endpoint => {
    const packet = new Uint8Array(PACKET_BYTES);
    const unreliable = [...byRemote.values()].map((side) => side.unreliable);
    return {
      id: `bare-${self}`,
      linkCount: () => unreliable.length,
      broadcast(sentAtMs, seq) {
        writeBarePacket(packet, sentAtMs, seq);
        // No readyState or bufferedAmount check: a channel that closed mid-run throws, failing the run.
        for (const channel of unreliable) channel.send(packet);
        return unreliable.length;
      },
      onPacket(handler) {
        for (const [remote, side] of byRemote) {
          side.unreliable.onmessage = handler
            ? (event: MessageEvent) => handler(`bare-${remote}`, barePacketStamp(event.data))
            : null;
        }
      },
    };
  });

  return {
    endpoints,
    startedAtMs,
    openAtMs,
    verified: channels.every((c) => c.readyState === 'open') && crossed === sides.length,
    traces: sides.map((s) => s.trace),
    close() {
      for (const side of sides) side.pc.close();
    },
  };
}
