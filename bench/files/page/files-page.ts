/**
 * The browser side of bench:files: the real lobby client, mesh and file transfer on the page's own
 * `WebSocket` and `RTCPeerConnection`, driven through `window.__files` by `page.evaluate`.
 *
 * - Game traffic: `['g', n, sentAt]` on the unreliable channel at `hz` and `['e', n, sentAt]` on the
 *   reliable one at a sixth of that (a game's events), to every peer; a receiving page keeps each
 *   packet's one-way delay (both pages run in one browser on one machine: `performance.timeOrigin +
 *   performance.now()` is one clock).
 * - File transfer: `sendFile` offers a Blob of random bytes to the other page, which accepts it;
 *   the time runs from `send()` to the receiving page's verified Blob (offer round trip and both
 *   SHA-256s included).
 * - Bare channel: a negotiated channel (id 3) on the same link, blasting the same bytes in the same
 *   chunk size with the same backpressure (`bufferedAmountLowThreshold`), pre-read, no hashing: the
 *   ceiling a file transfer can reach.
 */
import {
  createFileTransfer,
  createLobbyClient,
  createMesh,
  type FileTransfer,
  type FileTransferTuning,
  fileTransferDefaults,
  type Mesh,
} from '@tickmesh/netcode';

const BARE_CHANNEL_ID = 3;
const clock = () => performance.timeOrigin + performance.now();

export interface FilesBench {
  join(
    url: string,
    name: string,
    code: string | null,
    tuning: Partial<FileTransferTuning>,
  ): Promise<{ peerId: string; code: string } | { error: string }>;
  connected(): boolean;
  startGame(hz: number): void;
  stopGame(): void;
  /** One-way delays of game packets received since the last call, ms. */
  takeDelays(): { unreliable: number[]; reliable: number[] };
  /** Sends `size` random bytes as a file to the other page; resolves at the sender's result, with the send window's mean size and queueing delay while it ran. */
  sendFile(size: number): Promise<{ ok: boolean; startedAt: number; windowBytes: number; queueDelayMs: number }>;
  /** The longest task this page's main thread ran since the last call (ms; Long Tasks API, 50 ms and up), 0 if none. */
  takeLongestTask(): number;
  /** When the last incoming file was verified (clock ms), or null. */
  lastFileAt(): number | null;
  /** Makes this page's side of the bare channel. */
  openBare(): Promise<boolean>;
  /** Blasts `size` random bytes on the bare channel; resolves once handed over. */
  blast(
    size: number,
    tuning: Pick<FileTransferTuning, 'chunkBytes' | 'highWaterBytes' | 'lowWaterBytes' | 'windowBytes'>,
  ): Promise<{ startedAt: number }>;
  /** Expects `size` bare bytes (call before the blast). */
  armBare(size: number): void;
  /** Resolves with the clock time the receiving page had the armed bytes. */
  bareReceived(): Promise<number>;
  counters(): unknown;
}

declare global {
  interface Window {
    __files: FilesBench;
  }
}

function randomBytes(size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  for (let at = 0; at < size; at += 65_536) crypto.getRandomValues(out.subarray(at, Math.min(size, at + 65_536)));
  return out;
}

