/**
 * Typed events: `on(type, fn)` returns its own unsubscribe. A listener that throws is reported to
 * `onListenerError` and does not stop the others (a game bug must not break the network layer).
 */
export interface Emitter<Events> {
  on<K extends keyof Events>(type: K, listener: (event: Events[K]) => void): () => void;
  emit<K extends keyof Events>(type: K, event: Events[K]): void;
}

export function createEmitter<Events>(onListenerError: (error: unknown) => void = reportAsync): Emitter<Events> {
  const listeners = new Map<keyof Events, Set<(event: never) => void>>();
  return {
    on(type, listener) {
      let set = listeners.get(type);
      if (!set) {
        set = new Set();
        listeners.set(type, set);
      }
      set.add(listener as (event: never) => void);
      return () => {
        set.delete(listener as (event: never) => void);
      };
    },
    emit(type, event) {
      const set = listeners.get(type);
      if (!set) return;
      for (const listener of [...set]) {
        try {
          (listener as (e: Events[typeof type]) => void)(event);
        } catch (error) {
          onListenerError(error);
        }
      }
    },
  };
}

/** Rethrows on a fresh stack so the error is seen (console, test runner) without unwinding the caller. */
function reportAsync(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
