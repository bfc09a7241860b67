/**
 * `npm run bench:lobby [-- --json] [--quick] [--scenario S] [--cluster N] [--cpu-prof DIR]`: the
 * tickmesh lobby server against a bare `ws` signaling relay (ws-relay.ts), each in its own child
 * process, driven by lean load generator processes (load-generator.ts) over loopback only
 * (scripts/in-netns.js); then the tickmesh server alone with its default limits, relaying honest
 * signals without and with an attacker process throwing a hostile mix at it (attack-scenario.ts).
 * Only when asked (`--cluster N`, or `--scenario cluster` for 3), a lone node against N nodes on
 * a Redis the bench starts, every signal crossing nodes, and failovers (cluster-scenario.ts).
 *
 * The comparison measures, for each server, delivered signals/s and server CPU per signal under a
 * closed-loop load, one-way latency at a fixed paced rate, and RSS per idle identified connection
 * (see scenarios.ts). The attack scenario measures honest delivered msg/s, latency and lost
 * signals with and without attackers, and what each attack got from the server. It prints tables
 * with the targets, or with `--json` one JSON object on stdout (progress always goes to stderr;
 * npm prints its own `> bench:lobby` banner on stdout unless run as `npm run -s bench:lobby --
 * --json`). Exits 1 when a measurement is unsound (failed connections; lost or refused signals
 * where nothing should refuse them); missed targets and noisy windows (other processes busy on
 * the machine) are reported, not failed.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { defaultConfig } from '@tickmesh/lobby-server';
import { ATTACK_MIX, type AttackRole } from './attack-mix.ts';
import { evaluateAttackTargets, renderAttackTable } from './attack-report.ts';
import { measureUnderAttack } from './attack-scenario.ts';
import { type BenchConfig, fullConfig, quickConfig } from './bench-config.ts';
import { evaluateClusterTargets, renderClusterTable } from './cluster-report.ts';
import { measureCluster } from './cluster-scenario.ts';
import { startGenerators } from './generator-pool.ts';
import { measureNoiseFloor } from './noise-floor.ts';
import { evaluateTargets, renderTable, type ServerResult } from './report.ts';
import { type Context, measureIdle, measureRooms } from './scenarios.ts';
import { checkBuild } from './server-process.ts';
import { signalFrame } from './signal-payload.ts';

const HELP = `usage: npm run bench:lobby -- [--json] [--quick] [--scenario S] [--cluster N] [--attacks A,B] [--cpu-prof DIR]
  --json          print the results as one JSON object on stdout (progress stays on stderr;
                  use \`npm run -s\` so npm's own banner stays off stdout)
  --quick         smaller counts and shorter windows, for a smoke run
  --scenario S    all (default: comparison, then attack), comparison (tickmesh against the ws
                  relay), attack (honest relay without and with attackers), or cluster (a lone
                  node against 3 nodes on Redis, and failovers; needs redis-server)
  --cluster N     the cluster scenario with N nodes (at least 2); implies --scenario cluster
  --attacks A,B   the attack scenario plays only these attacks of the mix (see attack-mix.ts), to
                  see what each costs; default: all of them
  --cpu-prof DIR  run the servers with node --cpu-prof, writing .cpuprofile files into DIR`;

const SCENARIOS = ['all', 'comparison', 'attack', 'cluster'] as const;
type Scenario = (typeof SCENARIOS)[number];
const isScenario = (value: string): value is Scenario => (SCENARIOS as readonly string[]).includes(value);

const log = (line: string) => process.stderr.write(`${line}\n`);

/** The attacks named in `--attacks`; undefined for the whole mix. */
function attacksOf(list: string | undefined): AttackRole[] | undefined {
  if (list === undefined) return undefined;
  const known = new Map<string, AttackRole>(ATTACK_MIX.map((spec) => [spec.role, spec.role]));
  return list.split(',').map((name) => {
    const role = known.get(name.trim());
    if (!role) throw new Error(`--attacks: no attack "${name}" (one of ${[...known.keys()].join(', ')})`);
    return role;
  });
}

/** The scenario `--scenario` and `--cluster` ask for. */
function scenarioOf(named: string, cluster: string | undefined): Scenario {
  if (!isScenario(named)) throw new Error(`--scenario must be one of ${SCENARIOS.join(', ')}`);
  if (cluster === undefined) return named;
  if (named !== 'all' && named !== 'cluster') throw new Error(`--cluster runs the cluster scenario, not ${named}`);
  return 'cluster';
}

/** `config` with the cluster's node count from `--cluster`, if given. */
function withNodes(config: BenchConfig, cluster: string | undefined): BenchConfig {
  if (cluster === undefined) return config;
  const nodes = Number(cluster);
  if (!Number.isInteger(nodes) || nodes < 2) throw new Error('--cluster takes a number of nodes, at least 2');
  return { ...config, cluster: { ...config.cluster, nodes } };
}

