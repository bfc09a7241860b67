/**
 * The dots game (dots-game.ts) in a simulated room, with the helpers most sync tests and
 * `npm run bench:sync` use: a seeded wandering script and how far remote dots are drawn from
 * the truth.
 */

import { playerEntityId } from '../sync/game.js';
import type { LinkConditions } from '../transport/conditioner.js';
import { createRandom } from '../util/random.js';
import { type DotsEvent, type DotsInput, type DotsState, dotsGame } from './dots-game.js';
import { createRoom, type Peer, type Room, type Script } from './sim-room.js';

export type DotsPeer = Peer<DotsState, DotsInput, DotsEvent, typeof dotsGame.schema.definition>;
export type DotsRoom = Room<DotsState, DotsInput, DotsEvent, typeof dotsGame.schema.definition>;

export function createDotsRoom(
  ids: readonly string[],
  conditions: Partial<LinkConditions>,
  script: Script<DotsInput>,
  seed = 1,
): DotsRoom {
  return createRoom({ game: dotsGame, ids, conditions, script, seed });
}

export function dotOf(state: DotsState | undefined, player: string) {
  return state?.dots.get(playerEntityId(player));
}

/** A seeded script: each player changes direction every 300-800 ms and taps fire now and then. */
export function wanderScript(seed: number, stopAtTick: number): Script<DotsInput> {
  const plans = new Map<string, { until: number; input: DotsInput }>();
  const random = createRandom(seed);
  const axis = (): -1 | 0 | 1 => (Math.floor(random() * 3) - 1) as -1 | 0 | 1;
  return (player, tick) => {
    if (tick >= stopAtTick) return { dx: 0, dy: 0, fire: false };
    let plan = plans.get(player);
    if (plan === undefined || tick >= plan.until) {
      plan = { until: tick + 18 + Math.floor(random() * 30), input: { dx: axis(), dy: axis(), fire: false } };
      plans.set(player, plan);
    }
    const fire = tick % 40 < 3 && (tick >> 3) % 3 === 0;
    return { ...plan.input, fire };
  };
}

/**
 * How far each viewer draws every other player's dot from where the host had it at the viewer's
 * render tick (px), one sample per viewer and player. `latestSnapshot` measures the naive
 * alternative instead: drawing the newest snapshot as it arrives, without interpolation.
 */
export function remoteDrawErrors(room: DotsRoom, hostId: string, latestSnapshot = false): number[] {
  const host = room.peers.get(hostId);
  const errors: number[] = [];
  if (host === undefined) return errors;
  const hostTick = host.engine.stats().tick;
  for (const viewer of room.peers.values()) {
    if (viewer.id === hostId) continue;
    const view = viewer.engine.view();
    if (!view) continue;
    const t = latestSnapshot ? hostTick : view.renderTick;
    const f = t - Math.floor(t);
    for (const other of room.peers.keys()) {
      if (other === viewer.id) continue;
      const drawn = latestSnapshot ? dotOf(view.state, other) : view.entities.get(playerEntityId(other))?.fields;
      const a = dotOf(host.states.get(Math.floor(t)), other);
      const b = dotOf(host.states.get(Math.ceil(t)), other);
      if (drawn === undefined || a === undefined || b === undefined) continue;
      errors.push(Math.hypot(drawn.x - (a.x + (b.x - a.x) * f), drawn.y - (a.y + (b.y - a.y) * f)));
    }
  }
  return errors;
}
