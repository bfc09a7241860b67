/**
 * Test traffic over any mesh, tickmesh's or the bare @roamhq/wrtc baseline: each peer exposes an
 * `Endpoint`, and runs `runTraffic` on it wherever it lives (this process or a child), all peers
 * on one plan and one clock (packet.ts `nowMs`).
 *
 * A plan sends for `warmupMs + measureMs` from `startAtMs` (each sender offset by its `phaseMs`,
 * so peers' ticks do not coincide, as on separate machines), then listens `drainMs` longer.
 * - Paced (`rateHz` > 0): one broadcast per tick on a fixed grid (open loop); a tick missed
 *   entirely is skipped and counted, never sent late in a burst.
 * - Flood (`rateHz: 'max'`): broadcasts back to back, yielding to the event loop every `burst`
 *   and backing off 1 ms whenever a link refused a frame (the mesh's backpressure).
 * Only packets stamped inside the measured window count for latency and rates; every packet
 * counts for loss (frames taken by links minus packets received, summed over peers).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SampleBuffer } from '../lobby/stats.ts';
import { nowMs } from './packet.ts';

export interface Endpoint {
  readonly id: string;
  /** Links that can carry a packet now. */
  linkCount(): number;
  /** Sends one test packet to every open link; returns how many links took it. */
  broadcast(sentAtMs: number, seq: number): number;
  /** Sets (or with null clears) the handler of received test packets. */
  onPacket(handler: ((from: string, sentAtMs: number) => void) | null): void;
}

export interface TrafficPlan {
  /** Shared-clock time at which sending starts. */
  startAtMs: number;
  /** Packets stamped in the first `warmupMs` count for loss only. */
  warmupMs: number;
  measureMs: number;
  /** How long after sending stops received packets are still counted. */
  drainMs: number;
  /** Broadcasts per second; `'max'` floods; 0 only receives. */
  rateHz: number | 'max';
  /** This peer's offset into the first tick. */
  phaseMs: number;
  /** Flood: broadcasts between yields to the event loop. */
  burst: number;
}

export interface TrafficReport {
  /** `broadcast` calls. */
  broadcasts: number;
  /** Frames links took (sum of `broadcast`'s returns), and frames open links refused. */
  framesTaken: number;
  framesRefused: number;
  /** Frames taken whose stamp is in the measured window. */
  takenInWindow: number;
  /** Test packets received, all of them / stamped in the measured window. */
  received: number;
  receivedInWindow: number;
  /** One-way latency (ms) of each packet received that was stamped in the window. */
  latenciesMs: Float64Array;
  /** How long each `broadcast` call in the window blocked the sender (ms). */
  broadcastMs: Float64Array;
  /** Paced ticks missed entirely (the sender's event loop was that late). */
  skippedTicks: number;
  /** Received messages that were not test packets. */
  unexpected: number;
  /** How late this process's event loop ran over the whole run (Node's 1 ms-resolution monitor). */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function runTraffic(endpoint: Endpoint, plan: TrafficPlan): Promise<TrafficReport> {
  const windowStart = plan.startAtMs + plan.warmupMs;
  const windowEnd = windowStart + plan.measureMs;
  const latencies = new SampleBuffer();
  const broadcastMs = new SampleBuffer();
  const report = {
    broadcasts: 0,
    framesTaken: 0,
    framesRefused: 0,
    takenInWindow: 0,
    received: 0,
    receivedInWindow: 0,
    skippedTicks: 0,
    unexpected: 0,
  };
  endpoint.onPacket((_from, sentAtMs) => {
    const now = nowMs();
    if (Number.isNaN(sentAtMs)) {
      report.unexpected++;
      return;
    }
    report.received++;
    if (sentAtMs >= windowStart && sentAtMs < windowEnd) {
      report.receivedInWindow++;
      latencies.push(now - sentAtMs);
    }
  });

  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  let seq = 0;
  const sendOne = (): number => {
    const links = endpoint.linkCount();
    const at = nowMs();
    const taken = endpoint.broadcast(at, seq++);
    const done = nowMs();
    report.broadcasts++;
    report.framesTaken += taken;
    report.framesRefused += Math.max(0, links - taken);
    if (at >= windowStart && at < windowEnd) {
      report.takenInWindow += taken;
      broadcastMs.push(done - at);
    }
    return links - taken;
  };

  await sleep(plan.startAtMs + plan.phaseMs - nowMs());
  if (plan.rateHz === 'max') {
    while (nowMs() < windowEnd) {
      let refused = 0;
      for (let i = 0; i < plan.burst && refused === 0; i++) refused = sendOne();
      await (refused > 0 ? sleep(1) : nextTurn());
    }
  } else if (plan.rateHz > 0) {
    const periodMs = 1000 / plan.rateHz;
    let due = plan.startAtMs + plan.phaseMs;
    while (due < windowEnd) {
      const now = nowMs();
      if (now >= due + periodMs) {
        const missed = Math.floor((now - due) / periodMs);
        report.skippedTicks += missed;
        due += missed * periodMs;
        continue;
      }
      sendOne();
      due += periodMs;
      await sleep(due - nowMs());
    }
  }
  await sleep(windowEnd + plan.drainMs - nowMs());
  endpoint.onPacket(null);
  loopDelay.disable();
  return {
    ...report,
    latenciesMs: latencies.toArray(),
    broadcastMs: broadcastMs.toArray(),
    // The histogram is in ns and includes the 1 ms resolution itself.
    loopDelayP99Ms: Math.max(0, loopDelay.percentile(99) / 1e6 - 1),
    loopDelayMaxMs: Math.max(0, loopDelay.max / 1e6 - 1),
  };
}
