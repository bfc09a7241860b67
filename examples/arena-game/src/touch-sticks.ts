/**
 * The touch sticks' arithmetic, pure: where a thumb is relative to where it landed becomes a
 * stick deflection, the move stick's deflection becomes one of the eight directions the keys give
 * (the wire carries `mx`, `my` of -1, 0 or 1; the simulation slows diagonals as it does for keys),
 * and the aim stick's becomes an aim, firing once pushed past its dead zone.
 *
 * Eight-way quantising: the deflection's angle is rounded to the nearest eighth of a turn, so each
 * direction owns a 45° sector centred on it (the layout of the D-pad emulation in most mobile
 * shooters; a thumb pushing "up and a bit right" still runs straight up).
 */
import { type ArenaInput, aimOf, MOVE_DIRECTIONS } from './simulation.js';

/** The sticks' tuning. */
export const touchStickDefaults = {
  /** How far a thumb travels from where it landed to full deflection, CSS px. Default 56. */
  radiusPx: 56,
  /** Move stick: deflection below which the player stands still, 0..1. Default 0.25. */
  moveDeadZone: 0.25,
  /** Aim stick: deflection below which it only aims (no fire), 0..1. Default 0.35. */
  fireDeadZone: 0.35,
  /** Aim stick: deflection below which it does not even turn (a resting thumb), 0..1. Default 0.12. */
  aimDeadZone: 0.12,
} as const;

export type TouchStickTuning = { readonly [K in keyof typeof touchStickDefaults]: number };

/** A stick's deflection: `x`, `y` each in -1..1, `amount` (its length) in 0..1. */
export interface Deflection {
  x: number;
  y: number;
  amount: number;
}

export const REST: Deflection = { x: 0, y: 0, amount: 0 };

/**
 * The deflection of a thumb `dx`, `dy` CSS px from where it landed, capped at full.
 *
 * @example
 * deflection(28, 0, 56); // { x: 0.5, y: 0, amount: 0.5 }
 */
export function deflection(dx: number, dy: number, radiusPx: number): Deflection {
  const len = Math.hypot(dx, dy);
  if (len === 0 || radiusPx <= 0) return REST;
  const amount = Math.min(1, len / radiusPx);
  return { x: (dx / len) * amount, y: (dy / len) * amount, amount };
}

/**
 * The move stick as keys: the nearest of the eight directions (y grows down the screen), or none
 * inside the dead zone.
 *
 * @example
 * moveOf(deflection(40, -5, 56), 0.25); // { mx: 1, my: 0 }
 */
export function moveOf(d: Deflection, deadZone: number): Pick<ArenaInput, 'mx' | 'my'> {
  if (d.amount < deadZone) return { mx: 0, my: 0 };
  const eighth = Math.round(Math.atan2(d.y, d.x) / (Math.PI / 4));
  const [mx, my] = MOVE_DIRECTIONS[((eighth % 8) + 8) % 8] ?? [0, 0];
  return { mx, my };
}

/**
 * The aim stick: an aim (256ths of a turn) once past `aimDeadZone` (else null: keep the last one),
 * and fire once past `fireDeadZone`.
 *
 * @example
 * aimStickOf(deflection(0, -56, 56), touchStickDefaults); // { aim: 192, fire: true }
 */
export function aimStickOf(
  d: Deflection,
  tuning: Pick<TouchStickTuning, 'aimDeadZone' | 'fireDeadZone'>,
): { aim: number | null; fire: boolean } {
  if (d.amount < tuning.aimDeadZone) return { aim: null, fire: false };
  return { aim: aimOf(d.x, d.y), fire: d.amount >= tuning.fireDeadZone };
}
