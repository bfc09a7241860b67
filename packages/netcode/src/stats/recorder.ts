/**
 * The stats recorder: a rolling window of everything a "my game lagged" report needs, dumped as
 * one JSON document (docs/stats-dump.md, close to Chrome's webrtc-internals dump).
 *
 * With every link's stats sample (the mesh's `stats` event: its `getStats()` report, once a
 * second, shared with `LinkStats`; links not yet connected are read by the recorder itself) it
 * keeps the types that matter for a network report (candidate pairs, candidates, transports,
 * data channels, inbound and outbound RTP), tickmesh's own link figures (`mesh.stats`: loss from sequence gaps, rates, candidate
 * types) and the sync layer's (`sync.stats()`: interpolation delay, corrections, clock), as time
 * series per stats object. It also logs, per peer, the offers, answers and candidates sent and
 * received (the mesh's `signal` event) and link state changes. Secrets never enter it (scrub.ts).
 *
 * Bounded: each series keeps `maxSamples` (5 minutes at 1/s), and the whole recording stays under
 * `maxBytes` of JSON by dropping the oldest tenth of every series (and of the event logs) when over.
 * Connections per peer, peers, stats objects per connection and events per peer are capped too,
 * and every refusal is counted in `counters`. A game that never creates a recorder ships none of
 * this (the mesh's `signal` event keeps nothing without a listener).
 */
import type { SyncStats } from '../sync/sync-stats.js';
import type { Mesh } from '../transport/mesh.js';
import type { LinkSignal } from '../transport/signal.js';
import { realTimers, type Timers } from '../util/timers.js';
import type { ConnectionRecord, LinkEvent, LinkEventType, RecorderCounters, StatsDump } from './dump-types.js';
import type { LinkStats } from './link-stats.js';
import { scrubConfig, scrubSdp } from './scrub.js';
import { flatten, SeriesTable, valueBytes } from './series-table.js';

/** The recorder's window and caps; every value can be overridden through `StatsRecorderOptions.tuning`. */
export const recorderDefaults = {
  /** How often the sync figures, and links not connected, are sampled (connected links: the mesh's `statsIntervalMs`). */
  sampleIntervalMs: 1_000,
  /** Samples kept per series: 300 at 1/s is the last 5 minutes. */
  maxSamples: 300,
  /** Estimated JSON size of the whole recording; over it the oldest tenth of every series goes. */
  maxBytes: 8 * 1024 * 1024,
  /** RTCPeerConnections kept per peer (a relink or a switch to TURN makes a new one); oldest dropped. */
  maxConnectionsPerPeer: 4,
  /** Peers kept, departed ones included; the longest gone is dropped first. */
  maxPeers: 24,
  /** Stats objects kept per connection (a peer sending many candidates makes many); more are refused. */
  maxStatsObjectsPerConnection: 64,
  /** Events (signals, link states) kept per peer; oldest dropped. */
  maxEventsPerPeer: 400,
};
export type RecorderTuning = typeof recorderDefaults;

/** The RTCStats types recorded; the rest (codecs, certificates, media sources...) are not. */
export const RECORDED_STATS_TYPES: ReadonlySet<string> = new Set([
  'candidate-pair',
  'local-candidate',
  'remote-candidate',
  'transport',
  'data-channel',
  'inbound-rtp',
  'outbound-rtp',
]);

/** What the recorder reads of a session: a `Session` is one; so is a bare mesh with a lobby client. */
export interface RecordedSession {
  readonly lobby: {
    readonly peerId: string | null;
    readonly room: {
      readonly hostId: string;
      readonly state: string;
      readonly peers: readonly { readonly id: string; readonly name: string }[];
    } | null;
  };
  readonly mesh: Pick<Mesh<unknown>, 'links' | 'peerConnection' | 'stats' | 'on'>;
  readonly sync?: { stats(): SyncStats } | null;
}

export interface StatsRecorderOptions {
  tuning?: Partial<RecorderTuning>;
  timers?: Timers;
  /** Wall clock, ms since the epoch, for tickmesh's own series and the events. Default `Date.now`. */
  now?: () => number;
  /** Written into the dump. Default `navigator.userAgent` where there is one. */
  userAgent?: string | null;
}

export interface StatsRecorder {
  /** The recording as one JSON-ready document (secrets left out); `JSON.stringify` it to save it. */
  dump(): StatsDump;
  /** Samples taken, what the caps dropped, the estimated size. */
  readonly counters: Readonly<RecorderCounters>;
  /** Stops sampling and listening; `dump()` still returns what was recorded. */
  close(): void;
}

interface Connection {
  pc: RTCPeerConnection;
  firstSeen: number;
  pcConfig: ConnectionRecord['pcConfig'];
  local: ConnectionRecord['localDescription'];
  remote: ConnectionRecord['remoteDescription'];
  stats: Map<string, SeriesTable>;
}

interface PeerRecord {
  name: string | null;
  lastSeen: number;
  link: SeriesTable;
  connections: Connection[];
  events: LinkEvent[];
  eventBytes: number;
}

