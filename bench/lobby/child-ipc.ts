/**
 * Request and reply between the bench and its child processes (load generators, the attacker):
 * the parent forks children running one entry file and sends each a command; the child answers
 * every command with one report or an error. Both sides are here, so the message shapes are
 * declared once.
 *
 * Children are forked with the bench's own Node flags (so tsx loads them) and structured-clone
 * IPC (so typed arrays travel as typed arrays); their stdout goes to our stderr, keeping `--json`
 * output clean.
 */
import { type ChildProcess, fork } from 'node:child_process';

export type ChildRequest<C> = { id: number; command: C };
export type ChildResponse<R> = { id: number; report: R } | { id: number; error: string };

export interface ChildPool<C, R> {
  readonly pids: readonly number[];
  readonly size: number;
  /** Sends child `i` the command `commandFor(i)`, for every i at once; resolves with every report. */
  run(commandFor: (index: number) => C): Promise<R[]>;
  /** Ends every child. */
  close(): Promise<void>;
}

function isResponse<R>(value: unknown): value is ChildResponse<R> {
  return typeof value === 'object' && value !== null && 'id' in value && ('report' in value || 'error' in value);
}

function request<C, R>(child: ChildProcess, id: number, command: C): Promise<R> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if (!isResponse<R>(message) || message.id !== id) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      if ('error' in message) reject(new Error(`child ${child.pid}: ${message.error}`));
      else resolve(message.report);
    };
    const onExit = (code: number | null) => reject(new Error(`child ${child.pid} exited (${code})`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send({ id, command } satisfies ChildRequest<C>);
  });
}

/** Forks `count` children running `entry` (a file path). */
export function startChildren<C, R>(entry: string, count: number): ChildPool<C, R> {
  const children = Array.from({ length: count }, () =>
    fork(entry, [], { serialization: 'advanced', stdio: ['ignore', 2, 2, 'ipc'] }),
  );
  let nextId = 0;
  return {
    pids: children.map((child) => child.pid ?? -1),
    size: count,
    run(commandFor) {
      const id = nextId++;
      return Promise.all(children.map((child, i) => request<C, R>(child, id, commandFor(i))));
    },
    async close() {
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.disconnect();
            }),
        ),
      );
    },
  };
}

function isRequest<C>(value: unknown): value is ChildRequest<C> {
  return typeof value === 'object' && value !== null && 'id' in value && 'command' in value;
}

/**
 * The child's side: answers every command from the parent with `handle`'s report (or its error),
 * and exits when the parent disconnects.
 */
export function serveParent<C, R>(handle: (command: C) => Promise<R>): void {
  process.on('message', (message: unknown) => {
    if (!isRequest<C>(message)) return;
    const respond = (response: ChildResponse<R>) => process.send?.(response);
    handle(message.command).then(
      (report) => respond({ id: message.id, report }),
      (error: unknown) => respond({ id: message.id, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
