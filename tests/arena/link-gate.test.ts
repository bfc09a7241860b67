// The links a match needs (app/link-gate.ts): the host's start gate waits for every link and
// offers to start without a member after a while; links down too long are called stuck; the
// player the match started without is told, not shown an empty arena.
import type { LinkState, Room } from '@tickmesh/netcode';
import { describe, expect, it } from 'vitest';
import {
  type LinkWait,
  leftOut,
  leftOutText,
  linkGateDefaults,
  NO_LINK_WAIT,
  namesText,
  startGate,
  stepLinkWait,
  stuckLinks,
  stuckText,
  waitingText,
} from '../../examples/arena-game/src/app/link-gate.js';

function room(state: Room['state'] = 'open'): Room {
  return {
    code: 'AAAAAA',
    state,
    hostId: 'ann',
    public: false,
    maxPlayers: 8,
    settings: {},
    peers: [
      { id: 'ann', name: 'Ann', ready: false, connected: true, seq: 1 },
      { id: 'bob', name: 'Bob', ready: true, connected: true, seq: 2 },
      { id: 'cy', name: 'Cy', ready: true, connected: true, seq: 3 },
      { id: 'dee', name: 'Dee', ready: true, connected: false, seq: 4 },
    ],
  };
}

const links = (entries: Record<string, LinkState | null>) => new Map(Object.entries(entries));
const { offerWithoutAfterMs, stuckAfterMs } = linkGateDefaults;

describe('the start gate', () => {
  it('waits for every link to a connected member, then offers to start without the late ones', () => {
    const r = room();
    let wait: LinkWait = stepLinkWait(NO_LINK_WAIT, r, 'ann', links({ bob: 'connecting', cy: 'connected' }), 0);
    expect(startGate(wait, r, 'ann', 0)).toEqual({ waitingFor: ['Bob'], startWithout: [] });
    expect(waitingText(startGate(wait, r, 'ann', 0))).toBe("Waiting for Bob's connection…");

    // Cy's link drops later: Bob keeps his time, Cy's starts now.
    wait = stepLinkWait(wait, r, 'ann', links({ bob: 'failed', cy: 'reconnecting' }), 3_000);
    expect(startGate(wait, r, 'ann', offerWithoutAfterMs)).toEqual({
      waitingFor: ['Bob', 'Cy'],
      startWithout: ['Bob'],
    });
    // Both up: the gate opens.
    wait = stepLinkWait(wait, r, 'ann', links({ bob: 'connected', cy: 'connected' }), 9_000);
    expect(startGate(wait, r, 'ann', 9_000)).toEqual({ waitingFor: [], startWithout: [] });
  });

  it('does not wait for a member away from the lobby, nor for itself', () => {
    const r = room();
    const wait = stepLinkWait(NO_LINK_WAIT, r, 'ann', links({ bob: 'connected', cy: 'connected' }), 0);
    expect(wait.size).toBe(0);
    expect(startGate(wait, r, 'ann', 60_000).waitingFor).toEqual([]);
  });

  it('forgets every wait out of a room', () => {
    const wait = stepLinkWait(NO_LINK_WAIT, room(), 'ann', links({}), 0);
    expect(wait.size).toBe(2);
    expect(stepLinkWait(wait, null, 'ann', links({}), 1).size).toBe(0);
  });
});

describe('stuck links', () => {
  it('are the links down at least stuckAfterMs, said with what to try', () => {
    const r = room();
    const wait = stepLinkWait(NO_LINK_WAIT, r, 'bob', links({ ann: 'connecting', cy: null }), 0);
    expect(stuckLinks(wait, r, 'bob', stuckAfterMs - 1)).toEqual([]);
    expect(stuckLinks(wait, r, 'bob', stuckAfterMs)).toEqual(['Ann', 'Cy']);
    expect(stuckText(['Ann', 'Cy'], { relayOn: false, turnOffered: true })).toBe(
      "Can't connect to Ann and Cy. Try turning on relay (TURN) in the netgraph (F3), or another network.",
    );
    // Relay on, none offered: that is the trouble. Nothing left to switch: another network.
    expect(stuckText(['Ann'], { relayOn: true, turnOffered: false })).toBe(
      "Can't connect to Ann. Relay (TURN) is on, but this server offers none: turn it off in the netgraph (F3).",
    );
    expect(stuckText(['Ann'], { relayOn: true, turnOffered: true })).toMatch(
      /^Can't connect to Ann\. Try another network/,
    );
    expect(stuckText(['Ann'], { relayOn: false, turnOffered: false })).toMatch(/Try another network/);
    expect(namesText(['A', 'B', 'C'])).toBe('A, B and C');
  });
});

describe('left out of a match', () => {
  it('is a guest in a playing room with no link to the host and nothing to draw', () => {
    expect(leftOut(room('playing'), 'bob', 'connecting', false)).toBe(true);
    expect(leftOut(room('playing'), 'bob', null, false)).toBe(true);
    // A world already drawn: a link lost mid-match is not this.
    expect(leftOut(room('playing'), 'bob', 'reconnecting', true)).toBe(false);
    expect(leftOut(room('playing'), 'bob', 'connected', false)).toBe(false);
    expect(leftOut(room('playing'), 'ann', null, false)).toBe(false);
    expect(leftOut(room('open'), 'bob', null, false)).toBe(false);
    expect(leftOut(null, 'bob', null, false)).toBe(false);
    expect(leftOutText({ relayOn: false, turnOffered: true }).body).toMatch(/relay \(TURN\) in the netgraph/);
  });
});
