/**
 * Server-to-client messages of lobby protocol v1. The server builds them from these types; a
 * client checks what it receives against them ({@link parseServerMessage}: a bad message is
 * dropped). The shapes are small checks (check.ts) rather than zod, so a browser game does not
 * ship a schema library to read eight message types; each type is inferred from its check.
 */
import {
  arr,
  bool,
  type Check,
  custom,
  either,
  expected,
  type Infer,
  int,
  num,
  obj,
  oneOf,
  opt,
  record,
  str,
  tagged,
  unknown,
} from './check.js';
import { ErrorCode, LeftReason } from './codes.js';
import { Limits } from './limits.js';
import { codePointLength } from './text.js';

/** A room's lifecycle state. */
export const RoomState = { OPEN: 'open', COUNTDOWN: 'countdown', PLAYING: 'playing' } as const;
export type RoomState = (typeof RoomState)[keyof typeof RoomState];
const roomState = oneOf(RoomState.OPEN, RoomState.COUNTDOWN, RoomState.PLAYING);

/**
 * Request id echoed on every direct answer: a string of at most {@link Limits.maxRidLength} code
 * points, or a safe integer. The one rule for both directions: client messages use it too.
 */
export const ridCheck: Check<string | number> = custom((v, p) =>
  (typeof v === 'string' && codePointLength(v) <= Limits.maxRidLength) || Number.isSafeInteger(v)
    ? null
    : expected(p, `a string of at most ${Limits.maxRidLength} characters or a safe integer`),
);
export type Rid = Infer<typeof ridCheck>;
const echo = { rid: opt(ridCheck) };

export const peerInfoCheck = obj({
  id: str(),
  name: str(),
  ready: bool,
  /** False while the peer is in its reconnect grace. */
  connected: bool,
  /** Join order within the room: 1, 2, 3 ... never reused. */
  seq: int,
});
export type PeerInfo = Infer<typeof peerInfoCheck>;

export const roomCheck = obj({
  code: str(),
  state: roomState,
  hostId: str(),
  public: bool,
  maxPlayers: int,
  settings: record,
  /** Epoch ms; present only in `countdown`. */
  countdownEndsAt: opt(num),
  peers: arr(peerInfoCheck),
});
export type Room = Infer<typeof roomCheck>;

/** An `RTCIceServer` as handed to `RTCPeerConnection`. */
export const iceServerCheck = obj({
  urls: either(str(), arr(str())),
  username: opt(str()),
  credential: opt(str()),
});
export type IceServer = Infer<typeof iceServerCheck>;

const roomListEntry = obj({ code: str(), players: int, maxPlayers: int, state: roomState });

/** Every server message, by its `type`. */
export const serverMessageChecks = {
  welcome: obj({
    ...echo,
    type: oneOf('welcome'),
    peerId: str(),
    token: str(),
    iceServers: arr(iceServerCheck),
    resumed: bool,
    protocol: oneOf(1),
    /**
     * Extension: the server restarted since this session began and no longer knows its room; a
     * client that was in one sends `room.restore` with the room and its ticket.
     */
    restarted: opt(oneOf(true)),
  }),
  pong: obj({ ...echo, type: oneOf('pong'), t: opt(num) }),
  'room.state': obj({
    ...echo,
    type: oneOf('room.state'),
    room: roomCheck,
    /** Extension: the server's signature of `room`, for `room.restore` after a restart. */
    ticket: opt(str(Limits.maxTicketLength)),
  }),
  'room.list': obj({
    ...echo,
    type: oneOf('room.list'),
    rooms: arr(roomListEntry),
    /** Present when more public rooms follow this page: pass it as the next request's `cursor`. */
    next: opt(str()),
  }),
  'room.chat': obj({ ...echo, type: oneOf('room.chat'), from: str(), name: str(), text: str(), at: num }),
  'room.left': obj({
    ...echo,
    type: oneOf('room.left'),
    code: str(),
    reason: oneOf(LeftReason.LEFT, LeftReason.KICKED, LeftReason.CLOSED),
  }),
  signal: obj({ type: oneOf('signal'), from: str(), data: unknown }),
  error: obj({ ...echo, type: oneOf('error'), code: oneOf(...Object.values(ErrorCode)), message: str() }),
} as const;

export const serverMessageCheck = tagged(serverMessageChecks);
/** Any server-to-client message. */
export type ServerMessage = Infer<typeof serverMessageCheck>;
export type ServerMessageType = ServerMessage['type'];
/** One server message by type. */
export type ServerMessageOf<K extends ServerMessageType> = Extract<ServerMessage, { type: K }>;
export type RoomListEntry = Infer<typeof roomListEntry>;
/** Every server message type, in the order of the protocol's table. */
export const serverMessageTypes = /* @__PURE__ */ Object.keys(serverMessageChecks) as ServerMessageType[];

/** Parses one server frame; `null` when it is not a valid v1 server message. */
export function parseServerMessage(text: string): ServerMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return serverMessageCheck(value) === null ? (value as ServerMessage) : null;
}

/** `message` with `rid` set when the request carried one (every direct answer echoes it). */
export function withRid<M extends ServerMessage>(message: M, rid: string | number | undefined): M {
  return rid === undefined ? message : { ...message, rid };
}
