/**
 * `remotePlayers: 'predicted'`: a client draws the other players from its own prediction, stepped
 * with the inputs every peer sends every other peer each tick. Three peers (host `h`, clients `a`
 * and `b`) play the dots game at 100 ms RTT (50 ± 20 ms each way) with 5% loss, on a simulated
 * clock: `a` holds right, then left, ... for 400 ms each, resting 600 ms between; `b` draws a
 * frame every 1/60 s.
 */
import { playerEntityId, type SyncTuning } from '@tickmesh/netcode';
import { createRoom, type DotsInput, dotOf, dotsGame, type Room } from '@tickmesh/netcode/testing';
import { describe, expect, it } from 'vitest';

const NETWORK = { latencyMs: 50, jitterMs: 20, loss: 0.05 };
const FRAME_MS = 1000 / 60;

type DotsRoom = Room<ReturnType<typeof dotsGame.initialState>, DotsInput, unknown, typeof dotsGame.schema.definition>;

/** Plays presses of `a`; returns when `b` first drew `a` moved after each key went down, ms. */
function play(tuning: Partial<SyncTuning>) {
  let held = { from: Number.POSITIVE_INFINITY, to: Number.POSITIVE_INFINITY, dx: 1 as -1 | 1 };
  let now = () => 0;
  const script = (player: string): DotsInput => {
    const t = now();
    return { dx: player === 'a' && t >= held.from && t < held.to ? held.dx : 0, dy: 0, fire: false };
  };
  const room = createRoom({
    game: dotsGame,
    ids: ['h', 'a', 'b'],
    conditions: NETWORK,
    script,
    seed: 5,
    tuning,
  }) as DotsRoom;
  now = () => room.clock.now();
  for (const p of room.peers.values()) p.engine.start({ hostId: 'h', players: ['a', 'b', 'h'] });
  room.clock.advance(3_000);
  const b = room.peers.get('b');
  if (!b) throw new Error('no b');
  const drawnA = () => (b.engine.view()?.entities.get(playerEntityId('a'))?.fields as { x: number } | undefined)?.x;
  const seen: number[] = [];
  for (let press = 0; press < 8; press++) {
    const down = room.clock.now() + 7;
    room.clock.advanceTo(down);
    held = { from: down, to: down + 400, dx: press % 2 === 0 ? 1 : -1 };
    const x0 = drawnA() ?? Number.NaN;
    for (let frame = 1; frame * FRAME_MS < 1000; frame++) {
      room.clock.advanceTo(down + frame * FRAME_MS);
      if (((drawnA() ?? x0) - x0) * held.dx > 0.5) {
        seen.push(frame * FRAME_MS);
        break;
      }
    }
    room.clock.advanceTo(down + 1000);
  }
  return { room, seen };
}

const median = (values: number[]) => [...values].sort((x, y) => x - y)[values.length >> 1] ?? Number.NaN;

describe("remotePlayers: 'predicted'", () => {
  it('shows a key press on another client about one one-way delay after it, where interpolation takes twice as long', () => {
    const predicted = play({ remotePlayers: 'predicted' });
    const interpolated = play({ remotePlayers: 'interpolated' });
    expect(predicted.seen).toHaveLength(8);
    expect(interpolated.seen).toHaveLength(8);
    // One way is 50 ± 20 ms; a snapshot comes every tick; a frame every 17 ms.
    expect(median(predicted.seen)).toBeLessThan(110);
    expect(median(interpolated.seen)).toBeGreaterThan(2 * median(predicted.seen));
  });

  it('draws the others where the host has them once they stand still, and steps every input as sent', () => {
    const { room } = play({ remotePlayers: 'predicted' });
    room.clock.advance(1_000);
    const host = room.peers.get('h');
    const a = room.peers.get('a');
    for (const viewer of [room.peers.get('a'), room.peers.get('b')]) {
      const view = viewer?.engine.view();
      for (const player of ['h', 'a', 'b']) {
        const drawn = view?.entities.get(playerEntityId(player))?.fields as { x: number; y: number } | undefined;
        const truth = dotOf(host?.engine.view()?.state, player);
        expect(drawn, `${viewer?.id} draws ${player}`).toBeDefined();
        expect(Math.hypot((drawn?.x ?? 0) - (truth?.x ?? 0), (drawn?.y ?? 0) - (truth?.y ?? 0))).toBeLessThan(0.5);
      }
      expect(view?.localEntities.size, `${viewer?.id} predicts every player`).toBe(3);
    }
    let asSent = 0;
    let stepped = 0;
    for (const [tick, input] of a?.sampled ?? []) {
      const used = host?.stepped.get(tick)?.get('a');
      if (used === undefined) continue;
      stepped++;
      if (used.dx === input.dx) asSent++;
    }
    expect(stepped).toBeGreaterThan(400);
    expect(asSent).toBe(stepped);
  });
});
