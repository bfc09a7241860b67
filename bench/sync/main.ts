/**
 * `npm run bench:sync [-- --json]`: the sync layer's figures, on a simulated clock over the
 * in-memory network with the conditioner (deterministic, no WebRTC, no network namespace).
 *
 * 1. lossy: the dots game of the sync tests, a host and 3 clients, 60 s at 100 ms RTT ± 20 ms,
 *    5% loss, 2% duplication and reordering; inputs stop for the last 10 s. Prints how many
 *    inputs the host stepped as sent, the prediction error once inputs stop, corrections, and how
 *    far remote players are drawn from the truth, beside the naive baseline measured in the same
 *    run (drawing the newest snapshot as it arrives, without interpolation).
 * 2. skirmish: 8 players of a small shooter on the arena schema of bench:codec (projectiles
 *    flying), 60 s at 40 ms RTT ± 5 ms and 1% loss: game data per peer up and down, beside the
 *    naive baseline (each snapshot sent whole as MessagePack, no quantization or delta); and the
 *    same at 4 and 16 players, for how a mesh's upload grows with the room.
 */
import { parseArgs } from 'node:util';
import { syncDefaults } from '@tickmesh/netcode';
import { encodePayload, FRAME_HEADER_BYTES } from '@tickmesh/netcode/internals';
import {
  createDotsRoom,
  createRoom,
  type DotsInput,
  dotOf,
  remoteDrawErrors,
  startAll,
  wanderScript,
} from '@tickmesh/netcode/testing';
import { type SkirmishInput, skirmish } from './skirmish.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);
const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
};
const round = (n: number, digits = 2) => Number(n.toFixed(digits));
const kbit = (kBps: number) => Math.round(kBps * 8.192);
/** Room sizes the skirmish runs at (8 also gives the targets); docs/design.md "Why a mesh" cites them. */
const SCALE_PLAYERS = [4, 8, 16];

function lossy() {
  const ids = ['h', 'a', 'b', 'c'];
  const stopTick = 50 * 60;
  const room = createDotsRoom(
    ids,
    { latencyMs: 50, jitterMs: 20, loss: 0.05, duplicate: 0.02, reorder: 0.02 },
    wanderScript(7, stopTick),
    11,
  );
  startAll(room, 'h');
  const interpolated: number[] = [];
  const naive: number[] = [];
  for (let ms = 0; ms < 60_000; ms += 50) {
    room.clock.advance(50);
    if (ms < 2_000 || ms > 49_000) continue;
    interpolated.push(...remoteDrawErrors(room, 'h'));
    naive.push(...remoteDrawErrors(room, 'h', true));
  }
  const host = room.peers.get('h');
  const clients = ids
    .slice(1)
    .map((id) => room.peers.get(id))
    .filter((p) => p !== undefined);
  let stepped = 0;
  let asSent = 0;
  let predictionError = 0;
  for (const client of clients) {
    for (const [tick, input] of client.sampled) {
      const used: DotsInput | undefined = host?.stepped.get(tick)?.get(client.id);
      if (used === undefined) continue;
      stepped++;
      if (used.dx === input.dx && used.dy === input.dy && used.fire === input.fire) asSent++;
    }
    const mine = dotOf(client.engine.view()?.state, client.id);
    const truth = dotOf(host?.engine.view()?.state, client.id);
    if (mine && truth) predictionError = Math.max(predictionError, Math.hypot(mine.x - truth.x, mine.y - truth.y));
  }
  const stats = clients.map((c) => c.engine.stats());
  return {
    inputsStepped: stepped,
    inputsAsSent: asSent,
    hostInputsLate: host?.engine.stats().inputsLate ?? 0,
    predictionErrorAfterStopPx: predictionError,
    corrections: stats.reduce((sum, s) => sum + s.corrections, 0),
    correctionMaxPx: round(Math.max(...stats.map((s) => s.correctionMax))),
    leadMs: round(stats.reduce((sum, s) => sum + s.tickOffsetMs, 0) / stats.length, 1),
    interpDelayMs: round(stats.reduce((sum, s) => sum + s.interpDelayMs, 0) / stats.length, 1),
    remoteErrorPx: {
      p50: round(percentile(interpolated, 0.5)),
      p99: round(percentile(interpolated, 0.99)),
      max: round(Math.max(...interpolated)),
    },
    naiveRemoteErrorPx: {
      p50: round(percentile(naive, 0.5)),
      p99: round(percentile(naive, 0.99)),
      max: round(Math.max(...naive)),
    },
  };
}

