/**
 * `@tickmesh/netcode`: the library a browser game imports. This release holds the transport:
 * the lobby client (protocol v1) and the WebRTC mesh with unreliable and reliable channels.
 * Sync (fixed tick, prediction, interpolation) and voice follow; see docs/design.md.
 */
export * from '@tickmesh/protocol';
export {
  type DecodedFrame,
  type DecodeFailure,
  decodeFrame,
  encodeFrame,
  FRAME_HEADER_BYTES,
  FRAME_VERSION,
  MAX_RELIABLE_FRAME_BYTES,
  MAX_UNRELIABLE_FRAME_BYTES,
} from './codec/frame.js';
export {
  createLobbyClient,
  type LobbyClient,
  type LobbyClientOptions,
  type LobbyEvents,
  type LobbyFailureCode,
  type LobbyResult,
  type LobbySocket,
  type LobbySocketFactory,
  type LobbyStatus,
} from './signaling/lobby-client.js';
export { type CandidateType, type LinkStats, LossCounter } from './stats/link-stats.js';
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
export type { ChannelKind, CreatePeerConnection, LinkState } from './transport/link.js';
export {
  createMemoryNetwork,
  type MemoryCounters,
  type MemoryNetwork,
  MemoryNetworkError,
  type MemoryNetworkOptions,
  type MemoryTransport,
} from './transport/memory.js';
export {
  createMesh,
  type Mesh,
  type MeshCounters,
  type MeshEvents,
  type MeshOptions,
  type MeshTuning,
  meshDefaults,
  type SendOptions,
} from './transport/mesh.js';
export {
  type Transport,
  TransportError,
  type TransportMessage,
  type TransportSendOptions,
} from './transport/transport.js';
export { createEmitter, type Emitter } from './util/emitter.js';
export { type Logger, silentLogger } from './util/logger.js';
export { createRandom, normalSample, type Random } from './util/random.js';
export { createSimClock, type SimClock } from './util/sim-clock.js';
export { realTimers, type Timers } from './util/timers.js';
