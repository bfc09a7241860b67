/**
 * The entities of a quantized world: an immutable table sorted by id, read like a ReadonlyMap
 * (`get`, `has`, `size`, iteration in id order). Sorted arrays instead of a Map make the codec's
 * three passes linear merges: quantizing appends (game worlds are usually already in id order),
 * diffing walks two tables side by side, and applying a delta copies the baseline's arrays and
 * replaces changed entries found by binary search, where a Map would hash every insert and lookup.
 * Iterating in id order also makes everything derived from a world deterministic.
 */
import type { QuantizedEntity } from './schema.js';

export class EntityTable implements Iterable<[number, QuantizedEntity]> {
  /** An empty table. */
  static readonly empty = new EntityTable([], []);

  /**
   * @param ids ascending, no duplicates
   * @param list the entity of each id, same order
   */
  private constructor(
    readonly ids: readonly number[],
    readonly list: readonly QuantizedEntity[],
  ) {}

  /** Trusts `ids` to be ascending without duplicates, `list` to match; neither is copied. */
  static fromSorted(ids: readonly number[], list: readonly QuantizedEntity[]): EntityTable {
    return new EntityTable(ids, list);
  }

  /**
   * A table from entries in any order (a later entry of the same id wins).
   *
   * @example
   * ```ts
   * const world = { tick: 7, entities: EntityTable.from([[3, { kind: 'player', values: [0, 0] }]]) };
   * ```
   */
  static from(entries: Iterable<readonly [number, QuantizedEntity]>): EntityTable {
    const pairs = [...entries];
    const order = pairs.map((_, i) => i).sort((a, b) => (pairs[a]?.[0] ?? 0) - (pairs[b]?.[0] ?? 0) || a - b);
    const ids: number[] = [];
    const list: QuantizedEntity[] = [];
    for (const i of order) {
      const [id, entity] = pairs[i] as readonly [number, QuantizedEntity];
      if (ids.length > 0 && ids[ids.length - 1] === id) list[list.length - 1] = entity;
      else {
        ids.push(id);
        list.push(entity);
      }
    }
    return new EntityTable(ids, list);
  }

  get size(): number {
    return this.ids.length;
  }

  /** Position of `id` in the table, or -1. */
  indexOf(id: number): number {
    const ids = this.ids;
    let low = 0;
    let high = ids.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const at = ids[mid] as number;
      if (at < id) low = mid + 1;
      else if (at > id) high = mid - 1;
      else return mid;
    }
    return -1;
  }

  get(id: number): QuantizedEntity | undefined {
    const index = this.indexOf(id);
    return index < 0 ? undefined : this.list[index];
  }

  has(id: number): boolean {
    return this.indexOf(id) >= 0;
  }

  forEach(callback: (entity: QuantizedEntity, id: number) => void): void {
    for (let i = 0; i < this.ids.length; i++) callback(this.list[i] as QuantizedEntity, this.ids[i] as number);
  }

  keys(): IterableIterator<number> {
    return this.ids.values();
  }

  values(): IterableIterator<QuantizedEntity> {
    return this.list.values();
  }

  *entries(): IterableIterator<[number, QuantizedEntity]> {
    for (let i = 0; i < this.ids.length; i++) yield [this.ids[i] as number, this.list[i] as QuantizedEntity];
  }

  [Symbol.iterator](): IterableIterator<[number, QuantizedEntity]> {
    return this.entries();
  }
}
