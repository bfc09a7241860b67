/**
 * The commands the bench sends its attacker child (attacker.ts) over child-ipc.ts, and what the
 * attacker reports: per attack, what it sent and what the server answered.
 */
import type { AttackRole } from './attack-mix.ts';

export interface AttackSettings {
  /** `ws://127.0.0.1:PORT/lobby` of a server run with `--trust-proxy`. */
  url: string;
  /** The server's per-connection message rate and burst: paced attacks send exactly this much. */
  ratePerS: number;
  burst: number;
  /** Connections a slot opens per second at most, reconnects included. */
  connectsPerSlotPerS: number;
  /** Churn: connections each churn slot opens per second, and how long each is held after `welcome`. */
  churnOpensPerSlotPerS: number;
  churnHoldMs: number;
  /** Play only these attacks (all of the mix when absent). */
  only?: readonly AttackRole[];
}

export type AttackerCommand =
  /** Answered once the attacker has loaded and built its frames (so that work lands in no window). */
  { type: 'ready' } | { type: 'start'; settings: AttackSettings } | { type: 'stop' };

/** One attack's counts over the whole attack. */
export interface RoleCounters {
  slots: number;
  /** The `X-Forwarded-For` address its slots present. */
  address: string;
  /** Connections upgraded, and attempts that failed before the upgrade (refused, reset). */
  connects: number;
  connectFailures: number;
  /** Attack frames sent (hello and room set-up not included). */
  frames: number;
  /** Server messages received: `error` by code, others by type (`room.state`, `signal`, ...). */
  answers: Record<string, number>;
  /** Connections the server ended, by close code (`none`: TCP closed without a close frame). */
  closes: Record<string, number>;
}

export interface AttackerReport {
  /** From `start` to `stop`. */
  durationMs: number;
  roles: Partial<Record<AttackRole, RoleCounters>>;
}

export function emptyRoleCounters(slots: number, address: string): RoleCounters {
  return { slots, address, connects: 0, connectFailures: 0, frames: 0, answers: {}, closes: {} };
}
