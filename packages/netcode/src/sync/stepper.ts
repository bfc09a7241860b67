/**
 * Stepping the game: the inputs of a tick (logged, else repeated, else neutral), one step with its
 * context, the optional round trip through the schema that keeps every peer's states
 * bit-identical, and replays from a snapshot. Shared by the host (authoritative steps) and clients
 * (predictions and replays); pure apart from reading the input log.
 */
import type { Entities, GameDefinition, StepContext } from './game.js';
import type { InputLog } from './input-log.js';
import type { QuantizedWorld, SchemaDefinition } from './snapshot/schema.js';
import { dequantizeWorld, quantizeWorld } from './snapshot/world.js';
import type { SyncTuning } from './tuning.js';

/** What only an authoritative step has: events that go out, and the past for lag compensation. */
export interface StepEffects<State, Event> {
  emit(event: Event): void;
  seenBy(player: string, current: State): State;
}

export interface Stepper<State, Input, Event, D extends SchemaDefinition> {
  /**
   * Every player's input of `tick`: the logged one, else the latest within the repeat window, else
   * neutral. `players` must be sorted, so every peer steps them in the same order.
   */
  inputsFor(tick: number, players: readonly string[]): Map<string, Input>;
  /** One tick from `from`; `effects` makes it authoritative (events emitted, lag compensation on). */
  step(from: State, tick: number, inputs: ReadonlyMap<string, Input>, effects?: StepEffects<State, Event>): State;
  /** The state at `to` and the one before it, rebuilt from entities at `from` with the logged inputs. */
  replay(
    entities: Entities<D>,
    from: number,
    to: number,
    players: readonly string[],
  ): { state: State; previous: State };
  quantize(state: State, tick: number): QuantizedWorld;
}

export function createStepper<State, Input, Event, D extends SchemaDefinition>(
  game: GameDefinition<State, Input, Event, D>,
  tuning: Readonly<SyncTuning>,
  inputLog: InputLog<Input>,
): Stepper<State, Input, Event, D> {
  const dt = 1 / tuning.tickRateHz;
  const ignore = () => {};

  function quantize(state: State, tick: number): QuantizedWorld {
    return quantizeWorld(game.schema, { tick: tick >>> 0, entities: game.toWorld(state) });
  }

  function inputsFor(tick: number, players: readonly string[]): Map<string, Input> {
    const inputs = new Map<string, Input>();
    for (const player of players) {
      inputs.set(
        player,
        inputLog.get(player, tick) ?? inputLog.latest(player, tick, tuning.maxInputRepeatTicks) ?? game.neutralInput,
      );
    }
    return inputs;
  }

  function step(
    from: State,
    tick: number,
    inputs: ReadonlyMap<string, Input>,
    effects?: StepEffects<State, Event>,
  ): State {
    const context: StepContext<State, Event> = {
      tick,
      emit: effects === undefined ? ignore : (event) => effects.emit(event),
      seenBy: effects === undefined ? () => from : (player) => effects.seenBy(player, from),
    };
    const next = game.step(from, inputs, dt, context);
    if (!tuning.quantizeStates) return next;
    return game.fromWorld(dequantizeWorld(game.schema, quantize(next, tick)).entities);
  }

  return {
    inputsFor,
    step,
    quantize,
    replay(entities, from, to, players) {
      let state = game.fromWorld(entities);
      let previous = state;
      for (let tick = from + 1; tick <= to; tick++) {
        previous = state;
        state = step(state, tick, inputsFor(tick, players));
      }
      return { state, previous };
    },
  };
}
