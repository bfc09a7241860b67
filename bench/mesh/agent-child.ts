/**
 * A peer agent in its own process (`--peers process`): started by agent-pool.ts with an IPC
 * channel, it answers each AgentRequest with an AgentResponse and exits when the channel closes.
 */
import type { AgentRequest, AgentResponse } from './agent-protocol.ts';
import { createPeerAgent } from './peer-agent.ts';

const agent = createPeerAgent();
const send = (response: AgentResponse | { ready: true }) => process.send?.(response);

process.on('message', (message: AgentRequest) => {
  agent.handle(message.command).then(
    (reply) => send({ id: message.id, ok: true, reply }),
    (error: unknown) =>
      send({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
send({ ready: true });