function createBench(): FilesBench {
  let mesh: Mesh<unknown> | null = null;
  let files: FileTransfer | null = null;
  let game: ReturnType<typeof setInterval> | null = null;
  let delays = { unreliable: [] as number[], reliable: [] as number[] };
  let lastFileAt: number | null = null;
  let bare: RTCDataChannel | null = null;
  let bareBytes = 0;
  let bareTarget = Number.POSITIVE_INFINITY;
  let bareDone: Promise<number> = Promise.resolve(0);
  let bareResolve: (at: number) => void = () => {};
  const other = () => mesh?.peers()[0] ?? '';
  let longestTask = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longestTask = Math.max(longestTask, entry.duration);
  }).observe({ type: 'longtask', buffered: true });

  return {
    async join(url, name, code, tuning) {
      const lobby = createLobbyClient({ url, name });
      const welcome = await lobby.connect();
      if (!welcome.ok) return { error: welcome.message };
      mesh = createMesh<unknown>({ lobby, createPeerConnection: (config) => new RTCPeerConnection(config) });
      // Every page accepts every offer and notes when a file is verified.
      files = createFileTransfer({ mesh, tuning });
      files.on('offer', (offer) => offer.accept());
      files.on('end', (end) => {
        if (end.direction === 'in' && end.result.ok) lastFileAt = clock();
      });
      mesh.on('message', ({ payload, reliable }) => {
        if (!Array.isArray(payload) || (payload[0] !== 'g' && payload[0] !== 'e')) return;
        const delay = clock() - Number(payload[2]);
        (reliable ? delays.reliable : delays.unreliable).push(delay);
      });
      const room = code === null ? await lobby.createRoom({ maxPlayers: 2 }) : await lobby.joinRoom(code);
      if (!room.ok) return { error: room.message };
      return { peerId: lobby.peerId ?? '', code: room.value.code };
    },
    connected: () => mesh !== null && [...mesh.links.values()].some((s) => s === 'connected'),
    startGame(hz) {
      let n = 0;
      game = setInterval(() => {
        mesh?.send('all', ['g', n, clock()]);
        if (n % 6 === 0) mesh?.send('all', ['e', n, clock()], { reliable: true });
        n++;
      }, 1000 / hz);
    },
    stopGame() {
      if (game !== null) clearInterval(game);
      game = null;
    },
    takeDelays() {
      const taken = delays;
      delays = { unreliable: [], reliable: [] };
      return taken;
    },
    async sendFile(size) {
      const transfer = files;
      if (transfer === null) return { ok: false, startedAt: 0, windowBytes: 0, queueDelayMs: 0 };
      const blob = new Blob([randomBytes(size)]);
      const samples: { windowBytes: number; queueDelayMs: number }[] = [];
      const sampler = setInterval(() => {
        const pacing = transfer.pacing(other());
        if (pacing) samples.push(pacing);
      }, 20);
      const startedAt = clock();
      const result = await transfer.send(other(), blob, { name: 'bench.bin' }).result;
      clearInterval(sampler);
      const mean = (pick: (s: { windowBytes: number; queueDelayMs: number }) => number) =>
        samples.reduce((sum, s) => sum + pick(s), 0) / Math.max(1, samples.length);
      return {
        ok: result.ok,
        startedAt,
        windowBytes: mean((s) => s.windowBytes),
        queueDelayMs: mean((s) => s.queueDelayMs),
      };
    },
    takeLongestTask() {
      const longest = longestTask;
      longestTask = 0;
      return longest;
    },
    lastFileAt: () => lastFileAt,
    async openBare() {
      const pc = mesh?.peerConnection(other());
      if (!pc) return false;
      bare = pc.createDataChannel('bare', { negotiated: true, id: BARE_CHANNEL_ID, ordered: true });
      bare.binaryType = 'arraybuffer';
      bare.bufferedAmountLowThreshold = fileTransferDefaults.lowWaterBytes;
      bare.onmessage = (event: MessageEvent) => {
        bareBytes += (event.data as ArrayBuffer).byteLength;
        if (bareBytes >= bareTarget) {
          bareTarget = Number.POSITIVE_INFINITY;
          bareBytes = 0;
          bareResolve(clock());
        }
      };
      const channel = bare;
      await new Promise<void>((resolve) => {
        if (channel.readyState === 'open') resolve();
        else channel.addEventListener('open', () => resolve(), { once: true });
      });
      return true;
    },
    async blast(size, { chunkBytes, highWaterBytes, lowWaterBytes }) {
      const channel = bare;
      if (channel === null) throw new Error('openBare first');
      channel.bufferedAmountLowThreshold = lowWaterBytes;
      const bytes = randomBytes(size);
      const startedAt = clock();
      for (let at = 0; at < size; at += chunkBytes) {
        if (channel.bufferedAmount > highWaterBytes) {
          await new Promise<void>((resolve) =>
            channel.addEventListener('bufferedamountlow', () => resolve(), { once: true }),
          );
        }
        channel.send(bytes.subarray(at, Math.min(size, at + chunkBytes)));
      }
      return { startedAt };
    },
    armBare(size) {
      bareBytes = 0;
      bareTarget = size;
      bareDone = new Promise((resolve) => {
        bareResolve = resolve;
      });
    },
    bareReceived: () => bareDone,
    counters: () => files?.counters ?? null,
  };
}

window.__files = createBench();
