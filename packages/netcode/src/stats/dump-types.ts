/**
 * The stats dump's types (docs/stats-dump.md), version 1, without zod: what the recorder builds
 * and the main entry exports, so neither a game's bundle nor its type-check loads zod. The zod
 * schema (dump-schema.ts, `@tickmesh/netcode/stats-dump`) is proven equal to these at compile time.
 */

/** One recorded value: RTCStats fields are numbers, strings or booleans; null where a sample lacked the field. */
export type StatValue = number | string | boolean | null;

/** One field of one stats object over time; `values[i]` belongs to the object's `timestamp` series' `values[i]`. */
export interface StatsSeries {
  /** Wall-clock time of the first and the last sample kept, ms since the epoch. */
  startTime: number;
  endTime: number;
  values: StatValue[];
}

/** A stats object (an RTCStats id, or one of tickmesh's own) with every recorded field as a series. */
export interface StatsObject {
  /** The RTCStats `type` (`candidate-pair`, `transport`, ...), or `tickmesh-link` / `tickmesh-sync`. */
  type: string;
  series: Record<string, StatsSeries>;
}

export interface SessionDescriptionRecord {
  type: string;
  sdp: string;
}

/** One RTCPeerConnection to a peer (a peer has several after a relink or a switch to TURN). */
export interface ConnectionRecord {
  /** When the recorder first saw it, ms since the epoch. */
  firstSeen: number;
  /** `getConfiguration()` with the ICE servers' usernames and credentials removed. */
  pcConfig: {
    iceServers: { urls: string | string[] }[];
    iceTransportPolicy?: string | undefined;
    bundlePolicy?: string | undefined;
    rtcpMuxPolicy?: string | undefined;
  };
  /** The latest descriptions (`a=ice-pwd` redacted). */
  localDescription: SessionDescriptionRecord | null;
  remoteDescription: SessionDescriptionRecord | null;
  /** Every recorded RTCStats object of its `getStats()`, by id. */
  stats: Record<string, StatsObject>;
}

export const EVENT_TYPES = [
  'offer-sent',
  'answer-sent',
  'offer-received',
  'answer-received',
  'candidates-sent',
  'candidates-received',
  'link-state',
] as const;
export type LinkEventType = (typeof EVENT_TYPES)[number];

/** What happened to a peer's link, like webrtc-internals' update log. */
export interface LinkEvent {
  time: number;
  type: LinkEventType;
  /** The SDP (`a=ice-pwd` redacted), the candidate lines one per line, or the link state. */
  value: string;
}

export interface PeerRecord {
  /** The name the room gave the peer, when it was last seen in the room. */
  name: string | null;
  /** tickmesh's own figures of the link (`mesh.stats`): rttMs, lossRate, bytesInPerS, localCandidateType, ... */
  link: StatsObject;
  connections: ConnectionRecord[];
  events: LinkEvent[];
}

export interface RecorderCounters {
  /** Sampling rounds taken. */
  samples: number;
  /** Times the oldest tenth of every series was dropped to stay under `maxBytes`. */
  bytesTrims: number;
  /** Stats objects not recorded: over `maxStatsObjectsPerConnection`. */
  objectsRefused: number;
  /** Connections, peers and events dropped, oldest first, over their caps. */
  connectionsDropped: number;
  peersDropped: number;
  eventsDropped: number;
  /** The recording's estimated size (its JSON), bytes. */
  bytes: number;
}

/** A stats dump, version 1 (docs/stats-dump.md). */
export interface StatsDump {
  format: 'tickmesh-stats-dump';
  version: 1;
  /** When the dump was taken, ms since the epoch. */
  createdAt: number;
  userAgent: string | null;
  /** Who took it: its peer id and room name (never its session token). */
  self: { peerId: string | null; name: string | null };
  /** The room at the time: its host and state (not its code, which lets anyone join). */
  room: { hostId: string; state: string } | null;
  window: { sampleIntervalMs: number; maxSamples: number; maxBytes: number };
  counters: RecorderCounters;
  /** The sync layer's figures (`session.sync.stats()`, `dropped` flattened to `dropped.<reason>`), when recorded. */
  sync: StatsObject | null;
  peers: Record<string, PeerRecord>;
}
