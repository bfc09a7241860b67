/**
 * Per-connection task lanes of a cluster node, and what counts as the cluster being unavailable.
 *
 * A connection's requests may wait on the store (or on a room between owners); its lane runs them
 * one after another, so that they are answered in the order they came. A task that fails with
 * {@link ClusterUnavailable} is answered (the cluster cannot serve it now); any other failure is a
 * bug, logged and counted. {@link guarded} turns every failure of the store into one.
 */
import type { Logger } from '../logger.js';
import type { LobbyCounters } from '../metrics.js';
import type { Client } from '../registry.js';
import type { StateStore } from './store.js';

/** The cluster cannot serve a request now (the store is unreachable, or a room is between owners). */
export class ClusterUnavailable extends Error {
  override name = 'ClusterUnavailable';
}

/** `store` with every failure (a rejected promise, a throw) turned into a {@link ClusterUnavailable}. */
export function guarded(store: StateStore): StateStore {
  // One wrapper per method, made on first use: publish runs per relayed signal.
  const wrappers = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      let wrapper = wrappers.get(property);
      if (!wrapper) {
        const unavailable = (error: unknown) =>
          new ClusterUnavailable(
            `store ${String(property)}: ${error instanceof Error ? error.message : String(error)}`,
          );
        wrapper = (...args: unknown[]) => {
          let result: unknown;
          try {
            result = (value as (...a: unknown[]) => unknown).apply(target, args);
          } catch (error) {
            return Promise.reject(unavailable(error));
          }
          if (!(result instanceof Promise)) return result;
          return result.catch((error: unknown) => {
            throw unavailable(error);
          });
        };
        wrappers.set(property, wrapper);
      }
      return wrapper;
    },
  });
}

/** Runs a connection's tasks one after another; a synchronous task with nothing queued runs at once. */
export interface Lane {
  pending: number;
  tail: Promise<void>;
}

export function newLane(): Lane {
  return { pending: 0, tail: Promise.resolve() };
}

export interface LaneRunnerDeps {
  counters: Pick<LobbyCounters, 'internalErrors'>;
  logger: Logger;
  /** The store failed (a {@link ClusterUnavailable} from {@link guarded}): counted, and logged once. */
  storeFailed(what: string, error: unknown): void;
  /** The answer to a client whose task the cluster cannot serve, when the task names none. */
  busy(client: Client): void;
}

/**
 * Runs `task` after the lane's earlier tasks. When the cluster cannot serve it (the store is
 * unreachable, a room is between owners), `unavailable` answers the client (by default
 * {@link LaneRunnerDeps.busy}); any other failure is a bug, logged and counted.
 */
export type RunTask = (lane: Lane, client: Client, task: () => void | Promise<void>, unavailable?: () => void) => void;

export function createLaneRunner(deps: LaneRunnerDeps): RunTask {
  const { counters, logger, storeFailed, busy } = deps;
  return function run(lane, client, task, unavailable = () => busy(client)) {
    const fail = (error: unknown) => {
      if (error instanceof ClusterUnavailable) {
        if (error.message.startsWith('store ')) storeFailed('a request', error);
        return unavailable();
      }
      counters.internalErrors++;
      logger.error('cluster: a task failed', {
        error: error instanceof Error ? (error.stack ?? error.message) : error,
      });
    };
    if (lane.pending === 0) {
      let result: void | Promise<void>;
      try {
        result = task();
      } catch (error) {
        return fail(error);
      }
      if (!result) return;
      lane.pending++;
      lane.tail = result.catch(fail).finally(() => {
        lane.pending--;
      });
      return;
    }
    lane.pending++;
    lane.tail = lane.tail
      .then(task)
      .catch(fail)
      .finally(() => {
        lane.pending--;
      });
  };
}
