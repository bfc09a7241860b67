/**
 * Every tuning value of the lobby bench in one place: the full run (`npm run bench:lobby`) and a
 * smaller, shorter smoke run (`--quick`). Units are in the names. Measured time per server is
 * `rounds * measureMs`: 8 s of throughput and 5 s of latency in the full run; the attack scenario
 * measures 10 s without attackers and 10 s with them; the cluster scenario 6 s of throughput and
 * 5 s of latency on each side, then its failovers.
 */
import { availableParallelism } from 'node:os';

/** The attack scenario (attack-scenario.ts; the hostile mix itself is attack-mix.ts). */
export interface AttackConfig {
  /** Honest clients, in rooms of 2, each presenting an address of its own. */
  honestClients: number;
  /** Signals each honest client sends its room mate per second, evenly spaced (server default: 20 msg/s). */
  honestRatePerClientPerS: number;
  /** Every n-th honest signal is SDP-sized (~1.8 KB), the others candidate-sized (~300 B). */
  honestSdpEvery: number;
  /** Both windows, with and without attackers: warm-up (attackers ramp up), then the measured time. */
  warmupMs: number;
  measureMs: number;
  /** After a window, how long honest signals still in flight may take to arrive before counting as lost. */
  drainTimeoutMs: number;
  /** Connections an attacker slot opens per second at most, reconnects included. */
  connectsPerSlotPerS: number;
  /** Churn: connections each churn slot opens per second, each held this long after `welcome`. */
  churnOpensPerSlotPerS: number;
  churnHoldMs: number;
}

/** The cluster scenario (cluster-scenario.ts, cluster-failover.ts). */
export interface ClusterConfig {
  /** Lobby nodes on one Redis (`--cluster N` overrides it); also the members of each room. */
  nodes: number;
  /** Rooms, each with one member on every node; the lone node gets as many, as large. */
  rooms: number;
  /** Throughput: signals each client may have sent and not yet seen delivered (closed loop). */
  windowPerClient: number;
  /** Throughput: measured windows per side, alternating between the lone node and the cluster. */
  throughputRounds: number;
  throughputWarmupMs: number;
  throughputMeasureMs: number;
  /** Latency: total signals per second offered to either side, paced. */
  latencyRatePerS: number;
  latencyRounds: number;
  latencyWarmupMs: number;
  latencyMeasureMs: number;
  /** Each node's room lease (`--lease-ms`, the server's default 1,500): a dead node's rooms wait this long. */
  leaseMs: number;
  /** Failover: rooms whose owner node is killed, one after another (a fresh node replaces each). */
  failovers: number;
  /** Failover: how often the member on a surviving node asks its room for something. */
  failoverProbeEveryMs: number;
  /** Failover: a room that has not answered this long after the kill counts as not taken over. */
  failoverTimeoutMs: number;
}

export interface BenchConfig {
  /**
   * Load generator child processes; a room never spans two of them. One core is left to the
   * server (it is single-threaded): with more busy processes than cores, scheduling delays show
   * up as latency.
   */
  generators: number;
  /** Clients in the throughput and latency scenarios; a multiple of `roomSize`. */
  roomClients: number;
  /** Members per room; each client signals the others in turn. */
  roomSize: number;
  /** Throughput: signals each client may have sent and not yet seen delivered (closed loop). */
  windowPerClient: number;
  /** Throughput: measured windows per server, alternating between the servers. */
  throughputRounds: number;
  throughputWarmupMs: number;
  throughputMeasureMs: number;
  /** Latency: total signals per second offered, paced (open loop) whatever the server does. */
  latencyRatePerS: number;
  /** Latency: measured windows per server, alternating between the servers. */
  latencyRounds: number;
  latencyWarmupMs: number;
  latencyMeasureMs: number;
  /** Idle: identified clients that then send nothing; a multiple of `generators`. */
  idleClients: number;
  /** Idle: wait before each RSS reading, so allocation settles. */
  idleSettleMs: number;
  /** How long to watch the idle machine's timer lateness before anything starts. */
  noiseFloorMs: number;
  /** Connections each generator opens at once while setting up. */
  connectConcurrency: number;
  /** A window during which other processes used more CPU than this (% of a core) is repeated. */
  maxOtherCpuPctOfCore: number;
  /** How many times a noisy window is repeated before it is kept anyway (and flagged). */
  noisyRetries: number;
  /** After load stops, how long signals still in flight may take to arrive before counting as lost. */
  drainTimeoutMs: number;
  attack: AttackConfig;
  cluster: ClusterConfig;
}

export const fullConfig: BenchConfig = {
  generators: Math.max(1, availableParallelism() - 1),
  roomClients: 1_000,
  roomSize: 4,
  windowPerClient: 8,
  throughputRounds: 4,
  throughputWarmupMs: 1_000,
  throughputMeasureMs: 2_000,
  latencyRatePerS: 20_000,
  latencyRounds: 2,
  latencyWarmupMs: 500,
  latencyMeasureMs: 2_500,
  idleClients: 5_000,
  idleSettleMs: 2_000,
  noiseFloorMs: 3_000,
  connectConcurrency: 64,
  maxOtherCpuPctOfCore: 15,
  noisyRetries: 2,
  drainTimeoutMs: 5_000,
  attack: {
    honestClients: 1_000,
    honestRatePerClientPerS: 10,
    honestSdpEvery: 5,
    warmupMs: 2_000,
    measureMs: 10_000,
    drainTimeoutMs: 10_000,
    connectsPerSlotPerS: 20,
    churnOpensPerSlotPerS: 25,
    churnHoldMs: 500,
  },
  cluster: {
    nodes: 3,
    rooms: 200,
    windowPerClient: 8,
    throughputRounds: 5,
    throughputWarmupMs: 1_000,
    throughputMeasureMs: 2_000,
    latencyRatePerS: 5_000,
    latencyRounds: 2,
    latencyWarmupMs: 500,
    latencyMeasureMs: 2_500,
    leaseMs: 1_500,
    failovers: 5,
    failoverProbeEveryMs: 20,
    failoverTimeoutMs: 10_000,
  },
};

export const quickConfig: BenchConfig = {
  ...fullConfig,
  roomClients: 200,
  throughputRounds: 1,
  throughputWarmupMs: 500,
  throughputMeasureMs: 1_500,
  latencyRatePerS: 5_000,
  latencyRounds: 1,
  latencyWarmupMs: 300,
  latencyMeasureMs: 1_000,
  idleClients: 1_000,
  idleSettleMs: 500,
  noiseFloorMs: 1_000,
  attack: { ...fullConfig.attack, honestClients: 200, warmupMs: 1_000, measureMs: 3_000 },
  cluster: {
    ...fullConfig.cluster,
    rooms: 60,
    throughputRounds: 1,
    throughputWarmupMs: 500,
    throughputMeasureMs: 1_500,
    latencyRounds: 1,
    latencyWarmupMs: 300,
    latencyMeasureMs: 1_500,
    failovers: 3,
  },
};
