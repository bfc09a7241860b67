/**
 * The menu's live background: the real simulation stepped locally with four bot brains, so the
 * first thing a visitor sees is the game itself.
 */
import { createRandom } from '@tickmesh/netcode/testing';
import { createBotBrain } from './bot-brain.js';
import { colorOfSeq } from './colors.js';
import type { PlayerLook, RenderFrame } from './scenes/arena-scene.js';
import { type ArenaEvent, arenaToWorld, initialArenaState, playerEntityId, stepArena } from './simulation.js';

const DT = 1 / 60;
const BOTS = ['Vex', 'Kestrel', 'Moss', 'Juno'];

export function createAttractMode(onEvent: (event: ArenaEvent) => void) {
  const random = createRandom(20260);
  let state = initialArenaState({ roundS: 3600, map: 0, seed: 5 });
  let tick = 0;
  const brains = BOTS.map(() => createBotBrain(random));
  const looks = new Map<number, PlayerLook>(
    BOTS.map((name, i) => [playerEntityId(name), { name, color: colorOfSeq(i + 1), speaking: false }]),
  );
  let world = arenaToWorld(state);
  let carry = 0;

  return {
    /** Advances by `ms` of real time and returns what to draw. */
    frame(ms: number): RenderFrame {
      carry = Math.min(carry + ms / 1000, 0.25);
      while (carry >= DT) {
        carry -= DT;
        tick++;
        const inputs = new Map(
          BOTS.map((name, i) => [
            name,
            (brains[i] as ReturnType<typeof createBotBrain>).think(world, playerEntityId(name)),
          ]),
        );
        const before = state;
        state = stepArena(before, inputs, DT, { tick, emit: onEvent, seenBy: () => before });
        world = arenaToWorld(state);
      }
      return { world, tick, dt: DT, self: null, looks, overview: true };
    },
  };
}
