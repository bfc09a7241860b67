/**
 * One stats object's samples over time, column by column, for the stats recorder: every field is a
 * series of the same length (null where a sample lacked the field, so `values[i]` of every series
 * belongs to the same sample), trimmed from the oldest end. It estimates its JSON size as it goes,
 * so the recorder can hold a byte cap without serializing anything.
 */
import type { StatsObject, StatValue } from './dump-types.js';

/** Estimated JSON bytes of one value in an array (its text and a comma). */
export function valueBytes(value: StatValue): number {
  if (value === null) return 5;
  if (typeof value === 'number') return String(value).length + 1;
  if (typeof value === 'boolean') return value ? 5 : 6;
  return JSON.stringify(value).length + 1; // escapes included: an SDP's \r\n are four characters
}

/** A field worth recording: numbers, strings and booleans (RTCStats holds little else). */
function recordable(value: unknown): value is StatValue {
  return (
    (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'string' || typeof value === 'boolean'
  );
}

/** Fields never recorded as series: they name the object rather than measure it. */
const SKIPPED = new Set(['id', 'type']);

export class SeriesTable {
  private readonly times: number[] = [];
  private readonly columns = new Map<string, StatValue[]>();
  private estimate = 0;

  constructor(
    readonly type: string,
    /** Most fields kept; later new fields are ignored. */
    private readonly maxFields = 96,
  ) {}

  /** Samples held. */
  get length(): number {
    return this.times.length;
  }

  /** Estimated JSON bytes of the values held. */
  get bytes(): number {
    return this.estimate;
  }

  /** Adds one sample taken at `time` (ms since the epoch); returns the bytes it added. */
  push(time: number, sample: Readonly<Record<string, unknown>>): number {
    const before = this.estimate;
    const index = this.times.length;
    this.times.push(time);
    for (const [field, value] of Object.entries(sample)) {
      if (SKIPPED.has(field) || !recordable(value)) continue;
      let column = this.columns.get(field);
      if (!column) {
        if (this.columns.size >= this.maxFields) continue;
        column = new Array<StatValue>(index).fill(null);
        this.columns.set(field, column);
        // The field's key and its startTime/endTime wrapper: about 80 characters of JSON.
        this.estimate += field.length + 80 + index * valueBytes(null);
      }
      column.push(value);
      this.estimate += valueBytes(value);
    }
    for (const column of this.columns.values()) {
      if (column.length === index) {
        column.push(null);
        this.estimate += valueBytes(null);
      }
    }
    return this.estimate - before;
  }

  /** Drops the `count` oldest samples; returns the bytes freed. */
  dropOldest(count: number): number {
    const n = Math.min(count, this.times.length);
    if (n <= 0) return 0;
    const before = this.estimate;
    this.times.splice(0, n);
    for (const column of this.columns.values()) {
      for (const value of column.splice(0, n)) this.estimate -= valueBytes(value);
    }
    return before - this.estimate;
  }

  /** The object as the dump holds it (webrtc-internals' shape). */
  toJSON(): StatsObject {
    const startTime = this.times[0] ?? 0;
    const endTime = this.times[this.times.length - 1] ?? 0;
    const series: StatsObject['series'] = {};
    for (const [field, values] of this.columns) series[field] = { startTime, endTime, values: [...values] };
    return { type: this.type, series };
  }
}

/** Flattens one level of nested objects (`dropped: { text: 1 }` to `dropped.text: 1`). */
export function flatten(record: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value !== null && typeof value === 'object') {
      for (const [inner, v] of Object.entries(value)) out[`${key}.${inner}`] = v;
    } else {
      out[key] = value;
    }
  }
  return out;
}
