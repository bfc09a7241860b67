/**
 * What one node believes about the room leases it holds, and why that belief is safe.
 *
 * A lease is a key in the {@link StateStore} that expires `ttlMs` after the request that set or
 * renewed it reached the store (`SET NX PX`, `PEXPIRE`). The node cannot know when that was, but
 * it knows a time no later: when it sent the request. So it believes it holds the lease until
 * `start + ttlMs - marginMs`, `start` read from its own monotonic clock before the request left.
 * The store's expiry comes at `arrival + ttlMs ≥ start + ttlMs`, so the belief ends at least
 * `marginMs` before the store lets another node take the lease, however slow the request or its
 * answer was. That holds as long as both clocks advance at the same rate; `marginMs` covers a
 * rate difference of up to `marginMs / ttlMs` (a node clock running that much slow) and the
 * time between a `holds()` check and the write it guards. Writes are fenced as well
 * (`saveRoom` and `deleteRoom` check the lease in the store), so a node whose belief is wrong
 * anyway (a paused process, a clock that jumped) still cannot overwrite the new owner's room.
 *
 * An answer that comes after the belief it would extend has already run out does not revive it:
 * the node has stopped acting on the room meanwhile, so the code is dropped and reported lost like
 * one the store refused (a late renewal's lease is not given back: the node may acquire it again;
 * a late acquire's is).
 *
 * References: Gray and Cheriton, "Leases: an efficient fault-tolerant mechanism for distributed
 * file cache consistency" (SOSP 1989); Kleppmann, "How to do distributed locking" (2016), on
 * fencing.
 */
import type { StateStore } from './store.js';

/** What a {@link LeaseKeeper} needs of a {@link StateStore}. */
export type LeaseStore = Pick<StateStore, 'acquireLease' | 'renewLeases' | 'releaseLease'>;

/** Timing of a {@link LeaseKeeper}. */
export interface LeaseTimings {
  /** How long a lease lasts in the store after each acquire or renewal, ms. */
  ttlMs: number;
  /** How much sooner than the store the node stops believing it holds a lease, ms. */
  marginMs: number;
}

/**
 * The leases one node holds: acquires, renews and releases them through a {@link StateStore}, and
 * answers whether the node may act on a room right now.
 *
 * @example
 * const leases = new LeaseKeeper(store, 'node-a', { ttlMs: 10_000, marginMs: 1_000 }, () => performance.now());
 * if (await leases.acquire('ABCD')) runRoom('ABCD');
 * setInterval(async () => {
 *   for (const code of await leases.renewAll()) stopRoom(code);
 * }, 3_000);
 */
export class LeaseKeeper {
  readonly #store: LeaseStore;
  readonly #nodeId: string;
  readonly #ttlMs: number;
  readonly #marginMs: number;
  readonly #now: () => number;
  /**
   * code → until when (monotonic ms) this node believes it holds the lease. An answer only
   * updates the belief object it was asked for: one replaced meanwhile (released, acquired
   * again) belongs to a later request.
   */
  readonly #beliefs = new Map<string, { until: number }>();

  constructor(store: LeaseStore, nodeId: string, options: LeaseTimings, monotonicMs: () => number) {
    if (!(options.marginMs >= 0 && options.marginMs < options.ttlMs)) {
      throw new RangeError(`LeaseKeeper: marginMs (${options.marginMs}) must be in [0, ttlMs (${options.ttlMs}))`);
    }
    this.#store = store;
    this.#nodeId = nodeId;
    this.#ttlMs = options.ttlMs;
    this.#marginMs = options.marginMs;
    this.#now = monotonicMs;
  }

  /**
   * Takes room `code`'s lease, or renews it if this node holds it. True when the node holds it
   * now; false when another node does, or when the answer came too late to act on.
   */
  async acquire(code: string): Promise<boolean> {
    const started = this.#now();
    const granted = await this.#store.acquireLease(code, this.#nodeId, this.#ttlMs);
    if (!granted) {
      this.#beliefs.delete(code);
      return false;
    }
    const belief = { until: started + this.#ttlMs - this.#marginMs };
    if (belief.until > this.#now()) {
      this.#beliefs.set(code, belief);
      return true;
    }
    this.#beliefs.delete(code);
    await this.#giveBack([code]);
    return false;
  }

  /** Whether this node may act on room `code` now. */
  holds(code: string): boolean {
    const belief = this.#beliefs.get(code);
    return belief !== undefined && belief.until > this.#now();
  }

  /**
   * Renews every lease this node believes it has, in one store call. Returns the codes it no
   * longer holds (the store refused, or the answer came after the belief ran out); they are
   * forgotten. Rejects, changing nothing, if the store does: beliefs then run out on their own.
   */
  async renewAll(): Promise<string[]> {
    const asked = [...this.#beliefs.entries()];
    if (asked.length === 0) return [];
    const started = this.#now();
    const refused = new Set(
      await this.#store.renewLeases(
        asked.map(([code]) => code),
        this.#nodeId,
        this.#ttlMs,
      ),
    );
    const now = this.#now();
    const lost: string[] = [];
    for (const [code, belief] of asked) {
      if (this.#beliefs.get(code) !== belief) continue; // released or acquired again meanwhile
      if (refused.has(code) || belief.until <= now) {
        // Renewed too late to act on is lost too, but not given back: the store still holds it
        // for this node, so the node may take it again at once (acquire) rather than leave a gap
        // in which another node takes a room it still runs (a node slowed by load does this).
        this.#beliefs.delete(code);
        lost.push(code);
      } else {
        belief.until = Math.max(belief.until, started + this.#ttlMs - this.#marginMs);
      }
    }
    return lost;
  }

  /** Stops acting on room `code` and gives its lease up. */
  async release(code: string): Promise<void> {
    this.#beliefs.delete(code);
    await this.#store.releaseLease(code, this.#nodeId);
  }

  /** Gives every lease up (graceful shutdown). */
  async releaseAll(): Promise<void> {
    const codes = [...this.#beliefs.keys()];
    this.#beliefs.clear();
    await Promise.all(codes.map((code) => this.#store.releaseLease(code, this.#nodeId)));
  }

  /** The codes this node holds now. */
  codes(): string[] {
    return [...this.#beliefs.keys()].filter((code) => this.holds(code));
  }

  /**
   * Gives back leases the store kept for this node after it stopped believing in them, so that
   * another node need not wait out their TTL. Best effort: a failure only means that wait.
   */
  async #giveBack(codes: readonly string[]): Promise<void> {
    await Promise.allSettled(codes.map((code) => this.#store.releaseLease(code, this.#nodeId)));
  }
}
