/**
 * The browser side of the Chromium mesh tests: the real lobby client and mesh on the page's own
 * `WebSocket` and `RTCPeerConnection`, driven through `window.__mesh` by `page.evaluate`.
 * Bundled by tests/browser/bundle.ts and served by the lobby server (`staticDir`), so the page is
 * same-origin with the lobby on http://127.0.0.1 (a potentially trustworthy origin).
 *
 * Every method returns plain data (structured-clone safe); expected failures are values.
 */
import {
  type CandidateType,
  type ChannelKind,
  createLobbyClient,
  createMesh,
  type LinkState,
  type LinkStats,
  type LobbyClient,
  type Logger,
  type Mesh,
  type MeshTuning,
} from '@tickmesh/netcode';
import type { MeshCounters } from '@tickmesh/netcode/internals';
import { createCameraHarness } from './camera-harness.js';
import { createVoiceHarness } from './voice-harness.js';

/** `u`/`r`: numbered burst on the unreliable/reliable channel; `s`: background stream (either channel). */
export type Packet = [tag: 'u' | 'r' | 's', n: number];

export interface JoinOptions {
  /** Create a room (this page becomes its host) instead of joining `code`. */
  create?: boolean;
  code?: string;
  /** `iceTransportPolicy: 'relay'`: TURN only. */
  relay?: boolean;
  /** Mesh `statsIntervalMs`. Default the mesh's own. */
  statsIntervalMs?: number;
  /** Mesh `audio`: an audio transceiver on every link from its first offer. */
  audio?: boolean;
  /** Mesh `video`: a video transceiver on every link from its first offer (camera). */
  video?: boolean;
  /** Mesh tuning besides `statsIntervalMs` (say, video caps). Default the mesh's own. */
  tuning?: Partial<MeshTuning>;
}

export type JoinResult = { ok: true; peerId: string; code: string } | { ok: false; error: string };

export interface Received {
  from: string;
  reliable: boolean;
  tag: Packet[0];
  n: number;
}

export interface ChannelInfo {
  label: string;
  id: number | null;
  negotiated: boolean;
  ordered: boolean;
  maxRetransmits: number | null;
  maxPacketLifeTime: number | null;
  readyState: RTCDataChannelState;
}

/** A local or remote ICE candidate as `getStats()` reports it. */
export interface CandidateInfo {
  side: 'local' | 'remote';
  candidateType: CandidateType;
  address: string | null;
  protocol: string | null;
}

export interface MeshHarness {
  join(url: string, name: string, options: JoinOptions): Promise<JoinResult>;
  /** Link state per remote peer. */
  links(): Record<string, LinkState>;
  /** Ms from `join` to each link's first `connected`. */
  connectedAfterMs(): Record<string, number>;
  /** Sends `['u' | 'r', 0..count-1]` to every connected peer; returns how many links took each frame, summed. */
  burst(count: number, reliable: boolean): Promise<number>;
  /** Sends `['s', n]` to everyone at `hz`, alternating channels, until `stopStream()`. */
  startStream(hz: number): void;
  stopStream(): void;
  inbox(): Received[];
  stats(): Record<string, LinkStats | null>;
  channel(peerId: string, kind: ChannelKind): ChannelInfo | null;
  /** The ICE candidates of a link's selected pair and all its local candidates. */
  candidates(peerId: string): Promise<CandidateInfo[]>;
  counters(): MeshCounters | null;
  /** Warnings and errors the netcode logged. */
  logs(): string[];
  close(): void;
}

declare global {
  interface Window {
    __mesh: MeshHarness;
  }
}

const isPacket = (value: unknown, _from: string): value is Packet =>
  Array.isArray(value) &&
  value.length === 2 &&
  (value[0] === 'u' || value[0] === 'r' || value[0] === 's') &&
  typeof value[1] === 'number';

const toCandidateType = (value: unknown): CandidateType =>
  value === 'host' || value === 'srflx' || value === 'prflx' || value === 'relay' ? value : 'unknown';

/** Counts the connection's completed offer/answer exchanges in `__negotiations` (camera-harness.ts reads it). */
function countNegotiations(pc: RTCPeerConnection): RTCPeerConnection {
  const counted = pc as RTCPeerConnection & { __negotiations?: number };
  counted.__negotiations = 0;
  pc.addEventListener('signalingstatechange', () => {
    if (pc.signalingState === 'stable') counted.__negotiations = (counted.__negotiations ?? 0) + 1;
  });
  return pc;
}

