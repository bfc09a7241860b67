/**
 * The receiving end of snapshots: decodes each part, finds the baseline it names among the worlds
 * rebuilt before, and gathers the parts of each tick. A tick whose parts have all arrived joins
 * the history: only such a world is a valid baseline, so only its tick should be acknowledged
 * (a world missing a part still renders fine: its missing entities keep their baseline state).
 * Acknowledging is the sync layer's job; this module only says which ticks are complete.
 */
import { type AppliedSnapshot, applySnapshotParts, type SnapshotApplyFailure } from './apply.js';
import { decodeSnapshot, type SnapshotDecodeFailure } from './decode.js';
import type { SnapshotPart } from './format.js';
import { createSnapshotHistory, DEFAULT_SNAPSHOT_HISTORY, type SnapshotHistory } from './history.js';
import type { QuantizedWorld, SnapshotSchema } from './schema.js';

export interface SnapshotReceiverOptions {
  /** Complete worlds kept as possible baselines. Default 32. */
  historySize?: number;
  /** Ticks gathered at once while parts are missing; the oldest is dropped beyond this. Default 4. */
  maxPendingTicks?: number;
}

/**
 * `no-baseline`: a delta against a tick not (or no longer) in the history; `duplicate`: a part
 * already received, or of a tick already complete.
 */
export type SnapshotReceiveFailure = SnapshotDecodeFailure | SnapshotApplyFailure | 'no-baseline' | 'duplicate';

export type SnapshotReceipt =
  | {
      ok: true;
      /** The tick's world with every part received so far. */
      world: QuantizedWorld;
      part: SnapshotPart;
      /** All parts of the tick have arrived: the world is in the history, acknowledge its tick. */
      complete: boolean;
    }
  | { ok: false; reason: SnapshotReceiveFailure };

export interface SnapshotReceiver {
  /** Takes one received part. Never throws. */
  receive(bytes: Uint8Array): SnapshotReceipt;
  /** Complete worlds by tick. */
  readonly history: SnapshotHistory;
  /** Forgets every world and pending tick (a new host re-baselines with a full snapshot). */
  reset(): void;
}

interface Pending {
  readonly baseline: QuantizedWorld | null;
  readonly parts: readonly SnapshotPart[];
}

/**
 * @example
 * ```ts
 * const receiver = createSnapshotReceiver(arena);
 * transport.on('message', ({ payload }) => {
 *   const got = receiver.receive(payload.bytes);
 *   if (!got.ok) return counters.bump(got.reason);
 *   if (got.complete) sendAck(got.part.tick);
 *   interpolation.push(got.world);
 * });
 * ```
 */
export function createSnapshotReceiver(
  schema: SnapshotSchema,
  options: SnapshotReceiverOptions = {},
): SnapshotReceiver {
  const history = createSnapshotHistory(options.historySize ?? DEFAULT_SNAPSHOT_HISTORY);
  const maxPending = options.maxPendingTicks ?? 4;
  const pending = new Map<number, Pending>();

  function receive(bytes: Uint8Array): SnapshotReceipt {
    const decoded = decodeSnapshot(schema, bytes);
    if (!decoded.ok) return decoded;
    const part = decoded.part;
    if (history.get(part.tick) !== undefined) return { ok: false, reason: 'duplicate' };
    const gathering = pending.get(part.tick);
    let baseline: QuantizedWorld | null = gathering?.baseline ?? null;
    if (gathering === undefined && part.baselineTick !== null) {
      baseline = history.get(part.baselineTick) ?? null;
      if (baseline === null) return { ok: false, reason: 'no-baseline' };
    }
    if (gathering?.parts.some((p) => p.partIndex === part.partIndex)) return { ok: false, reason: 'duplicate' };
    const parts = gathering === undefined ? [part] : [...gathering.parts, part];
    const applied: AppliedSnapshot = applySnapshotParts(schema, baseline, parts);
    if (!applied.ok) return applied;
    const complete = parts.length === part.partCount;
    if (complete) {
      pending.delete(part.tick);
      history.put(applied.world);
    } else {
      pending.set(part.tick, { baseline, parts });
      for (const tick of pending.keys()) {
        if (pending.size <= maxPending) break;
        pending.delete(tick);
      }
    }
    return { ok: true, world: applied.world, part, complete };
  }

  return {
    receive,
    history,
    reset() {
      history.clear();
      pending.clear();
    },
  };
}
