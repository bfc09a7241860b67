/** The protocol version this package implements (`welcome.protocol`). */
export const PROTOCOL_VERSION = 1;

/** Every fixed limit of lobby protocol v1. Sizes in bytes of UTF-8, lengths in code points. */
export const Limits = {
  /** A frame larger than this closes the connection with 1009. */
  maxFrameBytes: 64 * 1024,
  /** `rid` as a string: at most this many code points. */
  maxRidLength: 64,
  /** `hello.name` after trimming. */
  minNameLength: 1,
  maxNameLength: 24,
  /**
   * `hello.token`: tokens the server issues are `<peerId>.<nonce>.<mac>`, 100 characters; anything
   * longer than this is malformed.
   */
  maxTokenLength: 128,
  /** `room.create.maxPlayers` range and default. */
  minPlayers: 2,
  maxPlayers: 16,
  defaultMaxPlayers: 8,
  /** `settings` serialized as JSON. */
  maxSettingsBytes: 4 * 1024,
  /** `room.chat.text`. */
  minChatLength: 1,
  maxChatLength: 280,
  /** `signal.data` serialized as JSON. */
  maxSignalBytes: 32 * 1024,
  /**
   * Deepest nesting of arrays and objects in a frame (the message object itself is level 1).
   * Deeper frames are `BAD_MESSAGE`: no SDP, candidate or game setting needs more, and a bound
   * keeps every walk of a parsed value (validating it, measuring settings as JSON) off the stack's
   * edge. Signal data is relayed as the frame carried it, never serialized again.
   */
  maxJsonDepth: 32,
  /** `room.list`: rooms per answer when the request names no `limit`, and the most it may name. */
  defaultRoomListPage: 50,
  maxRoomListPage: 100,
  /** Peer ids and room codes in client messages; longer strings are malformed. */
  maxIdLength: 64,
  /**
   * Room tickets (`room.state.ticket`, `room.restore.ticket`): the server's are 43 characters;
   * longer strings are malformed.
   */
  maxTicketLength: 64,
  /** Room codes: length and alphabet (no 0, 1, I, O). */
  roomCodeLength: 6,
  roomCodeAlphabet: '23456789ABCDEFGHJKLMNPQRSTUVWXYZ',
} as const;
