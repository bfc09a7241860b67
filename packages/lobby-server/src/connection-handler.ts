/**
 * The socket layer's logic, free of any WebSocket library: for each connection it counts the
 * address and refuses one over its limits, and closes one that never says `hello`; for each frame
 * it enforces the size limit, charges the rate limit, parses and validates, gates on
 * identification, and forwards the typed message to the registry. Nothing here decides a room rule.
 */
import {
  type ClientMessage,
  type ClientMessageOf,
  CloseCode,
  ErrorCode,
  Limits,
  parseClientMessage,
  type ServerMessage,
  withRid,
} from '@tickmesh/protocol';
import type { AddressBook } from './addresses.js';
import type { LobbyConfig } from './config.js';
import { bump, LimitName, type LobbyCounters } from './metrics.js';
import { type RateLimit, RateLimiter } from './rate-limit.js';
import type { Client, Connection, Registry, Session } from './registry.js';

/** A message past `hello`, as the registry takes it. */
export type RoomMessage = Exclude<ClientMessage, { type: 'hello' } | { type: 'ping' }>;

/**
 * Where identified clients' messages go instead of the registry directly: a cluster node
 * (cluster/node.ts) runs them here or on the node that holds the client's session.
 */
export interface MessageRouter {
  hello(client: HandledClient, msg: ClientMessageOf<'hello'>, text: string): void;
  /** Whether `client` said hello and has a session, here or on another node. */
  identified(client: HandledClient): boolean;
  message(client: HandledClient, msg: RoomMessage, signalDataJson: string, text: string): void;
  closed(client: HandledClient): void;
}

export interface ConnectionHandlerDeps {
  config: Pick<LobbyConfig, 'rateLimitPerS' | 'rateBurst' | 'maxConns' | 'helloTimeoutMs' | 'inBytesPerS'>;
  registry: Registry;
  /** A cluster node routing identified clients' messages; the registry alone when absent. */
  router?: MessageRouter;
  counters: LobbyCounters;
  addresses: AddressBook;
  /** Monotonic clock in ms for rate limiting and the hello deadline. */
  monotonicMs: () => number;
}

/** A client as the handler tracks it: the registry's view plus its rate limits. */
export interface HandledClient extends Client {
  /** Its message rate and the bytes it may still send (see `inBytesPerS`). */
  readonly limiter: RateLimiter;
}

/** One frame as the transport hands it: its size on the wire, and its text decoded on demand. */
export interface Frame {
  byteLength: number;
  /** The frame as UTF-8 text; null for a binary frame. Only valid during the `message` call. */
  text(): string | null;
}

/** Seconds of `inBytesPerS` a connection may send at once. */
const IN_BUCKET_S = 4;

/** What a client dropped by its rate limit is told, by the limit that dropped the message. */
const DROP_NOTICE: Record<RateLimit, string> = {
  messages: 'too many messages; this one was dropped',
  bytes: 'too many bytes in the last seconds; this message was dropped',
};

export type ConnectionHandler = ReturnType<typeof createConnectionHandler>;

