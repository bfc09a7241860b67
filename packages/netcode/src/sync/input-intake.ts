/**
 * Which of a peer's inputs the engine logs, since every peer is a stranger: only ticks from
 * `inputHistoryTicks` behind the local tick to `maxInputLeadMs` ahead of it (nothing outside is
 * ever stepped, replayed or kept), into a log that holds at most `maxInputsPerPlayer` per player
 * (the engine prunes it). Refusals are counted in `stats.dropped` (`tickWindow`, `inputCap`);
 * inputs logged for the first time in `inputsReceived`.
 */
import type { InputLog } from './input-log.js';
import type { InputPacket } from './packets.js';
import type { SyncStatsRecorder } from './sync-stats.js';
import { inputLeadTicks, type SyncTuning } from './tuning.js';

export interface InputIntake<Input> {
  /**
   * Logs the inputs of `packet` from `from` whose ticks are in the window around the local `tick`.
   * Returns how many were in the window, and how many of those were new and for ticks at or
   * before `tick` (late, when this peer is the host).
   */
  take(from: string, packet: InputPacket<Input>, tick: number): { taken: number; late: number };
}

/**
 * @example
 * ```ts
 * const intake = createInputIntake(inputLog, tuning, stats);
 * const { taken } = intake.take(from, packet, tick);
 * if (taken > 0) ackOf.set(from, packet.ackTick);
 * ```
 */
export function createInputIntake<Input>(
  log: InputLog<Input>,
  tuning: Readonly<SyncTuning>,
  stats: Pick<SyncStatsRecorder, 'count' | 'drop'>,
): InputIntake<Input> {
  const leadTicks = inputLeadTicks(tuning);
  return {
    take(from, packet, tick) {
      const oldest = tick - tuning.inputHistoryTicks;
      const newest = tick + leadTicks;
      let taken = 0;
      let fresh = 0;
      let full = 0;
      let late = 0;
      for (let i = 0; i < packet.inputs.length; i++) {
        const t = packet.firstTick + i;
        if (t < oldest || t > newest) continue;
        taken++;
        const put = log.put(from, t, packet.inputs[i] as Input);
        if (put === 'full') full++;
        if (put !== 'added') continue;
        fresh++;
        if (t <= tick) late++;
      }
      if (taken < packet.inputs.length) stats.drop('tickWindow', packet.inputs.length - taken);
      if (full > 0) stats.drop('inputCap', full);
      if (fresh > 0) stats.count('inputsReceived', fresh);
      return { taken, late };
    },
  };
}
