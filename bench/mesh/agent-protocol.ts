/**
 * What the bench asks of a peer agent (peer-agent.ts) and what it answers: commands keyed on
 * `type`, each with its reply. An agent in this process is called directly; one in a child process
 * (agent-child.ts) gets the same commands over the IPC channel, with Node's `advanced`
 * serialization so typed arrays cross as they are.
 */
import type { MeshCounters } from '@tickmesh/netcode/internals';
import type { PcTrace } from './pc-trace.ts';
import type { TrafficPlan, TrafficReport } from './traffic.ts';

export type AgentCommand =
  /** A fresh lobby client and mesh, identified with the lobby. */
  | { type: 'connect'; url: string; name: string }
  | { type: 'create'; maxPlayers: number }
  | { type: 'join'; code: string }
  /** Waits until this peer has `peers - 1` connected links. */
  | { type: 'awaitMesh'; peers: number; timeoutMs: number }
  /** Sends one reliable message to every link and waits for one from each of the others. */
  | { type: 'verify'; peers: number; timeoutMs: number }
  | { type: 'traffic'; plan: TrafficPlan }
  /** Closes the mesh, leaves the room, closes the lobby client. */
  | { type: 'leave' };

/** Signals by kind: each one is a lobby message, charged to the sender's rate limit. */
export interface SignalCounts {
  total: number;
  /** Offers and answers. */
  descriptions: number;
  /** Batches of trickled candidates (one signal each). */
  candidates: number;
  /** Anything else (relink requests). */
  other: number;
}

export interface MeshOpenReport {
  /** Every link connected, and every data channel of it `open`. */
  open: boolean;
  /** Links by state, when not open. */
  states: Record<string, string>;
  /** When each link reported `connected` (shared-clock ms). */
  linkConnectedAtMs: number[];
  /** When this peer got the room state listing every member (shared-clock ms). */
  roomCompleteAtMs: number;
  /** Signals this peer sent through the lobby since it connected. */
  signalsSent: SignalCounts;
  /** What the mesh and lobby client logged as warnings since the previous reply. */
  warnings: string[];
  traces: PcTrace[];
}

export interface AgentReplies {
  connect: { peerId: string; connectedAtMs: number };
  create: { code: string };
  join: { joinedAtMs: number };
  awaitMesh: MeshOpenReport;
  verify: { missing: number };
  /** `counters`: what the mesh counted during the run; `warnings`: what it logged since the previous reply. */
  traffic: TrafficReport & { counters: MeshCounters; warnings: string[] };
  /** Warnings logged since the previous reply are dropped: links failing as others leave are expected. */
  leave: Record<string, never>;
}

export type AgentCommandType = AgentCommand['type'];
export type CommandOf<K extends AgentCommandType> = Extract<AgentCommand, { type: K }>;

/** A peer agent wherever it runs. */
export interface Agent {
  /** The process the agent's peer lives in. */
  readonly pid: number;
  call<K extends AgentCommandType>(command: CommandOf<K>): Promise<AgentReplies[K]>;
  /** Stops the agent's process (a child) or its peer (this process). */
  close(): Promise<void>;
}

/** IPC envelopes between the bench and a child agent. */
export type AgentRequest = { id: number; command: AgentCommand };
export type AgentResponse =
  | { id: number; ok: true; reply: AgentReplies[AgentCommandType] }
  | { id: number; ok: false; error: string };
