/**
 * The only importer of uWebSockets.js. It maps uWS callbacks onto the runtime-agnostic
 * {@link ConnectionHandler} and serves the HTTP routes: WebSocket `/lobby`, `GET /healthz`,
 * `GET /metrics`, and static files.
 *
 * uWS hands each message as an ArrayBuffer valid only inside the callback; it is decoded there.
 * uWS's own `maxPayloadLength` drops an oversize socket without a close frame, so it is set
 * above the protocol's 64 KiB and the handler closes with 1009 itself. Sends check backpressure:
 * a client that stops reading is closed (4002) rather than buffered without bound.
 */

import uWS from 'uWebSockets.js';
import { CloseCode, Limits } from '@tickmesh/protocol';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { LobbyConfig } from '../config.js';
import type { ConnectionHandler, HandledClient } from '../connection-handler.js';
import type { Logger } from '../logger.js';
import { createStaticFiles } from '../static-files.js';

/** Frames above this are dropped by uWS itself (no close frame); between 64 KiB and this we send 1009. */
const HARD_FRAME_LIMIT_BYTES = 1024 * 1024;

interface SocketData {
  client: HandledClient | null;
  /** Frames queued this event loop turn. */
  outbox: string[];
  /** We ended (or are about to end) this socket: send nothing more. */
  closing: boolean;
  /** uWS reported it closed: the handle must not be touched again. */
  gone: boolean;
}

export interface UwsServerDeps {
  config: LobbyConfig;
  handler: ConnectionHandler;
  metrics: MetricsRegistry;
  health: () => { connections: number; rooms: number };
  logger: Logger;
}

export interface UwsServer {
  port: number;
  /** Stops listening and closes every socket with 1001. */
  close(): void;
}

/** True when the native uWS binary loaded (the package silently falls back to a `ws`-based shim). */
export function isNativeUws(): boolean {
  return /native code/.test(String(uWS.App));
}

export class ListenError extends Error {
  readonly code = 'LISTEN_FAILED';
  override name = 'ListenError';
}

