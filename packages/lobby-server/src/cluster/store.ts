/**
 * The state-store seam of a lobby cluster: what lobby nodes share, so that any node can take a
 * room over when the node running it dies or shuts down. Two implementations: {@link MemoryStore}
 * (in process: one node, or several nodes of one process in tests) and `RedisStore` (Redis, for
 * nodes on several machines). Every method of a store may be called from any node at any time.
 *
 * What is kept (Redis key names under the store's prefix, default `tm:`):
 * - `node:<id>`: a node's heartbeat, expiring after `ttlMs` unless renewed: a node is alive while
 *   it has one.
 * - `lease:<code>`: the node that runs room `<code>`, expiring after `ttlMs` unless renewed
 *   (`SET NX PX`). Only the holder may write the room.
 * - `room:<code>`: the room as its last owner saved it: its persisted XState snapshot as JSON and a
 *   summary for `room.list` and quick play.
 * - `public`: the public rooms by `listSeq` (a sorted set), `summary`: their summaries (a hash),
 *   `rooms`: every saved room's code (a set).
 * - `listseq`: the counter `listSeq`s come from, `retired:<code>`: a deleted room's code, kept out
 *   of circulation for a while.
 * - `peer:<peerId>`: a peer's session: the hash of its current token, its name, its room, the node
 *   holding the session.
 * Channels: `n:<nodeId>` (messages to one node), `p:<peerId>` (signals to one peer, heard by the
 * node its socket is connected to).
 */

/** A room's summary, as `room.list` and quick play read it without loading the room. */
export interface RoomSummary {
  code: string;
  public: boolean;
  /** Position in creation order among all rooms of the cluster; `room.list` pages by it. */
  listSeq: number;
  players: number;
  maxPlayers: number;
  /** `open`, `countdown` or `playing`. */
  state: string;
}

/** A room as its owner saved it. */
export interface StoredRoom {
  /** The room actor's persisted snapshot (`getPersistedSnapshot()`), as JSON text. */
  snapshot: string;
  summary: RoomSummary;
}

/** A peer's session as the cluster knows it. */
export interface StoredPeer {
  /** SHA-256 (hex) of the token that resumes it now; an older token no longer does. */
  tokenHash: string;
  name: string;
  /** The room it is a member of, if any. */
  room: string | null;
  /** The node holding its session (the owner of its room, or where it said hello). */
  node: string;
}

export interface StateStore {
  /** `memory` or `redis`. */
  readonly kind: string;

  // ---- nodes ---------------------------------------------------------------------------------
  /**
   * Marks `nodeId` alive for `ttlMs` more. Resolves to whether its previous heartbeat was still
   * there: false for a node's first, or after the store was away that long or restarted empty.
   */
  heartbeat(nodeId: string, ttlMs: number): Promise<boolean>;
  /** Whether `nodeId` has a heartbeat that has not expired. */
  isAlive(nodeId: string): Promise<boolean>;
  /** Removes `nodeId`'s heartbeat (graceful shutdown). */
  forgetNode(nodeId: string): Promise<void>;

  // ---- leases --------------------------------------------------------------------------------
  /** Takes room `code`'s lease for `ttlMs` if nobody holds it, or renews it if `nodeId` does. */
  acquireLease(code: string, nodeId: string, ttlMs: number): Promise<boolean>;
  /** Renews the leases `nodeId` holds among `codes`; returns the codes it no longer holds. */
  renewLeases(codes: readonly string[], nodeId: string, ttlMs: number): Promise<string[]>;
  /** Gives room `code`'s lease up, if `nodeId` holds it. */
  releaseLease(code: string, nodeId: string): Promise<void>;
  /** The node holding room `code`'s lease, if any. */
  leaseOwner(code: string): Promise<string | null>;

  // ---- rooms ---------------------------------------------------------------------------------
  /**
   * Saves room `code` and its summary in the index, only while `nodeId` holds its lease (fenced:
   * a node that lost the lease cannot overwrite the new owner's room). Returns whether it did.
   */
  saveRoom(code: string, nodeId: string, room: StoredRoom): Promise<boolean>;
  loadRoom(code: string): Promise<StoredRoom | null>;
  /**
   * The room ended: deletes it, its summary and its lease (only while `nodeId` holds the lease),
   * and keeps its code out of circulation for `retireMs`.
   */
  deleteRoom(code: string, nodeId: string, retireMs: number): Promise<void>;
  /**
   * Up to `sample` saved rooms that no node holds a lease of (their owner died, or gave them back
   * on shutdown, and no member came back to ask for them yet), drawn at random among all rooms.
   */
  orphans(sample: number): Promise<string[]>;
  /** Whether `code` is a room, a lease or retired: a new room may not take it. */
  codeTaken(code: string): Promise<boolean>;
  /** Whether `code` belonged to a room that ended less than its `retireMs` ago. */
  isRetired(code: string): Promise<boolean>;
  /** The next `listSeq` (rising across the cluster). */
  nextListSeq(): Promise<number>;
  /** Up to `limit` public rooms with `listSeq > afterSeq` in creation order, and whether more follow. */
  listPublic(afterSeq: number, limit: number): Promise<{ rooms: RoomSummary[]; more: boolean }>;
  /** Every public room's summary (quick play picks among them). */
  publicRooms(): Promise<RoomSummary[]>;

  // ---- peers ---------------------------------------------------------------------------------
  savePeer(peerId: string, peer: StoredPeer, ttlMs: number): Promise<void>;
  loadPeer(peerId: string): Promise<StoredPeer | null>;
  deletePeer(peerId: string): Promise<void>;

  // ---- messages ------------------------------------------------------------------------------
  /** Publishes `message` on `channel`; resolves to how many subscribers (nodes) heard it. */
  publish(channel: string, message: string): Promise<number>;
  /**
   * Publishes `message` on `channel` without hearing who heard it (cheaper: nothing comes back),
   * in order with {@link publish}. False, and nothing sent, while the store is unreachable. The
   * message may come in pieces: what is published is their concatenation (a batch of signals is
   * not joined into one string first).
   */
  post(channel: string, message: string | readonly string[]): boolean;
  /** Calls `onMessage` for every message on `channel` until {@link unsubscribe}; one handler per channel. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<void>;
  unsubscribe(channel: string): Promise<void>;

  /** Closes the store's connections; nothing may be called afterwards. */
  close(): Promise<void>;
}
