/**
 * Runs a machine without an actor: the state is a snapshot, events go through XState's pure
 * `transition()`, delayed events become timers on the given clock and emitted events a callback.
 *
 * Why: an actor brings its own actor system (maps, sets, closures), about 4 KB per instance, and
 * even a bare snapshot carries a dozen fields and closures; thousands of idle sessions made that
 * the server's main memory cost. Between events only the state value and the context are kept;
 * the snapshot is rebuilt (`machine.resolveState`) for the rare transition. The machine is the
 * same one the tests run in an actor on a simulated clock.
 */
import {
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type ContextFrom,
  type EventFromLogic,
  type InputFrom,
  initialTransition,
  transition,
} from 'xstate';

/** The timer half of XState's clock (its `SimulatedClock` fits). */
export interface TimerClock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimerClock: TimerClock = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface MachineInstance<TMachine extends AnyStateMachine> {
  /** The current state value. */
  readonly value: AnyMachineSnapshot['value'];
  readonly context: ContextFrom<TMachine>;
  /** True once a final state is reached; later events are ignored. */
  readonly done: boolean;
  send(event: EventFromLogic<TMachine>): void;
  /** Cancels pending delayed events. */
  stop(): void;
}

interface ExecutableAction {
  type: string;
  params?: unknown;
}

export function runMachine<TMachine extends AnyStateMachine, TEmitted>(
  machine: TMachine,
  input: InputFrom<TMachine>,
  clock: TimerClock,
  onEmit: (event: TEmitted) => void,
): MachineInstance<TMachine> {
  let timers: Map<string, unknown> | null = null;
  const [initial, initialActions] = (initialTransition as (m: AnyStateMachine, i: unknown) => unknown)(
    machine,
    input,
  ) as [AnyMachineSnapshot, ExecutableAction[]];
  let value: AnyMachineSnapshot['value'] = initial.value;
  let context: ContextFrom<TMachine> = initial.context;
  let done = initial.status === 'done';

  function execute(list: readonly ExecutableAction[]): void {
    for (const action of list) {
      const params = action.params as { delay?: number; id?: string; event?: unknown; sendId?: string } | undefined;
      if (action.type === 'xstate.raise' && params?.delay !== undefined && params.id !== undefined) {
        const id = params.id;
        const event = params.event as EventFromLogic<TMachine>;
        timers ??= new Map();
        timers.set(
          id,
          clock.setTimeout(() => {
            timers?.delete(id);
            send(event);
          }, params.delay),
        );
      } else if (action.type === 'xstate.cancel' && params?.sendId !== undefined) {
        const handle = timers?.get(params.sendId);
        if (handle !== undefined) {
          clock.clearTimeout(handle);
          timers?.delete(params.sendId);
        }
      } else if (action.type === 'xstate.emit' && params?.event !== undefined) {
        onEmit(params.event as TEmitted);
      }
    }
  }

  function send(event: EventFromLogic<TMachine>): void {
    if (done) return;
    const snapshot = machine.resolveState({ value, context });
    const [next, actions] = (transition as (m: AnyStateMachine, s: unknown, e: unknown) => unknown)(
      machine,
      snapshot,
      event,
    ) as [AnyMachineSnapshot, ExecutableAction[]];
    value = next.value;
    context = next.context;
    done = next.status === 'done';
    execute(actions);
  }

  execute(initialActions);
  return {
    get value() {
      return value;
    },
    get context() {
      return context;
    },
    get done() {
      return done;
    },
    send,
    stop() {
      if (!timers) return;
      for (const handle of timers.values()) clock.clearTimeout(handle);
      timers = null;
    },
  };
}
