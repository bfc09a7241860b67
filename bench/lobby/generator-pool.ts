/**
 * The bench's side of its load generators: forks `count` load-generator.ts children (same Node
 * flags as the bench, so tsx loads them; structured-clone IPC so latency arrays travel as typed
 * arrays) and sends them commands. Their stdout goes to our stderr, keeping `--json` output clean.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { GeneratorCommand, GeneratorReport, GeneratorRequest, GeneratorResponse } from './generator-protocol.ts';

export interface GeneratorPool {
  readonly pids: readonly number[];
  readonly size: number;
  /** Sends generator `i` the command `commandFor(i)`, for every i at once; resolves with every report. */
  run(commandFor: (index: number) => GeneratorCommand): Promise<GeneratorReport[]>;
  /** Ends every generator. */
  close(): Promise<void>;
}

const entry = fileURLToPath(new URL('./load-generator.ts', import.meta.url));

function isResponse(value: unknown): value is GeneratorResponse {
  return typeof value === 'object' && value !== null && 'id' in value && ('report' in value || 'error' in value);
}

function request(child: ChildProcess, id: number, command: GeneratorCommand): Promise<GeneratorReport> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if (!isResponse(message) || message.id !== id) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      if ('error' in message) reject(new Error(`load generator ${child.pid}: ${message.error}`));
      else resolve(message.report);
    };
    const onExit = (code: number | null) => reject(new Error(`load generator ${child.pid} exited (${code})`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send({ id, command } satisfies GeneratorRequest);
  });
}

/** Generator `index`'s share of `total` items handed out in whole `unit`s (rooms), as evenly as can be. */
export function shareOf(total: number, unit: number, index: number, count: number): number {
  const units = Math.floor(total / unit);
  return (Math.floor(units / count) + (index < units % count ? 1 : 0)) * unit;
}

export function startGenerators(count: number): GeneratorPool {
  const children = Array.from({ length: count }, () =>
    fork(entry, [], { serialization: 'advanced', stdio: ['ignore', 2, 2, 'ipc'] }),
  );
  let nextId = 0;
  return {
    pids: children.map((child) => child.pid ?? -1),
    size: count,
    run(commandFor) {
      const id = nextId++;
      return Promise.all(children.map((child, i) => request(child, id, commandFor(i))));
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
