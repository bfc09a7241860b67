/**
 * The arena's net layer: the tickmesh session (mesh + sync) behind the few calls the game makes.
 * The game reads a view of entities to draw, per-peer link figures and the sync figures for the
 * netgraph and `window.__arena`, and gets the host's game events (hits, kills, round end).
 */
import {
  type Camera,
  type CandidateType,
  type Chat,
  createCamera,
  createChat,
  createFileTransfer,
  createSession,
  createStatsRecorder,
  type FileTransfer,
  type LinkState,
  type LobbyClient,
  type Mesh,
  type Session,
  type StatsDump,
  type SyncTuning,
  spatialVoice,
} from '@tickmesh/netcode';
import { conditionTransport } from '@tickmesh/netcode/testing';
import type { NetConditions } from './conditions.js';
import { MAX_MAP_FILE_BYTES } from './sim/maps.js';
import {
  type ArenaEntity,
  type ArenaEvent,
  type ArenaInput,
  type ArenaSchema,
  type ArenaSettings,
  type ArenaState,
  createArenaGame,
} from './simulation.js';

/**
 * The sync layer's figures the netgraph shows: among them where a key press's time goes before
 * the other pages draw it (docs/netcode.md): this page's lead over the host (the one-way trip to
 * it, then the wait in its input buffer), and the interpolation delay remote players are drawn
 * behind (arrival jitter included).
 */
export interface NetFigures {
  snapshotBytesAvg: number;
  interpDelayMs: number;
  tickOffsetMs: number;
  /** Lowest recent round trip to the host (clock pings), ms; null on the host and before the first. */
  hostRttMs: number | null;
  /** How long this page's inputs waited at the host for their tick, ms; null on the host and before the host says. */
  inputWaitMs: number | null;
  /** Snapshot arrival jitter, ms. */
  snapshotJitterMs: number;
  correctionsPerSec: number;
  inputsResent: number;
}

/** The figures before there is a session. */
export const NO_NET_FIGURES: Readonly<NetFigures> = {
  snapshotBytesAvg: 0,
  interpDelayMs: 0,
  tickOffsetMs: 0,
  hostRttMs: null,
  inputWaitMs: null,
  snapshotJitterMs: 0,
  correctionsPerSec: 0,
  inputsResent: 0,
};

export interface PeerNet {
  id: string;
  /** null: no link yet (signaling through the lobby). */
  link: LinkState | null;
  rttMs: number | null;
  candidateType: CandidateType;
  kbpsIn: number;
  kbpsOut: number;
  lossRate: number;
}

export interface ArenaView {
  world: ReadonlyMap<number, ArenaEntity>;
  tick: number;
  /** Tick length, s. */
  dt: number;
}

export interface ArenaNet {
  readonly session: Session<ArenaState, ArenaInput, ArenaEvent, ArenaSchema>;
  /** The room's chat over the session's links (and the lobby while a member has no link up). */
  readonly chat: Chat;
  /** Camera tiles over the session's links (off until the player turns it on). */
  readonly camera: Camera;
  /** Files on the mesh: the host's custom map (app/custom-map.ts). */
  readonly files: FileTransfer;
  peers(): Map<string, PeerNet>;
  view(): ArenaView | null;
  figures(): NetFigures;
  /** The sync status: 'idle', 'hosting', 'joining' or 'playing'. */
  role(): string;
  onEvent(listener: (e: { tick: number; event: ArenaEvent }) => void): () => void;
  /** The conditioner's settings from now on, both directions of every link (conditions.ts). */
  setConditions(conditions: NetConditions): void;
  /** Forces every link through TURN (or not) from now on: links are made again, no reload. */
  setRelayOnly(on: boolean): void;
  /** Tries every link that is not up again, at once. */
  retryLinks(): void;
  /** Whether the lobby hands out a TURN server (else forcing TURN cannot connect). */
  turnOffered(): boolean;
  /** The last 5 minutes of every link's stats and the sync figures, as a stats dump (the netgraph's "Save report"). */
  report(): StatsDump;
  close(): void;
}

export interface ArenaNetOptions {
  lobby: LobbyClient;
  sampleInput(): ArenaInput;
  /** The match settings when a match starts (the host's initial state). */
  settings(): ArenaSettings;
  relay: boolean;
  createPeerConnection(config: RTCConfiguration): RTCPeerConnection;
  /** The conditioner's settings from the start (the URL's, or the sliders' of an earlier net). Default: none added. */
  conditions?: NetConditions;
  /** Sync tuning overrides (the URL's `sync=`, already taken by `resolveTuning`: params.ts). Default: none. */
  sync?: Partial<SyncTuning>;
}

