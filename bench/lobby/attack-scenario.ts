/**
 * The attack scenario: does the lobby keep relaying honest signals while 100 hostile connections
 * throw the mix of attack-mix.ts at it?
 *
 * One tickmesh server with every limit at its default, run with `--trust-proxy` so that each
 * connection counts as the address it names in `X-Forwarded-For` (bench-addresses.ts; only
 * 127.0.0.1 is ever connected to): honest clients one address each, as different players are;
 * attackers a few shared addresses. Honest load: `honestClients` in rooms of 2, each signalling
 * its mate at a fixed, evenly spaced rate within the default per-connection limits, every n-th
 * signal SDP-sized, each with a sequence number: both windows offer exactly the same honest load.
 *
 * Two windows on the same server and the same honest connections, equally long: first without
 * attackers (baseline), then with the attacker process (attacker.ts) playing the whole mix from
 * the start of the warm-up to the end of the measured window. The attack stops before the honest
 * signals drain, so a signal counts as lost only if it never arrives, not while the attack still
 * delays it. Honest figures: delivered msg/s and one-way latency of the deliveries within the
 * measured window, lost signals (in flight after the drain, or skipped in a sequence), errors and
 * closes. Server figures: its CPU and RSS, and its own /metrics account of every refusal.
 *
 * Unsound (in `problems`): honest clients that could not connect or form rooms, honest failures
 * without any attacker (the honest load itself would break a limit), an attack that never
 * connected, a /metrics that could not be read. What honest clients suffer under attack is the
 * result, not a problem.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { defaultConfig } from '@tickmesh/lobby-server';
import type { AttackRole } from './attack-mix.ts';
import type { AttackerCommand, AttackerReport, AttackSettings } from './attacker-protocol.ts';
import { HONEST_BASE } from './bench-addresses.ts';
import { type ChildPool, startChildren } from './child-ipc.ts';
import { shareOf } from './generator-pool.ts';
import { runWindow } from './measure-window.ts';
import { rssKiB } from './proc-stats.ts';
import { type Context, type LatencyResult, latencyOf } from './scenarios.ts';
import { type Samples, type ServerView, scrape, viewOf } from './server-metrics.ts';
import { type ServerProcess, startServer } from './server-process.ts';
import { problemsOf, sumReports } from './stats.ts';

/** Every limit at its default: the honest load needs no more than a real player. */
export const ATTACK_FLAGS: readonly string[] = ['--trust-proxy'];

const GROUP = 'honest';
const ROOM_SIZE = 2;
/** After every client has gone, how long the server may take to see the last closes. */
const SETTLE_MS = 1_000;

/** One window, with or without attackers. */
export interface AttackWindow {
  honest: LatencyResult;
  /** Honest signals that never arrived (after the drain): `dropped` plus `undelivered`. */
  lost: number;
  /** Of them, signals the server dropped: gaps before a later signal from the same sender arrived. */
  dropped: number;
  /** Of them, signals with no later one arrived either: still queued somewhere, or dropped at the end. */
  undelivered: number;
  /** CPU of the attacker process in the measured window (% of a core). */
  attackerCpuPctOfCore: number;
  serverRssBeforeKiB: number;
  serverRssAfterKiB: number;
  /**
   * The server's /metrics from the start of the warm-up until the attack stopped and the server
   * answered (after any backlog); null when it could not be read.
   */
  server: ServerView | null;
}

export interface AttackResult {
  honestClients: number;
  honestRatePerClientPerS: number;
  honestSdpEvery: number;
  offeredPerS: number;
  measureMs: number;
  drainTimeoutMs: number;
  /** The server's defaults the attackers pace themselves by. */
  serverRatePerS: number;
  serverBurst: number;
  baseline: AttackWindow;
  underAttack: AttackWindow;
  attacks: AttackerReport;
  /**
   * Open connections the server still counted once every client, honest and hostile, had gone:
   * 0 expected. Null when /metrics could not be read.
   */
  connectionsAfterAll: number | null;
}

const attackerEntry = fileURLToPath(new URL('./attacker.ts', import.meta.url));

