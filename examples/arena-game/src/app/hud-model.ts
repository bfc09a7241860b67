/** What the HUD shows, from the world and the room: timer, health, respawn count and scoreboard rows. */
import type { Room } from '@tickmesh/netcode';
import { colorOfSeq } from '../colors.js';
import type { ArenaView, PeerNet } from '../net.js';
import { type ArenaEntity, arenaTuning, MATCH_ID, PlayerFlag, playerEntityId, timeLeftS } from '../simulation.js';
import type { HudModel, ScoreRow } from '../ui/hud.js';

/** Who is in the room, their links and voices, as this player sees them. */
export interface RoomPeople {
  room: Room;
  selfId: string | null;
  peers: ReadonlyMap<string, PeerNet>;
  speaking: ReadonlySet<string>;
  muted: ReadonlySet<string>;
}

/** A scoreboard row for each peer in the room (0 kills and deaths until its player is in the world). */
export function scoreRows(world: ReadonlyMap<number, ArenaEntity>, people: RoomPeople): ScoreRow[] {
  const { room } = people;
  return room.peers.map((p) => {
    const e = world.get(playerEntityId(p.id));
    const fields = e?.kind === 'player' ? e.fields : null;
    return {
      peerId: p.id,
      name: p.name,
      color: colorOfSeq(p.seq),
      score: fields?.score ?? 0,
      deaths: fields?.deaths ?? 0,
      pingMs: people.peers.get(p.id)?.rttMs ?? null,
      self: p.id === people.selfId,
      host: p.id === room.hostId,
      speaking: people.speaking.has(p.id),
      muted: people.muted.has(p.id),
    };
  });
}

/** The HUD's model; `view` null or undefined before there is a world (everything at its empty value). */
export function hudModel(
  view: ArenaView | null | undefined,
  people: RoomPeople & { selfId: string },
  shown: Pick<HudModel, 'scoreboard' | 'ended' | 'micOn' | 'micLabel' | 'killer'>,
): HudModel {
  const world = view?.world ?? new Map<number, ArenaEntity>();
  const match = world.get(MATCH_ID);
  const me = world.get(playerEntityId(people.selfId));
  const fields = me?.kind === 'player' ? me.fields : null;
  return {
    timeLeftS: match?.kind === 'match' && view ? timeLeftS(match.fields, view.tick, view.dt) : 0,
    hp: fields?.hp ?? null,
    maxHp: arenaTuning.maxHp,
    alive: fields ? (fields.flags & PlayerFlag.alive) !== 0 : true,
    respawnInS: fields && view ? Math.max(0, (fields.respawnTick - view.tick) * view.dt) : 0,
    killer: shown.killer,
    rows: scoreRows(world, people),
    scoreboard: shown.scoreboard,
    ended: shown.ended,
    micOn: shown.micOn,
    micLabel: shown.micLabel,
  };
}
