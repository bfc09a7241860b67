// The arena's match flow: the phase from the lobby room and the match entity, and the end-of-round
// rule (every page shows the end screen for its seconds, counted from when it saw the end; then
// the host alone sends room.end, once; a room out of its match starts the next round afresh).
import type { Room } from '@tickmesh/netcode';
import { describe, expect, it } from 'vitest';
import {
  appPhase,
  createMatchFlow,
  END_SCREEN_S,
  endScreenBackInS,
  ROUND_NOT_ENDED,
  stepRoundEnd,
} from '../../examples/arena-game/src/app/match-flow.js';
import {
  type ArenaEntity,
  arenaToWorld,
  initialArenaState,
  MATCH_ID,
  Phase,
} from '../../examples/arena-game/src/simulation.js';
import { arenaRoom } from './fixtures.js';

const room = (state: Room['state'], hostId = 'ann'): Room => arenaRoom(state, hostId, 'ABCDEF');

/** The world of a match in `phase`. */
function world(phase: number): Map<number, ArenaEntity> {
  const state = initialArenaState({ roundS: 60, map: 0, seed: 1 });
  return arenaToWorld({ ...state, match: { ...state.match, phase } });
}

const noMatch = () => {
  throw new Error('read the match outside a match');
};

describe('appPhase', () => {
  it('is menu without a room, lobby or countdown from the room, without reading the match', () => {
    expect(appPhase(null, noMatch)).toBe('menu');
    expect(appPhase(room('open'), noMatch)).toBe('lobby');
    expect(appPhase(room('countdown'), noMatch)).toBe('countdown');
  });

  it('in a match: ended once the match entity says so, else playing (also before there is a world)', () => {
    expect(appPhase(room('playing'), () => world(Phase.ended).get(MATCH_ID))).toBe('ended');
    expect(appPhase(room('playing'), () => world(Phase.playing).get(MATCH_ID))).toBe('playing');
    expect(appPhase(room('playing'), () => undefined)).toBe('playing');
  });
});

describe('the end-of-round rule', () => {
  const endMs = END_SCREEN_S * 1000;

  it('changes nothing before the round ends', () => {
    const step = stepRoundEnd(ROUND_NOT_ENDED, { ended: false, host: true, nowMs: 5_000 });
    expect(step).toEqual({ state: ROUND_NOT_ENDED, sendEnd: false });
  });

  it('stamps the end when first seen, and the end screen counts down from the full time to 0', () => {
    let state = stepRoundEnd(ROUND_NOT_ENDED, { ended: true, host: false, nowMs: 1_000 }).state;
    expect(state.endedAtMs).toBe(1_000);
    state = stepRoundEnd(state, { ended: true, host: false, nowMs: 3_000 }).state;
    expect(state.endedAtMs).toBe(1_000);
    expect(endScreenBackInS(ROUND_NOT_ENDED, 0)).toBe(END_SCREEN_S);
    expect(endScreenBackInS(state, 1_000)).toBe(END_SCREEN_S);
    expect(endScreenBackInS(state, 1_001)).toBe(END_SCREEN_S);
    expect(endScreenBackInS(state, 2_000)).toBe(END_SCREEN_S - 1);
    expect(endScreenBackInS(state, 1_000 + endMs)).toBe(0);
    expect(endScreenBackInS(state, 1_000 + 2 * endMs)).toBe(0);
  });

  it('the host sends room.end once, only when more than the end screen time has passed', () => {
    let state = stepRoundEnd(ROUND_NOT_ENDED, { ended: true, host: true, nowMs: 1_000 }).state;
    let step = stepRoundEnd(state, { ended: true, host: true, nowMs: 1_000 + endMs });
    expect(step.sendEnd).toBe(false);
    state = step.state;
    step = stepRoundEnd(state, { ended: true, host: true, nowMs: 1_001 + endMs });
    expect(step.sendEnd).toBe(true);
    state = step.state;
    expect(state.endSent).toBe(true);
    expect(stepRoundEnd(state, { ended: true, host: true, nowMs: 2_000 + endMs }).sendEnd).toBe(false);
  });

  it('a guest never sends; one that becomes host sends on its own count', () => {
    let state = stepRoundEnd(ROUND_NOT_ENDED, { ended: true, host: false, nowMs: 1_000 }).state;
    expect(stepRoundEnd(state, { ended: true, host: false, nowMs: 1_000 + 2 * endMs }).sendEnd).toBe(false);
    state = stepRoundEnd(state, { ended: true, host: false, nowMs: 1_000 + 2 * endMs }).state;
    expect(stepRoundEnd(state, { ended: true, host: true, nowMs: 1_001 + 2 * endMs }).sendEnd).toBe(true);
  });

  it('takes the end screen time from its argument', () => {
    const state = stepRoundEnd(ROUND_NOT_ENDED, { ended: true, host: true, nowMs: 0 }, 1).state;
    expect(stepRoundEnd(state, { ended: true, host: true, nowMs: 1_001 }, 1).sendEnd).toBe(true);
    expect(endScreenBackInS(state, 500, 1)).toBe(1);
  });
});

