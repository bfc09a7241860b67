/**
 * Every tuning value of the mesh bench in one place: the full run (`npm run bench:mesh`) and a
 * short smoke run (`--quick`). Units are in the names. The full run takes about a minute and a
 * half; every wait is bounded.
 */
export interface BenchConfig {
  /** Mesh sizes measured, in order. */
  meshSizes: number[];
  /** Open runs per size (fresh room and peers each); the median is reported. */
  openRuns: number;
  /** A link not open after this long fails the run (the mesh's own connect timeout is 15 s). */
  openTimeoutMs: number;
  /** Latency: broadcasts per second per peer, each to every other peer. */
  latencyRateHz: number;
  latencyWarmupMs: number;
  latencyMeasureMs: number;
  /** Throughput: one peer floods the others of a mesh this size. */
  throughputPeers: number;
  throughputWarmupMs: number;
  throughputMeasureMs: number;
  /** Flood: broadcasts between yields to the event loop. */
  floodBurst: number;
  /** After sending stops, how long packets in flight may take before counting as lost. */
  drainMs: number;
  /** Time for traffic commands to reach every peer before the shared start. */
  startLeadMs: number;
  /** How long to watch the idle machine's timer lateness before anything starts. */
  noiseFloorMs: number;
  /** A traffic window during which other processes used more CPU than this (% of a core) is repeated. */
  maxOtherCpuPctOfCore: number;
  /** How many times a noisy traffic window is repeated before the quietest is kept (and flagged). */
  noisyRetries: number;
}

export const fullConfig: BenchConfig = {
  meshSizes: [2, 4, 6, 8],
  openRuns: 5,
  openTimeoutMs: 10_000,
  latencyRateHz: 60,
  latencyWarmupMs: 500,
  latencyMeasureMs: 4_000,
  throughputPeers: 8,
  throughputWarmupMs: 500,
  throughputMeasureMs: 3_000,
  floodBurst: 16,
  drainMs: 500,
  startLeadMs: 100,
  noiseFloorMs: 3_000,
  maxOtherCpuPctOfCore: 15,
  noisyRetries: 2,
};

export const quickConfig: BenchConfig = {
  ...fullConfig,
  meshSizes: [2, 8],
  openRuns: 2,
  latencyWarmupMs: 200,
  latencyMeasureMs: 1_000,
  throughputWarmupMs: 200,
  throughputMeasureMs: 1_000,
  drainMs: 300,
  noiseFloorMs: 500,
  noisyRetries: 0,
};
