// Model-based walk of the room machine: seeded random sequences of every event (from members,
// ex-members and strangers) and clock steps, with the room's invariants checked after every step.
// fast-check shrinks any failing sequence to a minimal one.
import { connectedCount, type RoomContext, type RoomEvent, roomMachine } from '@tickmesh/lobby-server';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';

const COUNTDOWN_MS = 1000;
const IDS = ['a', 'b', 'c', 'd', 'e', 'f'] as const;

type Step = { kind: 'event'; event: RoomEvent } | { kind: 'tick'; ms: number };

const id = fc.constantFrom(...IDS);
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 1500 }) }),
  fc
    .oneof(
      id.map((x): RoomEvent => ({ type: 'join', peer: { id: x, name: x.toUpperCase() } })),
      id.map((by): RoomEvent => ({ type: 'leave', by })),
      fc.tuple(id, id).map(([by, target]): RoomEvent => ({ type: 'kick', by, target })),
      id.map((by): RoomEvent => ({ type: 'disconnect', by })),
      id.map((by): RoomEvent => ({ type: 'resume', by, name: `${by}!` })),
      fc.tuple(id, fc.boolean()).map(([by, ready]): RoomEvent => ({ type: 'ready', by, ready })),
      fc.tuple(id, fc.boolean()).map(([by, lateJoin]): RoomEvent => ({ type: 'settings', by, settings: { lateJoin } })),
      id.map((by): RoomEvent => ({ type: 'start', by })),
      id.map((by): RoomEvent => ({ type: 'end', by })),
    )
    .map((event) => ({ kind: 'event' as const, event })),
);

function checkInvariants(
  state: string,
  ctx: RoomContext,
  previous: { state: string; maxSeq: number },
  maxPlayers: number,
) {
  const connected = connectedCount(ctx);
  if (connected > 0) {
    const host = ctx.peers.find((p) => p.id === ctx.hostId);
    expect(host, 'a host exists while any member is connected').toBeDefined();
    expect(host?.connected, 'the host is a connected member').toBe(true);
  }
  if (state === 'countdown') {
    expect(connected, 'countdown holds at least 2 connected peers').toBeGreaterThanOrEqual(2);
    expect(ctx.countdownEndsAt).not.toBeNull();
  } else {
    expect(ctx.countdownEndsAt).toBeNull();
  }
  if (state === 'playing') expect(connected).toBeGreaterThanOrEqual(2);
  if (state === 'open' && previous.state !== 'open') {
    expect(
      ctx.peers.some((p) => p.ready),
      'returning to open clears ready flags',
    ).toBe(false);
  }
  const seqs = ctx.peers.map((p) => p.seq);
  for (let i = 1; i < seqs.length; i++) expect(seqs[i], 'seqs rise in member order').toBeGreaterThan(seqs[i - 1] ?? 0);
  for (const seq of seqs) expect(seq).toBeLessThan(ctx.nextSeq);
  expect(ctx.nextSeq - 1, 'seqs are never reused').toBeGreaterThanOrEqual(previous.maxSeq);
  expect(new Set(ctx.peers.map((p) => p.id)).size).toBe(ctx.peers.length);
  expect(ctx.peers.length).toBeLessThanOrEqual(maxPlayers);
  if (state === 'closed') expect(ctx.peers).toHaveLength(0);
  else expect(ctx.peers.length).toBeGreaterThan(0);
}

/** Runs `steps` against a fresh room actor on a simulated clock, calling `onStep` after each one. */
function walk(steps: readonly Step[], maxPlayers: number, onStep: (state: string, context: RoomContext) => void): void {
  const clock = new SimulatedClock();
  const actor = createActor(roomMachine, {
    clock,
    input: {
      code: 'ABCDEF',
      public: false,
      maxPlayers,
      settings: {},
      creator: { id: 'a', name: 'A' },
      countdownMs: COUNTDOWN_MS,
      now: () => clock.now(),
    },
  }).start();
  for (const s of steps) {
    if (actor.getSnapshot().status === 'done') break;
    if (s.kind === 'tick') clock.increment(s.ms);
    else actor.send(s.event);
    const snapshot = actor.getSnapshot();
    onStep(String(snapshot.value), snapshot.context);
  }
  actor.stop();
}

describe('room machine model walk', () => {
  it('holds its invariants over random event sequences', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), fc.integer({ min: 2, max: 5 }), (steps, maxPlayers) => {
        let previous = { state: 'open', maxSeq: 1 };
        walk(steps, maxPlayers, (state, context) => {
          checkInvariants(state, context, previous, maxPlayers);
          previous = { state, maxSeq: context.nextSeq - 1 };
        });
      }),
      { numRuns: 400, seed: 20261122 },
    );
  });

  it('reaches every state in the walk (the walk is not vacuous)', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.array(step, { minLength: 40, maxLength: 80 }), (steps) => {
        walk(steps, 4, (state) => seen.add(state));
      }),
      { numRuns: 600, seed: 7 },
    );
    expect([...seen].sort()).toEqual(['closed', 'countdown', 'open', 'playing']);
  });
});
