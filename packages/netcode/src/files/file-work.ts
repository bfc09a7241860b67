/**
 * The per-byte work of a transfer (SHA-256 of the file, gathering a received file into a Blob),
 * kept off the page's main thread where it can be: the game's packets are handled there, and a
 * page busy hashing or copying holds them (bench:files measured 10 ms per MB for JavaScript
 * SHA-256 on each side and 28 ms per MB for Blob parts on the receiver, on this VM).
 *
 * In a browser, one small dedicated Worker per `createFileTransfer` (its code is `fileWorkerMain`
 * below, started from a Blob URL: nothing for a bundler to find): the receiver transfers each
 * chunk's buffer to it (no copy), the worker gathers Blob parts and, at the end, hashes the whole
 * file with Web Crypto; the sender hands it the Blob (a handle, no copy) to hash while the chunks
 * go out. Until the worker has answered its first ping, and where there is none (Node with
 * @roamhq/wrtc, a page whose Content-Security-Policy forbids `blob:` workers), the same work runs
 * in the page: SHA-256 chunk by chunk (@noble/hashes) and Blob parts of PART_BYTES.
 */
import { createHasher } from './sha256.js';

/** A received file in the making. `add` may take the bytes' buffer (it is detached afterwards). */
export interface Assembly {
  add(bytes: Uint8Array<ArrayBuffer>): void;
  /** The file of every byte added, typed, with its SHA-256; null if that could not be done. */
  finish(type: string): Promise<{ blob: Blob; sha256: Uint8Array } | null>;
  /** Forgets the bytes (the transfer failed). */
  drop(): void;
}

/** A sent file's SHA-256 in the making: `update` with each chunk as it goes, then `digest`. */
export interface OutgoingHash {
  update(chunk: Uint8Array): void;
  /** The Blob's SHA-256; null if the Blob could not be read. */
  digest(): Promise<Uint8Array | null>;
}

export interface FileWork {
  assembly(): Assembly;
  outgoingHash(blob: Blob): OutgoingHash;
  close(): void;
}

/**
 * In-page gathering: chunks into Blob parts of this many bytes (a Blob of Blobs joins without
 * copying). Making a Blob copies into fresh memory: on this VM a 1 MiB part held the page 18 ms,
 * a 256 KiB one 7 ms; smaller parts spread that, at a little more cost per byte.
 */
const PART_BYTES = 256 * 1024;

function inPageAssembly(): Assembly {
  const hasher = createHasher();
  let parts: Blob[] = [];
  let chunks: Uint8Array<ArrayBuffer>[] = [];
  let chunkBytes = 0;
  return {
    add(bytes) {
      hasher.update(bytes);
      chunks.push(bytes);
      chunkBytes += bytes.length;
      if (chunkBytes >= PART_BYTES) {
        parts.push(new Blob(chunks));
        chunks = [];
        chunkBytes = 0;
      }
    },
    async finish(type) {
      return { blob: new Blob([...parts, ...chunks], { type }), sha256: hasher.digest() };
    },
    drop() {
      parts = [];
      chunks = [];
    },
  };
}

function inPageHash(): OutgoingHash {
  const hasher = createHasher();
  return {
    update: (chunk) => hasher.update(chunk),
    digest: async () => hasher.digest(),
  };
}

/** Messages to the worker. `key` names a transfer (assembly) or a hash request. */
type ToWorker =
  | { op: 'ping' }
  | { op: 'chunk'; key: number; buffer: ArrayBuffer; offset: number }
  | { op: 'finish'; key: number; type: string }
  | { op: 'drop'; key: number }
  | { op: 'hash'; key: number; blob: Blob };
type FromWorker = { op: 'pong' } | { op: 'done'; key: number; blob: Blob | null; sha256: Uint8Array | null };

/**
 * The worker's code, run from its own source text (so it must not use anything from this
 * module's scope). Parts of 1 MiB there: the copy no longer holds the page.
 */
