// The report viewer's figures (examples/arena-game/src/report/figures.ts) from a small dump made by
// hand: the saving page's sync section, then one section per peer with RTT, loss, bitrate, jitter
// and candidate types, each plot's values lined up with its sample times.
import type { StatsDump, StatsObject } from '@tickmesh/netcode/stats-dump';
import { describe, expect, it } from 'vitest';
import { CANDIDATE_LEVELS, sectionsOf } from '../../examples/arena-game/src/report/figures.js';

const T0 = 1_700_000_000_000;

function object(type: string, fields: Record<string, (number | string | null)[]>): StatsObject {
  const n = Object.values(fields)[0]?.length ?? 0;
  const timestamp = Array.from({ length: n }, (_, i) => T0 + i * 1000);
  const series: StatsObject['series'] = {};
  for (const [field, values] of Object.entries({ timestamp, ...fields }))
    series[field] = { startTime: T0, endTime: T0 + (n - 1) * 1000, values };
  return { type, series };
}

const dump: StatsDump = {
  format: 'tickmesh-stats-dump',
  version: 1,
  createdAt: T0 + 5000,
  userAgent: null,
  self: { peerId: 'b', name: 'Bob' },
  room: { hostId: 'a', state: 'playing' },
  window: { sampleIntervalMs: 1000, maxSamples: 300, maxBytes: 8 << 20 },
  counters: {
    samples: 3,
    bytesTrims: 0,
    objectsRefused: 0,
    connectionsDropped: 0,
    peersDropped: 0,
    eventsDropped: 0,
    bytes: 1,
  },
  sync: object('tickmesh-sync', {
    interpDelayMs: [40, 50, 60],
    snapshotJitterMs: [1, 2, 3],
    correctionsPerSec: [0, 1, 0],
  }),
  peers: {
    a: {
      name: 'Ann',
      link: object('tickmesh-link', {
        rttMs: [null, 4, 5],
        lossRate: [0, 0.05, 0],
        bytesInPerS: [0, 1000, 2000],
        bytesOutPerS: [0, 500, 500],
        localCandidateType: ['unknown', 'host', 'relay'],
        remoteCandidateType: ['unknown', 'host', 'relay'],
      }),
      connections: [
        {
          firstSeen: T0,
          pcConfig: { iceServers: [] },
          localDescription: null,
          remoteDescription: null,
          stats: { IT01: object('inbound-rtp', { kind: ['audio', 'audio'], jitter: [0.002, 0.004] }) },
        },
      ],
      events: [],
    },
  },
};

describe('report figures', () => {
  it('gives the sync section, then one per peer, with every figure', () => {
    const sections = sectionsOf(dump);
    expect(sections.map((s) => [s.peerId, s.title])).toEqual([
      ['self', 'Bob: sync'],
      ['a', 'Bob → Ann'],
    ]);
    expect(sections[0]?.plots.map((p) => p.figure)).toEqual(['interpolation', 'corrections']);
    expect(sections[1]?.plots.map((p) => p.figure)).toEqual(['rtt', 'loss', 'bitrate', 'jitter', 'candidates']);
  });

  it('converts units and keeps values on their sample times', () => {
    const plots = new Map(sectionsOf(dump)[1]?.plots.map((p) => [p.figure, p]));
    expect(plots.get('rtt')?.times).toEqual([T0 / 1000, T0 / 1000 + 1, T0 / 1000 + 2]);
    expect(plots.get('rtt')?.series[0]?.values).toEqual([null, 4, 5]);
    expect(plots.get('loss')?.series[0]?.values).toEqual([0, 5, 0]);
    expect(plots.get('bitrate')?.series.map((s) => s.values)).toEqual([
      [0, 8, 16],
      [0, 4, 4],
    ]);
    const jitter = plots.get('jitter');
    expect(jitter?.times).toEqual([T0 / 1000, T0 / 1000 + 1]);
    expect(jitter?.series[0]?.values.map((v) => Math.round((v ?? 0) * 10) / 10)).toEqual([2, 4]);
    const candidates = plots.get('candidates');
    expect(candidates?.levels).toEqual(CANDIDATE_LEVELS);
    expect(candidates?.series[0]).toEqual({ label: 'local', values: [0, 1, 4], stepped: true });
  });

  it('says so when a peer sent no RTP', () => {
    const noAudio: StatsDump = {
      ...dump,
      peers: { a: { ...(dump.peers.a as StatsDump['peers'][string]), connections: [] } },
    };
    const jitter = sectionsOf(noAudio)[1]?.plots.find((p) => p.figure === 'jitter');
    expect(jitter?.title).toBe('jitter (no RTP received)');
    expect(jitter?.series).toEqual([]);
  });
});
