/**
 * A lobby test client on the `ws` package, and a per-test lobby server fixture.
 *
 * The client is also the conformance check of the server: every frame the server sends is parsed
 * with the protocol's `serverMessageCheck`, and a frame that fails it (or that echoes a `rid`
 * this client never sent) is a violation. A violation rejects whatever the test is waiting for at
 * once, and fails the test in `afterEach` even if nothing was waiting.
 *
 * Nothing here sleeps: `next()` waits for a message, `barrier()` for a ping's pong (the server
 * answers in order on one socket, so after the pong every earlier message has arrived).
 *
 * @example
 * const lobby = useLobbyServer({ countdownMs: 100 });
 * it('answers ping', async () => {
 *   const a = await lobby.identified('Ann');
 *   expect(await a.request({ type: 'ping', t: 1 })).toMatchObject({ type: 'pong', t: 1 });
 * });
 */

import { createRequire } from 'node:module';
import { type LobbyConfig, type LobbyServer, type LobbyServerDeps, startLobbyServer } from '@tickmesh/lobby-server';
import {
  type ClientMessageInput,
  type ErrorCode,
  type Rid,
  type ServerMessage,
  type ServerMessageOf,
  type ServerMessageType,
  serverMessageCheck,
} from '@tickmesh/protocol';
import { afterEach, beforeEach } from 'vitest';
import WebSocket from 'ws';
import { waitFor } from './wait.js';

/** `ws`'s frame builder (exported at run time, not in its type definitions). */
const { Sender } = createRequire(import.meta.url)('ws') as {
  Sender: {
    frame(
      data: Buffer,
      options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean },
    ): Buffer[];
  };
};

/** How long `next()` and `request()` wait by default. */
export const WAIT_MS = 3000;

export interface CloseInfo {
  code: number;
  reason: string;
}

export class ConformanceError extends Error {
  override name = 'ConformanceError';
}

/** A client message as a test writes it: any field may be added, since tests also send junk. */
export type Outgoing = ClientMessageInput | ({ type: string } & Record<string, unknown>);

export interface LobbyClient {
  readonly label: string;
  /** Every server message received, in order (valid ones only; invalid ones are violations). */
  readonly log: readonly ServerMessage[];
  /** Schema failures and rid-echo violations seen so far. */
  readonly violations: readonly string[];
  /** Resolves with the close code when the socket closes (either side). */
  readonly closed: Promise<CloseInfo>;
  readonly isOpen: () => boolean;
  /** Set by `hello()`. */
  peerId: string;
  token: string;
  send(msg: Outgoing): void;
  /** Sends any value as one JSON text frame. */
  sendJson(value: unknown): void;
  /** Sends a text frame as is, or a binary frame for a `Uint8Array`. */
  sendRaw(data: string | Uint8Array): void;
  /** Sends `bytes` as a TEXT frame, valid UTF-8 or not (what a browser never sends, an attacker may). */
  sendTextBytes(bytes: Uint8Array): void;
  /** Sends `msg` with a fresh `rid` (unless it has one) and resolves with the first answer echoing it. */
  request(msg: Outgoing, timeoutMs?: number): Promise<ServerMessage>;
  /** Like `request`, but the answer must be of `type` (an `error` answer throws with its code). */
  expectAnswer<T extends ServerMessageType>(msg: Outgoing, type: T, timeoutMs?: number): Promise<ServerMessageOf<T>>;
  /** Like `request`, but the answer must be `error` with `code` and the request's rid. */
  expectError(msg: Outgoing, code: ErrorCode, timeoutMs?: number): Promise<ServerMessageOf<'error'>>;
  /** The oldest unconsumed message of `type` matching `predicate`, waiting for it if needed. */
  next<T extends ServerMessageType>(
    type: T,
    predicate?: (m: ServerMessageOf<T>) => boolean,
    timeoutMs?: number,
  ): Promise<ServerMessageOf<T>>;
  /** Waits until every message the server sent before now has arrived. */
  barrier(timeoutMs?: number): Promise<void>;
  /** Unconsumed messages (not taken by `next`/`request`), removed from the inbox. */
  drain(): ServerMessage[];
  /** `barrier()`, then `drain()`: what arrived and was not consumed. */
  settle(): Promise<ServerMessage[]>;
  /** `hello` and its `welcome`; records `peerId` and `token`. */
  hello(name: string, token?: string): Promise<ServerMessageOf<'welcome'>>;
  /** Closes cleanly (1000) and waits for the close. */
  close(): Promise<CloseInfo>;
  /** Drops the TCP connection without a close frame (a network failure). */
  terminate(): Promise<CloseInfo>;
}

