/**
 * The in-process {@link StateStore}: one node alone, or several nodes of one process in tests.
 *
 * `new MemoryStore()` creates the data; {@link MemoryStore.connect} hands out another handle on the
 * same data with subscriptions of its own, as a second Redis connection would be: a node per
 * handle. It behaves as `RedisStore` does where nodes can tell: values are copied in and out (as
 * JSON would be), expiries are read lazily against the injected clock (so a test can drive a fake
 * one), and `publish` counts the handles subscribed to the channel and delivers to them later, in
 * order per channel, never inside the `publish` call.
 */
import type { RoomSummary, StateStore, StoredPeer, StoredRoom } from './store.js';

/** Options of a {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** The clock every expiry is measured against, ms. Default `Date.now`. */
  now?: () => number;
}

type Handler = (message: string) => void;

/** A map whose entries vanish `ttlMs` after they were set, read against `now`. */
class ExpiringMap<V> {
  readonly #entries = new Map<string, { value: V; expiresAt: number }>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  set(key: string, value: V, ttlMs: number): void {
    this.#entries.set(key, { value, expiresAt: this.#now() + ttlMs });
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > this.#now()) return entry.value;
    this.#entries.delete(key);
    return undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}

/** What every handle of one store shares: the data and who listens on which channel. */
class SharedData {
  /** nodeId → `true` while its heartbeat lasts. */
  readonly nodes: ExpiringMap<true>;
  /** code → the node holding its lease. */
  readonly leases: ExpiringMap<string>;
  readonly retired: ExpiringMap<true>;
  readonly peers: ExpiringMap<StoredPeer>;
  readonly rooms = new Map<string, StoredRoom>();
  /** code → summary, for public rooms only. */
  readonly publicRooms = new Map<string, RoomSummary>();
  /** channel → the subscriptions (one map per handle) that listen on it. */
  readonly listeners = new Map<string, Set<Map<string, Handler>>>();
  listSeq = 0;

  constructor(now: () => number) {
    this.nodes = new ExpiringMap(now);
    this.leases = new ExpiringMap(now);
    this.retired = new ExpiringMap(now);
    this.peers = new ExpiringMap(now);
  }
}

/**
 * A {@link StateStore} in process memory, shared by every handle {@link MemoryStore.connect} hands out.
 *
 * @example
 * let now = 0;
 * const a = new MemoryStore({ now: () => now });
 * const b = a.connect(); // a second node on the same data
 * await a.acquireLease('ABCD', 'node-a', 1000);
 * now += 1000;
 * await b.acquireLease('ABCD', 'node-b', 1000); // true: node-a's lease expired
 */
export class MemoryStore implements StateStore {
  readonly kind = 'memory';
  #data: SharedData;
  /** This handle's subscriptions: channel → handler. */
  readonly #subscriptions = new Map<string, Handler>();
  #closed = false;

  constructor(options: MemoryStoreOptions = {}) {
    this.#data = new SharedData(options.now ?? Date.now);
  }

  /** Another handle on this store's data, with subscriptions of its own (another node). */
  connect(): MemoryStore {
    const handle = new MemoryStore();
    handle.#data = this.#data;
    return handle;
  }

  get #shared(): SharedData {
    if (this.#closed) throw new Error('MemoryStore: used after close()');
    return this.#data;
  }

  // ---- nodes ---------------------------------------------------------------------------------

  async heartbeat(nodeId: string, ttlMs: number): Promise<boolean> {
    const { nodes } = this.#shared;
    const continuous = nodes.has(nodeId);
    nodes.set(nodeId, true, ttlMs);
    return continuous;
  }

  async isAlive(nodeId: string): Promise<boolean> {
    return this.#shared.nodes.has(nodeId);
  }

  async forgetNode(nodeId: string): Promise<void> {
    this.#shared.nodes.delete(nodeId);
  }

  // ---- leases --------------------------------------------------------------------------------

  async acquireLease(code: string, nodeId: string, ttlMs: number): Promise<boolean> {
    const { leases } = this.#shared;
    const owner = leases.get(code);
    if (owner !== undefined && owner !== nodeId) return false;
    leases.set(code, nodeId, ttlMs);
    return true;
  }

  async renewLeases(codes: readonly string[], nodeId: string, ttlMs: number): Promise<string[]> {
    const { leases } = this.#shared;
    const lost: string[] = [];
    for (const code of codes) {
      if (leases.get(code) === nodeId) leases.set(code, nodeId, ttlMs);
      else lost.push(code);
    }
    return lost;
  }

  async releaseLease(code: string, nodeId: string): Promise<void> {
    const { leases } = this.#shared;
    if (leases.get(code) === nodeId) leases.delete(code);
  }

