/**
 * One tickmesh peer driven by the bench: the real lobby client over `ws` and the real mesh over
 * @roamhq/wrtc (RTCPeerConnections traced by pc-trace.ts), answering agent-protocol.ts commands.
 * The same handler serves an agent in the bench's own process and one in a child process.
 */
import { createLobbyClient, createMesh, type LobbyClient, type Logger, type Mesh } from '@tickmesh/netcode';
import type { MeshCounters } from '@tickmesh/netcode/internals';
import WebSocket from 'ws';
import type {
  AgentCommand,
  AgentCommandType,
  AgentReplies,
  CommandOf,
  MeshOpenReport,
  SignalCounts,
} from './agent-protocol.ts';
import { meshPacket, meshPacketStamp, nowMs } from './packet.ts';
import { createTracer } from './pc-trace.ts';
import { type Endpoint, runTraffic } from './traffic.ts';

interface Peer {
  lobby: LobbyClient;
  mesh: Mesh<unknown>;
  endpoint: Endpoint;
  tracer: ReturnType<typeof createTracer>;
  /** When each link last reported `connected` (a link replaced after a failure counts from its new connection). */
  connectedAt: Map<string, number>;
  /** When a room state of each size first arrived. */
  roomSizeSeenAt: Map<number, number>;
  /** Peers a reliable verify message came from. */
  verifiedFrom: Set<string>;
  signalsSent: SignalCounts;
  onLinkChange: (() => void) | null;
}

const MAX_WARNINGS = 100;

export interface PeerAgent {
  handle<K extends AgentCommandType>(command: CommandOf<K>): Promise<AgentReplies[K]>;
}