/** The server's /metrics, or null (and the reason in `problems`: the report would lack the server's count). */
async function scrapeOrNull(server: ServerProcess, problems: string[]): Promise<Samples | null> {
  if (server.metricsUrl === null) return null;
  try {
    return await scrape(server.metricsUrl);
  } catch (error) {
    problems.push(`attack scenario: /metrics not read: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}

/** Connects the honest clients in rooms of 2, client k of generator i presenting an address of its own. */
async function connectHonest(ctx: Context, server: ServerProcess): Promise<string[]> {
  const { pool, config } = ctx;
  const shares = Array.from({ length: pool.size }, (_, i) =>
    shareOf(config.attack.honestClients, ROOM_SIZE, i, pool.size),
  );
  const firstOf = (i: number) => shares.slice(0, i).reduce((a, b) => a + b, 0);
  const setup = await pool.run((i) => ({
    type: 'connect',
    group: GROUP,
    urls: [server.url],
    clients: shares[i] ?? 0,
    roomSize: ROOM_SIZE,
    concurrency: config.connectConcurrency,
    forwardedForBase: HONEST_BASE + 1 + firstOf(i),
  }));
  return problemsOf('attack scenario honest setup', sumReports(setup));
}

/** One window of the honest load; `attacker` plays the mix through it when given. */
async function measureWindow(
  ctx: Context,
  server: ServerProcess,
  attacker: ChildPool<AttackerCommand, AttackerReport>,
  attack: AttackSettings | null,
  problems: string[],
): Promise<{ window: AttackWindow; report: AttackerReport | null }> {
  const { pool, config } = ctx;
  const { attack: tuning } = config;
  const before = await scrapeOrNull(server, problems);
  const serverRssBeforeKiB = rssKiB(server.pid);
  if (attack) await attacker.run(() => ({ type: 'start', settings: attack }));
  const end: { samples: Samples | null; report: AttackerReport | null; rssKiB: number } = {
    samples: null,
    report: null,
    rssKiB: Number.NaN,
  };
  const window = await runWindow(
    [server.pid],
    pool,
    (i) => ({
      type: 'paced',
      group: GROUP,
      ratePerS: shareOf(tuning.honestClients, ROOM_SIZE, i, pool.size) * tuning.honestRatePerClientPerS,
      sdpEvery: tuning.honestSdpEvery,
    }),
    {
      warmupMs: tuning.warmupMs,
      measureMs: tuning.measureMs,
      drainTimeoutMs: tuning.drainTimeoutMs,
      sidePids: attacker.pids,
      // The attack lasts exactly the warm-up and the window; the server's counts, read after, also
      // cover the backlog of attack frames it still had to get through.
      async afterMeasure() {
        end.rssKiB = rssKiB(server.pid);
        if (attack) end.report = (await attacker.run(() => ({ type: 'stop' })))[0] ?? null;
        end.samples = await scrapeOrNull(server, problems);
      },
    },
  );
  const honest = latencyOf([window], tuning.honestClients * tuning.honestRatePerClientPerS);
  return {
    window: {
      honest,
      // A dropped signal never arrives either: it is in flight for good, and also a gap.
      lost: honest.totals.inFlight,
      dropped: honest.totals.seqGaps,
      undelivered: honest.totals.inFlight - honest.totals.seqGaps,
      attackerCpuPctOfCore: window.sideCpuPctOfCore,
      serverRssBeforeKiB,
      serverRssAfterKiB: end.rssKiB,
      server: before && end.samples ? viewOf(before, end.samples) : null,
    },
    report: end.report,
  };
}

/** Runs the scenario with the whole mix, or with only the attacks named in `only`. */
export async function measureUnderAttack(
  ctx: Context,
  only?: readonly AttackRole[],
): Promise<{ result: AttackResult | null; problems: string[]; warnings: string[] }> {
  const { config, log } = ctx;
  const tuning = config.attack;
  const problems: string[] = [];
  const warnings: string[] = [];
  const server = await startServer('tickmesh', { ...ctx.serverOptions, flags: ATTACK_FLAGS });
  const attacker = startChildren<AttackerCommand, AttackerReport>(attackerEntry, 1);
  try {
    const rate = `${tuning.honestRatePerClientPerS}/s each`;
    log(`under attack: ${tuning.honestClients} honest clients in rooms of ${ROOM_SIZE}, ${rate}, on ${server.url}`);
    problems.push(...(await connectHonest(ctx, server)));
    if (problems.length > 0) return { result: null, problems, warnings };
    await attacker.run(() => ({ type: 'ready' }));
    log('  baseline: no attackers');
    const baseline = await measureWindow(ctx, server, attacker, null, problems);
    log('  under attack: the hostile mix');
    const settings: AttackSettings = {
      url: server.url,
      ratePerS: defaultConfig.rateLimitPerS,
      burst: defaultConfig.rateBurst,
      connectsPerSlotPerS: tuning.connectsPerSlotPerS,
      churnOpensPerSlotPerS: tuning.churnOpensPerSlotPerS,
      churnHoldMs: tuning.churnHoldMs,
      ...(only ? { only } : {}),
    };
    const attacked = await measureWindow(ctx, server, attacker, settings, problems);
    problems.push(...problemsOf('attack scenario baseline (no attackers)', baseline.window.honest.totals));
    const attacks = attacked.report ?? { durationMs: 0, roles: {} };
    const connects = Object.values(attacks.roles).reduce((n, role) => n + role.connects, 0);
    if (connects === 0) problems.push('attack scenario: no attacker connection was ever upgraded');
    for (const [name, window] of [
      ['baseline', baseline.window],
      ['under attack', attacked.window],
    ] as const) {
      const other = window.honest.otherCpuPctOfCore;
      if (other > config.maxOtherCpuPctOfCore) {
        warnings.push(`attack scenario ${name}: other processes used ${other.toFixed(0)}% of a core`);
      }
    }
    // Whatever the honest clients still suffered after the attack window is part of its result.
    await ctx.pool.run(() => ({ type: 'disconnect', group: GROUP }));
    await sleep(SETTLE_MS);
    const last = await scrapeOrNull(server, problems);
    const connectionsAfterAll = last && (last.get('tickmesh_lobby_connections') ?? Number.NaN);
    return {
      result: {
        honestClients: tuning.honestClients,
        honestRatePerClientPerS: tuning.honestRatePerClientPerS,
        honestSdpEvery: tuning.honestSdpEvery,
        offeredPerS: tuning.honestClients * tuning.honestRatePerClientPerS,
        measureMs: tuning.measureMs,
        drainTimeoutMs: tuning.drainTimeoutMs,
        serverRatePerS: defaultConfig.rateLimitPerS,
        serverBurst: defaultConfig.rateBurst,
        baseline: baseline.window,
        underAttack: attacked.window,
        attacks,
        connectionsAfterAll,
      },
      problems,
      warnings,
    };
  } finally {
    await attacker.close();
    await server.stop();
  }
}