interface Waiter {
  match(m: ServerMessage): boolean;
  resolve(m: ServerMessage): void;
  reject(error: Error): void;
}

let clientCounter = 0;

export interface ConnectOptions {
  label?: string;
  headers?: Record<string, string>;
}

/** Opens a WebSocket to `url` and resolves once it is open. */
export async function connect(url: string, options: ConnectOptions = {}): Promise<LobbyClient> {
  clientCounter++;
  const id = clientCounter;
  const label = options.label ?? `c${id}`;
  const ws = new WebSocket(url, { headers: options.headers ?? {} });
  const log: ServerMessage[] = [];
  const violations: string[] = [];
  let inbox: ServerMessage[] = [];
  const waiters: Waiter[] = [];
  const sentRids = new Set<Rid>();
  let ridCounter = 0;
  let closeInfo: CloseInfo | null = null;

  const failAll = (error: Error) => {
    for (const w of waiters.splice(0)) w.reject(error);
  };
  const violate = (text: string) => {
    violations.push(text);
    failAll(new ConformanceError(`${label}: ${text}`));
  };

  ws.on('message', (data, isBinary) => {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? Buffer.from(data) : data;
    const text = bytes.toString('utf8');
    if (isBinary) return violate(`binary frame from the server: ${text.slice(0, 200)}`);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return violate(`server frame is not JSON: ${text.slice(0, 200)}`);
    }
    const why = serverMessageCheck(value);
    if (why !== null) return violate(`server message fails serverMessageCheck: ${text.slice(0, 300)} (${why})`);
    const message = value as ServerMessage;
    if ('rid' in message && message.rid !== undefined && !sentRids.has(message.rid)) {
      return violate(`server echoed a rid this client never sent: ${text.slice(0, 300)}`);
    }
    log.push(message);
    const i = waiters.findIndex((w) => w.match(message));
    const waiter = i >= 0 ? waiters.splice(i, 1)[0] : undefined;
    if (waiter) waiter.resolve(message);
    else inbox.push(message);
  });
  ws.on('error', () => {
    // The close event follows with the code; errors (e.g. a refused upgrade) surface there or in open.
  });
  const closed = new Promise<CloseInfo>((resolve) => {
    ws.on('close', (code, reason) => {
      closeInfo = { code, reason: reason.toString('utf8') };
      failAll(new Error(`${label}: connection closed (${code} ${closeInfo.reason})`));
      resolve(closeInfo);
    });
  });

  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });

  function wait(match: (m: ServerMessage) => boolean, what: string, timeoutMs: number): Promise<ServerMessage> {
    if (violations.length > 0) return Promise.reject(new ConformanceError(`${label}: ${violations[0]}`));
    const i = inbox.findIndex(match);
    if (i >= 0) {
      const [found] = inbox.splice(i, 1);
      if (found) return Promise.resolve(found);
    }
    if (closeInfo) return Promise.reject(new Error(`${label}: waiting for ${what} on a closed connection`));
    return new Promise<ServerMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        const at = waiters.indexOf(waiter);
        if (at >= 0) waiters.splice(at, 1);
        const pending = inbox.map((m) => JSON.stringify(m).slice(0, 200)).join('\n  ');
        reject(new Error(`${label}: no ${what} within ${timeoutMs} ms; unconsumed:\n  ${pending || '(none)'}`));
      }, timeoutMs);
      const waiter: Waiter = {
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      waiters.push(waiter);
    });
  }

  function noteRid(value: unknown): void {
    if (typeof value === 'object' && value !== null && 'rid' in value) {
      const rid = (value as { rid: unknown }).rid;
      if (typeof rid === 'string' || typeof rid === 'number') sentRids.add(rid);
    }
  }

  function sendJson(value: unknown): void {
    noteRid(value);
    ws.send(JSON.stringify(value));
  }

  function request(msg: Outgoing, timeoutMs = WAIT_MS): Promise<ServerMessage> {
    ridCounter++;
    // Unique across clients, so a rid echoed to the wrong client is caught as a violation.
    const rid = (msg.rid ?? `${label}.${id}#${ridCounter}`) as Rid;
    sendJson({ ...msg, rid });
    return wait((m) => 'rid' in m && m.rid === rid, `answer to ${msg.type} (rid ${String(rid)})`, timeoutMs);
  }

  const client: LobbyClient = {
    label,
    log,
    violations,
    closed,
    isOpen: () => ws.readyState === WebSocket.OPEN,
    peerId: '',
    token: '',
    send: sendJson,
    sendJson,
    sendRaw(data) {
      if (typeof data === 'string') {
        try {
          noteRid(JSON.parse(data));
        } catch {
          // Not JSON: it carries no rid.
        }
      }
      ws.send(data, { binary: typeof data !== 'string' });
    },
    sendTextBytes(bytes) {
      // `ws` validates what it sends as text; its frame builder does not (internal but stable API).
      const frame = Sender.frame(Buffer.from(bytes), {
        fin: true,
        opcode: 1,
        mask: true,
        readOnly: false,
        rsv1: false,
      });
      (ws as unknown as { _sender: { sendFrame(list: Buffer[], cb: () => void): void } })._sender.sendFrame(
        frame,
        () => undefined,
      );
    },
    request,
    async expectAnswer(msg, type, timeoutMs) {
      const answer = await request(msg, timeoutMs);
      if (answer.type !== type) {
        throw new Error(`${label}: expected ${type} for ${msg.type}, got ${JSON.stringify(answer)}`);
      }
      return answer as ServerMessageOf<typeof type>;
    },
    async expectError(msg, code, timeoutMs) {
      const answer = await request(msg, timeoutMs);
      if (answer.type !== 'error' || answer.code !== code) {
        throw new Error(`${label}: expected error ${code} for ${msg.type}, got ${JSON.stringify(answer)}`);
      }
      return answer;
    },
    next(type, predicate, timeoutMs = WAIT_MS) {
      return wait(
        (m) => m.type === type && (!predicate || predicate(m as ServerMessageOf<typeof type>)),
        type,
        timeoutMs,
      ) as Promise<ServerMessageOf<typeof type>>;
    },
    async barrier(timeoutMs) {
      await client.expectAnswer({ type: 'ping' }, 'pong', timeoutMs);
    },
    drain() {
      const out = inbox;
      inbox = [];
      return out;
    },
    async settle() {
      await client.barrier();
      return client.drain();
    },
    async hello(name, token) {
      const welcome = await client.expectAnswer(
        token === undefined ? { type: 'hello', name } : { type: 'hello', name, token },
        'welcome',
      );
      client.peerId = welcome.peerId;
      client.token = welcome.token;
      return welcome;
    },
    close() {
      if (!closeInfo) ws.close(1000);
      return closed;
    },
    terminate() {
      if (!closeInfo) ws.terminate();
      return closed;
    },
  };
  return client;
}

