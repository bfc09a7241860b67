/**
 * `@tickmesh/netcode/stats-dump`: the stats dump format (docs/stats-dump.md) as a zod schema, for
 * tools that read dumps (a report viewer, a test). A game that records does not import it.
 */
export { parseStatsDump, statsDumpSchema } from './stats/dump-schema.js';
export {
  type ConnectionRecord,
  EVENT_TYPES,
  type LinkEvent,
  type LinkEventType,
  type PeerRecord,
  type RecorderCounters,
  type SessionDescriptionRecord,
  type StatsDump,
  type StatsObject,
  type StatsSeries,
  type StatValue,
} from './stats/dump-types.js';
