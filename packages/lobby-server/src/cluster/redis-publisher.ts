/**
 * The publishing connection of {@link RedisStore}: `PUBLISH` over a plain socket, without ioredis.
 *
 * A cluster publishes once per relayed signal batch and per node message, so a publish must cost
 * little. Through ioredis one cost about 11 µs of CPU (a command object, a timeout timer, a
 * promise, and a reply that wakes the node up again); written here, about 1 µs:
 * - `post` is fire and forget: `CLIENT REPLY SKIP` goes first, so Redis sends no reply and the
 *   node is not woken up for one. `publish` reads the reply (`:n`, how many subscribers heard it).
 *   Both go on this one connection, in call order: Redis delivers in that order too.
 * - Everything published in one turn of the event loop goes out in one write, copied once into
 *   one buffer from the pieces it was given (a signal batch is never joined into one string);
 *   an ASCII piece as latin1 (the same bytes as UTF-8, written several times faster: signals are
 *   ASCII JSON).
 * - While disconnected, `post` returns false and `publish` rejects at once: nothing is queued to
 *   run late. The connection comes back by itself, as ioredis's do (the same backoff).
 * - A reply later than `commandTimeoutMs`, or more than {@link MAX_UNSENT_BYTES} that Redis does
 *   not read, drops the connection: whoever waits is refused, and it reconnects.
 *
 * Redis replies to what is sent here only with `+OK`, `-error` and `:integer` lines.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';

/** Bytes written and not yet taken by Redis above which the connection counts as stuck. */
const MAX_UNSENT_BYTES = 8 * 1024 * 1024;

const SKIP_REPLY = '*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n';

export interface PublisherTiming {
  /** How long a reply may take before the connection is dropped, ms. */
  commandTimeoutMs: number;
  /** How long one connection attempt may take, ms. */
  connectTimeoutMs: number;
  /** The wait before reconnect attempt n is n times this, ms... */
  retryStepMs: number;
  /** ...at most this, ms. */
  retryMaxMs: number;
}

interface Waiter {
  resolve(value: number): void;
  reject(error: Error): void;
  /** performance.now() when it was queued. */
  at: number;
}

const QUIT = '*1\r\n$4\r\nQUIT\r\n';

/**
 * Emits `ready` when connected (again), `close` when the connection is lost, and `error` with
 * what went wrong, as an ioredis client does.
 *
 * @example
 * const publisher = await RedisPublisher.connect('redis://127.0.0.1:6379', 'tickmesh-publisher', timing);
 * publisher.post('tm:n:node2', '{"k":"gone","c":"x"}');
 * const heard = await publisher.publish('tm:p:peer', 'signal');
 */
export class RedisPublisher extends EventEmitter {
  readonly #url: URL;
  readonly #name: string;
  readonly #timing: PublisherTiming;
  #socket: net.Socket | null = null;
  #ready = false;
  #closed = false;
  #attempt = 0;
  /** The pieces of the commands waiting for this turn of the event loop to end... */
  #pieces: string[] = [];
  /** ...their sizes in UTF-8 (negative for a piece that is not ASCII)... */
  #sizes: number[] = [];
  /** ...and their total size, bytes. */
  #unsentBytes = 0;
  #flushQueued = false;
  /** Replies expected, oldest first (from `#head` on). */
  #waiters: Waiter[] = [];
  #head = 0;
  /** Reply text received and not parsed yet. */
  #received = '';
  #retry: NodeJS.Timeout | null = null;
  readonly #watchdog: NodeJS.Timeout;

  private constructor(url: string, name: string, timing: PublisherTiming) {
    super();
    this.#url = new URL(url);
    this.#name = name;
    this.#timing = timing;
    this.#watchdog = setInterval(() => this.#checkOverdue(), Math.max(50, timing.commandTimeoutMs / 4));
    this.#watchdog.unref();
  }

  /** Connects to `url`; rejects if the first attempt fails. Afterwards it reconnects by itself. */
  static async connect(url: string, name: string, timing: PublisherTiming): Promise<RedisPublisher> {
    const publisher = new RedisPublisher(url, name, timing);
    try {
      await publisher.#open();
    } catch (error) {
      publisher.disconnect();
      throw error;
    }
    return publisher;
  }

