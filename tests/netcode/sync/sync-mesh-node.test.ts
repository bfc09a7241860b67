/**
 * The sync suite, shorter, over real parts: a real lobby server, Node peers on the real WebRTC
 * mesh (@roamhq/wrtc), each running a session of the dots game. The room starts the game, players
 * move and score, the host leaves mid-game and the room's next host carries on.
 */
import { type LobbyServer, startLobbyServer } from '@tickmesh/lobby-server';
import { playerEntityId } from '@tickmesh/netcode';
import type { DotsEvent, DotsInput } from '@tickmesh/netcode/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DotsPlayer, dotPosition, joinDots, playingDotsRoom } from '../../helpers/dots-player.js';
import { letTimePass, waitFor } from '../../helpers/wait.js';

interface Player extends DotsPlayer {
  hostStepped: Map<number, ReadonlyMap<string, DotsInput>>;
  events: DotsEvent[];
}

let server: LobbyServer;
const players: Player[] = [];

async function join(url: string, name: string): Promise<Player> {
  const player: Player = Object.assign(await joinDots(url, name), {
    hostStepped: new Map<number, ReadonlyMap<string, DotsInput>>(),
    events: [] as DotsEvent[],
  });
  player.session.sync.on('tick', ({ tick, inputs, authoritative }) => {
    if (authoritative) player.hostStepped.set(tick, inputs);
  });
  player.session.sync.on('event', ({ event }) => player.events.push(event));
  return player;
}

/** True when each viewer draws `of` within half a pixel of the first viewer. */
function agreeOn(of: Player, viewers: readonly Player[]): boolean {
  const [first, ...rest] = viewers.map((v) => dotPosition(v, of));
  return (
    first !== undefined &&
    rest.every((p) => p !== undefined && Math.abs(p.x - first.x) < 0.5 && Math.abs(p.y - first.y) < 0.5)
  );
}
/** The ticks whose input `player` sampled and the host stepped: [tick, sampled, stepped]. */
const steppedAsSampled = (host: Player, player: Player) =>
  [...player.sampled].flatMap(([tick, input]) => {
    const used = host.hostStepped.get(tick)?.get(player.id);
    return used === undefined ? [] : [[tick, input, used] as const];
  });

beforeAll(async () => {
  server = await startLobbyServer({ host: '127.0.0.1', port: 0, metricsPort: 0, rateLimitPerS: 500, rateBurst: 500 });
  for (const name of ['host', 'ann', 'bob']) players.push(await join(server.url, name));
  await playingDotsRoom(players);
}, 30_000);

afterAll(async () => {
  for (const player of players) player.close();
  await server?.close();
});

describe('sync over the real WebRTC mesh (Node, wrtc)', () => {
  it('a client that moves is seen moving by the others, and the host steps its inputs as sent', async () => {
    const [host, ann, bob] = players as [Player, Player, Player];
    await waitFor(() => agreeOn(ann, [host, bob, ann]), 'ann drawn in the same place by everyone');
    const before = dotPosition(bob, ann)?.x ?? Number.NaN;
    // Toward the far wall (spawn points depend on the peer ids), so the dot has room to move.
    const dx = before < 200 ? 1 : -1;
    ann.input = { dx, dy: 0, fire: false };
    await letTimePass(1000); // ann holds the direction for a second
    ann.input = { dx: 0, dy: 0, fire: true };
    await waitFor(() => [...ann.sampled.values()].some((input) => input.fire), 'a tick to sample ann pressing fire');
    ann.input = { dx: 0, dy: 0, fire: false };
    // Where ann stopped and her point reach everyone, and the host has stepped enough of her ticks to compare.
    await waitFor(
      () =>
        agreeOn(ann, [host, bob, ann]) &&
        [host, bob, ann].every((p) => p.events.some((e) => e.player === ann.id)) &&
        bob.events.length === host.events.length &&
        steppedAsSampled(host, ann).length > 100,
      'every view to agree on where ann stopped, her point, and 100 of her ticks stepped',
      {
        report: () => ({
          seenBy: { host: dotPosition(host, ann), bob: dotPosition(bob, ann), ann: dotPosition(ann, ann) },
          events: { host: host.events, bob: bob.events, ann: ann.events },
          stepped: steppedAsSampled(host, ann).length,
        }),
      },
    );
    const seenByBob = dotPosition(bob, ann)?.x ?? Number.NaN;
    // About 1 s at 120 px/s (the dot may touch a wall or another dot).
    expect((seenByBob - before) * dx).toBeGreaterThan(60);
    for (const [tick, sampled, used] of steppedAsSampled(host, ann))
      expect(used, `ann's input at tick ${tick}`).toEqual(sampled);
    expect(ann.events.filter((e) => e.player === ann.id)).toHaveLength(1);
    expect(bob.events).toEqual(host.events);
  });

  it('when the host leaves, the next member hosts and play goes on with scores kept', async () => {
    const [host, ann, bob] = players as [Player, Player, Player];
    const annScore = host.session.sync.view()?.state.dots.get(playerEntityId(ann.id))?.score;
    expect(annScore).toBe(1);
    // Leaving (not just dropping: a dropped peer keeps its slot through the reconnect grace).
    expect((await host.session.lobby.leaveRoom()).ok).toBe(true);
    host.close();
    await waitFor(() => ann.session.sync.status.kind === 'hosting', 'ann to host', { timeoutMs: 10_000 });
    expect(bob.session.sync.status).toEqual({ kind: 'playing', hostId: ann.id, hostSilent: false });
    const before = dotPosition(ann, bob)?.y ?? Number.NaN;
    const dy = before < 150 ? 1 : -1;
    bob.input = { dx: 0, dy, fire: false };
    await letTimePass(700); // bob holds the direction for 0.7 s
    bob.input = { dx: 0, dy: 0, fire: false };
    await waitFor(() => agreeOn(bob, [ann, bob]), 'the new host to draw bob where he stopped', {
      report: () => ({ seenByAnn: dotPosition(ann, bob), seenByBob: dotPosition(bob, bob) }),
    });
    const seenByAnn = dotPosition(ann, bob)?.y ?? Number.NaN;
    expect((seenByAnn - before) * dy).toBeGreaterThan(30);
    expect(ann.session.sync.view()?.state.dots.get(playerEntityId(ann.id))?.score).toBe(annScore);
    expect(ann.session.sync.view()?.state.dots.has(playerEntityId(host.id))).toBe(false);
  }, 20_000);
});
