/**
 * Where the bench's tickmesh peers live (main.ts says why `process` is the default):
 * - `process`: one child process per peer (agent-child.ts), each with its own event loop and
 *   libwebrtc threads, as on separate machines (but sharing this machine's cores);
 * - `thread`: every peer in the bench's own process, sharing its event loop and libwebrtc's
 *   threads (like the bare baseline).
 * Worker threads are not an option: @roamhq/wrtc aborts the process when a worker creates an
 * RTCPeerConnection ("Entering the V8 API without proper locking").
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Agent, AgentCommandType, AgentReplies, AgentResponse, CommandOf } from './agent-protocol.ts';
import { createPeerAgent } from './peer-agent.ts';

export type PeerPlacement = 'thread' | 'process';

export function localAgent(): Agent {
  const agent = createPeerAgent();
  return {
    pid: process.pid,
    call: (command) => agent.handle(command),
    close: async () => {},
  };
}

const childPath = fileURLToPath(new URL('./agent-child.ts', import.meta.url));

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** A child process running agent-child.ts; resolves once it is ready for commands. */
export function childAgent(nodeFlags: readonly string[] = []): Promise<Agent> {
  const child = fork(childPath, [], {
    execArgv: [...nodeFlags, '--conditions', 'source', '--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const pending = new Map<number, { resolve(reply: unknown): void; reject(error: Error): void }>();
  child.on('exit', (code, signal) => {
    for (const p of pending.values()) p.reject(new Error(`peer process exited (${code ?? signal})`));
    pending.clear();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('peer process not ready within 20 s'));
    }, 20_000);
    child.once('error', reject);
    child.on('message', (message: AgentResponse | { ready: true }) => {
      if ('ready' in message) {
        clearTimeout(timer);
        if (child.pid === undefined) return reject(new Error('peer process has no pid'));
        resolve({
          pid: child.pid,
          call<K extends AgentCommandType>(command: CommandOf<K>) {
            const id = nextId++;
            child.send({ id, command });
            return new Promise<AgentReplies[K]>((res, rej) =>
              pending.set(id, { resolve: (reply) => res(reply as AgentReplies[K]), reject: rej }),
            );
          },
          async close() {
            const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
            child.disconnect();
            await exited(child);
            clearTimeout(killer);
          },
        });
        return;
      }
      const p = pending.get(message.id);
      if (!p) return;
      pending.delete(message.id);
      if (message.ok) p.resolve(message.reply);
      else p.reject(new Error(message.error));
    });
  });
}

/** `count` agents placed as asked; `nodeFlags` (`--cpu-prof`) go to child processes. */
export async function startAgents(
  placement: PeerPlacement,
  count: number,
  nodeFlags: readonly string[] = [],
): Promise<Agent[]> {
  if (placement === 'thread') return Array.from({ length: count }, localAgent);
  return Promise.all(Array.from({ length: count }, () => childAgent(nodeFlags)));
}
