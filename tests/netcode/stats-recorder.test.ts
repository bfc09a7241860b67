// The stats recorder's pure parts on plain objects and a simulated clock: the series table keeps
// its fields aligned and its size estimate honest, the window holds `maxSamples` and `maxBytes`
// however long a game runs, the other caps count what they refuse, and nothing secret (a TURN
// credential, `a=ice-pwd`) reaches a dump, which parses with the format's schema.
import { createStatsRecorder, type RecordedSession } from '@tickmesh/netcode';
import { parseStatsDump } from '@tickmesh/netcode/stats-dump';
import { createSimClock } from '@tickmesh/netcode/testing';
import { describe, expect, it } from 'vitest';
import { scrubConfig, scrubSdp } from '../../packages/netcode/src/stats/scrub.js';
import { flatten, SeriesTable } from '../../packages/netcode/src/stats/series-table.js';

const SDP = [
  'v=0',
  'a=ice-ufrag:Ab12',
  'a=ice-pwd:s3cretIcePassword0123456789',
  'a=fingerprint:sha-256 AA:BB',
  'a=candidate:1 1 udp 2122260223 127.0.0.1 40000 typ host',
  'a=ice-pwd:anotherOne',
  '',
].join('\r\n');

describe('SeriesTable', () => {
  it('keeps every field the same length, null where a sample lacked it, and trims from the oldest end', () => {
    const table = new SeriesTable('candidate-pair');
    table.push(1000, { id: 'CP1', type: 'candidate-pair', timestamp: 1000, bytesSent: 10, nested: { a: 1 } });
    table.push(2000, { id: 'CP1', timestamp: 2000, bytesSent: 20, currentRoundTripTime: 0.004, state: 'succeeded' });
    table.push(3000, { timestamp: 3000, currentRoundTripTime: 0.005, nominated: true });
    const json = table.toJSON();
    expect(json.type).toBe('candidate-pair');
    expect(Object.keys(json.series).sort()).toEqual([
      'bytesSent',
      'currentRoundTripTime',
      'nominated',
      'state',
      'timestamp',
    ]);
    expect(json.series.bytesSent?.values).toEqual([10, 20, null]);
    expect(json.series.currentRoundTripTime?.values).toEqual([null, 0.004, 0.005]);
    expect(json.series.nominated).toEqual({ startTime: 1000, endTime: 3000, values: [null, null, true] });
    table.dropOldest(2);
    expect(table.toJSON().series.timestamp).toEqual({ startTime: 3000, endTime: 3000, values: [3000] });
  });

  it('estimates its JSON size within a small margin, and back to nothing when emptied', () => {
    const table = new SeriesTable('inbound-rtp');
    for (let i = 0; i < 200; i++) table.push(i, { timestamp: 1_700_000_000_000 + i, jitter: i / 1000, kind: 'audio' });
    const actual = JSON.stringify(table.toJSON()).length;
    expect(table.bytes).toBeGreaterThan(actual * 0.8);
    expect(table.bytes).toBeLessThan(actual * 1.3);
    table.dropOldest(200);
    expect(table.length).toBe(0);
    expect(table.bytes).toBeLessThan(3 * 100); // the three fields' keys and wrappers only
  });

  it('flattens one level of nesting', () => {
    expect(flatten({ rttMs: 4, dropped: { text: 1, depth: 0 } })).toEqual({
      rttMs: 4,
      'dropped.text': 1,
      'dropped.depth': 0,
    });
  });
});

