/**
 * Turns the results into the targets verdict and the human table (or one JSON object, in main.ts).
 * Targets come from the netcode's goals: an 8-peer mesh open in under 0.6 s, and p99 one-way
 * latency under 2 ms at 60 packets/s per peer (judged on the largest mesh).
 */
import { defaultConfig } from '@tickmesh/lobby-server';
import { count, fixed, renderRows } from '../lobby/table.ts';
import { checkTarget, type TargetResult, verdict } from '../lobby/targets.ts';
import type { SignalCounts } from './agent-protocol.ts';
import type { BaselineResults } from './baseline-scenarios.ts';
import type { MeshResults, SizeResult } from './mesh-scenarios.ts';
import { MILESTONES, type Milestone } from './pc-trace.ts';
import type { TrafficSummary } from './summary.ts';

export const TARGETS = {
  openMs: { peers: 8, below: 600, label: '< 600 ms' },
  p99LatencyMs: { below: 2, label: '< 2 ms' },
} as const;

export function evaluateTargets(mesh: MeshResults): Record<keyof typeof TARGETS, TargetResult> {
  const open = mesh.sizes.find((s) => s.peers === TARGETS.openMs.peers)?.open.medianMs ?? Number.NaN;
  const largest = mesh.sizes.at(-1);
  const p99 = largest?.latency.p99Ms ?? Number.NaN;
  return {
    openMs: checkTarget(`${TARGETS.openMs.peers}-peer mesh open, median (ms)`, TARGETS.openMs, open),
    p99LatencyMs: checkTarget(`${largest?.peers}-peer p99 one-way latency (ms)`, TARGETS.p99LatencyMs, p99),
  };
}

/** The lobby's default rate-limit burst (`rateBurst`): signals one peer can send at once. */
const LOBBY_BURST = defaultConfig.rateBurst;

const signalCounts = (s: SignalCounts | null) => (s ? `${s.total} (${s.descriptions} / ${s.candidates})` : 'n/a');

const MILESTONE_LABELS: Record<Milestone, string> = {
  created: 'RTCPeerConnection created',
  described: 'offer made / received',
  negotiated: 'answer applied (stable)',
  iceChecking: 'ICE checking',
  iceConnected: 'ICE connected',
  dtlsConnected: 'DTLS connected',
  channelsOpen: 'both data channels open',
};

function latencyRows(label: string, pick: (l: TrafficSummary) => string, sizes: SizeResult[], bare: BaselineResults) {
  return [label, ...sizes.map((s) => pick(s.latency)), pick(bare.latency)];
}

