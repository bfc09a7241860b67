/**
 * Client-to-server messages of lobby protocol v1, as zod schemas that parse untrusted input.
 * Types are inferred from the schemas so each message is defined exactly once.
 *
 * Field rules that map to a specific error code carry it in the zod issue's `params.code`
 * (see {@link parseClientMessage}); every other violation is `BAD_MESSAGE`.
 */
import { z } from 'zod';
import { ErrorCode } from './codes.js';
import { Limits } from './limits.js';
import { type Rid, type Room, ridCheck, roomCheck } from './server-messages.js';
import { isChatLength, isCleanText, isValidName, jsonByteLength } from './text.js';

/** Request id echoed on every direct answer: {@link ridCheck}'s rule as a zod schema. */
export const ridSchema = z.custom<Rid>((v) => ridCheck(v) === null, {
  error: (issue) => ridCheck(issue.input, 'rid') ?? 'invalid rid',
});

const idString = z.string().max(Limits.maxIdLength);

/** A JSON object (not an array, not null), at most 4 KiB serialized. */
export const settingsSchema = z
  .record(z.string(), z.unknown())
  .refine((s) => jsonByteLength(s) <= Limits.maxSettingsBytes, {
    message: `settings over ${Limits.maxSettingsBytes} bytes as JSON`,
    params: { code: ErrorCode.TOO_LARGE },
  });
export type RoomSettings = Record<string, unknown>;

const base = { rid: ridSchema.optional() };

export const helloSchema = z.object({
  ...base,
  type: z.literal('hello'),
  name: z
    .string()
    .trim()
    .refine(isValidName, {
      message:
        'name must be 1-24 characters after trimming, visible, without control, bidirectional-override or lone surrogate characters',
      params: { code: ErrorCode.INVALID_NAME },
    }),
  token: z.string().max(Limits.maxTokenLength).optional(),
});

export const pingSchema = z.object({ ...base, type: z.literal('ping'), t: z.number().optional() });

export const roomCreateSchema = z.object({
  ...base,
  type: z.literal('room.create'),
  public: z.boolean().optional(),
  maxPlayers: z.number().int().min(Limits.minPlayers).max(Limits.maxPlayers).optional(),
  settings: settingsSchema.optional(),
});

export const roomJoinSchema = z.object({
  ...base,
  type: z.literal('room.join'),
  /** Case-insensitive; normalized to upper case. */
  code: idString.transform((c) => c.toUpperCase()),
});

export const roomQuickplaySchema = z.object({ ...base, type: z.literal('room.quickplay') });
/** One page of the public rooms: `cursor` from the previous answer's `next`, up to `limit` rooms. */
export const roomListRequestSchema = z.object({
  ...base,
  type: z.literal('room.list'),
  cursor: idString.optional(),
  limit: z.number().int().min(1).max(Limits.maxRoomListPage).optional(),
});
export const roomLeaveSchema = z.object({ ...base, type: z.literal('room.leave') });
export const roomReadySchema = z.object({ ...base, type: z.literal('room.ready'), ready: z.boolean() });
export const roomSettingsSchema = z.object({
  ...base,
  type: z.literal('room.settings'),
  settings: settingsSchema,
});
export const roomStartSchema = z.object({ ...base, type: z.literal('room.start') });
export const roomEndSchema = z.object({ ...base, type: z.literal('room.end') });
export const roomKickSchema = z.object({ ...base, type: z.literal('room.kick'), peerId: idString });

/**
 * `room.restore` (an extension of v1, docs/lobby-protocol.md "Surviving a lobby restart"): after a
 * restart lost the room, a member hands back the room as the server last sent it with its
 * `ticket`, and gets it back.
 */
export const roomRestoreSchema = z.object({
  ...base,
  type: z.literal('room.restore'),
  room: z.custom<Room>((v) => roomCheck(v) === null, 'room must be a room as room.state carries it'),
  ticket: z.string().max(Limits.maxTicketLength),
});
export const roomChatRequestSchema = z.object({
  ...base,
  type: z.literal('room.chat'),
  text: z
    .string()
    .refine(isChatLength, 'text must be 1-280 characters')
    .refine(isCleanText, 'text must not hold control, bidirectional-override or lone surrogate characters'),
});

/**
 * `signal.data` is any JSON value, at most 32 KiB serialized. The parser measures it as the frame
 * carried it and hands those bytes on (`signalDataJson`), so a relay forwards them as received.
 */
export const signalRequestSchema = z.object({
  ...base,
  type: z.literal('signal'),
  to: idString,
  data: z.unknown().refine((d) => d !== undefined, 'data is required'),
});

/** Schema of each client message type, keyed on `type`. */
export const clientMessageSchemas = {
  hello: helloSchema,
  ping: pingSchema,
  'room.create': roomCreateSchema,
  'room.join': roomJoinSchema,
  'room.quickplay': roomQuickplaySchema,
  'room.list': roomListRequestSchema,
  'room.leave': roomLeaveSchema,
  'room.ready': roomReadySchema,
  'room.settings': roomSettingsSchema,
  'room.start': roomStartSchema,
  'room.end': roomEndSchema,
  'room.kick': roomKickSchema,
  'room.restore': roomRestoreSchema,
  'room.chat': roomChatRequestSchema,
  signal: signalRequestSchema,
} as const;

export type ClientMessageType = keyof typeof clientMessageSchemas;
/** Any client-to-server message, after parsing (names trimmed, codes upper-cased). */
export type ClientMessage = {
  [K in ClientMessageType]: z.output<(typeof clientMessageSchemas)[K]>;
}[ClientMessageType];
/** What a client may put on the wire, before the server normalizes it. */
export type ClientMessageInput = {
  [K in ClientMessageType]: z.input<(typeof clientMessageSchemas)[K]>;
}[ClientMessageType];
/** One client message by type. */
export type ClientMessageOf<K extends ClientMessageType> = z.output<(typeof clientMessageSchemas)[K]>;

export function isClientMessageType(type: string): type is ClientMessageType {
  return Object.hasOwn(clientMessageSchemas, type);
}
