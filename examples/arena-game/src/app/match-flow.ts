/**
 * The match flow: the phase the player is in (from the lobby room and, in a match, the match
 * entity), and the end-of-round rule. When a round ends every page shows the end screen for
 * `END_SCREEN_S` seconds, counted from when it first saw the end; then the host sends `room.end`,
 * once, and the room (everyone) goes back to the room lobby. Should the host leave meanwhile, the
 * new host sends it on its own count.
 */
import type { Room } from '@tickmesh/netcode';
import { type ArenaEntity, MATCH_ID, Phase } from '../simulation.js';

/** Where the player is; `practice`: a practice round against bots while the room waits (app/practice.ts). */
export type AppPhase = 'menu' | 'lobby' | 'countdown' | 'playing' | 'ended' | 'practice';

/** Seconds from the end of a round to the host's `room.end` (the end screen's time). */
export const END_SCREEN_S = 6;

/**
 * The phase from the room and, in a match only, the match entity: `match` is not called outside a
 * match (reading the net view moves its render clock).
 */
export function appPhase(room: Pick<Room, 'state'> | null, match: () => ArenaEntity | undefined): AppPhase {
  if (!room) return 'menu';
  if (room.state === 'open') return 'lobby';
  if (room.state === 'countdown') return 'countdown';
  const m = match();
  return m?.kind === 'match' && m.fields.phase === Phase.ended ? 'ended' : 'playing';
}

/** Where the end-of-round rule is: when this page first saw the round over, and whether it sent `room.end`. */
export interface RoundEnd {
  endedAtMs: number | null;
  endSent: boolean;
}

export const ROUND_NOT_ENDED: RoundEnd = { endedAtMs: null, endSent: false };

/**
 * The rule at `nowMs`: the end is stamped when first seen; the host sends `room.end` once, when
 * more than `endScreenS` seconds have passed since.
 */
export function stepRoundEnd(
  state: RoundEnd,
  seen: { ended: boolean; host: boolean; nowMs: number },
  endScreenS: number = END_SCREEN_S,
): { state: RoundEnd; sendEnd: boolean } {
  if (!seen.ended) return { state, sendEnd: false };
  const endedAtMs = state.endedAtMs ?? seen.nowMs;
  const sendEnd = seen.host && !state.endSent && seen.nowMs - endedAtMs > endScreenS * 1000;
  return { state: { endedAtMs, endSent: state.endSent || sendEnd }, sendEnd };
}

/** The end screen's "back to the room in N s": whole seconds left (the full time before the end is stamped). */
export function endScreenBackInS(state: RoundEnd, nowMs: number, endScreenS: number = END_SCREEN_S): number {
  const endedAtMs = state.endedAtMs ?? nowMs;
  return Math.max(0, Math.ceil(endScreenS - (nowMs - endedAtMs) / 1000));
}

export interface MatchFlow {
  phase(): AppPhase;
  /** Applies the end-of-round rule now: call it on the app's clock. */
  update(nowMs: number): void;
  /** The end screen's whole seconds left, now (what it shows while the phase is `ended`). */
  backInS(nowMs: number): number;
  /** A room out of its match starts the next round afresh. */
  roomChanged(room: Room | null): void;
}

export interface MatchFlowDeps {
  room(): Room | null;
  selfId(): string | null;
  /** The world now, or undefined before there is one. */
  world(): ReadonlyMap<number, ArenaEntity> | undefined;
  /** Sends `room.end` (the host's request). */
  end(): void;
  /** The end screen's time, s. Default {@link END_SCREEN_S}. */
  endScreenS?: number;
}

/**
 * @example
 * const match = createMatchFlow({ room: () => lobby.room, selfId: () => lobby.peerId,
 *   world: () => net.view()?.world, end: () => void lobby.end() });
 * setInterval(() => match.update(performance.now()), 100);
 */
export function createMatchFlow(deps: MatchFlowDeps): MatchFlow {
  const endScreenS = deps.endScreenS ?? END_SCREEN_S;
  let roundEnd = ROUND_NOT_ENDED;
  const phase = () => appPhase(deps.room(), () => deps.world()?.get(MATCH_ID));

  return {
    phase,
    update(nowMs) {
      const host = deps.room()?.hostId;
      const step = stepRoundEnd(
        roundEnd,
        { ended: phase() === 'ended', host: host !== undefined && host === deps.selfId(), nowMs },
        endScreenS,
      );
      roundEnd = step.state;
      if (step.sendEnd) deps.end();
    },
    backInS: (nowMs) => endScreenBackInS(roundEnd, nowMs, endScreenS),
    roomChanged(room) {
      // Out of the match (back to the room, or out of the room: left, kicked, expired), a later
      // end screen counts from its own start.
      if (room === null || room.state !== 'playing') roundEnd = ROUND_NOT_ENDED;
    },
  };
}
