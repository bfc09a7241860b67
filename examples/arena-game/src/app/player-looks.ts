/**
 * How players are drawn and named: name, colour and speaking ring by player entity id, kept after
 * a player leaves (the kill feed still names them).
 */
import type { Room } from '@tickmesh/netcode';
import { colorOfSeq } from '../colors.js';
import type { PlayerLook } from '../scenes/arena-scene.js';
import { playerEntityId } from '../simulation.js';

export interface PlayerLooks {
  /** Every look by entity id (the same map, updated in place): what the scene draws with. */
  readonly all: ReadonlyMap<number, PlayerLook>;
  get(entityId: number): PlayerLook | undefined;
  /** Takes names and colours from the room's peers. */
  roomChanged(room: Room | null): void;
  /** Marks who is speaking, before a frame is drawn. */
  markSpeaking(speaking: ReadonlySet<string>): void;
}

export function createPlayerLooks(): PlayerLooks {
  const looks = new Map<number, PlayerLook & { peerId: string }>();
  return {
    all: looks,
    get: (entityId) => looks.get(entityId),
    roomChanged(room) {
      for (const p of room?.peers ?? [])
        looks.set(playerEntityId(p.id), { peerId: p.id, name: p.name, color: colorOfSeq(p.seq), speaking: false });
    },
    markSpeaking(speaking) {
      for (const look of looks.values()) look.speaking = speaking.has(look.peerId);
    },
  };
}