/** How far back the corrections rate looks. */
const RATE_WINDOW_MS = 2000;

export function createArenaNet(options: ArenaNetOptions): ArenaNet {
  const session = createSession({
    lobby: options.lobby,
    game: createArenaGame(options.settings),
    sampleInput: () => options.sampleInput(),
    createPeerConnection: options.createPeerConnection,
    iceTransportPolicy: options.relay ? 'relay' : 'all',
    // Every link gets its audio line in its first offer: turning the mic on or off later is a
    // track swap, never a renegotiation racing the other side's. Spatial voice: the HUD's switch.
    voice: { spatial: spatialVoice() },
    // And its video line: the camera (app/camera-controls.ts) goes on and off by a track swap too.
    video: true,
    // The netgraph's latency, jitter and loss sliders.
    condition: conditionTransport,
    ...(options.sync === undefined ? {} : { sync: options.sync }),
  });
  const chat = createChat({ lobby: options.lobby, mesh: session.mesh });
  const camera = createCamera({ mesh: session.mesh });
  function setConditions(c: NetConditions): void {
    session.setConditions({ latencyMs: c.latencyMs, jitterMs: c.jitterMs, loss: c.loss });
  }
  if (options.conditions) setConditions(options.conditions);
  const files = createFileTransfer({ mesh: session.mesh, tuning: { maxFileBytes: MAX_MAP_FILE_BYTES } });
  // Always on in the demo: a player who says "it lagged" can save the last minutes at once.
  const recorder = createStatsRecorder(session);
  const dt = 1 / session.sync.tuning.tickRateHz;
  const corrections: { at: number; total: number }[] = [];

  function correctionsPerSec(total: number): number {
    const now = performance.now();
    corrections.push({ at: now, total });
    while (corrections.length > 2 && (corrections[0] as { at: number }).at < now - RATE_WINDOW_MS) corrections.shift();
    const first = corrections[0] as { at: number; total: number };
    const span = (now - first.at) / 1000;
    return span > 0.2 ? (total - first.total) / span : 0;
  }

  return {
    session,
    chat,
    camera,
    files,
    peers: () => peersOf(session.mesh),
    view() {
      const v = session.sync.view();
      return v ? { world: v.entities, tick: v.tick, dt } : null;
    },
    figures() {
      const s = session.sync.stats();
      return {
        snapshotBytesAvg: s.snapshotBytesAvg,
        interpDelayMs: s.interpDelayMs,
        tickOffsetMs: s.tickOffsetMs,
        hostRttMs: s.rttMs,
        inputWaitMs: s.inputWaitMs,
        snapshotJitterMs: s.snapshotJitterMs,
        correctionsPerSec: correctionsPerSec(s.corrections),
        inputsResent: s.inputsResent,
      };
    },
    role: () => session.sync.status.kind,
    onEvent: (listener) => session.sync.on('event', listener),
    setConditions,
    setRelayOnly: (on) => session.mesh.setRelayOnly(on),
    turnOffered: () => options.lobby.iceServers.some((s) => [s.urls].flat().some((url) => /^turns?:/.test(url))),
    retryLinks() {
      for (const [peerId, state] of session.mesh.links) if (state !== 'connected') session.mesh.redial(peerId);
    },
    report: () => recorder.dump(),
    close() {
      chat.close();
      camera.close();
      files.close();
      recorder.close();
      session.close();
    },
  };
}

/** Link state and figures of every link of the mesh. */
export function peersOf(mesh: Mesh<unknown>): Map<string, PeerNet> {
  const out = new Map<string, PeerNet>();
  for (const [id, link] of mesh.links) {
    const s = mesh.stats(id);
    out.set(id, {
      id,
      link,
      rttMs: s?.rttMs ?? null,
      candidateType:
        s?.localCandidateType === 'relay' || s?.remoteCandidateType === 'relay'
          ? 'relay'
          : (s?.localCandidateType ?? 'unknown'),
      kbpsIn: ((s?.bytesInPerS ?? 0) * 8) / 1000,
      kbpsOut: ((s?.bytesOutPerS ?? 0) * 8) / 1000,
      lossRate: s?.lossRate ?? 0,
    });
  }
  return out;
}
