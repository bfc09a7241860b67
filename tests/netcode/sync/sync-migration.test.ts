/**
 * Host migration mid-game under loss: the host leaves at 10 s; the room names the next host (as
 * the lobby does: the member with the lowest seq), which carries on from its own latest state with
 * the links it already has. Nobody resets, no input is lost, every peer converges on the new host.
 */
import { playerEntityId } from '@tickmesh/netcode';
import {
  createDotsRoom,
  dotOf,
  type DotsPeer as Peer,
  type DotsRoom as Room,
  startAll,
  wanderScript,
} from '@tickmesh/netcode/testing';
import { beforeAll, describe, expect, it } from 'vitest';

const BAD_NETWORK = { latencyMs: 40, jitterMs: 15, loss: 0.05, duplicate: 0.02, reorder: 0.02 };
const STOP_TICK = 22 * 60;
const LEAVE_AT_MS = 10_000;
const REMAINING = ['a', 'b', 'c'];

let room: Room;
const peer = (id: string): Peer => {
  const found = room.peers.get(id);
  if (found === undefined) throw new Error(`no peer ${id}`);
  return found;
};
let scoresBefore = new Map<string, number>();
let firstSnapshotAfterMs = new Map<string, number>();

beforeAll(() => {
  room = createDotsRoom(['h', ...REMAINING], BAD_NETWORK, wanderScript(3, STOP_TICK), 5);
  startAll(room, 'h');
  room.clock.advance(LEAVE_AT_MS);
  scoresBefore = new Map(REMAINING.map((id) => [id, dotOf(peer('h').engine.view()?.state, id)?.score ?? -1]));
  peer('h').close();
  const snapshotsAtLeave = new Map(REMAINING.map((id) => [id, peer(id).engine.stats().snapshots]));
  for (const id of REMAINING) {
    peer(id).engine.setPlayers(REMAINING);
    peer(id).engine.setHost('a');
  }
  firstSnapshotAfterMs = new Map();
  for (let ms = 0; ms < 15_000; ms += 10) {
    room.clock.advance(10);
    for (const id of ['b', 'c']) {
      if (!firstSnapshotAfterMs.has(id) && peer(id).engine.stats().snapshots > (snapshotsAtLeave.get(id) ?? 0)) {
        firstSnapshotAfterMs.set(id, ms + 10);
      }
    }
  }
});

describe('host migration under loss', () => {
  it('the next member becomes host without a reset; the others follow it', () => {
    expect(peer('a').engine.status).toEqual({ kind: 'hosting', hostId: 'a' });
    for (const id of ['b', 'c']) {
      expect(peer(id).engine.status).toEqual({ kind: 'playing', hostId: 'a', hostSilent: false });
      const after = firstSnapshotAfterMs.get(id);
      expect(after).toBeLessThan(250);
    }
    // The new host's ticks carry on from the old host's timeline.
    const lastOldTick = Math.max(...peer('h').states.keys());
    const firstNewTick = Math.min(...[...peer('a').states.keys()].filter((t) => t > lastOldTick));
    expect(firstNewTick - lastOldTick).toBeLessThan(30);
  });

  it('scores survive and no input is lost across the change', () => {
    const hostState = peer('a').engine.view()?.state;
    for (const id of REMAINING) {
      const score = dotOf(hostState, id)?.score ?? -1;
      expect(score).toBeGreaterThanOrEqual(scoresBefore.get(id) ?? 0);
      const sampled = peer(id).sampled;
      const presses = [...sampled].filter(([t, input]) => input.fire && !sampled.get(t - 1)?.fire).length;
      expect(score, `${id}'s score is its presses`).toBe(presses);
    }
    expect(hostState?.dots.has(playerEntityId('h'))).toBe(false);
  });

  it('every peer converges on the new host: same positions, drawn and predicted', () => {
    const truth = peer('a').engine.view()?.state;
    for (const id of ['b', 'c']) {
      const view = peer(id).engine.view();
      expect(view?.entities.has(playerEntityId('h'))).toBe(false);
      for (const player of REMAINING) {
        const mine = dotOf(view?.state, player);
        const real = dotOf(truth, player);
        expect(mine, `${id}'s view of ${player}`).toEqual(real);
      }
    }
  });
});
