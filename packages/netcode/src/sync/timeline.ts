/**
 * The local timeline the sync engine's loop advances, whichever role this peer plays: the tick,
 * the time accumulated toward the next one (fixed timestep), when the loop last ran, the newest
 * state and the one before it (a view blends the two). The engine owns it (engine.ts); the role
 * being played steps it (host-role.ts, client-role.ts), so a host migration hands it over as is.
 *
 * Reference: Glenn Fiedler, "Fix Your Timestep!" (the accumulator).
 */
export interface Timeline<State> {
  /** The local tick: the newest one simulated. */
  tick: number;
  /** Time run but not yet simulated, ms (a client steers it toward the host's timeline). */
  accumulator: number;
  /** When the loop last ran, on the engine's timers. */
  lastUpdate: number;
  /** The state at `tick`: the host's authority, or a client's prediction; null before any. */
  state: State | null;
  /** The state at `tick - 1`. */
  previous: State | null;
}

export function createTimeline<State>(): Timeline<State> {
  return { tick: 0, accumulator: 0, lastUpdate: 0, state: null, previous: null };
}