function createHarness(): MeshHarness {
  let lobby: LobbyClient | null = null;
  let mesh: Mesh<Packet> | null = null;
  let stream: ReturnType<typeof setInterval> | null = null;
  let joinedAt = 0;
  const inbox: Received[] = [];
  const connectedAfter: Record<string, number> = {};
  const logs: string[] = [];
  const log =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      logs.push(`${level} ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`);
    };
  // Debug lines too, but only the camera's (its getStats failures), which failure reports need.
  const logger: Logger = {
    debug: (message, fields) => {
      if (message.startsWith('camera:')) log('debug')(message, fields);
    },
    warn: log('warn'),
    error: log('error'),
  };
  window.__voice = createVoiceHarness(() => mesh as Mesh<unknown> | null, logger);
  window.__camera = createCameraHarness(() => mesh as Mesh<unknown> | null, logger);

  return {
    async join(url, name, options) {
      joinedAt = performance.now();
      lobby = createLobbyClient({ url, name, logger });
      const welcome = await lobby.connect();
      if (!welcome.ok) return { ok: false, error: `connect: ${welcome.code} ${welcome.message}` };
      mesh = createMesh<Packet>({
        lobby,
        createPeerConnection: (config) => countNegotiations(new RTCPeerConnection(config)),
        validate: isPacket,
        logger,
        ...(options.relay ? { iceTransportPolicy: 'relay' as const } : {}),
        ...(options.audio ? { audio: true } : {}),
        ...(options.video ? { video: true } : {}),
        tuning: {
          ...options.tuning,
          ...(options.statsIntervalMs !== undefined ? { statsIntervalMs: options.statsIntervalMs } : {}),
        },
      });
      mesh.on('message', ({ from, payload, reliable }) =>
        inbox.push({ from, reliable, tag: payload[0], n: payload[1] }),
      );
      mesh.on('link', ({ peerId, state }) => {
        if (state === 'connected' && connectedAfter[peerId] === undefined) {
          connectedAfter[peerId] = Math.round(performance.now() - joinedAt);
        }
      });
      const room = options.create
        ? await lobby.createRoom({ maxPlayers: 8 })
        : await lobby.joinRoom(options.code ?? '');
      if (!room.ok) return { ok: false, error: `room: ${room.code} ${room.message}` };
      return { ok: true, peerId: lobby.peerId ?? '', code: room.value.code };
    },
    links: () => Object.fromEntries(mesh?.links ?? []),
    connectedAfterMs: () => ({ ...connectedAfter }),
    async burst(count, reliable) {
      let taken = 0;
      for (let n = 0; n < count; n++) {
        taken += mesh?.send('all', [reliable ? 'r' : 'u', n], { reliable }) ?? 0;
        // Let the channels drain now and then, as a game's tick loop would.
        if (n % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return taken;
    },
    startStream(hz) {
      if (stream !== null) clearInterval(stream);
      let n = 0;
      stream = setInterval(() => {
        mesh?.send('all', ['s', n], { reliable: n % 2 === 1 });
        n++;
      }, 1000 / hz);
    },
    stopStream() {
      if (stream !== null) clearInterval(stream);
      stream = null;
    },
    inbox: () => [...inbox],
    stats() {
      const out: Record<string, LinkStats | null> = {};
      for (const peerId of mesh?.links.keys() ?? []) out[peerId] = mesh?.stats(peerId) ?? null;
      return out;
    },
    channel(peerId, kind) {
      const c = mesh?.channel(peerId, kind);
      if (!c) return null;
      return {
        label: c.label,
        id: c.id,
        negotiated: c.negotiated,
        ordered: c.ordered,
        maxRetransmits: c.maxRetransmits,
        maxPacketLifeTime: c.maxPacketLifeTime,
        readyState: c.readyState,
      };
    },
    async candidates(peerId) {
      const pc = mesh?.peerConnection(peerId);
      if (!pc) return [];
      const report = await pc.getStats();
      const out: CandidateInfo[] = [];
      report.forEach((entry: Record<string, unknown>) => {
        if (entry.type !== 'local-candidate' && entry.type !== 'remote-candidate') return;
        out.push({
          side: entry.type === 'local-candidate' ? 'local' : 'remote',
          candidateType: toCandidateType(entry.candidateType),
          address: typeof entry.address === 'string' ? entry.address : null,
          protocol: typeof entry.protocol === 'string' ? entry.protocol : null,
        });
      });
      return out;
    },
    counters: () => (mesh ? { ...mesh.counters } : null),
    logs: () => [...logs],
    close() {
      if (stream !== null) clearInterval(stream);
      mesh?.close();
      lobby?.close();
    },
  };
}

window.__mesh = createHarness();