export function startUwsServer(deps: UwsServerDeps): Promise<UwsServer> {
  const { config, handler, logger } = deps;
  if (!isNativeUws()) {
    return Promise.reject(
      new ListenError('uWebSockets.js native binary did not load (Node 20 on linux-x64/arm64 or macOS is required)'),
    );
  }
  const app =
    config.tlsCert && config.tlsKey
      ? uWS.SSLApp({ cert_file_name: config.tlsCert, key_file_name: config.tlsKey })
      : uWS.App();
  const sockets = new Set<uWS.WebSocket<SocketData>>();
  const staticFiles = config.staticDir ? createStaticFiles(config.staticDir) : null;
  const allowed = new Set(config.origins);

  // Sends are queued per socket and written at the end of the event loop turn, each socket's
  // frames in one corked batch: most of a relay's cost is one send syscall per message, and a
  // turn often carries several frames for the same client.
  const dirty = new Set<uWS.WebSocket<SocketData>>();
  let flushScheduled = false;

  function flush(ws: uWS.WebSocket<SocketData>): void {
    const data = ws.getUserData();
    const frames = data.outbox;
    if (frames.length === 0) return;
    data.outbox = [];
    dirty.delete(ws);
    if (data.gone || data.closing) return;
    let dropped = false;
    ws.cork(() => {
      for (const text of frames) {
        // 2: dropped at the backpressure limit.
        if (ws.send(text, false) === 2) {
          dropped = true;
          break;
        }
      }
    });
    // A client that stops reading is closed rather than buffered without bound.
    if (dropped || ws.getBufferedAmount() > config.maxBackpressureBytes) {
      if (data.client) handler.slowConsumer(data.client);
      else {
        data.closing = true;
        ws.end(CloseCode.SLOW_CONSUMER, 'slow consumer');
      }
    }
  }

  function flushAll(): void {
    flushScheduled = false;
    for (const ws of dirty) flush(ws);
    dirty.clear();
  }

  app.ws<SocketData>('/lobby', {
    maxPayloadLength: HARD_FRAME_LIMIT_BYTES,
    idleTimeout: config.idleTimeoutS,
    sendPingsAutomatically: true,
    maxBackpressure: config.maxBackpressureBytes,
    // Off: uWS would close inside send(); the transport closes slow consumers itself, see flush().
    closeOnBackpressureLimit: 0,
    upgrade(res, req, context) {
      const origin = req.getHeader('origin');
      // Origin is a browser's claim; non-browser clients send none and are not blocked by it.
      if (allowed.size > 0 && origin !== '' && !allowed.has(origin)) {
        res.writeStatus('403 Forbidden').end('origin not allowed');
        return;
      }
      res.upgrade<SocketData>(
        { client: null, outbox: [], closing: false, gone: false },
        req.getHeader('sec-websocket-key'),
        req.getHeader('sec-websocket-protocol'),
        req.getHeader('sec-websocket-extensions'),
        context,
      );
    },
    open(ws) {
      sockets.add(ws);
      const data = ws.getUserData();
      data.client = handler.open({
        send(text) {
          if (data.closing || data.gone) return;
          data.outbox.push(text);
          if (data.outbox.length === 1) dirty.add(ws);
          if (!flushScheduled) {
            flushScheduled = true;
            setImmediate(flushAll);
          }
        },
        close(code, reason) {
          if (data.closing || data.gone) return;
          flush(ws); // what was queued before the close still goes out, in order
          data.closing = true;
          if (!data.gone) ws.end(code, reason);
        },
      });
    },
    message(ws, message, isBinary) {
      const data = ws.getUserData();
      if (!data.client || data.closing) return;
      const bytes = message.byteLength;
      const text = isBinary || bytes > Limits.maxFrameBytes ? null : Buffer.from(message).toString('utf8');
      handler.message(data.client, text, bytes);
    },
    close(ws) {
      sockets.delete(ws);
      const data = ws.getUserData();
      data.gone = true;
      data.outbox = [];
      dirty.delete(ws);
      if (data.client) handler.close(data.client);
      data.client = null;
    },
  });

  app.get('/healthz', (res) => {
    res.writeHeader('content-type', 'application/json').end(JSON.stringify({ ok: true, ...deps.health() }));
  });

  app.get('/metrics', (res) => {
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    deps.metrics.metrics().then(
      (text) => {
        if (aborted) return;
        res.cork(() => {
          res.writeHeader('content-type', deps.metrics.contentType).end(text);
        });
      },
      (error: unknown) => {
        logger.error('metrics failed', { error: String(error) });
        if (!aborted) res.cork(() => res.writeStatus('500 Internal Server Error').end());
      },
    );
  });

  app.any('/*', (res, req) => {
    const method = req.getMethod();
    const file = staticFiles && (method === 'get' || method === 'head') ? staticFiles.lookup(req.getUrl()) : null;
    if (!file) {
      res.writeStatus('404 Not Found').writeHeader('content-type', 'text/plain').end('not found');
      return;
    }
    res.writeHeader('content-type', file.contentType).writeHeader('cache-control', file.cacheControl);
    // This uWS build aborts the whole process on `endWithoutBody(length)`: report the length ourselves.
    if (method === 'head') res.writeHeader('content-length', String(file.body.length)).endWithoutBody();
    else res.end(file.body);
  });

  return new Promise((resolvePromise, rejectPromise) => {
    app.listen(config.host, config.port, (listenSocket) => {
      if (!listenSocket) {
        rejectPromise(new ListenError(`cannot listen on ${config.host}:${config.port}`));
        return;
      }
      resolvePromise({
        port: uWS.us_socket_local_port(listenSocket),
        close() {
          uWS.us_listen_socket_close(listenSocket);
          flushAll(); // goodbyes queued before the close (room.left) go out first
          for (const ws of sockets) {
            const data = ws.getUserData();
            if (!data.gone) {
              data.closing = true;
              ws.end(CloseCode.GOING_AWAY, 'server shutting down');
            }
          }
        },
      });
    });
  });
}
