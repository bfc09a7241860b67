/**
 * Every player's inputs by tick, for the last `historyTicks` ticks. Every peer keeps one: the host
 * steps the world with it, a client replays its predictions with it (its own inputs, and the
 * others' as they arrive, since inputs go to every peer), and a new host re-simulates from its
 * last snapshot with it, so inputs in flight when the host changed are not lost.
 */
export interface InputLog<Input> {
  /** Records an input; returns false when one was already known for that player and tick. */
  put(player: string, tick: number, input: Input): boolean;
  /** Records an input, replacing any known for that player and tick (the local player's own). */
  set(player: string, tick: number, input: Input): void;
  get(player: string, tick: number): Input | undefined;
  /** The newest input of `player` at or before `tick`, looking back at most `maxBack` ticks. */
  latest(player: string, tick: number, maxBack: number): Input | undefined;
  /** Newest tick known for `player`, or -1. */
  newestTick(player: string): number;
  /** Oldest tick ever recorded for `player` (pruning does not change it), or -1. */
  firstTick(player: string): number;
  /** Forgets inputs of ticks before `tick`. */
  prune(tick: number): void;
  /** Forgets a player. */
  remove(player: string): void;
}

export function createInputLog<Input>(): InputLog<Input> {
  const players = new Map<string, { inputs: Map<number, Input>; newest: number; first: number }>();
  const entryOf = (player: string) => {
    let entry = players.get(player);
    if (entry === undefined) {
      entry = { inputs: new Map<number, Input>(), newest: -1, first: -1 };
      players.set(player, entry);
    }
    return entry;
  };
  return {
    put(player, tick, input) {
      const entry = entryOf(player);
      if (entry.inputs.has(tick)) return false;
      entry.inputs.set(tick, input);
      if (tick > entry.newest) entry.newest = tick;
      if (entry.first < 0 || tick < entry.first) entry.first = tick;
      return true;
    },
    set(player, tick, input) {
      const entry = entryOf(player);
      entry.inputs.set(tick, input);
      if (tick > entry.newest) entry.newest = tick;
      if (entry.first < 0 || tick < entry.first) entry.first = tick;
    },
    get(player, tick) {
      return players.get(player)?.inputs.get(tick);
    },
    latest(player, tick, maxBack) {
      const entry = players.get(player);
      if (entry === undefined) return undefined;
      for (let t = Math.min(tick, entry.newest); t >= 0 && t >= tick - maxBack; t--) {
        const input = entry.inputs.get(t);
        if (input !== undefined) return input;
      }
      return undefined;
    },
    newestTick(player) {
      return players.get(player)?.newest ?? -1;
    },
    firstTick(player) {
      return players.get(player)?.first ?? -1;
    },
    prune(tick) {
      for (const entry of players.values()) {
        for (const t of entry.inputs.keys()) if (t < tick) entry.inputs.delete(t);
      }
    },
    remove(player) {
      players.delete(player);
    },
  };
}
