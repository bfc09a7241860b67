/**
 * The session lifecycle of lobby protocol v1 (docs/lobby-protocol.md, "Sessions and reconnection"):
 *
 *   identified ──joined──► inRoom ──left──► identified
 *   identified | inRoom ──disconnected──► grace ──resumed──► identified | inRoom (where it was)
 *   grace ──after graceMs──► gone (final: emits `expired`; the registry removes the peer as if it left)
 *
 * A session outlives its connection: `hello` with its token during the grace resumes it with the
 * same peer id and room. A takeover by a second live connection (close 4001) is a socket swap
 * and does not pass through `grace`. The machine reads no clock; the grace timer runs on the
 * actor's clock.
 */
import type { LeftReason } from '@tickmesh/protocol';
import { assign, emit, setup } from 'xstate';

export interface SessionInput {
  peerId: string;
  name: string;
  graceMs: number;
}

export interface SessionContext {
  peerId: string;
  name: string;
  /** The room this session is a member of, in `inRoom` and in `grace`. */
  roomCode: string | null;
  /** Set when the session was removed from its room while away (kicked during grace). */
  leftWhileAway: { code: string; reason: LeftReason } | null;
  graceMs: number;
}

export type SessionEvent =
  | { type: 'joined'; code: string }
  | { type: 'left'; code: string; reason: LeftReason }
  | { type: 'disconnected' }
  | { type: 'resumed'; name: string }
  | { type: 'renamed'; name: string };

export type SessionEmitted = { type: 'expired'; peerId: string; roomCode: string | null };

export const sessionMachine = setup({
  types: {
    context: {} as SessionContext,
    events: {} as SessionEvent,
    input: {} as SessionInput,
    emitted: {} as SessionEmitted,
  },
  delays: {
    grace: ({ context }) => context.graceMs,
  },
  guards: {
    inARoom: ({ context }) => context.roomCode !== null,
  },
  actions: {
    setRoom: assign(({ event }) => (event.type === 'joined' ? { roomCode: event.code, leftWhileAway: null } : {})),
    clearRoom: assign({ roomCode: null }),
    rememberLeftWhileAway: assign(({ event }) =>
      event.type === 'left' ? { roomCode: null, leftWhileAway: { code: event.code, reason: event.reason } } : {},
    ),
    clearLeftWhileAway: assign({ leftWhileAway: null }),
    setName: assign(({ event }) => (event.type === 'resumed' || event.type === 'renamed' ? { name: event.name } : {})),
    emitExpired: emit(({ context }) => ({
      type: 'expired' as const,
      peerId: context.peerId,
      roomCode: context.roomCode,
    })),
  },
}).createMachine({
  id: 'session',
  context: ({ input }) => ({
    peerId: input.peerId,
    name: input.name,
    roomCode: null,
    leftWhileAway: null,
    graceMs: input.graceMs,
  }),
  initial: 'identified',
  states: {
    identified: {
      on: {
        joined: { target: 'inRoom', actions: 'setRoom' },
        disconnected: 'grace',
        renamed: { actions: 'setName' },
      },
    },
    inRoom: {
      on: {
        left: { target: 'identified', actions: 'clearRoom' },
        disconnected: 'grace',
        renamed: { actions: 'setName' },
      },
    },
    grace: {
      after: { grace: { target: 'gone', actions: 'emitExpired' } },
      on: {
        resumed: [
          { guard: 'inARoom', target: 'inRoom', actions: ['setName', 'clearLeftWhileAway'] },
          { target: 'identified', actions: ['setName', 'clearLeftWhileAway'] },
        ],
        left: { actions: 'rememberLeftWhileAway' },
      },
    },
    gone: { type: 'final' },
  },
});