export function createPeerAgent(): PeerAgent {
  let peer: Peer | null = null;
  let warnings: string[] = [];
  const logger: Logger = {
    debug() {},
    warn(message, fields) {
      if (warnings.length < MAX_WARNINGS) warnings.push(`${message} ${JSON.stringify(fields ?? {})}`);
    },
    error(message, fields) {
      if (warnings.length < MAX_WARNINGS) warnings.push(`error: ${message} ${JSON.stringify(fields ?? {})}`);
    },
  };

  /** Warnings since the last call, identical ones folded into one with a count. */
  function takeWarnings(): string[] {
    const counts = new Map<string, number>();
    for (const warning of warnings) counts.set(warning, (counts.get(warning) ?? 0) + 1);
    warnings = [];
    return [...counts].map(([warning, n]) => (n > 1 ? `${warning} (x${n})` : warning));
  }

  function current(): Peer {
    if (!peer) throw new Error('not connected');
    return peer;
  }

  async function connect(url: string, name: string): Promise<AgentReplies['connect']> {
    if (peer) throw new Error('already connected');
    const lobby = createLobbyClient({ url, name, createSocket: (u) => new WebSocket(u), logger });
    const welcome = await lobby.connect();
    if (!welcome.ok) throw new Error(`${name}: lobby refused: ${welcome.code} ${welcome.message}`);
    // Count what the mesh signals through the lobby (each one costs a token of the lobby's rate limit).
    const relay = lobby.signal.bind(lobby);
    lobby.signal = (to, data) => {
      countSignal(created.signalsSent, data);
      relay(to, data);
    };
    const tracer = createTracer(2);
    const mesh = createMesh<unknown>({ lobby, createPeerConnection: tracer.createPeerConnection, logger });
    let packetHandler: ((from: string, sentAtMs: number) => void) | null = null;
    const created: Peer = {
      lobby,
      mesh,
      tracer,
      connectedAt: new Map(),
      roomSizeSeenAt: new Map(),
      verifiedFrom: new Set(),
      signalsSent: { total: 0, descriptions: 0, candidates: 0, other: 0 },
      onLinkChange: null,
      endpoint: {
        id: welcome.value.peerId,
        linkCount() {
          let n = 0;
          for (const state of mesh.links.values()) if (state === 'connected') n++;
          return n;
        },
        broadcast: (sentAtMs, seq) => mesh.send('all', meshPacket(sentAtMs, seq)),
        onPacket(handler) {
          packetHandler = handler;
        },
      },
    };
    lobby.on('room', (room) => {
      const size = room?.peers.length ?? 0;
      if (!created.roomSizeSeenAt.has(size)) created.roomSizeSeenAt.set(size, nowMs());
    });
    mesh.on('link', ({ peerId, state }) => {
      if (state === 'connected') {
        created.connectedAt.set(peerId, nowMs());
        const pc = mesh.peerConnection(peerId);
        if (pc) tracer.markOpen(pc);
      }
      created.onLinkChange?.();
    });
    mesh.on('message', ({ from, payload, reliable }) => {
      if (reliable) created.verifiedFrom.add(from);
      else packetHandler?.(from, meshPacketStamp(payload));
    });
    peer = created;
    return { peerId: welcome.value.peerId, connectedAtMs: nowMs() };
  }

  function meshOpen(p: Peer, peers: number): boolean {
    if (p.mesh.links.size !== peers - 1) return false;
    for (const [peerId, state] of p.mesh.links) {
      if (state !== 'connected') return false;
      for (const kind of ['unreliable', 'reliable'] as const) {
        if (p.mesh.channel(peerId, kind)?.readyState !== 'open') return false;
      }
    }
    return true;
  }

  async function awaitMesh(peers: number, timeoutMs: number): Promise<MeshOpenReport> {
    const p = current();
    if (!meshOpen(p, peers)) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutMs);
        function done() {
          clearTimeout(timer);
          p.onLinkChange = null;
          resolve();
        }
        p.onLinkChange = () => {
          if (meshOpen(p, peers)) done();
        };
      });
    }
    const open = meshOpen(p, peers);
    return {
      open,
      states: open ? {} : Object.fromEntries(p.mesh.links),
      linkConnectedAtMs: [...p.connectedAt.values()],
      roomCompleteAtMs: p.roomSizeSeenAt.get(peers) ?? Number.NaN,
      signalsSent: { ...p.signalsSent },
      warnings: takeWarnings(),
      traces: p.tracer.take(),
    };
  }

  async function verify(peers: number, timeoutMs: number): Promise<AgentReplies['verify']> {
    const p = current();
    p.mesh.send('all', ['verify'], { reliable: true });
    const deadline = nowMs() + timeoutMs;
    while (p.verifiedFrom.size < peers - 1 && nowMs() < deadline) await new Promise((r) => setTimeout(r, 5));
    return { missing: peers - 1 - p.verifiedFrom.size };
  }

  async function leave(): Promise<AgentReplies['leave']> {
    const p = current();
    peer = null;
    p.mesh.close();
    await p.lobby.leaveRoom();
    p.lobby.close();
    takeWarnings();
    return {};
  }

  async function dispatch(command: AgentCommand): Promise<AgentReplies[AgentCommandType]> {
    switch (command.type) {
      case 'connect':
        return connect(command.url, command.name);
      case 'create': {
        const created = await current().lobby.createRoom({ maxPlayers: command.maxPlayers });
        if (!created.ok) throw new Error(`createRoom: ${created.code} ${created.message}`);
        return { code: created.value.code };
      }
      case 'join': {
        const joined = await current().lobby.joinRoom(command.code);
        if (!joined.ok) throw new Error(`joinRoom: ${joined.code} ${joined.message}`);
        return { joinedAtMs: nowMs() };
      }
      case 'awaitMesh':
        return awaitMesh(command.peers, command.timeoutMs);
      case 'verify':
        return verify(command.peers, command.timeoutMs);
      case 'traffic': {
        const p = current();
        const before = { ...p.mesh.counters };
        const report = await runTraffic(p.endpoint, command.plan);
        return { ...report, counters: countersSince(before, p.mesh.counters), warnings: takeWarnings() };
      }
      case 'leave':
        return leave();
      default:
        return assertNever(command);
    }
  }

  return {
    handle: <K extends AgentCommandType>(command: CommandOf<K>) => dispatch(command) as Promise<AgentReplies[K]>,
  };
}

/** Counts one signal the mesh sent, by its shape (transport/signal.ts). */
function countSignal(counts: SignalCounts, data: unknown): void {
  counts.total++;
  const signal = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  if (signal.description !== undefined) counts.descriptions++;
  else if (Array.isArray(signal.candidates))
    counts.candidates++; // one batch of trickled candidates
  else counts.other++;
}

function countersSince(before: MeshCounters, now: Readonly<MeshCounters>): MeshCounters {
  return {
    malformedFrames: now.malformedFrames - before.malformedFrames,
    invalidPayloads: now.invalidPayloads - before.invalidPayloads,
    badSignals: now.badSignals - before.badSignals,
    backpressureDrops: now.backpressureDrops - before.backpressureDrops,
  };
}

function assertNever(value: never): never {
  throw new Error(`unknown command ${JSON.stringify(value)}`);
}