describe('scrubbing', () => {
  it('redacts every a=ice-pwd and keeps the rest of the SDP', () => {
    const out = scrubSdp(SDP);
    expect(out).not.toContain('s3cretIcePassword');
    expect(out).not.toContain('anotherOne');
    expect(out).toContain('a=ice-pwd:[redacted]\r\n');
    expect(out).toContain('a=ice-ufrag:Ab12');
    expect(out).toContain('typ host');
  });

  it('keeps the ICE servers URLs only', () => {
    const config = scrubConfig({
      iceServers: [
        { urls: 'stun:127.0.0.1:3478' },
        { urls: ['turn:127.0.0.1:3478?transport=udp'], username: '1700000000:ann', credential: 'hmacSecretValue' },
      ],
      iceTransportPolicy: 'relay',
    });
    expect(config).toEqual({
      iceServers: [{ urls: 'stun:127.0.0.1:3478' }, { urls: ['turn:127.0.0.1:3478?transport=udp'] }],
      iceTransportPolicy: 'relay',
    });
  });
});

/**
 * A session of plain objects: a mesh with one link to Bob whose getStats gives a pair, a codec and
 * `candidates` remote candidates. Connected, the link's reports come as the mesh's `stats` events
 * (`seconds` emits them, as the mesh does once a second); otherwise the recorder reads getStats.
 */
function fakeSession(state: 'connected' | 'connecting' = 'connected') {
  const listeners = new Map<string, Set<(e: never) => void>>();
  const emit = (type: string, event: unknown) => {
    for (const fn of listeners.get(type) ?? []) (fn as (e: unknown) => void)(event);
  };
  let bytes = 0;
  let candidates = 2;
  const report = () => {
    bytes += 1000;
    const entries: Record<string, unknown>[] = [
      { id: 'CP1', type: 'candidate-pair', timestamp: bytes, bytesSent: bytes, currentRoundTripTime: 0.01 },
      { id: 'COT01', type: 'codec', timestamp: bytes, mimeType: 'audio/opus' },
    ];
    for (let i = 0; i < candidates; i++)
      entries.push({ id: `RC${i}`, type: 'remote-candidate', candidateType: 'host' });
    return new Map(entries.map((e) => [e.id as string, e])) as unknown as RTCStatsReport;
  };
  const pc = {
    localDescription: { type: 'offer', sdp: SDP },
    remoteDescription: { type: 'answer', sdp: SDP },
    getConfiguration: () => ({
      iceServers: [{ urls: 'turn:127.0.0.1:3478', username: '1700000000:ann', credential: 'hmacSecretValue' }],
    }),
    getStats: async () => report(),
  } as unknown as RTCPeerConnection;
  const session: RecordedSession = {
    lobby: {
      peerId: 'me',
      room: {
        hostId: 'me',
        state: 'playing',
        peers: [
          { id: 'me', name: 'Ann' },
          { id: 'bob', name: 'Bob' },
        ],
      },
    },
    mesh: {
      links: new Map([['bob', state]]),
      peerConnection: (id) => (id === 'bob' ? pc : null),
      stats: () => null,
      on: ((type: string, fn: (e: never) => void) => {
        const set = listeners.get(type) ?? new Set();
        set.add(fn);
        listeners.set(type, set);
        return () => set.delete(fn);
      }) as RecordedSession['mesh']['on'],
    },
  };
  const clock = createSimClock();
  /** `n` seconds: the recorder's timer, the mesh's stats event of a connected link, promises settled. */
  async function seconds(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      clock.advance(1000);
      if (state === 'connected') emit('stats', { peerId: 'bob', stats: null, report: report() });
      for (let j = 0; j < 5; j++) await Promise.resolve();
    }
  }
  return { session, emit, clock, seconds, setCandidates: (n: number) => (candidates = n) };
}