  /**
   * Publishes without hearing who heard it; false (and nothing sent) while disconnected. The
   * message may come in pieces (published as one string, their concatenation).
   */
  post(channel: string, message: string | readonly string[]): boolean {
    if (!this.#ready) return false;
    this.#piece(SKIP_REPLY);
    this.#command(['PUBLISH', channel, message]);
    return true;
  }

  /** Publishes; resolves to how many subscribers heard it. Rejects at once while disconnected. */
  publish(channel: string, message: string): Promise<number> {
    if (!this.#ready) return Promise.reject(new Error('redis publisher is not connected'));
    return this.#request(['PUBLISH', channel, message]);
  }

  /** Sends what is queued, says goodbye and closes. */
  async quit(): Promise<void> {
    this.#closed = true;
    const socket = this.#socket;
    if (!socket || socket.destroyed) return this.disconnect();
    this.#flush();
    await new Promise<void>((resolve) => {
      const giveUp = setTimeout(() => socket.destroy(), this.#timing.commandTimeoutMs);
      socket.once('close', () => {
        clearTimeout(giveUp);
        resolve();
      });
      socket.end(QUIT);
    });
    this.disconnect();
  }

  /** Closes at once, dropping what is queued; no reconnecting afterwards. */
  disconnect(): void {
    this.#closed = true;
    clearInterval(this.#watchdog);
    if (this.#retry) clearTimeout(this.#retry);
    this.#socket?.destroy();
  }

  // ---- internals -----------------------------------------------------------------------------

  #request(args: readonly string[]): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.#waiters.push({ resolve, reject, at: performance.now() });
      this.#command(args);
    });
  }

  /** Queues one RESP command (an array of bulk strings, each maybe in pieces) for the end of this turn. */
  #command(args: readonly (string | readonly string[])[]): void {
    this.#piece(`*${args.length}\r\n`);
    for (const arg of args) {
      const at = this.#pieces.length;
      this.#piece('');
      let bytes = 0;
      for (const part of typeof arg === 'string' ? [arg] : arg) {
        this.#piece(part);
        bytes += this.#sizeOf(this.#pieces.length - 1);
      }
      this.#setHeader(at, bytes);
    }
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    setImmediate(() => this.#flush());
  }

  /** Queues `text`, measured. */
  #piece(text: string): void {
    const bytes = Buffer.byteLength(text);
    this.#pieces.push(text);
    this.#sizes.push(bytes === text.length ? bytes : -bytes);
    this.#unsentBytes += bytes;
  }

  #sizeOf(index: number): number {
    return Math.abs(this.#sizes[index] ?? 0);
  }

  /** Fills in the placeholder at `index` with the header of a bulk string of `bytes` bytes. */
  #setHeader(index: number, bytes: number): void {
    const header = `$${bytes}\r\n`;
    this.#pieces[index] = header;
    this.#sizes[index] = header.length;
    this.#unsentBytes += header.length;
    this.#piece('\r\n');
  }

  #flush(): void {
    this.#flushQueued = false;
    const socket = this.#socket;
    const pieces = this.#pieces;
    const sizes = this.#sizes;
    const out = Buffer.allocUnsafe(this.#unsentBytes);
    this.#dropUnsent();
    if (!socket || out.length === 0) return;
    let offset = 0;
    for (let i = 0; i < pieces.length; i++) {
      const size = sizes[i] as number;
      const piece = pieces[i] as string;
      offset += out.write(piece, offset, size >= 0 ? 'latin1' : 'utf8');
    }
    socket.write(out);
    if (socket.writableLength > MAX_UNSENT_BYTES) socket.destroy(new Error('redis is not reading what is published'));
  }

