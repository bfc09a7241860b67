/**
 * Every player's inputs by tick, for the last `historyTicks` ticks. Every peer keeps one: the host
 * steps the world with it, a client replays its predictions with it (its own inputs, and the
 * others' as they arrive, since inputs go to every peer), and a new host re-simulates from its
 * last snapshot with it, so inputs in flight when the host changed are not lost.
 *
 * It holds at most `maxPerPlayer` inputs per player: other peers fill it, so it must be bounded
 * whatever they send (the engine also takes only ticks in a window around its own).
 */

/** `added`; `known`, an input was already logged for that player and tick; `full`, the player has `maxPerPlayer`. */
export type InputPutResult = 'added' | 'known' | 'full';

export interface InputLog<Input> {
  /** Records an input, unless one is known for that player and tick or the player's inputs are at the cap. */
  put(player: string, tick: number, input: Input): InputPutResult;
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

/**
 * @example
 * ```ts
 * const log = createInputLog<Keys>(512);
 * if (log.put(from, tick, keys) === 'full') stats.drop('inputCap');
 * ```
 */
export function createInputLog<Input>(maxPerPlayer = Number.POSITIVE_INFINITY): InputLog<Input> {
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
      if (entry.inputs.has(tick)) return 'known';
      if (entry.inputs.size >= maxPerPlayer) return 'full';
      entry.inputs.set(tick, input);
      if (tick > entry.newest) entry.newest = tick;
      if (entry.first < 0 || tick < entry.first) entry.first = tick;
      return 'added';
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
