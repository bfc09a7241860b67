/**
 * The Redis {@link StateStore}, for lobby nodes on several machines (key layout: `store.ts`).
 *
 * Three connections: one for commands (auto-pipelined), one in subscriber mode, whose single
 * `message` listener dispatches to one handler per channel, and one that publishes
 * (redis-publisher.ts: the cluster's hot path, written without ioredis). Everything that is checked and then
 * written (the lease, the room writes it fences) runs as one Lua script, so no other node's
 * command comes between the check and the write.
 *
 * While Redis is unreachable every command fails fast instead of waiting: the lobby keeps serving
 * the rooms it runs and retries later, while its lease beliefs run out on their own (`leases.ts`).
 * - No offline queue: a command sent while disconnected is refused at once, never run late (a late
 *   `acquireLease` would take a lease nobody knows it holds).
 * - `maxRetriesPerRequest: 0`: commands in flight when the connection drops are refused at the drop,
 *   and not sent again after reconnecting.
 * - `commandTimeout`: a command left unanswered by a Redis that hangs, or behind a dead link the
 *   OS has not noticed yet, fails after a second. It may still run on Redis later: a lease taken
 *   so then is one nobody acts on, and it expires.
 * - Reconnecting goes on for ever, 50 ms, 100 ms, ... at most 500 ms apart; the subscriber
 *   subscribes again to its channels by itself (`autoResubscribe`). Loss and recovery are logged
 *   once each.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import { RedisPublisher } from './redis-publisher.js';
import type { RoomSummary, StateStore, StoredPeer, StoredRoom } from './store.js';

/** Options of {@link RedisStore.connect}. */
export interface RedisStoreOptions {
  /** Put before every key and channel name, so that clusters can share a Redis. Default `tm:`. */
  prefix?: string;
  /** Hears about lost and recovered connections and unreadable values. Default: nobody. */
  logger?: Pick<Logger, 'warn'>;
}

/** How the connections behave while Redis is away. */
const TIMING = {
  /** How long a command may go unanswered before it fails, ms. */
  commandTimeoutMs: 1000,
  /** How long one connection attempt may take, ms. */
  connectTimeoutMs: 1000,
  /** The wait before reconnect attempt n grows by this much with each attempt, ms... */
  retryStepMs: 50,
  /** ...up to this, ms. */
  retryMaxMs: 500,
} as const;

const CONNECTION_OPTIONS = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  commandTimeout: TIMING.commandTimeoutMs,
  connectTimeout: TIMING.connectTimeoutMs,
  retryStrategy: (attempt: number) => Math.min(TIMING.retryStepMs * attempt, TIMING.retryMaxMs),
  autoResubscribe: true,
} satisfies RedisOptions;

// ---- scripts -------------------------------------------------------------------------------

/** KEYS: lease. ARGV: nodeId, ttlMs. 1 if `nodeId` holds the lease now. */
const ACQUIRE_LEASE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

/** KEYS: leases. ARGV: nodeId, ttlMs. The (1-based) positions of the leases `nodeId` no longer holds. */
const RENEW_LEASES = `
local lost = {}
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
  else
    lost[#lost + 1] = i
  end
end
return lost`;

/** KEYS: lease. ARGV: nodeId. */
const RELEASE_LEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * KEYS: lease, room, public, summary, all. ARGV: nodeId, room JSON, '1' if public, listSeq, code,
 * summary JSON. 1 if saved.
 */
const SAVE_ROOM = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[5], ARGV[5])
if ARGV[3] == '1' then
  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[5])
  redis.call('HSET', KEYS[4], ARGV[5], ARGV[6])
else
  redis.call('ZREM', KEYS[3], ARGV[5])
  redis.call('HDEL', KEYS[4], ARGV[5])
end
return 1`;

/** KEYS: lease, room, public, summary, retired, all. ARGV: nodeId, code, retireMs. 1 if deleted. */
const DELETE_ROOM = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2], KEYS[1])
redis.call('SREM', KEYS[6], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[2])
redis.call('HDEL', KEYS[4], ARGV[2])
if tonumber(ARGV[3]) > 0 then redis.call('SET', KEYS[5], '1', 'PX', ARGV[3]) end
return 1`;

/**
 * KEYS: all. ARGV: lease key prefix, room key prefix, sample size. Up to that many rooms, drawn at
 * random, that no node holds a lease of (codes whose room is gone leave the set). The keys are
 * built in the script, which a single Redis allows (a Redis Cluster would not).
 */
