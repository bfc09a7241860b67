/**
 * What the Phaser scene draws each frame: the match while in one (aim taken from the mouse around
 * the local player, speaking rings, voices placed), else the menu's attract mode.
 */
import type { Room } from '@tickmesh/netcode';
import type { ArenaView } from '../net.js';
import type { RenderFrame } from '../scenes/arena-scene.js';
import { type ArenaEntity, playerEntityId } from '../simulation.js';
import type { AppPhase } from './match-flow.js';
import type { PlayerLooks } from './player-looks.js';

export interface SceneFrameDeps {
  /** Milliseconds on the page's clock. */
  now(): number;
  view(): ArenaView | null | undefined;
  phase(): AppPhase;
  selfId(): string | null;
  room(): Room | null;
  /** The aim from a point to the mouse (null: no mouse yet), and where it goes. */
  aimFrom(x: number, y: number): number | null;
  setAim(aim: number): void;
  looks: Pick<PlayerLooks, 'all' | 'markSpeaking'>;
  speaking: ReadonlySet<string>;
  placeVoices(world: ReadonlyMap<number, ArenaEntity>, me: ArenaEntity | undefined, room: Room | null): void;
  /** The attract mode: advances by `ms` and returns what to draw. */
  attract(ms: number): RenderFrame;
}

/**
 * @example
 * scene.setSource(createSceneFrames({ now: () => performance.now(), ... }));
 */
export function createSceneFrames(deps: SceneFrameDeps): () => RenderFrame {
  let lastFrameAt = deps.now();
  return () => {
    const nowMs = deps.now();
    const ms = nowMs - lastFrameAt;
    lastFrameAt = nowMs;
    const view = deps.view();
    const p = deps.phase();
    if (view && (p === 'playing' || p === 'ended' || p === 'practice')) {
      const self = deps.selfId();
      const selfEid = self === null ? null : playerEntityId(self);
      const me = selfEid === null ? undefined : view.world.get(selfEid);
      if (me?.kind === 'player') {
        const aim = deps.aimFrom(me.fields.x, me.fields.y);
        if (aim !== null) deps.setAim(aim);
      }
      deps.looks.markSpeaking(deps.speaking);
      deps.placeVoices(view.world, me, deps.room());
      return { world: view.world, tick: view.tick, dt: view.dt, self: selfEid, looks: deps.looks.all, overview: false };
    }
    return deps.attract(ms);
  };
}
