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
  encodePayload,
  FRAME_HEADER_BYTES,
  FRAME_VERSION,
  MAX_FRAME_DEPTH,
  MAX_RELIABLE_FRAME_BYTES,
  MAX_UNRELIABLE_FRAME_BYTES,
  maxFrameBytes,
} from './codec/frame.js';
export { type PlainScanFailure, scanPlain } from './codec/plain-scan.js';
export { createSession, type Session, SessionError, type SessionOptions } from './session.js';
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
  type RoomListPage,
} from './signaling/lobby-client.js';
export { type CandidateType, type LinkStats, LossCounter } from './stats/link-stats.js';
export {
  type ClockEstimate,
  type ClockEstimator,
  type ClockEstimatorOptions,
  type ClockSample,
  createClockEstimator,
} from './sync/clock/clock-estimator.js';
export { type Corrections, copyEntities, createCorrections } from './sync/corrections.js';
export {
  createSyncEngine,
  type SyncEngine,
  type SyncEngineOptions,
  type SyncEvents,
  type SyncStartOptions,
  type SyncStatus,
  type SyncTransport,
  type SyncView,
} from './sync/engine.js';
export { type Entities, type GameDefinition, playerEntityId, type StepContext } from './sync/game.js';
export { createInputLog, type InputLog, type InputPutResult } from './sync/input-log.js';
export {
  createInterpolationBuffer,
  defaultInterpolate,
  type InterpolateEntity,
  type InterpolationBuffer,
} from './sync/interpolation.js';
export { inputsEqual, PacketTag, parsePacket, type SyncPacket } from './sync/packets.js';
export { createRenderClock, type RenderClock, type RenderClockOptions } from './sync/render-clock.js';
export {
  type AppliedSnapshot,
  applySnapshotPart,
  applySnapshotParts,
  type SnapshotApplyFailure,
} from './sync/snapshot/apply.js';
export { type DecodedSnapshotPart, decodeSnapshot, type SnapshotDecodeFailure } from './sync/snapshot/decode.js';
export { type EncodeSnapshotOptions, encodeSnapshot } from './sync/snapshot/encode.js';
export { EntityTable } from './sync/snapshot/entity-table.js';
export {
  type AngleField,
  type AngleUnit,
  type BitsField,
  type BoolField,
  type FieldSpec,
  type FieldValue,
  type FixedField,
  field,
  type IntField,
  type RefField,
  type UintField,
} from './sync/snapshot/fields.js';
export {
  type ChangedEntity,
  type CreatedEntity,
  DEFAULT_SNAPSHOT_PART_BYTES,
  MAX_ENTITIES_PER_PART,
  MAX_SNAPSHOT_PARTS,
  SNAPSHOT_ENVELOPE_BYTES,
  SNAPSHOT_FORMAT_VERSION,
  type SnapshotPart,
} from './sync/snapshot/format.js';
export {
  createSnapshotHistory,
  DEFAULT_SNAPSHOT_HISTORY,
  isTickAfter,
  type SnapshotHistory,
} from './sync/snapshot/history.js';
export {
  createSnapshotReceiver,
  type SnapshotReceipt,
  type SnapshotReceiveFailure,
  type SnapshotReceiver,
  type SnapshotReceiverOptions,
} from './sync/snapshot/receiver.js';
export {
  defineSnapshotSchema,
  type EntityFields,
  type EntityState,
  type KindDefinition,
  MAX_SNAPSHOT_FIELDS,
  MAX_SNAPSHOT_KINDS,
  type QuantizedEntity,
  type QuantizedWorld,
  type SchemaDefinition,
  SnapshotError,
  type SnapshotErrorCode,
  type SnapshotSchema,
  type WorldState,
} from './sync/snapshot/schema.js';
export { dequantizeWorld, fromQuantized, isEntityId, quantizeEntity, quantizeWorld } from './sync/snapshot/world.js';
export type { SyncCounters, SyncDropReason, SyncDrops, SyncStats } from './sync/sync-stats.js';
export { createTokenBuckets, type TokenBuckets } from './sync/token-bucket.js';
export { resolveTuning, type SyncTuning, syncDefaults } from './sync/tuning.js';
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
  type RemoteTrack,
  type SendOptions,
} from './transport/mesh.js';
export {
  type FrameDropReason,
  type FrameDrops,
  noFrameDrops,
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
// Voice: microphone on every link, speaking detection, spatial audio, voice stats.
export { classifyMediaError, type VoiceFailure } from './voice/media-errors.js';
export {
  createPanner,
  type ListenerPose,
  type Point,
  placePanner,
  type SpatialSettings,
  spatialDefaults,
  toListenerSpace,
} from './voice/spatial.js';
export {
  createLevelMeter,
  createSpeakingDetector,
  type LevelMeter,
  rms,
  type SpeakingDetector,
  type SpeakingTuning,
  speakingDefaults,
} from './voice/speaking-detector.js';
export {
  createVoice,
  type OutputDeviceResult,
  SELF,
  type Voice,
  type VoiceEvents,
  type VoiceMesh,
  type VoiceOptions,
  type VoiceResult,
  type VoiceStatus,
  type VoiceTuning,
  voiceDefaults,
} from './voice/voice.js';
export { emptyVoiceLinkStats, readVoiceStats, type VoiceLinkStats } from './voice/voice-stats.js';