function skirmishRun(players: number) {
  const ids = Array.from({ length: players }, (_, i) => `p${i + 1}`);
  const plans = new Map<string, SkirmishInput>();
  let seed = 17;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const script = (player: string, tick: number): SkirmishInput => {
    let plan = plans.get(player);
    if (plan === undefined || tick % 30 === 0) {
      const axis = () => Math.floor(random() * 3) - 1;
      plan = { dx: axis(), dy: axis(), aim: Math.floor(random() * 256), fire: random() < 0.5 };
      plans.set(player, plan);
    }
    return { ...plan, aim: (plan.aim + (tick % 30)) % 256 };
  };
  const room = createRoom({
    game: skirmish,
    ids,
    conditions: { latencyMs: 20, jitterMs: 5, loss: 0.01 },
    script,
    seed: 5,
    record: false,
  });
  const host = room.peers.get('p1');
  let naiveSnapshotBytes = 0;
  let entitiesSeen = 0;
  let snapshotsCounted = 0;
  const ticksPerSnapshot = syncDefaults.tickRateHz / syncDefaults.snapshotRateHz;
  host?.engine.on('tick', ({ tick, state }) => {
    if (tick % ticksPerSnapshot !== 0) return;
    const plain = [...state].map(([id, e]) => [id, e.kind, e.fields]);
    naiveSnapshotBytes += (encodePayload(plain).length + FRAME_HEADER_BYTES) * (ids.length - 1);
    entitiesSeen += state.size;
    snapshotsCounted++;
  });
  startAll(room, 'p1');
  room.clock.advance(5_000); // warm up
  const at = new Map([...room.peers].map(([id, p]) => [id, { sent: p.bytesSent, received: p.bytesReceived }]));
  naiveSnapshotBytes = 0;
  entitiesSeen = 0;
  snapshotsCounted = 0;
  const seconds = 60;
  room.clock.advance(seconds * 1000);
  const rate = (id: string, key: 'sent' | 'received') => {
    const peer = room.peers.get(id);
    const now = key === 'sent' ? (peer?.bytesSent ?? 0) : (peer?.bytesReceived ?? 0);
    return (now - (at.get(id)?.[key] ?? 0)) / seconds / 1024;
  };
  const clientIds = ids.slice(1);
  const hostStats = host?.engine.stats();
  return {
    players: ids.length,
    meanEntities: round(entitiesSeen / Math.max(1, snapshotsCounted), 1),
    hostUpKBps: round(rate('p1', 'sent')),
    hostDownKBps: round(rate('p1', 'received')),
    clientUpKBpsMax: round(Math.max(...clientIds.map((id) => rate(id, 'sent')))),
    clientDownKBpsMax: round(Math.max(...clientIds.map((id) => rate(id, 'received')))),
    snapshotBytesDeltaAvg: round(hostStats?.snapshotBytesDeltaAvg ?? 0, 1),
    snapshotBytesFullAvg: round(hostStats?.snapshotBytesFullAvg ?? 0, 1),
    naiveHostUpKBps: round(naiveSnapshotBytes / seconds / 1024),
    hostUpPerLinkKBps: round(rate('p1', 'sent') / (ids.length - 1)),
  };
}

