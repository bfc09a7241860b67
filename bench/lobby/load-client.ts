/**
 * One simulated lobby client on the raw WebSocket client: `hello`, then room setup by request and
 * reply, then signals. Relayed signals take a fast path (no JSON.parse, see signal-payload.ts);
 * every other server message is parsed and either answers a pending request or is handed on.
 *
 * The same client drives both servers: the ws baseline answers `hello`, `room.create` and
 * `room.join` with the same message types as the tickmesh lobby.
 */
import { connectRawWs, type RawWs } from './raw-ws-client.ts';

/** A parsed server message other than a relayed signal. */
export interface ServerMessage {
  type: string;
  [field: string]: unknown;
}

export interface LoadClientEvents {
  /** A frame that starts like a relayed signal. */
  onSignal(client: LoadClient, text: string): void;
  /** Any other message no request was waiting for. */
  onMessage(client: LoadClient, message: ServerMessage | null): void;
  /** The connection closed (`code` null: without a close frame). */
  onClose(client: LoadClient, code: number | null): void;
}

export interface LoadClient {
  readonly index: number;
  readonly peerId: string;
  /** The code of the room it is in, or null. */
  room: string | null;
  /** Peer ids of the other members of its room, signalled in turn. */
  mates: string[];
  nextMate: number;
  /** The last sequence number sent to each mate (same index as `mates`). */
  seqTo: number[];
  /** The last sequence number received from each sender, by peer id. */
  lastSeqFrom: Map<string, number>;
  /** Signals sent so far (which of them are SDP-sized follows from it). */
  signalsSent: number;
  /** Signals it sent that have not arrived yet. */
  inFlight: number;
  /** True once {@link LoadClient.destroy} was called: its close is expected. */
  closing: boolean;
  send(text: string): void;
  /** Sends `message`; resolves with the next message of type `expect`, or an `error` message. */
  request(message: object, expect: string): Promise<ServerMessage>;
  destroy(): void;
}

export type ConnectResult = { ok: true; client: LoadClient } | { ok: false; error: string };

const SIGNAL_PREFIX = '{"type":"signal"';

function parse(text: string): ServerMessage | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || !('type' in value) || typeof value.type !== 'string') {
      return null;
    }
    return value as ServerMessage;
  } catch {
    return null;
  }
}

/** Connects (presenting `forwardedFor` in `X-Forwarded-For`, if given), says `hello` and waits for `welcome`. */
export async function connectLoadClient(
  url: URL,
  index: number,
  events: LoadClientEvents,
  forwardedFor?: string,
): Promise<ConnectResult> {
  let client: LoadClient | null = null;
  let waiter: { expect: string; resolve: (message: ServerMessage) => void } | null = null;
  const headers = forwardedFor === undefined ? {} : { 'X-Forwarded-For': forwardedFor };
  const connected = await connectRawWs(url, headers, {
    onText(text) {
      if (client && text.startsWith(SIGNAL_PREFIX)) return events.onSignal(client, text);
      const message = parse(text);
      if (waiter && message && (message.type === waiter.expect || message.type === 'error')) {
        const { resolve } = waiter;
        waiter = null;
        return resolve(message);
      }
      if (client) events.onMessage(client, message);
    },
    onClose(code) {
      if (client) events.onClose(client, code);
    },
  });
  if (!connected.ok) return connected;
  const { ws } = connected;
  const request = (message: object, expect: string) =>
    new Promise<ServerMessage>((resolve) => {
      waiter = { expect, resolve };
      ws.sendText(JSON.stringify(message));
    });

  const welcome = await Promise.race([request({ type: 'hello', name: `bot-${index}` }, 'welcome'), timeout(10_000)]);
  if (welcome?.type !== 'welcome' || typeof welcome.peerId !== 'string') {
    ws.destroy();
    return { ok: false, error: `no welcome: ${JSON.stringify(welcome)}` };
  }
  client = createClient(ws, index, welcome.peerId, request);
  return { ok: true, client };
}

function createClient(ws: RawWs, index: number, peerId: string, request: LoadClient['request']): LoadClient {
  const client: LoadClient = {
    index,
    peerId,
    room: null,
    mates: [],
    nextMate: 0,
    seqTo: [],
    lastSeqFrom: new Map(),
    signalsSent: 0,
    inFlight: 0,
    closing: false,
    send: (text) => ws.sendText(text),
    request,
    destroy() {
      client.closing = true;
      ws.destroy();
    },
  };
  return client;
}

function timeout(ms: number): Promise<null> {
  return new Promise((resolve) => setTimeout(() => resolve(null), ms).unref());
}