const ORPHANS = `
local out = {}
for _, code in ipairs(redis.call('SRANDMEMBER', KEYS[1], ARGV[3])) do
  if redis.call('EXISTS', ARGV[1] .. code) == 0 then
    if redis.call('EXISTS', ARGV[2] .. code) == 1 then out[#out + 1] = code
    else redis.call('SREM', KEYS[1], code) end
  end
end
return out`;

/** The scripts above, as `defineCommand` adds them to a connection. */
interface ScriptCommands {
  tmAcquireLease(lease: string, nodeId: string, ttlMs: number): Promise<number>;
  tmRenewLeases(keyCount: number, ...keysThenArgs: (string | number)[]): Promise<number[]>;
  tmReleaseLease(lease: string, nodeId: string): Promise<number>;
  tmSaveRoom(
    lease: string,
    room: string,
    publicKey: string,
    summaryKey: string,
    all: string,
    nodeId: string,
    roomJson: string,
    isPublic: '0' | '1',
    listSeq: number,
    code: string,
    summaryJson: string,
  ): Promise<number>;
  tmOrphans(all: string, leasePrefix: string, roomPrefix: string, sample: number): Promise<string[]>;
  tmDeleteRoom(
    lease: string,
    room: string,
    publicKey: string,
    summaryKey: string,
    retired: string,
    all: string,
    nodeId: string,
    code: string,
    retireMs: number,
  ): Promise<number>;
}

function withScripts(redis: Redis): Redis & ScriptCommands {
  redis.defineCommand('tmAcquireLease', { lua: ACQUIRE_LEASE, numberOfKeys: 1 });
  redis.defineCommand('tmRenewLeases', { lua: RENEW_LEASES });
  redis.defineCommand('tmReleaseLease', { lua: RELEASE_LEASE, numberOfKeys: 1 });
  redis.defineCommand('tmSaveRoom', { lua: SAVE_ROOM, numberOfKeys: 5 });
  redis.defineCommand('tmDeleteRoom', { lua: DELETE_ROOM, numberOfKeys: 6 });
  redis.defineCommand('tmOrphans', { lua: ORPHANS, numberOfKeys: 1 });
  // defineCommand adds the methods at run time; ScriptCommands states their signatures.
  return redis as Redis & ScriptCommands;
}

// ---- values --------------------------------------------------------------------------------

const roomSummarySchema: z.ZodType<RoomSummary> = z.object({
  code: z.string(),
  public: z.boolean(),
  listSeq: z.number(),
  players: z.number(),
  maxPlayers: z.number(),
  state: z.string(),
});
const storedRoomSchema: z.ZodType<StoredRoom> = z.object({ snapshot: z.string(), summary: roomSummarySchema });
const storedPeerSchema: z.ZodType<StoredPeer> = z.object({
  tokenHash: z.string(),
  name: z.string(),
  room: z.string().nullable(),
  node: z.string(),
});

/** A TTL as Redis takes it: whole milliseconds, at least 1. */
const px = (ms: number): number => Math.max(1, Math.ceil(ms));

type ConnectionName = 'commands' | 'subscriber' | 'publisher';

/** What {@link RedisStore} hears from a connection: ioredis's events, which the publisher emits too. */
interface Watched {
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'close' | 'ready', listener: () => void): unknown;
}

/**
 * A {@link StateStore} in Redis, over ioredis.
 *
 * @example
 * const store = await RedisStore.connect('redis://127.0.0.1:6379', { logger });
 * if (await store.acquireLease('ABCD', nodeId, 10_000)) await store.saveRoom('ABCD', nodeId, room);
 * await store.close();
 */
export class RedisStore implements StateStore {
  readonly kind = 'redis';
  readonly #commands: Redis & ScriptCommands;
  readonly #subscriber: Redis;
  readonly #publisher: RedisPublisher;
  readonly #prefix: string;
  readonly #logger: Pick<Logger, 'warn'> | undefined;
  /** Prefixed channel → its handler. */
  readonly #handlers = new Map<string, (message: string) => void>();
  /** Prefixed channels being unsubscribed because a message came for one without a handler. */
  readonly #strays = new Set<string>();
  /** The connections that are down. */
  readonly #down = new Set<ConnectionName>();
  /** When the first of them went down (ms since the epoch). */
  #lostAt = 0;
  #lastError = '';
  #closing = false;