export function renderTable(mesh: MeshResults, bare: BaselineResults, rateHz: number): string {
  const targets = evaluateTargets(mesh);
  const sizes = mesh.sizes;
  const largest = sizes.at(-1)?.peers;
  const main: string[][] = [
    ['', ...sizes.map((s) => `tickmesh ${s.peers}`), `bare wrtc ${bare.peers}`, 'target'],
    [
      `mesh open, median of ${bare.open.runsMs.length} (ms)`,
      ...sizes.map((s) => fixed(s.open.medianMs, 0)),
      fixed(bare.open.medianMs, 0),
      verdict(targets.openMs),
    ],
    [
      'mesh open, min / max (ms)',
      ...sizes.map((s) => `${fixed(Math.min(...s.open.runsMs), 0)} / ${fixed(Math.max(...s.open.runsMs), 0)}`),
      `${fixed(Math.min(...bare.open.runsMs), 0)} / ${fixed(Math.max(...bare.open.runsMs), 0)}`,
      '',
    ],
    [
      'links per mesh',
      ...sizes.map((s) => String((s.peers * (s.peers - 1)) / 2)),
      String((bare.peers * (bare.peers - 1)) / 2),
      '',
    ],
    [
      'lobby signals by busiest peer (desc / cand batches)',
      ...sizes.map((s) => signalCounts(s.open.busiestSignals)),
      '',
      `lobby burst ${LOBBY_BURST}`,
    ],
    ['signals dropped by lobby rate limit', ...sizes.map((s) => count(s.open.rateLimitDrops)), '', '0'],
    [
      'other processes CPU during opens (% of a core)',
      ...sizes.map((s) => fixed(s.open.otherCpuPctOfCore, 0)),
      fixed(bare.open.otherCpuPctOfCore, 0),
      '',
    ],
    [...latencyRows(`one-way p50 @${rateHz}/s per peer (ms)`, (l) => fixed(l.p50Ms, 2), sizes, bare), ''],
    [
      ...latencyRows(`one-way p99 @${rateHz}/s per peer (ms)`, (l) => fixed(l.p99Ms, 2), sizes, bare),
      `${verdict(targets.p99LatencyMs)} (${largest} peers)`,
    ],
    [
      ...latencyRows('one-way p99.9 / max (ms)', (l) => `${fixed(l.p999Ms, 2)} / ${fixed(l.maxMs, 1)}`, sizes, bare),
      '',
    ],
    [...latencyRows('packets received / lost', (l) => `${count(l.received)} / ${count(l.lost)}`, sizes, bare), ''],
    [
      ...latencyRows(
        'broadcast blocks sender p50 / p99 (ms)',
        (l) => `${fixed(l.broadcastP50Ms, 2)} / ${fixed(l.broadcastP99Ms, 2)}`,
        sizes,
        bare,
      ),
      '',
    ],
    [
      ...latencyRows(
        'peer event-loop delay p99 / max (ms)',
        (l) => `${fixed(l.loopDelayP99Ms, 1)} / ${fixed(l.loopDelayMaxMs, 1)}`,
        sizes,
        bare,
      ),
      '',
    ],
    [...latencyRows('peer process(es) CPU (% of a core)', (l) => fixed(l.cpu.peersPctOfCore, 0), sizes, bare), ''],
    ['lobby CPU (% of a core)', ...sizes.map((s) => fixed(s.latency.cpu.lobbyPctOfCore, 0)), '', ''],
    [...latencyRows('other processes CPU (% of a core)', (l) => fixed(l.cpu.otherPctOfCore, 0), sizes, bare), ''],
  ];
  const flood = mesh.throughput;
  const floodRows: string[][] = [
    [`flood: 1 peer -> ${flood.peers - 1}, 100 B unreliable`, `tickmesh ${flood.peers}`, `bare wrtc ${bare.peers}`],
    ['frames taken by links /s (sender)', count(flood.takenPerS), count(bare.throughput.takenPerS)],
    ['packets delivered /s (all receivers)', count(flood.deliveredPerS), count(bare.throughput.deliveredPerS)],
    [
      'lost (taken, never received)',
      `${count(flood.lost)} (${fixed(flood.lossPct, 2)}%)`,
      `${count(bare.throughput.lost)} (${fixed(bare.throughput.lossPct, 2)}%)`,
    ],
    ['refused (backpressure)', count(flood.framesRefused), count(bare.throughput.framesRefused)],
    ['broadcast blocks sender p50 (ms)', fixed(flood.broadcastP50Ms, 3), fixed(bare.throughput.broadcastP50Ms, 3)],
    [
      'one-way p50 / p99 under flood (ms)',
      `${fixed(flood.p50Ms, 1)} / ${fixed(flood.p99Ms, 1)}`,
      `${fixed(bare.throughput.p50Ms, 1)} / ${fixed(bare.throughput.p99Ms, 1)}`,
    ],
    [
      'peer process(es) CPU (% of a core)',
      fixed(flood.cpu.peersPctOfCore, 0),
      fixed(bare.throughput.cpu.peersPctOfCore, 0),
    ],
    [
      'other processes CPU (% of a core)',
      fixed(flood.cpu.otherPctOfCore, 0),
      fixed(bare.throughput.cpu.otherPctOfCore, 0),
    ],
  ];
  const phased = sizes.at(-1);
  const phaseRows: string[][] = [
    [
      `${phased?.peers}-peer open, median run: ms after all joined (bare: after start)`,
      'tickmesh p50 / last',
      'bare p50 / last',
    ],
    ...MILESTONES.map((m) => [
      `${MILESTONE_LABELS[m]}${m === 'iceChecking' ? ' (not always reported)' : ''}`,
      `${fixed(phased?.open.phases[m].p50Ms ?? Number.NaN, 0)} / ${fixed(phased?.open.phases[m].lastMs ?? Number.NaN, 0)}`,
      `${fixed(bare.open.phases[m].p50Ms, 0)} / ${fixed(bare.open.phases[m].lastMs, 0)}`,
    ]),
  ];
  return [renderRows(main), renderRows(floodRows), renderRows(phaseRows)].join('\n\n');
}