function main(): number {
  const { values } = parseArgs({ options: { json: { type: 'boolean', default: false } } });
  log('bench:sync: lossy 4-player game, 60 s simulated...');
  const a = lossy();
  const scale = SCALE_PLAYERS.map((players) => {
    log(`bench:sync: ${players}-player skirmish, 65 s simulated...`);
    return skirmishRun(players);
  });
  const b = scale.find((run) => run.players === 8) ?? skirmishRun(8);
  const targets = [
    {
      name: 'inputs stepped as sent',
      limit: '100%',
      value: `${a.inputsAsSent}/${a.inputsStepped}`,
      pass: a.inputsAsSent === a.inputsStepped,
    },
    {
      name: 'prediction error after inputs stop',
      limit: '< 0.5 px',
      value: `${a.predictionErrorAfterStopPx} px`,
      pass: a.predictionErrorAfterStopPx < 0.5,
    },
    {
      name: `host upload per link (8 players, ${syncDefaults.snapshotRateHz} Hz)`,
      limit: '< 16 KB/s',
      value: `${b.hostUpPerLinkKBps} KB/s`,
      pass: b.hostUpPerLinkKBps < 16,
    },
    {
      name: 'game data per client, up and down',
      limit: '< 16 KB/s',
      value: `${b.clientUpKBpsMax} / ${b.clientDownKBpsMax} KB/s`,
      pass: b.clientUpKBpsMax < 16 && b.clientDownKBpsMax < 16,
    },
  ];
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ node: process.version, lossy: a, skirmish: b, scale, targets }, null, 2)}\n`,
    );
    return 0;
  }
  const rows: [string, string, string][] = [
    ['lossy 4 players: 100 ms RTT ± 20, 5% loss, 2% dup, 2% reorder, 60 s', '', ''],
    [
      '  inputs the host stepped as sent',
      `${a.inputsAsSent} of ${a.inputsStepped}`,
      `copies that arrived after their tick: ${a.hostInputsLate}`,
    ],
    ['  prediction error once inputs stop', `${a.predictionErrorAfterStopPx.toFixed(3)} px`, ''],
    ['  corrections (3 clients, 60 s)', `${a.corrections}`, `largest ${a.correctionMaxPx} px`],
    ['  client lead / interpolation delay', `${a.leadMs} / ${a.interpDelayMs} ms`, ''],
    [
      '  remote draw error p50 / p99 / max',
      `${a.remoteErrorPx.p50} / ${a.remoteErrorPx.p99} / ${a.remoteErrorPx.max} px`,
      `baseline (newest snapshot, no interpolation): ${a.naiveRemoteErrorPx.p50} / ${a.naiveRemoteErrorPx.p99} / ${a.naiveRemoteErrorPx.max} px`,
    ],
    [`skirmish ${b.players} players, ${b.meanEntities} entities on average: 40 ms RTT, 1% loss, 60 s`, '', ''],
    [
      '  host up / down',
      `${b.hostUpKBps} / ${b.hostDownKBps} KB/s`,
      `baseline (whole MessagePack snapshots): ${b.naiveHostUpKBps} KB/s up`,
    ],
    ['  busiest client up / down', `${b.clientUpKBpsMax} / ${b.clientDownKBpsMax} KB/s`, ''],
    ['  host up per link (7 links)', `${b.hostUpPerLinkKBps} KB/s`, ''],
    ['  snapshot bytes, delta / full', `${b.snapshotBytesDeltaAvg} / ${b.snapshotBytesFullAvg} B`, ''],
    ['the skirmish by room size (a mesh: the host uploads to n-1 links, each client to n-1)', '', ''],
    ...scale.map((run): [string, string, string] => [
      `  ${run.players} players: host up / busiest client up`,
      `${run.hostUpKBps} / ${run.clientUpKBpsMax} KB/s`,
      `${kbit(run.hostUpKBps)} / ${kbit(run.clientUpKBpsMax)} kbit/s; ${run.hostUpPerLinkKBps} KB/s per host link, ${run.meanEntities} entities`,
    ]),
  ];
  const w0 = Math.max(...rows.filter((r) => r[1] !== '').map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  for (const [name, value, note] of rows) {
    process.stdout.write(value === '' ? `${name}\n` : `${name.padEnd(w0)}  ${value.padEnd(w1)}  ${note}\n`);
  }
  process.stdout.write('\ntargets\n');
  for (const t of targets)
    process.stdout.write(
      `  ${t.name.padEnd(44)} ${t.limit.padEnd(10)} ${t.value.padEnd(18)} ${t.pass ? 'PASS' : 'MISS'}\n`,
    );
  return 0;
}

try {
  process.exitCode = main();
} catch (error: unknown) {
  log(`bench:sync: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
}
