/**
 * `npm run bench:lobby [-- --json] [--quick] [--cpu-prof DIR]`: the tickmesh lobby server
 * against a bare `ws` signaling relay (ws-relay.ts), each in its own child process, driven by
 * lean load generator processes (load-generator.ts) over loopback only (scripts/in-netns.js).
 *
 * For each server it measures delivered signals/s and server CPU per signal under a closed-loop
 * load, one-way latency at a fixed paced rate, and RSS per idle identified connection (see
 * scenarios.ts), then prints a table with the targets, or with `--json` one JSON object on stdout
 * (progress always goes to stderr; npm prints its own `> bench:lobby` banner on stdout unless run
 * as `npm run -s bench:lobby -- --json`). Exits 1 when a measurement is unsound (lost or refused
 * signals, failed connections); missed targets and noisy windows (other processes busy on the
 * machine) are reported, not failed.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type BenchConfig, fullConfig, quickConfig } from './bench-config.ts';
import { startGenerators } from './generator-pool.ts';
import { measureNoiseFloor } from './noise-floor.ts';
import { evaluateTargets, renderTable, type ServerResult } from './report.ts';
import { type Context, measureIdle, measureRooms } from './scenarios.ts';
import { checkBuild } from './server-process.ts';

const HELP = `usage: npm run bench:lobby -- [--json] [--quick] [--cpu-prof DIR]
  --json          print the results as one JSON object on stdout (progress stays on stderr;
                  use \`npm run -s\` so npm's own banner stays off stdout)
  --quick         smaller counts and shorter windows, for a smoke run
  --cpu-prof DIR  run both servers with node --cpu-prof, writing .cpuprofile files into DIR`;

const log = (line: string) => process.stderr.write(`${line}\n`);

function checkConfig(config: BenchConfig): void {
  if (config.roomClients % config.roomSize !== 0) throw new Error('roomClients must be a multiple of roomSize');
}

/** Throws when the open-files limit is too low for the idle scenario's sockets in one process. */
function checkFileLimit(config: BenchConfig): void {
  const limit = Number(/^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? Infinity);
  const needed = config.idleClients + 256;
  if (limit < needed) {
    throw new Error(`ulimit -n is ${limit}; the idle scenario needs ${needed} (raise it, e.g. \`ulimit -n 65536\`)`);
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    log(HELP);
    return 0;
  }
  const config = values.quick ? quickConfig : fullConfig;
  checkConfig(config);
  checkFileLimit(config);
  checkBuild(log);
  log('noise floor: 1 ms timer on the idle machine');
  const noise = await measureNoiseFloor(config.noiseFloorMs);
  const pool = startGenerators(config.generators);
  const ctx: Context = { config, pool, serverOptions: { cpuProfDir: values['cpu-prof'] }, log };
  const startedAt = Date.now();
  try {
    const rooms = await measureRooms(ctx);
    const idleOurs = await measureIdle('tickmesh', ctx);
    const idleWs = await measureIdle('ws', ctx);
    const ours: ServerResult = { ...rooms.results.tickmesh, idle: idleOurs.idle };
    const ws: ServerResult = { ...rooms.results.ws, idle: idleWs.idle };
    const problems = [...rooms.problems, ...idleOurs.problems, ...idleWs.problems];
    log(`done in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
    if (values.json) {
      const targets = evaluateTargets(ours, ws);
      const output = { config: { ...config, quick: values.quick }, noise, tickmesh: ours, ws, targets };
      process.stdout.write(`${JSON.stringify({ ...output, problems, warnings: rooms.warnings }, null, 2)}\n`);
    } else {
      process.stdout.write(`${renderTable(ours, ws, config.latencyRatePerS)}\n`);
      process.stdout.write(
        `machine noise floor (idle 1 ms timer): late by p99 ${noise.timerLatenessP99Ms.toFixed(2)} ms, ` +
          `max ${noise.timerLatenessMaxMs.toFixed(1)} ms; hypervisor steal ${noise.stealPct.toFixed(1)}% of CPU\n`,
      );
      for (const warning of rooms.warnings) process.stdout.write(`NOISY: ${warning}\n`);
      for (const problem of problems) process.stdout.write(`UNSOUND: ${problem}\n`);
    }
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