function checkConfig(config: BenchConfig): void {
  if (config.roomClients % config.roomSize !== 0) throw new Error('roomClients must be a multiple of roomSize');
  // The attack scenario's honest clients must stay within the server's default limits, as players do.
  const { honestRatePerClientPerS: rate } = config.attack;
  if (rate >= defaultConfig.rateLimitPerS)
    throw new Error(`honest clients must send under ${defaultConfig.rateLimitPerS} msg/s`);
  if (rate * signalFrame('x'.repeat(12), 0, 0, 'sdp').length >= defaultConfig.relayBytesPerS) {
    throw new Error(`honest clients must relay under ${defaultConfig.relayBytesPerS} bytes/s`);
  }
}

/** Throws when the open-files limit is too low for the idle scenario's sockets in one process. */
function checkFileLimit(config: BenchConfig): void {
  const limit = Number(/^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? Infinity);
  const needed = config.idleClients + 256;
  if (limit < needed) {
    throw new Error(`ulimit -n is ${limit}; the idle scenario needs ${needed} (raise it, e.g. \`ulimit -n 65536\`)`);
  }
}

interface Comparison {
  tickmesh: ServerResult;
  ws: ServerResult;
  problems: string[];
  warnings: string[];
}

async function measureComparison(ctx: Context): Promise<Comparison> {
  const rooms = await measureRooms(ctx);
  const idleOurs = await measureIdle('tickmesh', ctx);
  const idleWs = await measureIdle('ws', ctx);
  return {
    tickmesh: { ...rooms.results.tickmesh, idle: idleOurs.idle },
    ws: { ...rooms.results.ws, idle: idleWs.idle },
    problems: [...rooms.problems, ...idleOurs.problems, ...idleWs.problems],
    warnings: rooms.warnings,
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      scenario: { type: 'string', default: 'all' },
      attacks: { type: 'string' },
      cluster: { type: 'string' },
      'cpu-prof': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    log(HELP);
    return 0;
  }
  const scenario = scenarioOf(values.scenario, values.cluster);
  const attacks = attacksOf(values.attacks);
  const config = withNodes(values.quick ? quickConfig : fullConfig, values.cluster);
  checkConfig(config);
  if (scenario === 'all' || scenario === 'comparison') checkFileLimit(config);
  checkBuild(log);
  log('noise floor: 1 ms timer on the idle machine');
  const noise = await measureNoiseFloor(config.noiseFloorMs);
  const pool = startGenerators(config.generators);
  const ctx: Context = { config, pool, serverOptions: { cpuProfDir: values['cpu-prof'] }, log };
  const startedAt = Date.now();
  try {
    const runs = (part: Scenario) => scenario === part || (scenario === 'all' && part !== 'cluster');
    const comparison = runs('comparison') ? await measureComparison(ctx) : null;
    const attack = runs('attack') ? await measureUnderAttack(ctx, attacks) : null;
    const cluster = runs('cluster') ? await measureCluster(ctx) : null;
    const parts = [comparison, attack, cluster];
    const problems = parts.flatMap((part) => part?.problems ?? []);
    const warnings = parts.flatMap((part) => part?.warnings ?? []);
    log(`done in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
    const underAttack = attack?.result ? { ...attack.result, targets: evaluateAttackTargets(attack.result) } : null;
    const clustered = cluster?.result ? { ...cluster.result, targets: evaluateClusterTargets(cluster.result) } : null;
    if (values.json) {
      const compared = comparison && {
        tickmesh: comparison.tickmesh,
        ws: comparison.ws,
        targets: evaluateTargets(comparison.tickmesh, comparison.ws),
      };
      const settings = { ...config, quick: values.quick, scenario, attacks: attacks ?? 'all' };
      const output = { config: settings, noise, ...compared, underAttack, cluster: clustered };
      process.stdout.write(`${JSON.stringify({ ...output, problems, warnings }, null, 2)}\n`);
      return problems.length > 0 ? 1 : 0;
    }
    if (comparison)
      process.stdout.write(`${renderTable(comparison.tickmesh, comparison.ws, config.latencyRatePerS)}\n\n`);
    if (attack?.result) process.stdout.write(`${renderAttackTable(attack.result)}\n\n`);
    if (cluster?.result) {
      process.stdout.write(`${renderClusterTable(cluster.result, config.cluster.latencyRatePerS)}\n\n`);
    }
    process.stdout.write(
      `machine noise floor (idle 1 ms timer): late by p99 ${noise.timerLatenessP99Ms.toFixed(2)} ms, ` +
        `max ${noise.timerLatenessMaxMs.toFixed(1)} ms; hypervisor steal ${noise.stealPct.toFixed(1)}% of CPU\n`,
    );
    for (const warning of warnings) process.stdout.write(`NOISY: ${warning}\n`);
    for (const problem of problems) process.stdout.write(`UNSOUND: ${problem}\n`);
    return problems.length > 0 ? 1 : 0;
  } finally {
    await pool.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    log(`bench:lobby: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  },
);
