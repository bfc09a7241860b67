/**
 * One measured window of load: start the load, warm up, read the counters and CPU times at the
 * start and end of the window, stop the load and let signals in flight drain.
 *
 * Server CPU per message = server CPU in the window / signals delivered in it, the server being
 * every process given as one (the nodes of a cluster add up). CPU of "side" processes (the
 * attacker of the attack scenario, a cluster's Redis) is counted apart from the generators' and
 * from the rest of the machine's, which is noise: other processes busy meanwhile.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GeneratorPool } from './generator-pool.ts';
import type { GeneratorCommand, GeneratorReport } from './generator-protocol.ts';
import { cpuTimes, machineBusySeconds, totalCpuSeconds } from './proc-stats.ts';
import { sumReports } from './stats.ts';

/** What one measured window saw. */
export interface WindowMeasure {
  deliveredPerS: number;
  serverCpuUsPerMsg: number;
  serverCpuPctOfCore: number;
  /** The share (%) of the server's CPU time spent in the kernel (socket syscalls, loopback TCP). */
  serverKernelPct: number;
  loadGenCpuPctOfCore: number;
  /** CPU used by every other process on the machine meanwhile (noise; the bench's own included). */
  otherCpuPctOfCore: number;
}

export interface Window {
  measure: WindowMeasure;
  /** CPU of the side processes during the window (% of a core); 0 without any. */
  sideCpuPctOfCore: number;
  latencies: Float64Array[];
  stalls: Float64Array[];
  reports: GeneratorReport[];
}

export interface WindowOptions {
  warmupMs: number;
  measureMs: number;
  /** After load stops, how long signals still in flight may take to arrive before counting as lost. */
  drainTimeoutMs: number;
  /** Processes whose CPU is counted apart (neither generators nor noise). */
  sidePids?: readonly number[];
  /** Runs right after the measured window, before the load stops (e.g. to stop an attack first). */
  afterMeasure?: () => Promise<void>;
}

interface Mark {
  atMs: number;
  serverCpuS: number;
  serverKernelS: number;
  generatorCpuS: number;
  sideCpuS: number;
  machineCpuS: number;
  received: number;
  latencies: Float64Array[];
  stalls: Float64Array[];
}

async function mark(
  serverPids: readonly number[],
  pool: GeneratorPool,
  sidePids: readonly number[],
  recordLatency: boolean,
): Promise<Mark> {
  const atMs = performance.now();
  const cpu = { userS: 0, systemS: 0 };
  for (const pid of serverPids) {
    const times = cpuTimes(pid);
    cpu.userS += times.userS;
    cpu.systemS += times.systemS;
  }
  const generatorCpuS = totalCpuSeconds(pool.pids);
  const sideCpuS = totalCpuSeconds(sidePids);
  const machineCpuS = machineBusySeconds();
  const reports = await pool.run(() => ({ type: 'snapshot', recordLatency }));
  return {
    atMs,
    serverCpuS: cpu.userS + cpu.systemS,
    serverKernelS: cpu.systemS,
    generatorCpuS,
    sideCpuS,
    machineCpuS,
    received: sumReports(reports).received,
    latencies: reports.map((r) => r.latenciesMs),
    stalls: reports.map((r) => r.stallsMs),
  };
}

function measureOf(start: Mark, end: Mark): { measure: WindowMeasure; sideCpuPctOfCore: number } {
  const seconds = (end.atMs - start.atMs) / 1000;
  const delivered = end.received - start.received;
  const serverCpuS = end.serverCpuS - start.serverCpuS;
  const generatorCpuS = end.generatorCpuS - start.generatorCpuS;
  const sideCpuS = end.sideCpuS - start.sideCpuS;
  const otherCpuS = end.machineCpuS - start.machineCpuS - serverCpuS - generatorCpuS - sideCpuS;
  return {
    measure: {
      deliveredPerS: delivered / seconds,
      serverCpuUsPerMsg: (serverCpuS * 1e6) / delivered,
      serverCpuPctOfCore: (100 * serverCpuS) / seconds,
      serverKernelPct: (100 * (end.serverKernelS - start.serverKernelS)) / serverCpuS,
      loadGenCpuPctOfCore: (100 * generatorCpuS) / seconds,
      otherCpuPctOfCore: Math.max(0, (100 * otherCpuS) / seconds),
    },
    sideCpuPctOfCore: (100 * sideCpuS) / seconds,
  };
}

/**
 * Starts `load` on the generators (the same command for each, or generator i's own), warms up,
 * measures one window, stops and drains. `serverPids`: the processes whose CPU is the server's.
 */
export async function runWindow(
  serverPids: readonly number[],
  pool: GeneratorPool,
  load: GeneratorCommand | ((index: number) => GeneratorCommand),
  options: WindowOptions,
): Promise<Window> {
  const sidePids = options.sidePids ?? [];
  const commandFor = typeof load === 'function' ? load : () => load;
  await pool.run(commandFor);
  await sleep(options.warmupMs);
  const recordLatency = commandFor(0).type === 'paced';
  const start = await mark(serverPids, pool, sidePids, recordLatency);
  await sleep(options.measureMs);
  const end = await mark(serverPids, pool, sidePids, false);
  await options.afterMeasure?.();
  const reports = await pool.run(() => ({ type: 'stop', drainTimeoutMs: options.drainTimeoutMs }));
  return { ...measureOf(start, end), latencies: end.latencies, stalls: end.stalls, reports };
}
