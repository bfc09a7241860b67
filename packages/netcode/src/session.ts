/**
 * A session: what a game creates once its lobby client is connected. It composes the layers
 *
 *   lobby client ── room.state ──► session ── start / setHost / setPlayers / stop ──► sync engine
 *        │                            │                                                 │
 *        └── signaling ──► mesh ──► [conditioner, when asked for] ◄── packets
 *
 * and follows the room: the game's simulation starts when the room becomes `playing` (the room's
 * host is the authority), the host migrates when the room names another, players follow the
 * room's members, and everything stops when the room goes back to `open` or is left. Chat, the
 * camera and file transfer ride the same mesh, each made by the game that wants it
 * (`createChat({ lobby, mesh: session.mesh })`), so a game without them ships none of them.
 */
import type { LobbyClient } from './signaling/lobby-client.js';
import { createSyncEngine, type SyncEngine } from './sync/engine.js';
import type { GameDefinition } from './sync/game.js';
import type { SchemaDefinition } from './sync/snapshot/schema.js';
import type { SyncTuning } from './sync/tuning.js';
import type { ConditionedTransport, conditionTransport, LinkConditions } from './transport/conditioner.js';
import type { CreatePeerConnection } from './transport/link.js';
import { createMesh, type Mesh, type MeshTuning } from './transport/mesh.js';
import { type Logger, silentLogger } from './util/logger.js';
import { realTimers, type Timers } from './util/timers.js';
import { createVoice, type Voice, type VoiceOptions } from './voice/voice.js';

export interface SessionOptions<State, Input, Event, D extends SchemaDefinition> {
  /** A connected lobby client (it has a peer id); the session follows its room. */
  lobby: LobbyClient;
  game: GameDefinition<State, Input, Event, D>;
  /** The local player's input for a tick; called once per tick while the game runs. */
  sampleInput(tick: number): Input;
  /** Makes the RTCPeerConnections; browsers: `(config) => new RTCPeerConnection(config)`. */
  createPeerConnection: CreatePeerConnection;
  /** `'relay'` forces every link through TURN. Default `'all'`. */
  iceTransportPolicy?: RTCIceTransportPolicy;
  sync?: Partial<SyncTuning>;
  mesh?: Partial<MeshTuning>;
  /**
   * Voice chat: every link gets an audio line from its first offer, and `session.voice` is made
   * with these options (remote voices play from `voice.listen()`, the microphone is only captured
   * on `voice.start()`; `close()` ends both). Default: no voice.
   */
  voice?: Omit<VoiceOptions, 'mesh' | 'timers' | 'logger'>;
  /**
   * Camera video: every link gets a video line from its first offer, so `createCamera({ mesh:
   * session.mesh })` turns the camera on and off without renegotiation. Default false.
   */
  video?: boolean;
  /**
   * Puts a network conditioner between the game's traffic and the mesh, so `setConditions` can
   * make the network worse on purpose (a debug panel's sliders, a test at 100 ms and 5% loss):
   * pass `conditionTransport` from `@tickmesh/netcode/testing`. Default: none, and nothing of it
   * in the game's bundle.
   */
  condition?: typeof conditionTransport;
  timers?: Timers;
  logger?: Logger;
  /** Random source for the mesh's session ids and the conditioner. Default `Math.random`. */
  random?: () => number;
}

export interface Session<State, Input, Event, D extends SchemaDefinition> {
  readonly lobby: LobbyClient;
  /** The WebRTC mesh: link states, per-link stats, peer connections (voice rides them). */
  readonly mesh: Mesh<unknown>;
  /** The game's simulation: status, `view()` to draw, `stats()`, events. */
  readonly sync: SyncEngine<State, Input, Event, D>;
  /** Voice chat, when the session was made with `voice`; else null. */
  readonly voice: Voice | null;
  /** The network conditioner between the game's traffic and the mesh, when made with `condition`. */
  readonly conditioner: ConditionedTransport<unknown> | null;
  /**
   * Makes every link's game traffic worse on purpose, both directions (latency, jitter, loss...);
   * false (nothing changed) for a session made without `condition`.
   */
  setConditions(conditions: Partial<LinkConditions>): boolean;
  /** Stops the game and closes every link; the lobby client stays the game's to close. */
  close(): void;
}

export class SessionError extends Error {
  override name = 'SessionError';
  constructor(
    readonly code: 'NOT_CONNECTED',
    message: string,
  ) {
    super(message);
  }
}

/**
 * @example
 * ```ts
 * const lobby = createLobbyClient({ url: 'wss://example.com/lobby', name: 'Ada' });
 * await lobby.connect();
 * await lobby.joinRoom('K7WQ2M');
 * const session = createSession({
 *   lobby,
 *   game: arena,
 *   sampleInput: () => readKeys(),
 *   createPeerConnection: (config) => new RTCPeerConnection(config),
 * });
 * session.sync.on('event', ({ event }) => killFeed.push(event));
 * requestAnimationFrame(function frame() {
 *   const view = session.sync.view();
 *   if (view) draw(view.entities);
 *   requestAnimationFrame(frame);
 * });
 * ```
 */
export function createSession<State, Input, Event, D extends SchemaDefinition>(
  options: SessionOptions<State, Input, Event, D>,
): Session<State, Input, Event, D> {
  const { lobby } = options;
  const selfId = lobby.peerId;
  if (selfId === null) throw new SessionError('NOT_CONNECTED', 'connect the lobby client first');
  const timers = options.timers ?? realTimers;
  const logger = options.logger ?? silentLogger;
  const random = options.random ?? Math.random;
  const mesh = createMesh<unknown>({
    lobby,
    createPeerConnection: options.createPeerConnection,
    ...(options.iceTransportPolicy === undefined ? {} : { iceTransportPolicy: options.iceTransportPolicy }),
    ...(options.mesh === undefined ? {} : { tuning: options.mesh }),
    audio: options.voice !== undefined,
    video: options.video === true,
    logger,
    timers,
    random,
  });
  const voice = options.voice === undefined ? null : createVoice({ ...options.voice, mesh, timers, logger });
  const conditioner = options.condition ? options.condition(mesh, {}, { timers, random }) : null;
  const sync = createSyncEngine({
    game: options.game,
    transport: conditioner ?? mesh,
    selfId,
    sampleInput: (tick) => options.sampleInput(tick),
    ...(options.sync === undefined ? {} : { tuning: options.sync }),
    timers,
    logger,
  });

  function follow(room: LobbyClient['room']): void {
    if (room === null || room.state !== 'playing') {
      if (sync.status.kind !== 'idle') sync.stop();
      return;
    }
    const players = room.peers.map((peer) => peer.id);
    if (sync.status.kind === 'idle') {
      sync.start({ hostId: room.hostId, players });
      return;
    }
    sync.setPlayers(players);
    sync.setHost(room.hostId);
  }

  const unsubscribe = lobby.on('room', follow);
  follow(lobby.room);

  return {
    lobby,
    mesh,
    sync,
    voice,
    conditioner,
    setConditions(conditions) {
      conditioner?.setConditions('all', conditions, 'both');
      return conditioner !== null;
    },
    close() {
      unsubscribe();
      voice?.close();
      sync.close();
      conditioner?.close();
      mesh.close();
    },
  };
}
