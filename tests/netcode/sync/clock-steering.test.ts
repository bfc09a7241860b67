/**
 * Clock steering: a client's first clock samples are taken on a slow network (or a busy start),
 * then the network gets fast. Its lead shrinks to the new RTT within about a second, by speeding
 * time down rather than jumping, and its inputs keep reaching the host in time all along.
 */
import {
  conditionTransport,
  createMemoryNetwork,
  createRandom,
  createSimClock,
  createSyncEngine,
  dotsGame,
} from '@tickmesh/netcode/testing';
import { describe, expect, it } from 'vitest';

describe('clock steering', () => {
  it('sheds a lead made too large by a slow start within about a second, without a jump', () => {
    const clock = createSimClock(1_000);
    const network = createMemoryNetwork<unknown>({ timers: clock });
    const random = createRandom(1);
    const links = ['host', 'client'].map((id) =>
      conditionTransport(network.join(id), { outgoing: { latencyMs: 120 } }, { timers: clock, random }),
    );
    const engine = (selfId: string, transport: (typeof links)[number]) =>
      createSyncEngine({
        game: dotsGame,
        transport,
        selfId,
        timers: clock,
        sampleInput: () => ({ dx: 1, dy: 0, fire: false }),
      });
    const [hostLink, clientLink] = links as [(typeof links)[number], (typeof links)[number]];
    const host = engine('host', hostLink);
    const client = engine('client', clientLink);
    for (const engine of [host, client]) engine.start({ hostId: 'host', players: ['host', 'client'] });
    clock.advance(3_000);
    const slowLead = client.stats().tickOffsetMs;
    const missingBefore = host.stats().inputsMissing;
    expect(slowLead).toBeGreaterThan(150); // RTT/2 + jitter allowance + 2 ticks at 240 ms RTT

    for (const link of links) link.setConditions('all', { latencyMs: 5 });
    clock.advance(1_500);
    const fastLead = client.stats().tickOffsetMs;
    expect(fastLead).toBeLessThan(60);
    expect(client.stats().clockJumps).toBe(0);
    expect(missingBefore).toBe(0);
    expect(host.stats().inputsMissing).toBe(0);
  });
});
