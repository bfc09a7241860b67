/**
 * The host's short memory for lag compensation: its states of the last ticks, and how far in the
 * past each player was drawing the world when it made its inputs (each input packet says which
 * tick it was drawing). `seenBy` is the state a player saw when it made this tick's input.
 *
 * Reference: Valve, "Latency Compensating Methods in Client/Server In-game Protocol Design and
 * Optimization" (Bernier, 2001); Gambetta, "Fast-Paced Multiplayer, Part IV: Lag Compensation".
 */
export interface LagHistory<State> {
  record(tick: number, state: State): void;
  /** `player` was drawing `lagTicks` behind the tick of its newest input. */
  setViewLag(player: string, lagTicks: number): void;
  /** The state `player` saw for tick `tick`, or `current` when not kept (or the player draws the present). */
  seenBy(player: string, tick: number, current: State): State;
  clear(): void;
}

export function createLagHistory<State>(capacityTicks: number): LagHistory<State> {
  const states: ({ tick: number; state: State } | undefined)[] = new Array(Math.max(1, capacityTicks + 1));
  const lagOf = new Map<string, number>();
  return {
    record(tick, state) {
      states[tick % states.length] = { tick, state };
    },
    setViewLag(player, lagTicks) {
      lagOf.set(player, Math.max(0, Math.min(capacityTicks, lagTicks)));
    },
    seenBy(player, tick, current) {
      const lag = lagOf.get(player) ?? 0;
      const past = states[(tick - lag) % states.length];
      return lag > 0 && past?.tick === tick - lag ? past.state : current;
    },
    clear() {
      states.fill(undefined);
      lagOf.clear();
    },
  };
}