function describe(pc: RTCPeerConnection, which: 'localDescription' | 'remoteDescription') {
  try {
    const d = pc[which];
    return d ? { type: d.type, sdp: scrubSdp(d.sdp) } : null;
  } catch {
    return null; // a closed wrtc connection may refuse
  }
}

function signalEvent(direction: 'sent' | 'received', signal: LinkSignal): { type: LinkEventType; value: string } {
  if (signal.description) {
    return { type: `${signal.description.type}-${direction}`, value: scrubSdp(signal.description.sdp) };
  }
  return { type: `candidates-${direction}`, value: (signal.candidates ?? []).map((c) => c.candidate).join('\n') };
}

/**
 * Records a session's network figures in a rolling window until `close()`.
 *
 * @example
 * ```ts
 * import { createStatsRecorder } from '@tickmesh/netcode';
 * const recorder = createStatsRecorder(session);
 * saveButton.onclick = () => {
 *   const blob = new Blob([JSON.stringify(recorder.dump())], { type: 'application/json' });
 *   const a = Object.assign(document.createElement('a'), { href: URL.createObjectURL(blob), download: 'report.json' });
 *   a.click();
 * };
 * ```
 */
export function createStatsRecorder(session: RecordedSession, options: StatsRecorderOptions = {}): StatsRecorder {
  const tuning: RecorderTuning = { ...recorderDefaults, ...options.tuning };
  const timers = options.timers ?? realTimers;
  const now = options.now ?? Date.now;
  const userAgent = options.userAgent !== undefined ? options.userAgent : (globalThis.navigator?.userAgent ?? null);
  const { mesh, lobby } = session;
  const peers = new Map<string, PeerRecord>();
  const sync = new SeriesTable('tickmesh-sync');
  const counters: RecorderCounters = {
    samples: 0,
    bytesTrims: 0,
    objectsRefused: 0,
    connectionsDropped: 0,
    peersDropped: 0,
    eventsDropped: 0,
    bytes: 0,
  };
  let closed = false;

  function nameOf(peerId: string): string | null {
    return lobby.room?.peers.find((p) => p.id === peerId)?.name ?? null;
  }

  /** The peer's record, made if new (dropping the longest-gone peer at the cap); null if none can be. */
  function peer(peerId: string): PeerRecord | null {
    const found = peers.get(peerId);
    if (found) return found;
    if (peers.size >= tuning.maxPeers) {
      const live = mesh.links;
      const gone = [...peers].filter(([id]) => !live.has(id)).sort((a, b) => a[1].lastSeen - b[1].lastSeen)[0];
      if (!gone) return null;
      peers.delete(gone[0]);
      counters.peersDropped++;
    }
    const record: PeerRecord = {
      name: nameOf(peerId),
      lastSeen: now(),
      link: new SeriesTable('tickmesh-link'),
      connections: [],
      events: [],
      eventBytes: 0,
    };
    peers.set(peerId, record);
    return record;
  }

  function logEvent(peerId: string, type: LinkEventType, value: string): void {
    const record = peer(peerId);
    if (!record) return;
    const event: LinkEvent = { time: now(), type, value };
    record.events.push(event);
    record.eventBytes += eventBytes(event);
    if (record.events.length > tuning.maxEventsPerPeer)
      dropEvents(record, record.events.length - tuning.maxEventsPerPeer);
    trimToBytes();
  }

  const eventBytes = (event: LinkEvent) => event.type.length + valueBytes(event.value) + 40;

  function dropEvents(record: PeerRecord, count: number): void {
    for (const event of record.events.splice(0, count)) record.eventBytes -= eventBytes(event);
    counters.eventsDropped += count;
  }

  function tables(): SeriesTable[] {
    const all = [sync];
    for (const record of peers.values()) {
      all.push(record.link);
      for (const connection of record.connections) all.push(...connection.stats.values());
    }
    return all;
  }

  function totalBytes(): number {
    let bytes = 0;
    for (const table of tables()) bytes += table.bytes;
    for (const record of peers.values()) {
      bytes += record.eventBytes;
      // Each connection's descriptions, configuration and the stats objects' ids and types.
      for (const c of record.connections) {
        bytes += 200 + c.stats.size * 60;
        for (const d of [c.local, c.remote]) if (d) bytes += valueBytes(d.sdp);
      }
    }
    return bytes;
  }

  /** Over `maxBytes`: the oldest tenth of every series and event log goes, until under. */
  function trimToBytes(): void {
    let bytes = totalBytes();
    while (bytes > tuning.maxBytes) {
      let freed = 0;
      for (const table of tables()) if (table.length > 1) freed += table.dropOldest(Math.ceil(table.length / 10));
      for (const record of peers.values()) {
        if (record.events.length === 0) continue;
        const before = record.eventBytes;
        dropEvents(record, Math.ceil(record.events.length / 10));
        freed += before - record.eventBytes;
      }
      counters.bytesTrims++;
      if (freed === 0) break;
      bytes -= freed;
    }
    counters.bytes = bytes;
  }

  function connectionFor(record: PeerRecord, pc: RTCPeerConnection): Connection {
    const last = record.connections[record.connections.length - 1];
    if (last?.pc === pc) return last;
    let config: RTCConfiguration = {};
    try {
      config = pc.getConfiguration();
    } catch {
      // a closed connection: its configuration is gone, the dump says so with no servers
    }
    const connection: Connection = {
      pc,
      firstSeen: now(),
      pcConfig: scrubConfig(config),
      local: null,
      remote: null,
      stats: new Map(),
    };
    record.connections.push(connection);
    if (record.connections.length > tuning.maxConnectionsPerPeer) {
      record.connections.shift();
      counters.connectionsDropped++;
    }
    return connection;
  }

  function keep(table: SeriesTable, time: number, sample: Readonly<Record<string, unknown>>): void {
    table.push(time, sample);
    if (table.length > tuning.maxSamples) table.dropOldest(table.length - tuning.maxSamples);
  }

  /** Keeps one link's sample: tickmesh's figures, its descriptions, and the report's recorded types. */
  function recordLink(peerId: string, stats: LinkStats | null, report: RTCStatsReport): void {
    const pc = mesh.peerConnection(peerId);
    const record = peer(peerId);
    if (closed || !pc || !record) return;
    record.lastSeen = now();
    record.name = nameOf(peerId) ?? record.name;
    if (stats) keep(record.link, now(), { timestamp: now(), state: mesh.links.get(peerId), ...flatten(stats) });
    const connection = connectionFor(record, pc);
    connection.local = describe(pc, 'localDescription') ?? connection.local;
    connection.remote = describe(pc, 'remoteDescription') ?? connection.remote;
    report.forEach((entry: { id: string; type: string; timestamp?: number }) => {
      if (!RECORDED_STATS_TYPES.has(entry.type)) return;
      let table = connection.stats.get(entry.id);
      if (!table) {
        if (connection.stats.size >= tuning.maxStatsObjectsPerConnection) {
          counters.objectsRefused++;
          return;
        }
        table = new SeriesTable(entry.type);
        connection.stats.set(entry.id, table);
      }
      keep(table, typeof entry.timestamp === 'number' ? entry.timestamp : now(), entry);
    });
    trimToBytes();
  }

  /** A link the mesh does not sample (not connected: ICE checks, a reconnection) is read here. */
  async function sampleUnconnected(peerId: string): Promise<void> {
    const pc = mesh.peerConnection(peerId);
    if (!pc) return;
    try {
      recordLink(peerId, mesh.stats(peerId), await pc.getStats());
    } catch {
      // closed meanwhile
    }
  }

  /**
   * Every `sampleIntervalMs`: the sync figures, and the links that are not connected. Connected
   * links come with the mesh's own `stats` events (one `getStats()` per link per second, shared).
   */
  function sample(): void {
    counters.samples++;
    const syncStats = session.sync?.stats();
    if (syncStats) keep(sync, now(), { timestamp: now(), ...flatten(syncStats) });
    for (const [peerId, state] of mesh.links) if (state !== 'connected') void sampleUnconnected(peerId);
    trimToBytes();
  }

  const timer = timers.setInterval(() => {
    if (!closed) sample();
  }, tuning.sampleIntervalMs);
  const unsubscribe = [
    mesh.on('signal', ({ peerId, direction, signal }) => {
      const { type, value } = signalEvent(direction, signal);
      logEvent(peerId, type, value);
    }),
    mesh.on('link', ({ peerId, state }) => logEvent(peerId, 'link-state', state)),
    mesh.on('stats', ({ peerId, stats, report }) => recordLink(peerId, stats, report)),
  ];

  return {
    counters,
    dump() {
      const room = lobby.room;
      const selfId = lobby.peerId;
      const out: StatsDump['peers'] = {};
      for (const [peerId, record] of peers) {
        out[peerId] = {
          name: record.name,
          link: record.link.toJSON(),
          connections: record.connections.map((c) => ({
            firstSeen: c.firstSeen,
            pcConfig: c.pcConfig,
            localDescription: c.local,
            remoteDescription: c.remote,
            stats: Object.fromEntries([...c.stats].map(([id, table]) => [id, table.toJSON()])),
          })),
          events: record.events.map((e) => ({ ...e })),
        };
      }
      return {
        format: 'tickmesh-stats-dump',
        version: 1,
        createdAt: now(),
        userAgent,
        self: { peerId: selfId, name: room?.peers.find((p) => p.id === selfId)?.name ?? null },
        room: room ? { hostId: room.hostId, state: room.state } : null,
        window: { sampleIntervalMs: tuning.sampleIntervalMs, maxSamples: tuning.maxSamples, maxBytes: tuning.maxBytes },
        counters: { ...counters },
        sync: sync.length > 0 ? sync.toJSON() : null,
        peers: out,
      };
    },
    close() {
      if (closed) return;
      closed = true;
      timers.clearInterval(timer);
      for (const off of unsubscribe) off();
    },
  };
}