export interface LobbyFixture {
  /** The server of the running test. */
  readonly server: LobbyServer;
  /** A connected, not yet identified client. */
  connect(options?: ConnectOptions): Promise<LobbyClient>;
  /** A connected client that has sent `hello` with `name`. */
  identified(name: string): Promise<LobbyClient>;
  /** Exceptions that escaped into the event loop during the running test (the server crashing). */
  readonly uncaught: readonly unknown[];
}

/**
 * A fresh lobby server for every test of the enclosing `describe`, on 127.0.0.1 and a free port,
 * closed after the test with every client the test opened; a test whose clients saw a protocol
 * violation fails. `deps` is called per test, so injected clocks and id sources start fresh.
 */
export function useLobbyServer(
  overrides: Partial<LobbyConfig> = {},
  deps: () => LobbyServerDeps = () => ({}),
): LobbyFixture {
  let current: LobbyServer | null = null;
  let clients: LobbyClient[] = [];
  let uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => {
    uncaught.push(error);
  };

  beforeEach(async () => {
    uncaught = [];
    // In production an exception escaping a uWS callback kills the process; here it fails the test.
    process.on('uncaughtException', onUncaught);
    current = await startLobbyServer({ host: '127.0.0.1', port: 0, metricsPort: 0, ...overrides }, deps());
  });
  afterEach(async () => {
    const opened = clients;
    clients = [];
    for (const c of opened) if (c.isOpen()) void c.close();
    await current?.close();
    current = null;
    process.off('uncaughtException', onUncaught);
    if (uncaught.length > 0) throw new Error(`uncaught exception in the server: ${String(uncaught[0])}`);
    const violations = opened.flatMap((c) => c.violations.map((v) => `${c.label}: ${v}`));
    if (violations.length > 0) throw new ConformanceError(violations.join('\n'));
  });

  const fixture: LobbyFixture = {
    get server() {
      if (!current) throw new Error('no lobby server outside a test');
      return current;
    },
    get uncaught() {
      return uncaught;
    },
    async connect(options) {
      const c = await connect(fixture.server.url, options);
      clients.push(c);
      return c;
    },
    async identified(name) {
      const c = await fixture.connect({ label: name });
      await c.hello(name);
      return c;
    },
  };
  return fixture;
}

