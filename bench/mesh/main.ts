/**
 * `npm run bench:mesh [-- --json] [--quick] [--peers process|thread] [--cpu-prof DIR]`: the
 * tickmesh mesh (real lobby server in a child process, real lobby client, real mesh over
 * @roamhq/wrtc, our framing) for 2, 4, 6 and 8 peers against bare @roamhq/wrtc, over loopback only
 * (scripts/in-netns.js).
 *
 * It measures the time from all joined to a full mesh open (median of fresh runs), one-way latency
 * of 100-byte unreliable packets at 60 packets/s per peer, and how many packets/s one peer can push
 * to 7 others (mesh-scenarios.ts, baseline-scenarios.ts), then prints a table with the targets, or
 * with `--json` one JSON object on stdout (progress always goes to stderr; use
 * `npm run -s bench:mesh -- --json`). Exits 1 when a measurement is unsound (a mesh that did not
 * open, a link that carried nothing, more packets received than links took, lobby refusals other
 * than its rate limit); missed targets, loss, rate-limit drops and noisy windows are reported, not
 * failed.
 *
 * Where tickmesh peers run (agent-pool.ts):
 * - `process` (default): one child process per peer, as players are on separate machines (the 8
 *   processes share this machine's cores, which inflates latency on a small machine).
 * - `thread`: every peer in this process, like the baseline. @roamhq/wrtc re-gathers ICE
 *   candidates as more RTCPeerConnections are created in a process: 56 in one process send four to
 *   six times the candidates that 8 processes of 7 do, far over the lobby's rate limit (so it is
 *   raised out of the way in this mode, or an 8-peer mesh does not open), and handling them on one
 *   event loop makes the open two to three times slower than in `process` mode.
 * Worker threads are not an option: @roamhq/wrtc aborts the process when a worker creates an
 * RTCPeerConnection.
 */
import { parseArgs } from 'node:util';
import { measureNoiseFloor } from '../lobby/noise-floor.ts';
import { type PeerPlacement, startAgents } from './agent-pool.ts';
import type { Agent } from './agent-protocol.ts';
import { measureBaseline } from './baseline-scenarios.ts';
import { fullConfig, quickConfig } from './bench-config.ts';
import { startLobby } from './lobby-process.ts';
import { measureMesh } from './mesh-scenarios.ts';
import { checkPacketSize } from './packet.ts';
import { evaluateTargets, renderTable } from './report.ts';
import type { Context } from './runs.ts';

const HELP = `usage: npm run bench:mesh -- [--json] [--quick] [--peers process|thread] [--cpu-prof DIR]
  --json            print the results as one JSON object on stdout (progress stays on stderr;
                    use \`npm run -s\` so npm's own banner stays off stdout)
  --quick           two sizes, fewer runs and shorter windows, for a smoke run
  --peers process   every tickmesh peer in its own child process (default)
  --peers thread    every tickmesh peer in this process, like the baseline (lobby rate limit off)
  --cpu-prof DIR    run the lobby and the peer processes with node --cpu-prof, writing
                    .cpuprofile files into DIR`;

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      peers: { type: 'string', default: 'process' },
      'cpu-prof': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    log(HELP);
    return 0;
  }
  if (values.peers !== 'thread' && values.peers !== 'process') {
    log(`--peers ${values.peers}: expected process or thread\n${HELP}`);
    return 2;
  }
  const placement: PeerPlacement = values.peers;
  const config = values.quick ? quickConfig : fullConfig;
  checkPacketSize();
  log('noise floor: 1 ms timer on the idle machine');
  const noise = await measureNoiseFloor(config.noiseFloorMs);
  const startedAt = Date.now();
  const cpuProfDir = values['cpu-prof'];
  const nodeFlags = cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : [];
  const lobby = await startLobby({ rateLimit: placement === 'thread' ? 'off' : 'default', nodeFlags });
  let agents: Agent[] = [];
  try {
    agents = await startAgents(placement, Math.max(...config.meshSizes), nodeFlags);
    const ctx: Context = { config, lobby, agents, log, problems: [], noisy: [], notes: [] };
    const mesh = await measureMesh(ctx);
    const bare = await measureBaseline(ctx, config.throughputPeers);
    log(`done in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
    if (values.json) {
      const output = {
        config: { ...config, quick: values.quick, peers: placement },
        noise,
        mesh,
        bare,
        targets: evaluateTargets(mesh),
      };
      process.stdout.write(
        `${JSON.stringify({ ...output, problems: ctx.problems, noisy: ctx.noisy, notes: ctx.notes }, null, 2)}\n`,
      );
    } else {
      process.stdout.write(`${renderTable(mesh, bare, config.latencyRateHz)}\n\n`);
      process.stdout.write(
        `tickmesh peers: ${placement === 'thread' ? 'all in the bench process, like the baseline (lobby rate limit off)' : 'one child process each (lobby at its defaults)'}\n` +
          `machine noise floor (idle 1 ms timer): late by p99 ${noise.timerLatenessP99Ms.toFixed(2)} ms, ` +
          `max ${noise.timerLatenessMaxMs.toFixed(1)} ms; hypervisor steal ${noise.stealPct.toFixed(1)}% of CPU\n`,
      );
      for (const note of ctx.notes) process.stdout.write(`NOTE: ${note}\n`);
      for (const noisy of ctx.noisy) process.stdout.write(`NOISY: ${noisy}\n`);
      for (const problem of ctx.problems) process.stdout.write(`UNSOUND: ${problem}\n`);
    }
    return ctx.problems.length > 0 ? 1 : 0;
  } finally {
    await Promise.all(agents.map((a) => a.close()));
    await lobby.stop();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    log(`bench:mesh: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  },
);
