/**
 * `@tickmesh/netcode`: what a browser game imports. A session joins a lobby room, connects every
 * member peer to peer (WebRTC mesh), runs the game's own simulation on a fixed tick with the
 * room's host as the authority (prediction, interpolation, clock sync, host migration) and,
 * optionally, voice chat on the same links.
 *
 * Start with {@link createLobbyClient} and {@link createSession}; docs/netcode.md walks through a
 * whole game. Test and tooling parts (memory network, simulated clock, network conditioner, a
 * simulated room) are in `@tickmesh/netcode/testing`; the codecs and the sync layer's building
 * blocks in `@tickmesh/netcode/internals`.
 */

// Lobby: rooms, codes, ready-up, signaling. Protocol types a game reads.
export {
  ErrorCode,
  type IceServer,
  LeftReason,
  type PeerInfo,
  type Room,
  type RoomListEntry,
  type RoomSettings,
  RoomState,
} from '@tickmesh/protocol';
// Camera video (its own entry point for bundles: a voice-only game does not carry it).
export {
  type Camera,
  type CameraCapture,
  type CameraCounters,
  type CameraEvents,
  type CameraMesh,
  type CameraOptions,
  type CameraResult,
  type CameraStatus,
  cameraDefaults,
  cameraTuning,
  createCamera,
} from './camera/camera.js';
export type { VideoLinkStats } from './camera/video-stats.js';
// Room chat on the mesh (`createChat({ lobby, mesh: session.mesh })`: a game without chat ships none of it).
export {
  type Chat,
  type ChatDropReason,
  type ChatDrops,
  type ChatEvents,
  type ChatFailureCode,
  type ChatMessage,
  type ChatSendResult,
  type ChatTuning,
  chatDefaults,
  createChat,
} from './chat/chat.js';
// File transfer on the mesh: Blobs to one peer or all, chunked on a channel of their own.
export {
  createFileTransfer,
  type FilePacing,
  type FileTransfer,
  type FileTransferMesh,
  type FileTransferOptions,
  type SendFileOptions,
} from './files/file-transfer.js';
export {
  type AbortReason,
  type FileTransferCounters,
  type FileTransferEvents,
  type FileTransferTuning,
  fileTransferDefaults,
  type IncomingOffer,
  type IncomingResult,
  type IncomingTransfer,
  type OutgoingResult,
  type OutgoingTransfer,
  type ReceivedFile,
  type RefuseReason,
  type TransferFailReason,
  type TransferFailure,
  type TransferStatus,
} from './files/types.js';
export type { MediaFailure } from './media/media-errors.js';
// A game session: the mesh, the sync engine and voice, following the lobby room.
export { createSession, type Session, SessionError, type SessionOptions } from './session.js';
export {
  createLobbyClient,
  type LobbyClient,
  type LobbyClientOptions,
  type LobbyConnection,
  type LobbyEvents,
  type LobbyFailureCode,
  type LobbyResult,
  type LobbySocket,
  type LobbySocketFactory,
  type LobbyStatus,
  type RoomListPage,
} from './signaling/lobby-client.js';
// A rolling window of every link's getStats() and the sync figures, dumped as one JSON report.
export type { RecorderCounters, StatsDump } from './stats/dump-types.js';
// The mesh (a session makes one; a game that only needs channels can use it alone).
export type { CandidateType, LinkStats } from './stats/link-stats.js';
export {
  createStatsRecorder,
  type RecordedSession,
  type RecorderTuning,
  recorderDefaults,
  type StatsRecorder,
  type StatsRecorderOptions,
} from './stats/recorder.js';
// The running game: status, what to draw, tuning, stats.
export type { SyncEngine, SyncEvents, SyncStatus, SyncView } from './sync/engine.js';
export { type Entities, type GameDefinition, playerEntityId, type StepContext } from './sync/game.js';
// The game contract.
export { defaultInterpolate, type InterpolateEntity } from './sync/interpolation.js';
export { type FieldSpec, field } from './sync/snapshot/fields.js';
export {
  defineSnapshotSchema,
  type EntityFields,
  type EntityState,
  type SchemaDefinition,
  SnapshotError,
  type SnapshotSchema,
  type WorldState,
} from './sync/snapshot/schema.js';
export type { SyncDrops, SyncStats } from './sync/sync-stats.js';
export { resolveTuning, type SyncTuning, syncDefaults } from './sync/tuning.js';
export { type LinkConditions, linkConditionDefaults } from './transport/conditioner.js';
export type { ChannelKind, CreatePeerConnection, LinkState } from './transport/link.js';
export {
  createMesh,
  type Mesh,
  type MeshEvents,
  type MeshOptions,
  type MeshTuning,
  meshDefaults,
  type RemoteTrack,
  type SendOptions,
  type SignalingClient,
} from './transport/mesh.js';
export { type FrameDrops, TransportError } from './transport/transport.js';
// What the game injects.
export type { Logger } from './util/logger.js';
export type { Timers } from './util/timers.js';
// Voice chat.
export type { VoiceFailure } from './voice/media-errors.js';
export {
  type ListenerPose,
  type Point,
  type SpatialSettings,
  type SpatialVoice,
  spatialDefaults,
  spatialVoice,
} from './voice/spatial.js';
export {
  createVoice,
  type OutputDeviceResult,
  SELF,
  type Voice,
  type VoiceEvents,
  type VoiceOptions,
  type VoiceResult,
  type VoiceStatus,
  type VoiceTuning,
  voiceDefaults,
} from './voice/voice.js';
export { type VoiceLinkStats, voiceStats } from './voice/voice-stats.js';
