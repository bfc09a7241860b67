/**
 * The bench's side of its load generators: `count` load-generator.ts children driven by
 * generator-protocol.ts commands over child-ipc.ts, and how work is shared out between them.
 */
import { fileURLToPath } from 'node:url';
import { type ChildPool, startChildren } from './child-ipc.ts';
import type { GeneratorCommand, GeneratorReport } from './generator-protocol.ts';

export type GeneratorPool = ChildPool<GeneratorCommand, GeneratorReport>;

const entry = fileURLToPath(new URL('./load-generator.ts', import.meta.url));

/** Generator `index`'s share of `total` items handed out in whole `unit`s (rooms), as evenly as can be. */
export function shareOf(total: number, unit: number, index: number, count: number): number {
  const units = Math.floor(total / unit);
  return (Math.floor(units / count) + (index < units % count ? 1 : 0)) * unit;
}

export function startGenerators(count: number): GeneratorPool {
  return startChildren<GeneratorCommand, GeneratorReport>(entry, count);
}