describe('createStatsRecorder', () => {
  it('records the named stats types only, as series, and dumps a document the schema parses', async () => {
    const { session, emit, clock, seconds } = fakeSession();
    const recorder = createStatsRecorder(session, { timers: clock, now: () => 1_700_000_000_000 + clock.now() });
    emit('signal', {
      peerId: 'bob',
      direction: 'sent',
      signal: { sid: 's', description: { type: 'offer', sdp: SDP } },
    });
    emit('link', { peerId: 'bob', state: 'connected' });
    await seconds(5);
    const dump = recorder.dump();
    const parsed = parseStatsDump(JSON.parse(JSON.stringify(dump)));
    expect(parsed.ok ? [] : parsed.issues).toEqual([]);
    const bob = dump.peers.bob;
    expect(bob?.name).toBe('Bob');
    const stats = bob?.connections[0]?.stats ?? {};
    expect(Object.keys(stats).sort()).toEqual(['CP1', 'RC0', 'RC1']); // no codec
    expect(stats.CP1?.series.bytesSent?.values).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect(bob?.events.map((e) => e.type)).toEqual(['offer-sent', 'link-state']);
    const text = JSON.stringify(dump);
    for (const secret of ['hmacSecretValue', '1700000000:ann', 's3cretIcePassword', 'anotherOne'])
      expect(text).not.toContain(secret);
    expect(dump.self).toEqual({ peerId: 'me', name: 'Ann' });
    recorder.close();
  });

  it('reads a link that is not connected itself (the mesh samples connected ones only)', async () => {
    const { session, clock, seconds } = fakeSession('connecting');
    const recorder = createStatsRecorder(session, { timers: clock });
    await seconds(3);
    const pair = recorder.dump().peers.bob?.connections[0]?.stats.CP1;
    expect(pair?.series.bytesSent?.values).toEqual([1000, 2000, 3000]);
    recorder.close();
  });

  it('holds maxSamples per series however long it runs', async () => {
    const { session, clock, seconds } = fakeSession();
    const recorder = createStatsRecorder(session, { timers: clock, tuning: { maxSamples: 10 } });
    await seconds(40);
    const values = recorder.dump().peers.bob?.connections[0]?.stats.CP1?.series.bytesSent?.values;
    expect(values).toEqual([31, 32, 33, 34, 35, 36, 37, 38, 39, 40].map((s) => s * 1000));
    expect(recorder.counters.samples).toBe(40);
    recorder.close();
  });

  it('stays under maxBytes by dropping the oldest samples, counting it', async () => {
    const { session, clock, seconds } = fakeSession();
    const recorder = createStatsRecorder(session, { timers: clock, tuning: { maxBytes: 4_000 } });
    await seconds(120);
    const dump = recorder.dump();
    expect(JSON.stringify(dump.peers).length).toBeLessThan(4_000 * 1.3);
    expect(recorder.counters.bytes).toBeLessThanOrEqual(4_000);
    expect(recorder.counters.bytesTrims).toBeGreaterThan(0);
    const values = dump.peers.bob?.connections[0]?.stats.CP1?.series.bytesSent?.values ?? [];
    expect(values.at(-1)).toBe(120_000); // the newest kept
    expect(values.length).toBeLessThan(120);
    recorder.close();
  });

  it('refuses stats objects over the cap (a peer sending many candidates) and counts them', async () => {
    const { session, clock, seconds, setCandidates } = fakeSession();
    setCandidates(500);
    const recorder = createStatsRecorder(session, { timers: clock, tuning: { maxStatsObjectsPerConnection: 16 } });
    await seconds(2);
    expect(Object.keys(recorder.dump().peers.bob?.connections[0]?.stats ?? {})).toHaveLength(16);
    expect(recorder.counters.objectsRefused).toBeGreaterThan(900);
    recorder.close();
  });

  it('keeps maxEventsPerPeer events, the newest', async () => {
    const { session, emit, clock } = fakeSession();
    const recorder = createStatsRecorder(session, { timers: clock, tuning: { maxEventsPerPeer: 5 } });
    for (let i = 0; i < 50; i++) emit('link', { peerId: 'bob', state: i % 2 ? 'connected' : 'reconnecting' });
    expect(recorder.dump().peers.bob?.events).toHaveLength(5);
    expect(recorder.counters.eventsDropped).toBe(45);
    recorder.close();
    emit('link', { peerId: 'bob', state: 'closed' });
    expect(recorder.dump().peers.bob?.events).toHaveLength(5); // closed: no longer listening
  });
});
