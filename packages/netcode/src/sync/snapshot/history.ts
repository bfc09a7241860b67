/**
 * A small ring of quantized worlds by tick. The host keeps one of what it sent (the baselines it
 * may code against, one per peer's last ack); a receiver keeps one of the worlds it rebuilt
 * completely (the baselines the host may name). Ticks are uint32 and compared with serial number
 * arithmetic (RFC 1982), so a wrap is harmless.
 */
import type { QuantizedWorld } from './schema.js';

/** Worlds a history keeps by default: 1 s of snapshots at 32 Hz. */
export const DEFAULT_SNAPSHOT_HISTORY = 32;

export interface SnapshotHistory {
  /** Keeps a world, replacing the one `capacity` ticks before it. */
  put(world: QuantizedWorld): void;
  /** The world of `tick`, if still kept. */
  get(tick: number): QuantizedWorld | undefined;
  /** The newest world kept. */
  latest(): QuantizedWorld | undefined;
  clear(): void;
}

/** True when uint32 tick `a` is after `b` (within half the tick space). */
export function isTickAfter(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

/**
 * A ring of `capacity` worlds indexed by tick modulo `capacity`.
 *
 * @example
 * ```ts
 * const history = createSnapshotHistory();
 * history.put(quantizeWorld(arena, world));
 * const baseline = history.get(lastAckedTick) ?? null;
 * ```
 */
export function createSnapshotHistory(capacity: number = DEFAULT_SNAPSHOT_HISTORY): SnapshotHistory {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  const slots = new Array<QuantizedWorld | undefined>(capacity).fill(undefined);
  return {
    put(world) {
      slots[world.tick % capacity] = world;
    },
    get(tick) {
      const world = slots[tick % capacity];
      return world !== undefined && world.tick === tick ? world : undefined;
    },
    latest() {
      let newest: QuantizedWorld | undefined;
      for (const world of slots) {
        if (world !== undefined && (newest === undefined || isTickAfter(world.tick, newest.tick))) newest = world;
      }
      return newest;
    },
    clear() {
      slots.fill(undefined);
    },
  };
}