function fileWorkerMain(): void {
  const scope = self as unknown as {
    onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
    postMessage(message: FromWorker): void;
  };
  const files = new Map<number, { parts: Blob[]; chunks: Uint8Array[]; bytes: number }>();
  const hash = async (blob: Blob) => new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
  scope.onmessage = ({ data: m }) => {
    if (m.op === 'ping') {
      scope.postMessage({ op: 'pong' });
    } else if (m.op === 'chunk') {
      let file = files.get(m.key);
      if (!file) {
        file = { parts: [], chunks: [], bytes: 0 };
        files.set(m.key, file);
      }
      file.chunks.push(new Uint8Array(m.buffer, m.offset));
      file.bytes += m.buffer.byteLength - m.offset;
      if (file.bytes >= 1024 * 1024) {
        file.parts.push(new Blob(file.chunks as BlobPart[]));
        file.chunks = [];
        file.bytes = 0;
      }
    } else if (m.op === 'drop') {
      files.delete(m.key);
    } else {
      let blob = m.op === 'hash' ? m.blob : null;
      if (m.op === 'finish') {
        const file = files.get(m.key);
        files.delete(m.key);
        blob = new Blob([...(file?.parts ?? []), ...((file?.chunks ?? []) as BlobPart[])], { type: m.type });
      }
      const whole = blob ?? new Blob([]);
      hash(whole).then(
        (sha256) => scope.postMessage({ op: 'done', key: m.key, blob: m.op === 'finish' ? whole : null, sha256 }),
        () => scope.postMessage({ op: 'done', key: m.key, blob: null, sha256: null }),
      );
    }
  };
}

/** Starts the worker, or null where the platform has none or refuses one. */
function startWorker(): Worker | null {
  if (typeof Worker === 'undefined' || typeof URL?.createObjectURL !== 'function') return null;
  try {
    const url = URL.createObjectURL(new Blob([`(${fileWorkerMain.toString()})()`], { type: 'text/javascript' }));
    const worker = new Worker(url);
    URL.revokeObjectURL(url);
    return worker;
  } catch {
    return null; // a Content-Security-Policy without blob: workers, say: the page does the work
  }
}

export function createFileWork(): FileWork {
  const worker = startWorker();
  let ready = false;
  let nextKey = 1;
  const waiting = new Map<number, (answer: { blob: Blob | null; sha256: Uint8Array | null }) => void>();
  const settleAll = () => {
    for (const resolve of waiting.values()) resolve({ blob: null, sha256: null });
    waiting.clear();
  };
  if (worker) {
    worker.onmessage = ({ data }: MessageEvent<FromWorker>) => {
      if (data.op === 'pong') ready = true;
      else {
        waiting.get(data.key)?.(data);
        waiting.delete(data.key);
      }
    };
    worker.onerror = () => {
      ready = false; // new transfers work in the page; the worker's own end as null
      settleAll();
    };
    worker.postMessage({ op: 'ping' } satisfies ToWorker);
  }
  const ask = (key: number, message: ToWorker) =>
    new Promise<{ blob: Blob | null; sha256: Uint8Array | null }>((resolve) => {
      waiting.set(key, resolve);
      worker?.postMessage(message);
    });

  return {
    assembly() {
      if (!worker || !ready) return inPageAssembly();
      const key = nextKey++;
      return {
        add(bytes) {
          worker.postMessage({ op: 'chunk', key, buffer: bytes.buffer, offset: bytes.byteOffset } satisfies ToWorker, [
            bytes.buffer,
          ]);
        },
        async finish(type) {
          const { blob, sha256 } = await ask(key, { op: 'finish', key, type });
          return blob && sha256 ? { blob, sha256 } : null;
        },
        drop: () => worker.postMessage({ op: 'drop', key } satisfies ToWorker),
      };
    },
    outgoingHash(blob) {
      if (!worker || !ready) return inPageHash();
      const key = nextKey++;
      const hashing = ask(key, { op: 'hash', key, blob });
      return { update() {}, digest: async () => (await hashing).sha256 };
    },
    close() {
      settleAll();
      worker?.terminate();
    },
  };
}
