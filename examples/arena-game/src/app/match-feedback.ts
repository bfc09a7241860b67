/**
 * What the host's game events show: a kill in the kill feed (who killed whom, highlighted when
 * this player is in it) with a ring where the victim fell, a hit as a spark on the victim; and
 * who killed this player last, for the death screen.
 */
import { type ArenaEntity, type ArenaEvent, playerEntityId } from '../simulation.js';
import { type KillLine, killLine } from './kill-feed.js';

interface Look {
  name: string;
  color: number;
}

/** Who is named when a look is not known. */
const NOBODY: Look = { name: '?', color: 0xffffff };

export interface MatchFeedbackDeps {
  look(entityId: number): Look | undefined;
  /** The world now, or undefined before there is one. */
  world(): ReadonlyMap<number, ArenaEntity> | undefined;
  selfId(): string | null;
  killfeed(line: KillLine): void;
  /** This player was killed by `killer` (the death screen names them). */
  killedBy(killer: Look): void;
  effect(kind: 'ring' | 'spark', x: number, y: number, color: number, angle?: number): void;
  /** Random source in [0, 1) (the spark's angle). */
  random(): number;
}

/**
 * @example
 * net.onEvent(({ event }) => showEvent(event));
 */
export function createMatchFeedback(deps: MatchFeedbackDeps): (event: ArenaEvent) => void {
  return (event) => {
    const world = deps.world();
    if (event.type === 'kill') {
      const killer = deps.look(event.killer) ?? NOBODY;
      const victim = deps.look(event.victim) ?? NOBODY;
      const self = deps.selfId();
      const selfEid = self === null ? null : playerEntityId(self);
      deps.killfeed(killLine(killer, victim, { killer: event.killer === selfEid, victim: event.victim === selfEid }));
      if (event.victim === selfEid) deps.killedBy(killer);
      const v = world?.get(event.victim);
      if (v?.kind === 'player') deps.effect('ring', v.fields.x, v.fields.y, victim.color);
    } else if (event.type === 'hit') {
      const v = world?.get(event.victim);
      if (v?.kind === 'player') deps.effect('spark', v.fields.x, v.fields.y, 0xffffff, deps.random());
    }
  };
}
