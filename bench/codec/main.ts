/**
 * `npm run bench:codec [-- --json] [--quick] [--seed N]`: the snapshot delta codec on the issue's
 * arena snapshot (arena.ts) against @colyseus/schema, msgpackr and JSON (candidates.ts), in one
 * process, on the same seeded worlds: bytes and encode + decode rate for a full snapshot, a delta
 * where everything moved and a delta where 2 players moved.
 *
 * Prints a table with the targets, or with `--json` one JSON object on stdout (progress goes to
 * stderr; use `npm run -s bench:codec -- --json` to keep npm's banner off stdout). Exits 1 when a
 * codec decodes something other than what it encoded; missed targets are reported, not failed.
 * Pure computation: no network, so no network namespace.
 */
import { parseArgs } from 'node:util';
import { arenaScenarios, PLAYER_COUNT, PROJECTILE_COUNT } from './arena.ts';
import { candidates } from './candidates.ts';
import { measureRates, type Prepared, type Rate, type RateConfig } from './measure.ts';
import { type CellResult, evaluateTargets, type Results, renderTable } from './report.ts';

const HELP = `usage: npm run bench:codec -- [--json] [--quick] [--seed N]
  --json     print the results as one JSON object on stdout (use \`npm run -s\`)
  --quick    shorter samples, for a smoke run
  --seed N   seed of the arena's PRNG (default 1)`;

const log = (line: string) => process.stderr.write(`${line}\n`);

function main(): number {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      seed: { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    log(HELP);
    return 0;
  }
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
  const rate: RateConfig = values.quick
    ? { warmupMs: 30, sampleMs: 40, samples: 3 }
    : { warmupMs: 300, sampleMs: 100, samples: 11 };
  const scenarios = arenaScenarios(seed);
  const results: Results = {};
  const problems: string[] = [];
  for (const scenario of scenarios) {
    log(`${scenario.name}: ${candidates.map((c) => c.name).join(', ')}`);
    const prepared = candidates.map((candidate) => candidate.prepare(scenario));
    const rates = measureRates(
      prepared.map((p) => p.run),
      rate,
    );
    const row: Record<string, CellResult> = {};
    candidates.forEach((candidate, i) => {
      const p = prepared[i] as Prepared;
      if (p.problem !== null) problems.push(`${scenario.name}: ${p.problem}`);
      row[candidate.name] = { bytes: p.bytes, parts: p.parts, problem: p.problem, ...(rates[i] as Rate) };
    });
    results[scenario.name] = row;
  }
  if (values.json) {
    const config = {
      seed,
      quick: values.quick,
      players: PLAYER_COUNT,
      projectiles: PROJECTILE_COUNT,
      rate,
    };
    const output = { config, node: process.version, results, targets: evaluateTargets(results), problems };
    process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
  } else {
    process.stdout.write(`${renderTable(scenarios, candidates, results)}\n`);
    process.stdout.write(
      '* shared record structures grow as packets are sent: valid only on an ordered, reliable channel.\n' +
        'Only tickmesh and @colyseus/schema send deltas; the others send the whole state each time.\n',
    );
    for (const problem of problems) process.stdout.write(`UNSOUND: ${problem}\n`);
  }
  return problems.length > 0 ? 1 : 0;
}

try {
  process.exitCode = main();
} catch (error: unknown) {
  log(`bench:codec: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
}
