/**
 * The automation surface, `window.__arena` (README "Automation surface"): a stable contract the
 * browser tests read. `snapshot()` is plain JSON with the netgraph's own figures; `screenOf()`
 * says where a player is drawn, so a test can aim the real mouse at it.
 */

import type { CandidateType, LinkState, LobbyConnection, Room, VoiceStatus } from '@tickmesh/netcode';
import type { SoundStats } from '../audio/sound-board.js';
import { type ArenaNet, type NetFigures, NO_NET_FIGURES, type PeerNet } from '../net.js';
import { mapById } from '../sim/maps.js';
import { MATCH_ID, PlayerFlag, playerEntityId } from '../simulation.js';
import type { LobbyFlow } from './lobby-flow.js';
import type { AppPhase } from './match-flow.js';

/** What `window.__arena.snapshot()` returns. */
export interface ArenaSnapshot {
  room: { code: string; state: Room['state']; hostId: string } | null;
  selfId: string | null;
  phase: AppPhase;
  /** Every peer of the room; position and health null until its player is in the world. */
  players: {
    id: string;
    name: string;
    x: number | null;
    y: number | null;
    hp: number | null;
    score: number;
    alive: boolean;
  }[];
  /** Every link of the mesh. */
  peers: {
    id: string;
    link: LinkState | 'connecting';
    rttMs: number | null;
    candidateType: CandidateType;
    kbpsIn: number;
    kbpsOut: number;
  }[];
  voice: { state: VoiceStatus; speaking: string[] };
  net: NetFigures;
  /** The lobby connection (`reconnecting` while the lobby restarts; the game goes on). */
  lobby: LobbyConnection;
  /** The sound: output state, settings, effects played and the last few. */
  sound: SoundStats;
  /** The map the page draws the match on (null outside a match): its id, name and number of walls. */
  map: { id: number; name: string; walls: number } | null;
  /** Players out of view, with the edge marker drawn for each (screen px). */
  edgeMarkers: { id: string; x: number; y: number }[];
}

export interface Automation {
  snapshot(): ArenaSnapshot;
  /** Where a player is drawn on the page (CSS px), or null. */
  screenOf(peerId: string): { x: number; y: number } | null;
}

export interface AutomationDeps {
  lobby: Pick<LobbyFlow<Pick<ArenaNet, 'view' | 'peers' | 'figures'>>, 'room' | 'selfId' | 'net' | 'connection'>;
  phase(): AppPhase;
  voiceStatus(): VoiceStatus;
  speaking: ReadonlySet<string>;
  /** Where a world point is on the page (the scene's camera). */
  screenOf(x: number, y: number): { x: number; y: number };
  sound(): SoundStats;
  /** The edge markers drawn last frame, by entity id. */
  edgeMarkers(): readonly { id: number; x: number; y: number }[];
}

export function createAutomation(deps: AutomationDeps): Automation {
  const { lobby } = deps;
  return {
    snapshot() {
      const room = lobby.room();
      const net = lobby.net();
      const view = net?.view() ?? null;
      return {
        room: room ? { code: room.code, state: room.state, hostId: room.hostId } : null,
        selfId: lobby.selfId(),
        phase: deps.phase(),
        players: (room?.peers ?? []).map((p) => {
          const e = view?.world.get(playerEntityId(p.id));
          const f = e?.kind === 'player' ? e.fields : null;
          return {
            id: p.id,
            name: p.name,
            x: f?.x ?? null,
            y: f?.y ?? null,
            hp: f?.hp ?? null,
            score: f?.score ?? 0,
            alive: f ? (f.flags & PlayerFlag.alive) !== 0 : false,
          };
        }),
        peers: [...(net?.peers() ?? new Map<string, PeerNet>()).values()].map((q) => ({
          id: q.id,
          link: q.link ?? 'connecting',
          rttMs: q.rttMs,
          candidateType: q.candidateType,
          kbpsIn: q.kbpsIn,
          kbpsOut: q.kbpsOut,
        })),
        voice: { state: deps.voiceStatus(), speaking: [...deps.speaking] },
        net: net?.figures() ?? NO_NET_FIGURES,
        lobby: lobby.connection(),
        sound: deps.sound(),
        map: (() => {
          const match = view?.world.get(MATCH_ID);
          if (match?.kind !== 'match') return null;
          const map = mapById(match.fields.map);
          return { id: map.id, name: map.name, walls: map.walls.length };
        })(),
        edgeMarkers: deps.edgeMarkers().flatMap((m) => {
          const peer = room?.peers.find((p) => playerEntityId(p.id) === m.id);
          return peer ? [{ id: peer.id, x: Math.round(m.x), y: Math.round(m.y) }] : [];
        }),
      };
    },
    screenOf(peerId) {
      const e = lobby.net()?.view()?.world.get(playerEntityId(peerId));
      return e?.kind === 'player' ? deps.screenOf(e.fields.x, e.fields.y) : null;
    },
  };
}
