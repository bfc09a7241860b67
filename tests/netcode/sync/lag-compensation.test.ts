/**
 * Lag compensation: a client draws a moving target about 100 ms in the past and shoots where it
 * sees it. The host, checking the shot against the state the shooter saw (`context.seenBy`),
 * scores the hit; checked against its own present the same shot misses.
 */
import { defineSnapshotSchema, field, type GameDefinition, type SyncEngine } from '@tickmesh/netcode';
import {
  conditionTransport,
  createMemoryNetwork,
  createRandom,
  createSimClock,
  createSyncEngine,
} from '@tickmesh/netcode/testing';
import { describe, expect, it } from 'vitest';

const schema = defineSnapshotSchema({ target: { x: field.fixed(1 / 16) } });
type D = typeof schema.definition;
interface State {
  x: number;
}
interface Shot {
  aimX: number | null;
}
interface Hit {
  compensated: boolean;
  present: boolean;
}
const TARGET = 1;
const HIT_RADIUS = 4;

const gallery: GameDefinition<State, Shot, Hit, D> = {
  schema,
  initialState: () => ({ x: 0 }),
  neutralInput: { aimX: null },
  parseInput: (raw) => {
    const aimX = (raw as { aimX?: unknown } | null)?.aimX;
    return aimX === null || typeof aimX === 'number' ? { aimX } : null;
  },
  parseEvent: (raw) => raw as Hit,
  step(state, inputs, dt, context) {
    for (const [player, shot] of inputs) {
      if (shot.aimX === null) continue;
      const seen = context.seenBy(player);
      context.emit({
        compensated: Math.abs(seen.x - shot.aimX) <= HIT_RADIUS,
        present: Math.abs(state.x - shot.aimX) <= HIT_RADIUS,
      });
    }
    return { x: (state.x + 120 * dt) % 2000 };
  },
  toWorld: (state) => new Map([[TARGET, { kind: 'target' as const, fields: { x: state.x } }]]),
  fromWorld: (entities) => ({ x: entities.get(TARGET)?.fields.x ?? 0 }),
  localEntities: () => [],
};

describe('lag compensation', () => {
  it('the host tests a shot against the world as the shooter saw it', () => {
    const clock = createSimClock(1_000);
    const network = createMemoryNetwork<unknown>({ timers: clock });
    const random = createRandom(3);
    const conditions = { outgoing: { latencyMs: 50, jitterMs: 5 } };
    const hostTransport = conditionTransport(network.join('host'), conditions, { timers: clock, random });
    const clientTransport = conditionTransport(network.join('client'), conditions, { timers: clock, random });
    const host = createSyncEngine({
      game: gallery,
      transport: hostTransport,
      selfId: 'host',
      timers: clock,
      sampleInput: () => ({ aimX: null }),
    });
    let shots = 0;
    const client: SyncEngine<State, Shot, Hit, D> = createSyncEngine({
      game: gallery,
      transport: clientTransport,
      selfId: 'client',
      timers: clock,
      sampleInput: (tick): Shot => {
        // Every half second, shoot exactly where the target is drawn right now.
        const drawn = client.view()?.entities.get(TARGET);
        if (tick % 30 !== 0 || drawn === undefined) return { aimX: null };
        shots++;
        return { aimX: drawn.fields.x };
      },
    });
    const hits: Hit[] = [];
    host.on('event', ({ event }) => hits.push(event));
    host.start({ hostId: 'host', players: ['host', 'client'] });
    client.start({ hostId: 'host', players: ['host', 'client'] });
    clock.advance(2_000); // settle the clock and the interpolation delay
    hits.length = 0;
    shots = 0;
    clock.advance(10_000);
    expect(shots).toBeGreaterThanOrEqual(19);
    expect(hits.length).toBe(shots);
    expect(hits.every((hit) => hit.compensated)).toBe(true);
    // Without compensation the target has moved on by (lead + interpolation delay) × 120 px/s.
    expect(hits.filter((hit) => hit.present)).toHaveLength(0);
  });
});