  async leaseOwner(code: string): Promise<string | null> {
    return this.#shared.leases.get(code) ?? null;
  }

  // ---- rooms ---------------------------------------------------------------------------------

  async saveRoom(code: string, nodeId: string, room: StoredRoom): Promise<boolean> {
    const data = this.#shared;
    if (data.leases.get(code) !== nodeId) return false;
    data.rooms.set(code, structuredClone(room));
    if (room.summary.public) data.publicRooms.set(code, structuredClone(room.summary));
    else data.publicRooms.delete(code);
    return true;
  }

  async loadRoom(code: string): Promise<StoredRoom | null> {
    const room = this.#shared.rooms.get(code);
    return room ? structuredClone(room) : null;
  }

  async deleteRoom(code: string, nodeId: string, retireMs: number): Promise<void> {
    const data = this.#shared;
    if (data.leases.get(code) !== nodeId) return;
    data.rooms.delete(code);
    data.leases.delete(code);
    data.publicRooms.delete(code);
    if (retireMs > 0) data.retired.set(code, true, retireMs);
  }

  async orphans(sample: number): Promise<string[]> {
    const data = this.#shared;
    return [...data.rooms.keys()].filter((code) => !data.leases.has(code)).slice(0, Math.max(1, Math.floor(sample)));
  }

  async codeTaken(code: string): Promise<boolean> {
    const data = this.#shared;
    return data.rooms.has(code) || data.leases.has(code) || data.retired.has(code);
  }

  async isRetired(code: string): Promise<boolean> {
    return this.#shared.retired.has(code);
  }

  async nextListSeq(): Promise<number> {
    return ++this.#shared.listSeq;
  }

  async listPublic(afterSeq: number, limit: number): Promise<{ rooms: RoomSummary[]; more: boolean }> {
    const after = [...this.#shared.publicRooms.entries()]
      .filter(([, summary]) => summary.listSeq > afterSeq)
      // A Redis sorted set orders equal scores by member.
      .sort(([codeA, a], [codeB, b]) => a.listSeq - b.listSeq || (codeA < codeB ? -1 : codeA > codeB ? 1 : 0))
      .map(([, summary]) => structuredClone(summary));
    const take = Math.max(0, Math.floor(limit));
    return { rooms: after.slice(0, take), more: after.length > take };
  }

  async publicRooms(): Promise<RoomSummary[]> {
    return [...this.#shared.publicRooms.values()].map((summary) => structuredClone(summary));
  }

  // ---- peers ---------------------------------------------------------------------------------

  async savePeer(peerId: string, peer: StoredPeer, ttlMs: number): Promise<void> {
    this.#shared.peers.set(peerId, structuredClone(peer), ttlMs);
  }

  async loadPeer(peerId: string): Promise<StoredPeer | null> {
    const peer = this.#shared.peers.get(peerId);
    return peer ? structuredClone(peer) : null;
  }

  async deletePeer(peerId: string): Promise<void> {
    this.#shared.peers.delete(peerId);
  }

  // ---- messages ------------------------------------------------------------------------------

  async publish(channel: string, message: string): Promise<number> {
    return this.#deliver(this.#shared, channel, message);
  }

  post(channel: string, message: string | readonly string[]): boolean {
    if (this.#closed) return false;
    this.#deliver(this.#data, channel, typeof message === 'string' ? message : message.join(''));
    return true;
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<void> {
    const { listeners } = this.#shared;
    this.#subscriptions.set(channel, onMessage);
    let listening = listeners.get(channel);
    if (!listening) {
      listening = new Set();
      listeners.set(channel, listening);
    }
    listening.add(this.#subscriptions);
  }

  async unsubscribe(channel: string): Promise<void> {
    this.#drop(this.#shared, channel);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    for (const channel of [...this.#subscriptions.keys()]) this.#drop(this.#data, channel);
    this.#closed = true;
  }

  /** Queues `message` for every handle subscribed to `channel`; how many there are. */
  #deliver(data: SharedData, channel: string, message: string): number {
    const listening = data.listeners.get(channel);
    if (!listening) return 0;
    for (const subscriptions of listening) {
      // Read the handler at delivery: a handle that unsubscribed meanwhile drops the message, as
      // RedisStore drops one that arrives for a channel it no longer has a handler for.
      queueMicrotask(() => subscriptions.get(channel)?.(message));
    }
    return listening.size;
  }

  #drop(data: SharedData, channel: string): void {
    this.#subscriptions.delete(channel);
    const listening = data.listeners.get(channel);
    listening?.delete(this.#subscriptions);
    if (listening?.size === 0) data.listeners.delete(channel);
  }
}
