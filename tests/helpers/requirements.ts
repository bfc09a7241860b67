/**
 * Suites that need a program from the machine (Chromium, coturn) skip themselves, with the reason
 * in their name, where it is missing; `npm test` (scripts/test.js) installs what it can first and
 * reports loudly what was skipped, and under CI=true fails the run for it.
 */
import { describe } from 'vitest';
import { hasTool, installCommand, TOOLS, type Tool } from '../../scripts/provision.js';

function tool(name: string): Tool {
  const found = TOOLS.find((t) => t.name === name);
  if (!found) throw new Error(`no tool ${name} in scripts/provision.js`);
  return found;
}

/** Null when `name` is on this machine; else why a suite that needs it is skipped. */
export function missing(name: 'chromium' | 'turnserver' | 'openssl'): string | null {
  const t = tool(name);
  return hasTool(t) ? null : `SKIPPED: ${t.name} is missing (${installCommand([t])})`;
}

type ToolName = Parameters<typeof missing>[0];

/** `describe`, or `describe.skip` with the reason in its name when one of `tools` is missing. */
export function describeWith(tools: readonly ToolName[], name: string, fn: () => void): void {
  const reasons = tools.map(missing).filter((r): r is string => r !== null);
  if (reasons.length === 0) describe(name, fn);
  else describe.skip(`${name} [${reasons.join('; ')}]`, fn);
}