describe('createMatchFlow', () => {
  /** A flow over a room and a world the test sets; `ends` counts room.end requests. */
  function setup(selfId: string) {
    const at: { room: Room | null; world: Map<number, ArenaEntity> | undefined } = { room: null, world: undefined };
    let ends = 0;
    const flow = createMatchFlow({
      room: () => at.room,
      selfId: () => selfId,
      world: () => at.world,
      end: () => {
        ends++;
      },
    });
    return { at, flow, ends: () => ends };
  }

  it('follows the room into a match and out of it', () => {
    const { at, flow } = setup('ann');
    expect(flow.phase()).toBe('menu');
    at.room = room('open');
    expect(flow.phase()).toBe('lobby');
    at.room = room('countdown');
    expect(flow.phase()).toBe('countdown');
    at.room = room('playing');
    at.world = world(Phase.playing);
    expect(flow.phase()).toBe('playing');
    at.world = world(Phase.ended);
    expect(flow.phase()).toBe('ended');
  });

  it('the host sends room.end once after the end screen; the next round counts afresh', () => {
    const { at, flow, ends } = setup('ann');
    at.room = room('playing');
    at.world = world(Phase.playing);
    for (let t = 0; t <= 10_000; t += 100) flow.update(t);
    expect(ends()).toBe(0);
    at.world = world(Phase.ended);
    for (let t = 10_100; t <= 10_000 + END_SCREEN_S * 1000; t += 100) flow.update(t);
    expect(flow.backInS(10_000 + END_SCREEN_S * 1000)).toBe(1);
    expect(ends()).toBe(0);
    for (let t = 10_100 + END_SCREEN_S * 1000; t <= 30_000; t += 100) flow.update(t);
    expect(ends()).toBe(1);

    // Back in the room lobby, then the next round ends: its own end screen, its own room.end.
    at.room = room('open');
    flow.roomChanged(at.room);
    at.room = room('playing');
    flow.roomChanged(at.room);
    expect(flow.backInS(40_000)).toBe(END_SCREEN_S);
    for (let t = 40_000; t <= 40_000 + END_SCREEN_S * 1000; t += 100) flow.update(t);
    expect(ends()).toBe(1);
    flow.update(40_100 + END_SCREEN_S * 1000);
    expect(ends()).toBe(2);
  });

  it('a guest shows the end screen but never sends', () => {
    const { at, flow, ends } = setup('bob');
    at.room = room('playing');
    at.world = world(Phase.ended);
    for (let t = 0; t <= 20_000; t += 100) flow.update(t);
    expect(flow.phase()).toBe('ended');
    expect(flow.backInS(20_000)).toBe(0);
    expect(ends()).toBe(0);
  });

  it('forgets an end screen when the player is taken out of the room (kicked, expired) during it', () => {
    const { at, flow, ends } = setup('ann');
    at.room = room('playing');
    at.world = world(Phase.ended);
    flow.update(0);
    at.room = null;
    flow.roomChanged(null);
    // Later, in another room's match that ends: a full end screen before the host sends room.end.
    at.room = room('playing');
    flow.roomChanged(at.room);
    flow.update(60_000);
    expect(flow.backInS(60_000)).toBe(END_SCREEN_S);
    expect(ends()).toBe(0);
  });

  it('keeps its count through room updates within the match (a host change)', () => {
    const { at, flow, ends } = setup('bob');
    at.room = room('playing');
    at.world = world(Phase.ended);
    flow.update(0);
    at.room = room('playing', 'bob');
    flow.roomChanged(at.room);
    flow.update(END_SCREEN_S * 1000 + 1);
    expect(ends()).toBe(1);
  });
});