  #dropUnsent(): void {
    this.#pieces = [];
    this.#sizes = [];
    this.#unsentBytes = 0;
  }

  /** One connection attempt: connect, AUTH if the URL has a password, CLIENT SETNAME. */
  #open(): Promise<void> {
    const url = this.#url;
    const port = Number(url.port || 6379);
    const host = url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
    const socket =
      url.protocol === 'rediss:' ? tls.connect({ host, port, servername: host }) : net.connect({ host, port });
    socket.setNoDelay(true);
    this.#socket = socket;
    this.#received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.#read(chunk));
    // What ended an attempt, for `connect` to reject with.
    let failure: Error | null = null;
    // Heard by whoever listens (a first attempt's error also rejects `connect`).
    socket.on('error', (error) => {
      failure ??= error;
      if (this.listenerCount('error') > 0) this.emit('error', error);
    });
    socket.on('close', () => this.#lost(socket));
    return new Promise<void>((resolve, reject) => {
      const tooSlow = setTimeout(
        () => socket.destroy(new Error(`redis connect to ${host}:${port} timed out`)),
        this.#timing.connectTimeoutMs,
      );
      socket.once('close', () => {
        clearTimeout(tooSlow);
        reject(failure ?? new Error(`redis connection to ${host}:${port} closed`));
      });
      socket.once(url.protocol === 'rediss:' ? 'secureConnect' : 'connect', () => {
        const password = decodeURIComponent(url.password);
        const user = decodeURIComponent(url.username);
        const handshake: Promise<number>[] = [];
        if (password) handshake.push(this.#request(user ? ['AUTH', user, password] : ['AUTH', password]));
        handshake.push(this.#request(['CLIENT', 'SETNAME', this.#name]));
        this.#flush();
        Promise.all(handshake).then(
          () => {
            clearTimeout(tooSlow);
            this.#attempt = 0;
            this.#ready = true;
            this.emit('ready');
            resolve();
          },
          (error: Error) => socket.destroy(error),
        );
      });
    });
  }

  #read(chunk: string): void {
    this.#received += chunk;
    let start = 0;
    for (let end = this.#received.indexOf('\r\n'); end >= 0; end = this.#received.indexOf('\r\n', start)) {
      const line = this.#received.slice(start, end);
      start = end + 2;
      const waiter = this.#waiters[this.#head];
      if (!waiter) return this.#broken('redis sent a reply nobody asked for');
      this.#waiters[this.#head++] = undefined as unknown as Waiter;
      const kind = line.charCodeAt(0);
      if (kind === 0x3a /* : */) waiter.resolve(Number(line.slice(1)));
      else if (kind === 0x2b /* + */) waiter.resolve(0);
      else if (kind === 0x2d /* - */) waiter.reject(new Error(`redis: ${line.slice(1)}`));
      else return this.#broken(`redis sent an unexpected reply: ${line.slice(0, 40)}`);
    }
    this.#received = this.#received.slice(start);
    if (this.#head > 1024 && this.#head * 2 > this.#waiters.length) {
      this.#waiters = this.#waiters.slice(this.#head);
      this.#head = 0;
    }
  }

  #broken(why: string): void {
    this.#socket?.destroy(new Error(why));
  }

  #checkOverdue(): void {
    const oldest = this.#waiters[this.#head];
    if (oldest && performance.now() - oldest.at > this.#timing.commandTimeoutMs) {
      this.#socket?.destroy(new Error('redis did not answer a publish in time'));
    }
  }

  #lost(socket: net.Socket): void {
    if (socket !== this.#socket) return;
    const wasReady = this.#ready;
    this.#ready = false;
    this.#socket = null;
    this.#dropUnsent();
    const waiters = this.#waiters.slice(this.#head);
    this.#waiters = [];
    this.#head = 0;
    const refused = new Error('redis connection closed before it answered');
    for (const waiter of waiters) waiter.reject(refused);
    if (wasReady || this.#attempt > 0) this.emit('close');
    if (this.#closed || (!wasReady && this.#attempt === 0)) return;
    this.#reconnect();
  }

  #reconnect(): void {
    this.#attempt++;
    const wait = Math.min(this.#timing.retryStepMs * this.#attempt, this.#timing.retryMaxMs);
    this.#retry = setTimeout(() => {
      this.#retry = null;
      if (this.#closed) return;
      // A failed attempt ends in `close`, which schedules the next one.
      this.#open().catch(() => {});
    }, wait);
  }
}
