/**
 * Snapshots too big for one packet: a crowd of 400 moving entities goes out in parts of at most
 * 1,129 bytes, each applied on its own, the entities the game ranks first in the first part; over
 * a lossy link every client still ends up with the host's world.
 */
import { defineSnapshotSchema, field, type GameDefinition } from '@tickmesh/netcode';
import { DEFAULT_SNAPSHOT_PART_BYTES, decodeSnapshot, PacketTag } from '@tickmesh/netcode/internals';
import {
  conditionTransport,
  createMemoryNetwork,
  createRandom,
  createSimClock,
  createSyncEngine,
} from '@tickmesh/netcode/testing';
import { describe, expect, it } from 'vitest';

const schema = defineSnapshotSchema({ walker: { x: field.fixed(1 / 16), y: field.fixed(1 / 16) } });
type D = typeof schema.definition;
type Crowd = ReadonlyMap<number, { x: number; y: number }>;
const COUNT = 400;

const crowd: GameDefinition<Crowd, null, never, D> = {
  schema,
  initialState: () =>
    new Map(Array.from({ length: COUNT }, (_, i) => [i + 1, { x: (i * 37) % 1000, y: (i * 91) % 1000 }])),
  neutralInput: null,
  parseInput: (raw) => (raw === null ? null : null),
  step: (state, _inputs, dt, { tick }) =>
    new Map([...state].map(([id, w]) => [id, { x: w.x + Math.sin(tick / 30 + id) * 60 * dt, y: w.y + 30 * dt }])),
  toWorld: (state) => new Map([...state].map(([id, w]) => [id, { kind: 'walker' as const, fields: w }])),
  fromWorld: (entities) => new Map([...entities].map(([id, e]) => [id, { ...e.fields }])),
  localEntities: () => [],
  // Peer "a" cares most about the highest ids.
  snapshotPriority: (id, _entity, peer) => (peer === 'a' ? -id : id),
};

describe('snapshots in parts', () => {
  it('split under the packet size, ranked per peer, and complete on every client despite loss', () => {
    const clock = createSimClock(1_000);
    const network = createMemoryNetwork<unknown>({ timers: clock });
    const random = createRandom(9);
    const lossy = { outgoing: { latencyMs: 30, jitterMs: 5, loss: 0.05 } };
    const firstParts = new Map<string, Uint8Array>();
    const hostTransport = conditionTransport(network.join('host'), lossy, { timers: clock, random });
    const host = createSyncEngine({
      game: crowd,
      selfId: 'host',
      timers: clock,
      sampleInput: () => null,
      transport: {
        peers: () => hostTransport.peers(),
        on: hostTransport.on,
        send(to, payload, options) {
          const packet = payload as unknown[];
          if (packet[0] === PacketTag.snapshot && !firstParts.has(to)) firstParts.set(to, packet[2] as Uint8Array);
          return hostTransport.send(to, payload, options);
        },
      },
    });
    const clients = ['a', 'b'].map((id) =>
      createSyncEngine({
        game: crowd,
        selfId: id,
        timers: clock,
        sampleInput: () => null,
        transport: conditionTransport(network.join(id), lossy, { timers: clock, random }),
      }),
    );
    host.start({ hostId: 'host', players: ['host', 'a', 'b'] });
    for (const client of clients) client.start({ hostId: 'host', players: ['host', 'a', 'b'] });
    clock.advance(5_000);

    for (const [peer, bytes] of firstParts) {
      expect(bytes.length).toBeLessThanOrEqual(DEFAULT_SNAPSHOT_PART_BYTES);
      const decoded = decodeSnapshot(schema, bytes);
      expect(decoded.ok).toBe(true);
      if (!decoded.ok) continue;
      expect(decoded.part.partCount).toBeGreaterThan(1);
      const ids = decoded.part.created.map((e) => e.id);
      // The first part holds the peer's top-ranked entities.
      expect(ids.length).toBeGreaterThan(50);
      if (peer === 'a') expect(Math.min(...ids)).toBe(COUNT - ids.length + 1);
      else expect(Math.max(...ids)).toBe(ids.length);
    }
    expect(host.stats().snapshotBytesAvg).toBeGreaterThan(DEFAULT_SNAPSHOT_PART_BYTES);

    // With no inputs to guess, every client's prediction is the host's state at that tick, exactly.
    const truth = new Map<number, Crowd>();
    host.on('tick', ({ tick, state }) => truth.set(tick, state));
    const predicted = clients.map(() => new Map<number, Crowd>());
    clients.forEach((client, i) => {
      client.on('tick', ({ tick, state }) => predicted[i]?.set(tick, state));
    });
    clock.advance(1_000);
    clients.forEach((client, i) => {
      let compared = 0;
      for (const [tick, state] of predicted[i] ?? []) {
        const real = truth.get(tick);
        if (real === undefined) continue;
        expect(state).toEqual(real);
        compared++;
      }
      expect(compared).toBeGreaterThan(30);
      expect(client.stats().snapshotsRejected).toBe(0);
    });
  });
});
