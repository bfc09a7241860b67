/**
 * Server-to-client messages of lobby protocol v1. The server builds them from these types; a
 * client parses what it receives with these schemas (a bad message is logged and dropped).
 */
import { z } from 'zod';
import { ridSchema } from './client-messages.js';
import { ErrorCode, LeftReason } from './codes.js';

const rid = { rid: ridSchema.optional() };

/** A room's lifecycle state. */
export const RoomState = { OPEN: 'open', COUNTDOWN: 'countdown', PLAYING: 'playing' } as const;
export type RoomState = (typeof RoomState)[keyof typeof RoomState];
const roomStateSchema = z.enum([RoomState.OPEN, RoomState.COUNTDOWN, RoomState.PLAYING]);

export const peerInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  ready: z.boolean(),
  /** False while the peer is in its reconnect grace. */
  connected: z.boolean(),
  /** Join order within the room: 1, 2, 3 ... never reused. */
  seq: z.number().int().positive(),
});
export type PeerInfo = z.infer<typeof peerInfoSchema>;

export const roomSchema = z.object({
  code: z.string(),
  state: roomStateSchema,
  hostId: z.string(),
  public: z.boolean(),
  maxPlayers: z.number().int(),
  settings: z.record(z.string(), z.unknown()),
  /** Epoch ms; present only in `countdown`. */
  countdownEndsAt: z.number().optional(),
  peers: z.array(peerInfoSchema),
});
export type Room = z.infer<typeof roomSchema>;

/** An `RTCIceServer` as handed to `RTCPeerConnection`. */
export const iceServerSchema = z.object({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type IceServer = z.infer<typeof iceServerSchema>;

export const welcomeSchema = z.object({
  ...rid,
  type: z.literal('welcome'),
  peerId: z.string(),
  token: z.string(),
  iceServers: z.array(iceServerSchema),
  resumed: z.boolean(),
  protocol: z.literal(1),
});
export const pongSchema = z.object({ ...rid, type: z.literal('pong'), t: z.number().optional() });
export const roomStateMessageSchema = z.object({ ...rid, type: z.literal('room.state'), room: roomSchema });
export const roomListSchema = z.object({
  ...rid,
  type: z.literal('room.list'),
  rooms: z.array(
    z.object({ code: z.string(), players: z.number().int(), maxPlayers: z.number().int(), state: roomStateSchema }),
  ),
  /** Present when more public rooms follow this page: pass it as the next request's `cursor`. */
  next: z.string().optional(),
});
export const roomChatSchema = z.object({
  ...rid,
  type: z.literal('room.chat'),
  from: z.string(),
  name: z.string(),
  text: z.string(),
  at: z.number(),
});
export const roomLeftSchema = z.object({
  ...rid,
  type: z.literal('room.left'),
  code: z.string(),
  reason: z.enum([LeftReason.LEFT, LeftReason.KICKED, LeftReason.CLOSED]),
});
export const signalSchema = z.object({ type: z.literal('signal'), from: z.string(), data: z.unknown() });
export const errorSchema = z.object({
  ...rid,
  type: z.literal('error'),
  code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
});

export const serverMessageSchema = z.discriminatedUnion('type', [
  welcomeSchema,
  pongSchema,
  roomStateMessageSchema,
  roomListSchema,
  roomChatSchema,
  roomLeftSchema,
  signalSchema,
  errorSchema,
]);
/** Any server-to-client message. */
export type ServerMessage = z.infer<typeof serverMessageSchema>;
export type ServerMessageType = ServerMessage['type'];
/** One server message by type. */
export type ServerMessageOf<K extends ServerMessageType> = Extract<ServerMessage, { type: K }>;
export type RoomListEntry = ServerMessageOf<'room.list'>['rooms'][number];

/** Parses one server frame; `null` when it is not a valid v1 server message. */
export function parseServerMessage(text: string): ServerMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const result = serverMessageSchema.safeParse(value);
  return result.success ? result.data : null;
}

/** `message` with `rid` set when the request carried one (every direct answer echoes it). */
export function withRid<M extends ServerMessage>(message: M, rid: string | number | undefined): M {
  return rid === undefined ? message : { ...message, rid };
}
