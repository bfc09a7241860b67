/**
 * Where a link's open time goes: wraps `createPeerConnection` so every RTCPeerConnection records
 * when it passed each milestone of its setup, on the shared clock (packet.ts `nowMs`):
 * created, first description applied (an offer made or received), negotiation done (`stable`
 * with a remote description), ICE `checking`, ICE `connected`, DTLS `connected`
 * (`connectionState`), and both data channels `open`. It only adds listeners (the mesh's own
 * `on*` handlers are untouched) and reads a state or two per event; the baseline is traced the
 * same way, so both pay the same.
 */
import wrtc from '@roamhq/wrtc';
import type { CreatePeerConnection } from '@tickmesh/netcode';
import { nowMs } from './packet.ts';

export const MILESTONES = [
  'created',
  'described',
  'negotiated',
  'iceChecking',
  'iceConnected',
  'dtlsConnected',
  'channelsOpen',
] as const;
export type Milestone = (typeof MILESTONES)[number];

/** One RTCPeerConnection's milestones (shared-clock ms; NaN when never reached). */
export type PcTrace = Record<Milestone, number>;

export interface Tracer {
  createPeerConnection: CreatePeerConnection;
  /** Marks `pc`'s channels open if they are (for a link the mesh saw open before any event said so). */
  markOpen(pc: RTCPeerConnection): void;
  /** Traces of every RTCPeerConnection created since the last `take`; clears them. */
  take(): PcTrace[];
}

/** Traces `pc` into `trace`; `channelsOpen` is set by {@link traceChannels}. */
export function tracePc(pc: RTCPeerConnection, trace: PcTrace): void {
  const once = (milestone: Milestone) => {
    if (Number.isNaN(trace[milestone])) trace[milestone] = nowMs();
  };
  pc.addEventListener('signalingstatechange', () => {
    if (pc.signalingState === 'have-local-offer' || pc.signalingState === 'have-remote-offer') once('described');
    if (pc.signalingState === 'stable' && pc.remoteDescription) once('negotiated');
  });
  pc.addEventListener('iceconnectionstatechange', () => {
    if (pc.iceConnectionState === 'checking') once('iceChecking');
    if (pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed') once('iceConnected');
  });
  pc.addEventListener('connectionstatechange', () => {
    if (pc.connectionState === 'connected') once('dtlsConnected');
  });
}

/**
 * Sets `channelsOpen` once every channel passed is open. @roamhq/wrtc sometimes never dispatches
 * `open` for one of two negotiated channels (its `readyState` does turn `open`), so every event
 * checks every channel's `readyState`; {@link markChannelsOpen} catches the rest.
 */
export function traceChannels(channels: readonly RTCDataChannel[], trace: PcTrace): void {
  for (const channel of channels) channel.addEventListener('open', () => markChannelsOpen(channels, trace));
}

/** Sets `channelsOpen` now if every channel is open and it is not set yet; true once it is set. */
export function markChannelsOpen(channels: readonly RTCDataChannel[], trace: PcTrace): boolean {
  if (Number.isNaN(trace.channelsOpen) && channels.every((c) => c.readyState === 'open')) trace.channelsOpen = nowMs();
  return !Number.isNaN(trace.channelsOpen);
}

export function emptyTrace(): PcTrace {
  const trace = {} as PcTrace;
  for (const milestone of MILESTONES) trace[milestone] = Number.NaN;
  trace.created = nowMs();
  return trace;
}

/**
 * A `createPeerConnection` over @roamhq/wrtc that traces each connection it makes, including its
 * data channels (it wraps `createDataChannel` to see them open; the mesh creates two per link).
 */
export function createTracer(channelsPerPc: number): Tracer {
  let traces: PcTrace[] = [];
  const byPc = new WeakMap<RTCPeerConnection, { trace: PcTrace; channels: RTCDataChannel[] }>();
  return {
    createPeerConnection(config) {
      const pc = new wrtc.RTCPeerConnection(config);
      const trace = emptyTrace();
      traces.push(trace);
      tracePc(pc, trace);
      const channels: RTCDataChannel[] = [];
      byPc.set(pc, { trace, channels });
      const create = pc.createDataChannel.bind(pc);
      pc.createDataChannel = (label, init) => {
        const channel = create(label, init);
        channels.push(channel);
        if (channels.length === channelsPerPc) traceChannels(channels, trace);
        return channel;
      };
      return pc;
    },
    markOpen(pc) {
      const traced = byPc.get(pc);
      if (traced) markChannelsOpen(traced.channels, traced.trace);
    },
    take() {
      const taken = traces;
      traces = [];
      return taken;
    },
  };
}
