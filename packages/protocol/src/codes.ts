/**
 * Error codes of lobby protocol v1. Every refused message is answered with `error` carrying one
 * of these; nothing changes on the server when a message is refused.
 */
export const ErrorCode = {
  /** Not JSON, no `type`, wrong field types or ranges, over-long strings, binary frames. */
  BAD_MESSAGE: 'BAD_MESSAGE',
  /** `settings` or `signal.data` over their byte limits. */
  TOO_LARGE: 'TOO_LARGE',
  /** A `type` this protocol version does not define. */
  UNKNOWN_TYPE: 'UNKNOWN_TYPE',
  /** A known message other than `hello` or `ping` before `hello`. */
  NOT_IDENTIFIED: 'NOT_IDENTIFIED',
  /** `hello.name` empty after trimming, over 24 code points, or with control characters. */
  INVALID_NAME: 'INVALID_NAME',
  /** Create, join or quick play while already in a room. */
  ALREADY_IN_ROOM: 'ALREADY_IN_ROOM',
  /** A room message while in no room. */
  NOT_IN_ROOM: 'NOT_IN_ROOM',
  /** No live room has that code. */
  ROOM_NOT_FOUND: 'ROOM_NOT_FOUND',
  /** The room has `maxPlayers` members (members in reconnect grace count). */
  ROOM_FULL: 'ROOM_FULL',
  /** The room is `playing` and its settings do not say `"lateJoin": true`. */
  ROOM_IN_GAME: 'ROOM_IN_GAME',
  /** A host-only message from a peer that is not the host. */
  NOT_HOST: 'NOT_HOST',
  /** `room.start` with fewer than 2 connected peers or a connected non-host peer not ready. */
  NOT_READY: 'NOT_READY',
  /** The message is not allowed in the current state (second `hello`, `room.ready` while playing...). */
  BAD_STATE: 'BAD_STATE',
  /** Signal or kick target is not a connected member of your room, or is yourself. */
  PEER_NOT_FOUND: 'PEER_NOT_FOUND',
  /**
   * Over a rate: the per-connection message rate, the bytes a peer may have relayed to others per
   * second, or the bytes its requests may make the server send to the rest of its room per second.
   * The message was dropped.
   */
  RATE_LIMITED: 'RATE_LIMITED',
  /** `room.create` (or a quick play that would create) over the rooms one address, or the server, may hold. */
  TOO_MANY_ROOMS: 'TOO_MANY_ROOMS',
  /** `room.join` from an address that named too many codes of no room in the last minute (guessing). */
  TOO_MANY_FAILED_JOINS: 'TOO_MANY_FAILED_JOINS',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** WebSocket close codes the lobby server uses. */
export const CloseCode = {
  /** Server shutting down. */
  GOING_AWAY: 1001,
  /** Over the rate limit for 10 s without pause. */
  POLICY_VIOLATION: 1008,
  /** A frame over 64 KiB. */
  MESSAGE_TOO_BIG: 1009,
  /** The server failed on this connection's message (a bug); only this connection is closed. */
  INTERNAL_ERROR: 1011,
  /**
   * This lobby node is restarting or shutting down in a cluster: reconnect at once (to another
   * node) and resume; the room lives on.
   */
  SERVICE_RESTART: 1012,
  /** Too many connections from this address, or in all: try again later. */
  TRY_AGAIN_LATER: 1013,
  /** Another connection resumed this session with its token. */
  SESSION_TAKEN_OVER: 4001,
  /** The client did not read what it was sent; the server will not buffer without bound. */
  SLOW_CONSUMER: 4002,
  /** No `hello` within the server's deadline after the connection opened. */
  HELLO_TIMEOUT: 4003,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Why a peer is no longer in a room (`room.left.reason`). */
export const LeftReason = {
  LEFT: 'left',
  KICKED: 'kicked',
  CLOSED: 'closed',
} as const;
export type LeftReason = (typeof LeftReason)[keyof typeof LeftReason];