  private constructor(url: string, options: RedisStoreOptions, publisher: RedisPublisher) {
    this.#prefix = options.prefix ?? 'tm:';
    this.#logger = options.logger;
    this.#commands = withScripts(
      new Redis(url, { ...CONNECTION_OPTIONS, enableAutoPipelining: true, connectionName: 'tickmesh-commands' }),
    );
    this.#subscriber = new Redis(url, { ...CONNECTION_OPTIONS, connectionName: 'tickmesh-subscriber' });
    this.#publisher = publisher;
    this.#watch('commands', this.#commands);
    this.#watch('subscriber', this.#subscriber);
    this.#watch('publisher', this.#publisher);
    this.#subscriber.on('message', (channel: string, message: string) => this.#dispatch(channel, message));
  }

  /** Connects to the Redis at `url` (`redis://host:port/db`); rejects if it cannot reach it now. */
  static async connect(url: string, options: RedisStoreOptions = {}): Promise<RedisStore> {
    const publisher = await RedisPublisher.connect(url, 'tickmesh-publisher', TIMING);
    const store = new RedisStore(url, options, publisher);
    try {
      await Promise.all([store.#commands.connect(), store.#subscriber.connect()]);
    } catch (error) {
      store.#closing = true;
      store.#commands.disconnect();
      store.#subscriber.disconnect();
      publisher.disconnect();
      throw error;
    }
    return store;
  }

  #key(kind: string, id?: string): string {
    return id === undefined ? `${this.#prefix}${kind}` : `${this.#prefix}${kind}:${id}`;
  }

  // ---- nodes ---------------------------------------------------------------------------------

  async heartbeat(nodeId: string, ttlMs: number): Promise<boolean> {
    // SET ... GET (Redis 6.2+): the previous value comes back with the write.
    return (await this.#commands.set(this.#key('node', nodeId), '1', 'PX', px(ttlMs), 'GET')) !== null;
  }

  async isAlive(nodeId: string): Promise<boolean> {
    return (await this.#commands.exists(this.#key('node', nodeId))) > 0;
  }

  async forgetNode(nodeId: string): Promise<void> {
    await this.#commands.del(this.#key('node', nodeId));
  }

  // ---- leases --------------------------------------------------------------------------------

  async acquireLease(code: string, nodeId: string, ttlMs: number): Promise<boolean> {
    return (await this.#commands.tmAcquireLease(this.#key('lease', code), nodeId, px(ttlMs))) === 1;
  }

  async renewLeases(codes: readonly string[], nodeId: string, ttlMs: number): Promise<string[]> {
    if (codes.length === 0) return [];
    const keys = codes.map((code) => this.#key('lease', code));
    const lost = await this.#commands.tmRenewLeases(keys.length, ...keys, nodeId, px(ttlMs));
    return lost.flatMap((position) => codes[position - 1] ?? []);
  }

  async releaseLease(code: string, nodeId: string): Promise<void> {
    await this.#commands.tmReleaseLease(this.#key('lease', code), nodeId);
  }

  async leaseOwner(code: string): Promise<string | null> {
    return this.#commands.get(this.#key('lease', code));
  }

  // ---- rooms ---------------------------------------------------------------------------------

  async saveRoom(code: string, nodeId: string, room: StoredRoom): Promise<boolean> {
    const saved = await this.#commands.tmSaveRoom(
      this.#key('lease', code),
      this.#key('room', code),
      this.#key('public'),
      this.#key('summary'),
      this.#key('rooms'),
      nodeId,
      JSON.stringify({ snapshot: room.snapshot, summary: room.summary }),
      room.summary.public ? '1' : '0',
      room.summary.listSeq,
      code,
      JSON.stringify(room.summary),
    );
    return saved === 1;
  }

  async loadRoom(code: string): Promise<StoredRoom | null> {
    const key = this.#key('room', code);
    return this.#parse(storedRoomSchema, await this.#commands.get(key), key);
  }

  async deleteRoom(code: string, nodeId: string, retireMs: number): Promise<void> {
    await this.#commands.tmDeleteRoom(
      this.#key('lease', code),
      this.#key('room', code),
      this.#key('public'),
      this.#key('summary'),
      this.#key('retired', code),
      this.#key('rooms'),
      nodeId,
      code,
      Math.max(0, Math.ceil(retireMs)),
    );
  }

  async orphans(sample: number): Promise<string[]> {
    const lease = this.#key('lease', '');
    const room = this.#key('room', '');
    return this.#commands.tmOrphans(this.#key('rooms'), lease, room, Math.max(1, Math.floor(sample)));
  }

  async codeTaken(code: string): Promise<boolean> {
    const keys = [this.#key('room', code), this.#key('lease', code), this.#key('retired', code)];
    return (await this.#commands.exists(...keys)) > 0;
  }

  async isRetired(code: string): Promise<boolean> {
    return (await this.#commands.exists(this.#key('retired', code))) > 0;
  }

  async nextListSeq(): Promise<number> {
    return this.#commands.incr(this.#key('listseq'));
  }

  async listPublic(afterSeq: number, limit: number): Promise<{ rooms: RoomSummary[]; more: boolean }> {
    const take = Math.max(0, Math.floor(limit));
    const min = Number.isFinite(afterSeq) ? `(${afterSeq}` : afterSeq > 0 ? '+inf' : '-inf';
    const codes = await this.#commands.zrangebyscore(this.#key('public'), min, '+inf', 'LIMIT', 0, take + 1);
    const page = codes.slice(0, take);
    const summaryKey = this.#key('summary');
    const values = page.length > 0 ? await this.#commands.hmget(summaryKey, ...page) : [];
    // A room deleted between the two reads has no summary any more: it is left out.
    const rooms = values.flatMap((value) => this.#parse(roomSummarySchema, value, summaryKey) ?? []);
    return { rooms, more: codes.length > take };
  }

  async publicRooms(): Promise<RoomSummary[]> {
    const summaryKey = this.#key('summary');
    const values = await this.#commands.hvals(summaryKey);
    return values.flatMap((value) => this.#parse(roomSummarySchema, value, summaryKey) ?? []);
  }

  // ---- peers ---------------------------------------------------------------------------------

  async savePeer(peerId: string, peer: StoredPeer, ttlMs: number): Promise<void> {
    await this.#commands.set(this.#key('peer', peerId), JSON.stringify(peer), 'PX', px(ttlMs));
  }

  async loadPeer(peerId: string): Promise<StoredPeer | null> {
    const key = this.#key('peer', peerId);
    return this.#parse(storedPeerSchema, await this.#commands.get(key), key);
  }

  async deletePeer(peerId: string): Promise<void> {
    await this.#commands.del(this.#key('peer', peerId));
  }

  // ---- messages ------------------------------------------------------------------------------

  publish(channel: string, message: string): Promise<number> {
    return this.#publisher.publish(this.#prefix + channel, message);
  }

  post(channel: string, message: string | readonly string[]): boolean {
    return this.#publisher.post(this.#prefix + channel, message);
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<void> {
    const name = this.#prefix + channel;
    this.#handlers.set(name, onMessage);
    try {
      await this.#subscriber.subscribe(name);
    } catch (error) {
      if (this.#handlers.get(name) === onMessage) this.#handlers.delete(name);
      throw error;
    }
  }

  async unsubscribe(channel: string): Promise<void> {
    const name = this.#prefix + channel;
    this.#handlers.delete(name);
    await this.#subscriber.unsubscribe(name);
  }

  async close(): Promise<void> {
    this.#closing = true;
    // QUIT is refused while disconnected; disconnect() then stops the reconnecting.
    await Promise.allSettled([this.#commands.quit(), this.#subscriber.quit(), this.#publisher.quit()]);
    this.#commands.disconnect();
    this.#subscriber.disconnect();
  }

  // ---- internals -----------------------------------------------------------------------------

  #dispatch(channel: string, message: string): void {
    const handler = this.#handlers.get(channel);
    if (handler) {
      handler(message);
      return;
    }
    // A channel without a handler: one whose UNSUBSCRIBE failed while Redis was away and that
    // autoResubscribe brought back. Leave it, or publish would count this node as a receiver.
    if (this.#strays.has(channel)) return;
    this.#strays.add(channel);
    this.#subscriber
      .unsubscribe(channel)
      .catch((error: unknown) =>
        this.#logger?.warn('redis: unsubscribing a stray channel failed', { channel, error: String(error) }),
      )
      .finally(() => this.#strays.delete(channel));
  }

  /** Logs the first connection lost and the last one back, with the error that came between. */
  #watch(name: ConnectionName, redis: Watched): void {
    redis.on('error', (error: Error) => {
      this.#lastError = error.message;
    });
    redis.on('close', () => {
      if (this.#closing || this.#down.has(name)) return;
      if (this.#down.size === 0) {
        this.#lostAt = Date.now();
        this.#logger?.warn('redis connection lost; retrying', { connection: name, error: this.#lastError });
      }
      this.#down.add(name);
    });
    redis.on('ready', () => {
      if (!this.#down.delete(name)) return;
      if (this.#down.size === 0 && !this.#closing) {
        this.#logger?.warn('redis connection recovered', {
          downMs: Date.now() - this.#lostAt,
          lastError: this.#lastError,
        });
      }
    });
  }

  #parse<T>(schema: z.ZodType<T>, text: string | null, key: string): T | null {
    if (text === null) return null;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      this.#logger?.warn('redis: a value is not JSON; ignored', { key, error: String(error) });
      return null;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    this.#logger?.warn('redis: a value has the wrong shape; ignored', { key, issues: parsed.error.issues.length });
    return null;
  }
}
