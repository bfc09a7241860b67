/**
 * The stats dump format (docs/stats-dump.md), version 1, as a zod schema: what
 * `createStatsRecorder(...).dump()` returns and what a report viewer parses. Its time series follow
 * Chrome's webrtc-internals dump (`{ statsId: { type, series: { field: { startTime, endTime,
 * values } } } }`), with the values as a JSON array rather than a string of one.
 *
 * Only tools import this module (`@tickmesh/netcode/stats-dump`): the recorder and the main
 * entry use dump-types.ts, so a game that records neither ships nor type-checks zod.
 */
import { z } from 'zod';
import { EVENT_TYPES, type StatsDump } from './dump-types.js';

/** One recorded value: RTCStats fields are numbers, strings or booleans; null where a sample lacked the field. */
export const statValueSchema = z.union([z.number(), z.string(), z.boolean(), z.null()]);

/** One field of one stats object over time; `values[i]` belongs to the object's `timestamp` series' `values[i]`. */
export const seriesSchema = z.strictObject({
  /** Wall-clock time of the first and the last sample kept, ms since the epoch. */
  startTime: z.number(),
  endTime: z.number(),
  values: z.array(statValueSchema),
});

/** A stats object (an RTCStats id, or one of tickmesh's own) with every recorded field as a series. */
export const statsObjectSchema = z.strictObject({
  /** The RTCStats `type` (`candidate-pair`, `transport`, ...), or `tickmesh-link` / `tickmesh-sync`. */
  type: z.string(),
  series: z.record(z.string(), seriesSchema),
});

const descriptionSchema = z.strictObject({ type: z.string(), sdp: z.string() });

/** An ICE server as the dump keeps it: its URLs only (no username, no credential: strict). */
const iceServerSchema = z.strictObject({ urls: z.union([z.string(), z.array(z.string())]) });

/** One RTCPeerConnection to a peer (a peer has several after a relink or a switch to TURN). */
export const connectionSchema = z.strictObject({
  /** When the recorder first saw it, ms since the epoch. */
  firstSeen: z.number(),
  /** `getConfiguration()` with the ICE servers' usernames and credentials removed. */
  pcConfig: z.strictObject({
    iceServers: z.array(iceServerSchema),
    iceTransportPolicy: z.string().optional(),
    bundlePolicy: z.string().optional(),
    rtcpMuxPolicy: z.string().optional(),
  }),
  /** The latest descriptions (`a=ice-pwd` redacted). */
  localDescription: descriptionSchema.nullable(),
  remoteDescription: descriptionSchema.nullable(),
  /** Every recorded RTCStats object of its `getStats()`, by id. */
  stats: z.record(z.string(), statsObjectSchema),
});

/** What happened to a peer's link, like webrtc-internals' update log. */
export const linkEventSchema = z.strictObject({
  time: z.number(),
  type: z.enum(EVENT_TYPES),
  /** The SDP (`a=ice-pwd` redacted), the candidate lines one per line, or the link state. */
  value: z.string(),
});

export const peerRecordSchema = z.strictObject({
  /** The name the room gave the peer, when it was last seen in the room. */
  name: z.string().nullable(),
  /** tickmesh's own figures of the link (`mesh.stats`): rttMs, lossRate, bytesInPerS, localCandidateType, ... */
  link: statsObjectSchema,
  connections: z.array(connectionSchema),
  events: z.array(linkEventSchema),
});

export const recorderCountersSchema = z.strictObject({
  /** Sampling rounds taken. */
  samples: z.number(),
  /** Oldest samples dropped to stay under `maxBytes` (each round drops a tenth of every series). */
  bytesTrims: z.number(),
  /** Stats objects not recorded: over `maxStatsObjectsPerConnection`. */
  objectsRefused: z.number(),
  /** Connections, peers and events dropped, oldest first, over their caps. */
  connectionsDropped: z.number(),
  peersDropped: z.number(),
  eventsDropped: z.number(),
  /** The recording's estimated size (its JSON), bytes. */
  bytes: z.number(),
});

export const statsDumpSchema = z.strictObject({
  format: z.literal('tickmesh-stats-dump'),
  version: z.literal(1),
  /** When the dump was taken, ms since the epoch. */
  createdAt: z.number(),
  userAgent: z.string().nullable(),
  /** Who took it: its peer id and room name (never its session token). */
  self: z.strictObject({ peerId: z.string().nullable(), name: z.string().nullable() }),
  /** The room at the time: its host and state (not its code, which lets anyone join). */
  room: z.strictObject({ hostId: z.string(), state: z.string() }).nullable(),
  window: z.strictObject({ sampleIntervalMs: z.number(), maxSamples: z.number(), maxBytes: z.number() }),
  counters: recorderCountersSchema,
  /** The sync layer's figures (`session.sync.stats()`, `dropped` flattened to `dropped.<reason>`), when recorded. */
  sync: statsObjectSchema.nullable(),
  peers: z.record(z.string(), peerRecordSchema),
});

/** True when `A` and `B` are the same type (each assignable to the other, optional keys alike). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compile-time proof that the schema parses exactly dump-types.ts' `StatsDump`: declared once each, kept equal. */
const schemaMatchesTypes: Same<z.infer<typeof statsDumpSchema>, StatsDump> = true;
void schemaMatchesTypes;

/**
 * Parses a dump (say, `JSON.parse` of a dropped file): the dump, or the problems found.
 *
 * @example
 * const result = parseStatsDump(JSON.parse(await file.text()));
 * if (!result.ok) show(result.issues.join('\n'));
 */
export function parseStatsDump(value: unknown): { ok: true; dump: StatsDump } | { ok: false; issues: string[] } {
  const result = statsDumpSchema.safeParse(value);
  if (result.success) return { ok: true, dump: result.data };
  return { ok: false, issues: result.error.issues.slice(0, 20).map((i) => `${i.path.join('.')}: ${i.message}`) };
}
