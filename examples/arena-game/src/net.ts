/**
 * The arena's net layer: the tickmesh session (mesh + sync) behind the few calls the game makes.
 * The game reads a view of entities to draw, per-peer link figures and the sync figures for the
 * netgraph and `window.__arena`, and gets the host's game events (hits, kills, round end).
 */
import type { CandidateType, LinkState, LobbyClient, Mesh } from '@tickmesh/netcode';
import { createMesh } from '@tickmesh/netcode';
import type { ArenaEntity, ArenaEvent, ArenaInput } from './simulation.js';

export interface NetConditions {
  latencyMs: number;
  jitterMs: number;
  /** 0..1 */
  loss: number;
}

export interface NetFigures {
  snapshotBytesAvg: number;
  interpDelayMs: number;
  tickOffsetMs: number;
  correctionsPerSec: number;
  inputsResent: number;
}

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
  readonly mesh: Mesh<unknown>;
  peers(): Map<string, PeerNet>;
  view(): ArenaView | null;
  figures(): NetFigures;
  /** 'hosting', 'playing', 'joining' or 'idle'. */
  role(): string;
  onEvent(listener: (e: { tick: number; event: ArenaEvent }) => void): () => void;
  setConditions(conditions: NetConditions): void;
  close(): void;
}

export interface ArenaNetOptions {
  lobby: LobbyClient;
  sampleInput(): ArenaInput;
  relay: boolean;
  createPeerConnection(config: RTCConfiguration): RTCPeerConnection;
}

const noFigures: NetFigures = {
  snapshotBytesAvg: 0,
  interpDelayMs: 0,
  tickOffsetMs: 0,
  correctionsPerSec: 0,
  inputsResent: 0,
};

export function createArenaNet(options: ArenaNetOptions): ArenaNet {
  const mesh = createMesh({
    lobby: options.lobby,
    createPeerConnection: options.createPeerConnection,
    iceTransportPolicy: options.relay ? 'relay' : 'all',
  });
  return {
    mesh,
    peers: () => peersOf(mesh),
    view: () => null,
    figures: () => noFigures,
    role: () => 'idle',
    onEvent: () => () => {},
    setConditions: () => {},
    close: () => mesh.close(),
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