export interface JoinedRoom {
  code: string;
  /** In join order: the host (creator) first. */
  clients: LobbyClient[];
}

/**
 * A room created by a client named `names[0]` with `create` options, joined by one client per
 * further name in order; returns once every member has seen every join.
 */
export async function joinedRoom(
  lobby: LobbyFixture,
  names: readonly string[],
  create: Omit<Extract<ClientMessageInput, { type: 'room.create' }>, 'type'> = {},
): Promise<JoinedRoom> {
  const clients: LobbyClient[] = [];
  for (const name of names) clients.push(await lobby.identified(name));
  const [host, ...rest] = clients;
  if (!host) throw new Error('a room needs a host');
  const created = await host.expectAnswer({ type: 'room.create', ...create }, 'room.state');
  const code = created.room.code;
  for (const [i, c] of rest.entries()) {
    await c.expectAnswer({ type: 'room.join', code }, 'room.state');
    for (const earlier of clients.slice(0, i + 1)) {
      await earlier.next('room.state', (m) => m.room.peers.some((p) => p.id === c.peerId));
    }
  }
  return { code, clients };
}

/**
 * Pings until one is answered within `pingTimeoutMs`, for `timeoutMs` at most: for a client a
 * limit holds back, whose pings are dropped (silently or with `RATE_LIMITED`) until its bucket
 * has refilled.
 *
 * @example
 * await eventuallyAnswered(flooder, 'the flooder answered once its tokens refill');
 */
export async function eventuallyAnswered(
  client: LobbyClient,
  what = `a ping of ${client.label} answered`,
  { timeoutMs = 5000, pingTimeoutMs = 400 }: { timeoutMs?: number; pingTimeoutMs?: number } = {},
): Promise<void> {
  await waitFor(
    async () => {
      await client.barrier(pingTimeoutMs);
      return true;
    },
    what,
    { timeoutMs, intervalMs: 0, retryOnError: true },
  );
}
