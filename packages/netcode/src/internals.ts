/**
 * `@tickmesh/netcode/internals`: the building blocks under a session, for tools, benchmarks and
 * anyone writing another layer on the same wire: the frame and snapshot codecs, the sync
 * layer's packets and parts (input log, interpolation buffer, clocks, corrections), the mesh's
 * counters and stats readers, and voice's pure parts. Less stable than the main entry: these
 * change when the wire or the algorithms do.
 */

export { emptyVideoLinkStats, readVideoStats } from './camera/video-stats.js';
// Chat's pure parts: its packet, the sender's route and the receiver's twin rule.
export { type ChatPacket, encodeChat, isChatText, parseChat } from './chat/chat-packet.js';
export { type ChatRoute, routeChat } from './chat/route.js';
export { createTwins, type Twins } from './chat/twins.js';
export {
  type DecodedFrame,
  type DecodeFailure,
  decodeFrame,
  encodeFrame,
  encodePayload,
  FRAME_HEADER_BYTES,
  FRAME_VERSION,
  frame,
  MAX_FRAME_DEPTH,
  MAX_RELIABLE_FRAME_BYTES,
  MAX_UNRELIABLE_FRAME_BYTES,
  maxFrameBytes,
} from './codec/frame.js';
export { type PlainScanFailure, scanPlain } from './codec/plain-scan.js';
export { FILE_CHANNEL_ID } from './files/file-channel.js';
export {
  CHUNK_HEADER_BYTES,
  encodeChunk,
  encodeControl,
  FILE_PACKET_TAG,
  type FileControl,
  parseChunk,
  parseControl,
} from './files/wire.js';
export {
  type CaptureResult,
  type CaptureStatus,
  createDeviceCapture,
  type DeviceCapture,
  type DeviceCaptureOptions,
} from './media/device-capture.js';
export { LossCounter } from './stats/link-stats.js';
export {
  type ClockEstimate,
  type ClockEstimator,
  type ClockEstimatorOptions,
  type ClockSample,
  createClockEstimator,
} from './sync/clock/clock-estimator.js';
export { type Corrections, copyEntities, createCorrections } from './sync/corrections.js';
export { createInputLog, type InputLog, type InputPutResult } from './sync/input-log.js';
export { createInterpolationBuffer, type InterpolationBuffer } from './sync/interpolation.js';
export {
  CHAT_TAG,
  encodeSnapshotPacket,
  FILE_TAG,
  inputsEqual,
  isForeignPacket,
  PacketTag,
  parsePacket,
  type SyncPacket,
} from './sync/packets.js';
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
export type {
  AngleField,
  AngleUnit,
  BitsField,
  BoolField,
  FieldValue,
  FixedField,
  IntField,
  RefField,
  UintField,
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
  type KindDefinition,
  MAX_SNAPSHOT_FIELDS,
  MAX_SNAPSHOT_KINDS,
  type QuantizedEntity,
  type QuantizedWorld,
  type SnapshotErrorCode,
} from './sync/snapshot/schema.js';
export { dequantizeWorld, fromQuantized, isEntityId, quantizeEntity, quantizeWorld } from './sync/snapshot/world.js';
export type { SyncCounters, SyncDropReason } from './sync/sync-stats.js';
export { createTokenBuckets, type TokenBuckets } from './sync/token-bucket.js';
export { resolveTuning } from './sync/tuning.js';
export { createMediaLine, type MediaKind, type MediaLine } from './transport/media-line.js';
export type { MeshCounters } from './transport/mesh.js';
export { type FrameDropReason, noFrameDrops } from './transport/transport.js';
export { createEmitter, type Emitter } from './util/emitter.js';
export { classifyMediaError } from './voice/media-errors.js';
export { createPanner, placePanner, type SpatialRoute, toListenerSpace } from './voice/spatial.js';
export {
  createLevelMeter,
  createSpeakingDetector,
  type LevelMeter,
  rms,
  type SpeakingDetector,
  type SpeakingTuning,
  speakingDefaults,
} from './voice/speaking-detector.js';
export type { VoiceMesh } from './voice/voice.js';
export { emptyVoiceLinkStats, readVoiceStats } from './voice/voice-stats.js';
