/**
 * The local player's own inputs as they go out, from either role. Each input packet repeats every
 * own input since a given tick (a client: the oldest the host has not processed; the host: a short
 * window, for a future host), at most `maxInputsPerPacket`, and only ticks this peer sampled (not
 * the ones before it joined or jumped its clock forward). Every `peerInputRateHz`, or every tick
 * with `remotePlayers: 'predicted'`, a packet goes to every peer instead of the host alone.
 *
 * Reference: Glenn Fiedler, "Deterministic Lockstep" (redundant inputs until acknowledged).
 */
import type { InputLog } from './input-log.js';
import type { SyncTuning } from './tuning.js';

export interface OwnInputs<Input> {
  /** Own inputs go to every peer on the ticks that are a multiple of this. */
  readonly everyoneEveryTicks: number;
  /** Whether tick `tick`'s packet goes to every peer (else to the host only). */
  toEveryone(tick: number): boolean;
  /** The own inputs from `fromTick` (or later) to `tick` a packet carries, and the tick of the first. */
  since(fromTick: number, tick: number): { first: number; inputs: Input[] };
}

/**
 * @example
 * ```ts
 * const own = createOwnInputs({ inputLog, selfId, tuning, neutralInput: game.neutralInput });
 * const { first, inputs } = own.since(ownAcked + 1, tick);
 * ```
 */
export function createOwnInputs<Input>(deps: {
  inputLog: Pick<InputLog<Input>, 'get' | 'latest'>;
  selfId: string;
  tuning: Readonly<Pick<SyncTuning, 'remotePlayers' | 'tickRateHz' | 'peerInputRateHz' | 'maxInputsPerPacket'>>;
  neutralInput: Input;
}): OwnInputs<Input> {
  const { inputLog, selfId, tuning, neutralInput } = deps;
  // Predicted remote players need every player's inputs at every peer as soon as they are sampled.
  const everyoneEveryTicks =
    tuning.remotePlayers === 'predicted' ? 1 : Math.max(1, Math.round(tuning.tickRateHz / tuning.peerInputRateHz));
  return {
    everyoneEveryTicks,
    toEveryone: (tick) => tick % everyoneEveryTicks === 0,
    since(fromTick, tick) {
      let first = Math.max(fromTick, tick - tuning.maxInputsPerPacket + 1, 0);
      while (first <= tick && inputLog.get(selfId, first) === undefined) first++;
      const inputs: Input[] = [];
      for (let t = first; t <= tick; t++) {
        inputs.push(inputLog.get(selfId, t) ?? inputLog.latest(selfId, t, tick) ?? neutralInput);
      }
      return { first, inputs };
    },
  };
}
