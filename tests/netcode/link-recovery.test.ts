// The link's recovery policy alone, on a manual clock with a scripted RTCPeerConnection: ICE
// restarts after a disconnect, recovery, and the bounded time before a link is reported failed.
// (Real WebRTC runs in mesh-node.test.ts; a real network drop cannot be staged on loopback.)
import type { LinkState, Timers } from '@tickmesh/netcode';
import { silentLogger } from '@tickmesh/netcode/testing';
import { describe, expect, it } from 'vitest';
import { createLink } from '../../packages/netcode/src/transport/link.js';
import type { LinkSignal } from '../../packages/netcode/src/transport/signal.js';
import { waitFor } from '../helpers/wait.js';

function manualTimers() {
  let now = 0;
  let nextId = 1;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const timers: Timers = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = nextId++;
      pending.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (id) => {
      pending.delete(id as number);
    },
    setInterval: () => 0,
    clearInterval: () => {},
  };
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = [...pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      pending.delete(due[0]);
      now = due[1].at;
      due[1].fn();
    }
    now = until;
  };
  return { timers, advance };
}

class ScriptedChannel {
  readyState: RTCDataChannelState = 'connecting';
  binaryType = 'blob';
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onmessage: ((e: MessageEvent) => void) | null = null;
}

class ScriptedPeerConnection {
  iceConnectionState: RTCIceConnectionState = 'new';
  signalingState: RTCSignalingState = 'stable';
  localDescription: { type: RTCSdpType; sdp: string } | null = null;
  remoteDescription: unknown = null;
  offers: RTCOfferOptions[] = [];
  channels: ScriptedChannel[] = [];
  onnegotiationneeded: (() => void) | null = null;
  onicecandidate: unknown = null;
  oniceconnectionstatechange: (() => void) | null = null;
  onsignalingstatechange: (() => void) | null = null;
  ontrack: unknown = null;
  closed = false;
  createDataChannel() {
    const channel = new ScriptedChannel();
    this.channels.push(channel);
    return channel;
  }
  async createOffer(options: RTCOfferOptions = {}) {
    this.offers.push(options);
    return { type: 'offer' as const, sdp: `offer ${this.offers.length}` };
  }
  async setLocalDescription(d: { type: RTCSdpType; sdp: string }) {
    this.localDescription = d;
    this.signalingState = 'have-local-offer';
  }
  close() {
    this.closed = true;
  }
  /** Test controls. */
  ice(state: RTCIceConnectionState) {
    this.iceConnectionState = state;
    this.oniceconnectionstatechange?.();
  }
  open() {
    for (const c of this.channels) {
      c.readyState = 'open';
      c.onopen?.();
    }
  }
}

/** A link on a scripted connection; `connected` (default) brings ICE up and opens both channels. */
function setup({ initiator = true, connected = true } = {}) {
  const { timers, advance } = manualTimers();
  const pc = new ScriptedPeerConnection();
  const states: LinkState[] = [];
  const signals: LinkSignal[] = [];
  const link = createLink({
    remoteId: 'bob',
    sid: 'sid1',
    initiator,
    polite: !initiator,
    rtcConfig: {},
    createPeerConnection: () => pc as unknown as RTCPeerConnection,
    sendSignal: (s) => signals.push(s),
    onState: (s) => states.push(s),
    onMessage: () => {},
    timers,
    logger: silentLogger,
    connectTimeoutMs: 15_000,
    disconnectedGraceMs: 2_000,
    recoverTimeoutMs: 10_000,
  });
  if (connected) {
    pc.ice('connected');
    pc.open();
  }
  return { link, pc, states, signals, advance };
}

/** The link's offer is made and sent in a promise chain: wait for it to reach `sendSignal`. */
const offerSent = (signals: LinkSignal[]) =>
  waitFor(() => signals.some((s) => s.description?.type === 'offer'), 'the ICE restart offer sent');

describe('link recovery', () => {
  it('is connected once ICE is connected and both channels are open', () => {
    const { link, states } = setup();
    expect(link.state).toBe('connected');
    expect(states).toEqual(['connected']);
  });

  it('restarts ICE after the disconnected grace and recovers', async () => {
    const { link, pc, states, signals, advance } = setup();
    pc.ice('disconnected');
    expect(link.state).toBe('reconnecting');
    advance(1_999);
    expect(pc.offers).toEqual([]);
    advance(1);
    await offerSent(signals);
    expect(pc.offers).toEqual([{ iceRestart: true }]);
    expect(signals.at(-1)).toMatchObject({ sid: 'sid1', description: { type: 'offer' } });
    pc.ice('connected');
    expect(link.state).toBe('connected');
    advance(60_000);
    expect(states).toEqual(['connected', 'reconnecting', 'connected']);
  });

  it('does not restart when ICE comes back on its own within the grace', () => {
    const { link, pc, advance } = setup();
    pc.ice('disconnected');
    advance(1_000);
    pc.ice('connected');
    advance(60_000);
    expect(pc.offers).toEqual([]);
    expect(link.state).toBe('connected');
  });

  it('restarts at once on failed, and reports failed when nothing recovers in time', async () => {
    const { link, pc, states, signals, advance } = setup();
    pc.ice('failed');
    await offerSent(signals);
    expect(pc.offers).toEqual([{ iceRestart: true }]);
    advance(9_999);
    expect(link.state).toBe('reconnecting');
    advance(1);
    expect(link.state).toBe('failed');
    expect(pc.closed).toBe(true);
    expect(states).toEqual(['connected', 'reconnecting', 'failed']);
  });

  it('reports failed at once when the other side closes the data channels', () => {
    const { link, pc, states } = setup();
    const channel = pc.channels[1];
    if (!channel) throw new Error('no reliable channel');
    channel.readyState = 'closed';
    channel.onclose?.();
    expect(link.state).toBe('failed');
    expect(pc.closed).toBe(true);
    expect(states).toEqual(['connected', 'failed']);
  });

  it('reports failed when a new link never connects', () => {
    const { pc, states, advance } = setup({ initiator: false, connected: false });
    pc.ice('checking');
    advance(15_000);
    expect(states).toEqual(['failed']);
  });
});
