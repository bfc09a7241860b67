/**
 * `@tickmesh/netcode/testing`: what tests, benchmarks and tools run a game on without a network
 * or a real clock. The in-memory network (the same transport contract as the WebRTC mesh), a
 * simulated clock, a seeded random source, the network conditioner (latency, jitter, loss,
 * duplication, reordering), the sync engine on its own, and a simulated room of engines with a
 * small test game (dots) and the helpers the sync tests and `npm run bench:sync` use.
 */

export {
  createSyncEngine,
  type SyncEngine,
  type SyncEngineOptions,
  type SyncStartOptions,
  type SyncTransport,
} from './sync/engine.js';
export {
  type Dot,
  type DotsEvent,
  type DotsInput,
  type DotsState,
  dotsGame,
  dotsSchema,
  RADIUS,
  SPEED,
} from './testing/dots-game.js';
export {
  createDotsRoom,
  type DotsPeer,
  type DotsRoom,
  dotOf,
  remoteDrawErrors,
  wanderScript,
} from './testing/dots-room.js';
export { createRoom, type Peer, type Room, type RoomOptions, type Script, startAll } from './testing/sim-room.js';
export {
  type ConditionedTransport,
  type ConditionerDeps,
  ConditionerError,
  type ConditionerOptions,
  conditionTransport,
  type JitterDistribution,
  type LinkConditions,
  type LinkCounters,
  type LinkDirection,
  linkConditionDefaults,
} from './transport/conditioner.js';
export {
  createMemoryNetwork,
  type MemoryCounters,
  type MemoryNetwork,
  MemoryNetworkError,
  type MemoryNetworkOptions,
  type MemoryTransport,
} from './transport/memory.js';
export type { Transport, TransportMessage, TransportSendOptions } from './transport/transport.js';
export { type Logger, silentLogger } from './util/logger.js';
export { createRandom, normalSample, type Random } from './util/random.js';
export { createSimClock, type SimClock } from './util/sim-clock.js';
export { realTimers, type Timers } from './util/timers.js';
