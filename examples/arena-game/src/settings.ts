/** The match settings a room carries (`room.settings`, set by the host in the room lobby). */
import type { Room } from '@tickmesh/netcode';
import { CUSTOM_MAP_ID, MAPS } from './sim/maps.js';
import type { ArenaSettings } from './simulation.js';

export const ROUND_LENGTHS_S = [60, 120, 180, 300] as const;
/** What a new private room starts with; `lateJoin` lets friends join a match already running. */
export const DEFAULT_ROOM_SETTINGS = { roundS: 120, map: 0, lateJoin: true };

/** What a room this page creates starts with: the defaults, with the round length of `round=` if given. */
export function newRoomSettings(roundS: number | null): typeof DEFAULT_ROOM_SETTINGS {
  return roundS === null ? DEFAULT_ROOM_SETTINGS : { ...DEFAULT_ROOM_SETTINGS, roundS };
}

/** Round length and map from a room's settings (defaults for missing or odd values). */
export function roomSettings(room: Room | null): { roundS: number; map: number } {
  const s = room?.settings ?? {};
  const roundS = typeof s.roundS === 'number' && s.roundS >= 10 && s.roundS <= 3600 ? Math.round(s.roundS) : 120;
  const map = typeof s.map === 'number' && (s.map === CUSTOM_MAP_ID || MAPS.some((m) => m.id === s.map)) ? s.map : 0;
  return { roundS, map };
}

/** The settings a match starts from; the seed comes from the room code, so every peer agrees. */
export function matchSettings(room: Room | null): ArenaSettings {
  let seed = 0x811c9dc5;
  for (const c of room?.code ?? '') seed = Math.imul(seed ^ c.charCodeAt(0), 0x01000193);
  return { ...roomSettings(room), seed: seed >>> 0 };
}