export function createConnectionHandler(deps: ConnectionHandlerDeps) {
  const { registry, counters, config, addresses, router } = deps;
  let open = 0;
  /** Connections that have not said `hello` yet, with their deadline (monotonic ms), oldest first. */
  const awaitingHello = new Map<HandledClient, number>();

  function reply(client: Client, message: ServerMessage): void {
    client.conn.send(JSON.stringify(message));
  }

  function refuse(client: Client, code: ErrorCode, message: string, rid?: string | number): void {
    bump(counters.errorsByCode, code);
    reply(client, withRid({ type: 'error', code, message }, rid));
  }

  function closeFor(client: Client, code: number, reason: string): void {
    bump(counters.closesByReason, reason);
    client.conn.close(code, reason);
  }

  function limitHit(limit: LimitName): void {
    bump(counters.limitHits, limit);
  }

  return {
    /**
     * A socket opened from `address` (see addresses.ts): counted, and handed back for the transport
     * to keep; then {@link admit} decides whether it may stay. (Two steps, because closing a socket
     * runs the transport's close callback at once, which must find the client to uncount it.)
     */
    open(conn: Connection, address: string): HandledClient {
      open++;
      const nowMs = deps.monotonicMs();
      addresses.connectionOpened(address);
      return {
        conn,
        address,
        session: null,
        limiter: new RateLimiter(
          {
            ratePerS: config.rateLimitPerS,
            burst: config.rateBurst,
            bytesPerS: config.inBytesPerS,
            bytesBucketS: IN_BUCKET_S,
          },
          nowMs,
        ),
      };
    },

    /**
     * Over the per-address or total connection limit, a socket just opened is closed with 1013
     * (try again later); else its hello deadline starts.
     */
    admit(client: HandledClient): void {
      if (!addresses.mayHoldConnections(client.address)) {
        limitHit(LimitName.connsPerIp);
        closeFor(client, CloseCode.TRY_AGAIN_LATER, 'too many connections from your address');
      } else if (open > config.maxConns) {
        limitHit(LimitName.conns);
        closeFor(client, CloseCode.TRY_AGAIN_LATER, 'server full');
      } else {
        awaitingHello.set(client, deps.monotonicMs() + config.helloTimeoutMs);
      }
    },

    /** Closes connections that have not said `hello` by their deadline (4003); call every second or so. */
    sweep(): void {
      const nowMs = deps.monotonicMs();
      for (const [client, deadline] of awaitingHello) {
        if (deadline > nowMs) break; // insertion order is deadline order
        awaitingHello.delete(client);
        limitHit(LimitName.helloTimeout);
        closeFor(client, CloseCode.HELLO_TIMEOUT, 'no hello in time');
      }
      addresses.sweep(nowMs);
    },

    /**
     * One frame arrived. `text` is the decoded frame for text frames, `null` for binary ones;
     * `byteLength` is the frame's size on the wire.
     */
    message(client: HandledClient, frame: Frame): void {
      const { byteLength } = frame;
      if (byteLength > Limits.maxFrameBytes) return closeFor(client, CloseCode.MESSAGE_TOO_BIG, 'message too big');
      const nowMs = deps.monotonicMs();
      // Bytes in, per connection (20 frames a second of 64 KiB would be 1.3 MB/s to parse), then
      // the message rate; the client is told at most once a second, whichever dropped it.
      const refused = client.limiter.admit(byteLength, nowMs);
      if (refused) {
        counters.rateLimitDrops++;
        if (refused.limit === 'bytes') limitHit(LimitName.inBytes);
        if (refused.verdict === 'close') return closeFor(client, CloseCode.POLICY_VIOLATION, 'rate limit exceeded');
        if (refused.verdict === 'drop-and-notify') refuse(client, ErrorCode.RATE_LIMITED, DROP_NOTICE[refused.limit]);
        return;
      }
      // Decoded only now: a frame the limits drop costs no string.
      const text = frame.text();
      if (text === null) {
        bump(counters.messagesByType, 'invalid');
        return refuse(client, ErrorCode.BAD_MESSAGE, 'binary frames are not part of the protocol; send JSON text');
      }
      const parsed = parseClientMessage(text);
      if (!parsed.ok) {
        bump(counters.messagesByType, 'invalid');
        if (parsed.tooDeep) limitHit(LimitName.depth);
        // Before hello, a known type other than hello and ping is NOT_IDENTIFIED, valid or not.
        const identified = client.session !== null || router?.identified(client) === true;
        if (!identified && parsed.type !== undefined && parsed.type !== 'hello' && parsed.type !== 'ping') {
          return refuse(client, ErrorCode.NOT_IDENTIFIED, 'send hello first', parsed.rid);
        }
        return refuse(client, parsed.code, parsed.message, parsed.rid);
      }
      const msg = parsed.message;
      bump(counters.messagesByType, msg.type);
      if (msg.type === 'ping')
        return reply(
          client,
          msg.t === undefined ? withRid({ type: 'pong' }, msg.rid) : withRid({ type: 'pong', t: msg.t }, msg.rid),
        );
      if (msg.type === 'hello') {
        if (router) {
          // Said in time: the session may be resolved on another node, after this returns.
          awaitingHello.delete(client);
          return router.hello(client, msg, text);
        }
        registry.hello(client, msg);
        if (client.session) awaitingHello.delete(client);
        return;
      }
      if (router) {
        if (!router.identified(client)) return refuse(client, ErrorCode.NOT_IDENTIFIED, 'send hello first', msg.rid);
        return router.message(client, msg, parsed.signalDataJson ?? 'null', text);
      }
      const session = client.session;
      if (!session) return refuse(client, ErrorCode.NOT_IDENTIFIED, 'send hello first', msg.rid);
      dispatchMessage(registry, client, session, msg, parsed.signalDataJson ?? 'null');
    },

    /** The transport cannot queue more for this client: close it rather than buffer without bound. */
    slowConsumer(client: Client): void {
      closeFor(client, CloseCode.SLOW_CONSUMER, 'slow consumer');
    },

    /** The transport dropped a connection for a text frame that was not UTF-8 (it closes those itself). */
    invalidUtf8(): void {
      bump(counters.closesByReason, 'invalid utf-8');
    },

    /** The socket closed, for whatever reason. */
    close(client: HandledClient): void {
      open--;
      awaitingHello.delete(client);
      addresses.connectionClosed(client.address);
      if (router) router.closed(client);
      else registry.disconnect(client);
    },

    connectionCount: () => open,
  };
}

/** Hands one message of an identified client to the registry handler for its type. */
export function dispatchMessage(
  registry: Registry,
  client: Client,
  session: Session,
  msg: RoomMessage,
  signalDataJson: string,
): void {
  switch (msg.type) {
    case 'signal':
      return registry.signal(client, session, msg.to, signalDataJson, msg.rid);
    case 'room.create':
      return registry.roomCreate(client, session, msg);
    case 'room.join':
      return registry.roomJoin(client, session, msg);
    case 'room.quickplay':
      return registry.roomQuickplay(client, session, msg);
    case 'room.list':
      return registry.roomList(client, msg);
    case 'room.leave':
      return registry.roomLeave(client, session, msg);
    case 'room.chat':
      return registry.roomChat(client, session, msg);
    case 'room.ready':
      return registry.roomRequest(client, session, { type: 'ready', by: session.peerId, ready: msg.ready }, msg.rid);
    case 'room.settings':
      return registry.roomRequest(
        client,
        session,
        { type: 'settings', by: session.peerId, settings: msg.settings },
        msg.rid,
      );
    case 'room.start':
      return registry.roomRequest(client, session, { type: 'start', by: session.peerId }, msg.rid);
    case 'room.end':
      return registry.roomRequest(client, session, { type: 'end', by: session.peerId }, msg.rid);
    case 'room.restore':
      return registry.roomRestore(client, session, msg);
    case 'room.kick':
      return registry.roomRequest(client, session, { type: 'kick', by: session.peerId, target: msg.peerId }, msg.rid);
    default:
      return assertNever(msg);
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled message ${JSON.stringify(value)}`);
}
