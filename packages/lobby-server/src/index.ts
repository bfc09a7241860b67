/** `@tickmesh/lobby-server`: the tickmesh lobby (rooms, quick play, ready-up, signaling) on uWebSockets.js. */
export { ConfigError, defaultConfig, type LobbyConfig, resolveConfig } from './config.js';
export { iceServersFor, turnCredential } from './ice.js';
export { cryptoIds, type IdSource } from './ids.js';
export type { Logger } from './logger.js';
export { silentLogger, streamLogger } from './logger.js';
export { type MachineInstance, runMachine, type TimerClock } from './machines/machine-runner.js';
export {
  connectedCount,
  persistRoom,
  type RestoredRoom,
  type RoomContext,
  type RoomEvent,
  type RoomInput,
  restoredRoom,
  roomMachine,
  type TakenOverRoom,
  takenOverRoom,
  toWireRoom,
} from './machines/room.machine.js';
export { type SessionContext, type SessionEvent, sessionMachine } from './machines/session.machine.js';
export { type RateLimit, RateLimiter, type RateRefusal, type RateVerdict } from './rate-limit.js';
export { type LobbyServer, type LobbyServerDeps, startLobbyServer } from './server.js';
export { isNativeUws } from './uws/app.js';
