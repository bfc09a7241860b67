/**
 * The only importer of uWebSockets.js. It maps uWS callbacks onto the runtime-agnostic
 * {@link ConnectionHandler} and serves the HTTP routes: WebSocket `/lobby`, `GET /healthz` and
 * static files on the public listener, `GET /metrics` on a listener of its own (127.0.0.1 by
 * default), as Prometheus exporters do, so a public lobby does not publish its internals.
 *
 * uWS hands each message as an ArrayBuffer valid only inside the callback; it is decoded there.
 * uWS's own `maxPayloadLength` drops an oversize socket without a close frame, so it is set
 * above the protocol's 64 KiB and the handler closes with 1009 itself. Sends check backpressure:
 * a client that stops reading is closed (4002) rather than buffered without bound. Every callback
 * is guarded: an exception closes that socket only (1011; HTTP 500), is logged and counted.
 * uWS itself drops a text frame that is not valid UTF-8 by closing the TCP connection (the client
 * sees 1006; this build offers no way to send 1007 first); the close is counted as `invalid utf-8`.
 */

import uWS from 'uWebSockets.js';
import { CloseCode } from '@tickmesh/protocol';
import type { Registry as MetricsRegistry } from 'prom-client';
import { clientAddress } from '../addresses.js';
import type { LobbyConfig } from '../config.js';
import type { ConnectionHandler, HandledClient } from '../connection-handler.js';
import type { Logger } from '../logger.js';
import { createStaticFiles } from '../static-files.js';

/** Frames above this are dropped by uWS itself (no close frame); between 64 KiB and this we send 1009. */
const HARD_FRAME_LIMIT_BYTES = 1024 * 1024;

interface SocketData {
  /** The client's address (addresses.ts), read during the upgrade. */
  address: string;
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
  /** An exception escaped a callback: log it and count it. */
  onInternalError: (where: string, error: unknown) => void;
  logger: Logger;
}

export interface UwsServer {
  port: number;
  /** Port of the `/metrics` listener. */
  metricsPort: number;
  /** Stops listening and closes every socket with `code` (default 1001, going away). */
  close(code?: number, reason?: string): void;
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

  /** Runs one callback's work; an exception closes only this socket (1011), and is logged and counted. */
  function guarded(ws: uWS.WebSocket<SocketData>, where: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      deps.onInternalError(where, error);
      const data = ws.getUserData();
      if (!data.gone && !data.closing) {
        data.closing = true;
        ws.end(CloseCode.INTERNAL_ERROR, 'internal error');
      }
    }
  }

  /** Runs an HTTP handler; an exception answers 500 (when nothing was sent yet), logged and counted. */
  function guardedHttp(res: uWS.HttpResponse, where: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      deps.onInternalError(where, error);
      try {
        res.cork(() => res.writeStatus('500 Internal Server Error').end());
      } catch {
        // The response was already ended or aborted: nothing more to tell the client.
      }
    }
  }

  app.ws<SocketData>('/lobby', {
    maxPayloadLength: HARD_FRAME_LIMIT_BYTES,
    idleTimeout: config.idleTimeoutS,
    sendPingsAutomatically: true,
    maxBackpressure: config.maxBackpressureBytes,
    // Off: uWS would close inside send(); the transport closes slow consumers itself, see flush().
    closeOnBackpressureLimit: 0,
    upgrade(res, req, context) {
      guardedHttp(res, 'upgrade', () => {
        const origin = req.getHeader('origin');
        // Origin is a browser's claim; non-browser clients send none and are not blocked by it.
        if (allowed.size > 0 && origin !== '' && !allowed.has(origin)) {
          res.writeStatus('403 Forbidden').end('origin not allowed');
          return;
        }
        const address = clientAddress(
          Buffer.from(res.getRemoteAddressAsText()).toString(),
          req.getHeader('x-forwarded-for'),
          config.trustProxy,
        );
        res.upgrade<SocketData>(
          { address, client: null, outbox: [], closing: false, gone: false },
          req.getHeader('sec-websocket-key'),
          req.getHeader('sec-websocket-protocol'),
          req.getHeader('sec-websocket-extensions'),
          context,
        );
      });
    },
    open(ws) {
      sockets.add(ws);
      guarded(ws, 'open', () => {
        const data = ws.getUserData();
        data.client = handler.open(
          {
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
          },
          data.address,
        );
        handler.admit(data.client);
      });
    },
    message(ws, message, isBinary) {
      guarded(ws, 'message', () => {
        const data = ws.getUserData();
        if (!data.client || data.closing) return;
        handler.message(data.client, {
          byteLength: message.byteLength,
          // The ArrayBuffer is only valid inside this callback, and handler.message is synchronous
          // (it closes an oversized frame's connection before it asks for the text).
          text: () => (isBinary ? null : Buffer.from(message).toString('utf8')),
        });
      });
    },
    close(ws, code, reason) {
      sockets.delete(ws);
      const data = ws.getUserData();
      data.gone = true;
      data.outbox = [];
      dirty.delete(ws);
      const client = data.client;
      data.client = null;
      // uWS drops a text frame of invalid UTF-8 itself, with a TCP close and this reason.
      if (code === 1006 && Buffer.from(reason).toString() === 'Received invalid UTF-8') handler.invalidUtf8();
      if (!client) return;
      try {
        handler.close(client);
      } catch (error) {
        deps.onInternalError('close', error);
      }
    },
  });

  app.get('/healthz', (res) => {
    guardedHttp(res, 'healthz', () => {
      res.writeHeader('content-type', 'application/json').end(JSON.stringify({ ok: true, ...deps.health() }));
    });
  });

  app.any('/*', (res, req) => {
    guardedHttp(res, 'static', () => {
      const method = req.getMethod();
      const file = staticFiles && (method === 'get' || method === 'head') ? staticFiles.lookup(req.getUrl()) : null;
      if (!file) {
        res
          .writeStatus('404 Not Found')
          .writeHeader('content-type', 'text/plain')
          .writeHeader('x-content-type-options', 'nosniff')
          .end('not found');
        return;
      }
      res.writeHeader('content-type', file.contentType).writeHeader('cache-control', file.cacheControl);
      for (const [name, value] of SECURITY_HEADERS) res.writeHeader(name, value);
      // This uWS build aborts the whole process on `endWithoutBody(length)`: report the length ourselves.
      if (method === 'head') res.writeHeader('content-length', String(file.body.length)).endWithoutBody();
      else res.end(file.body);
    });
  });

  const metricsApp = uWS.App();
  metricsApp.get('/metrics', (res) => {
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
  metricsApp.any('/*', (res) => {
    res.writeStatus('404 Not Found').writeHeader('content-type', 'text/plain').end('not found: try /metrics');
  });

  const listen = (which: uWS.TemplatedApp, host: string, port: number, what: string) =>
    new Promise<uWS.us_listen_socket>((resolvePromise, rejectPromise) => {
      which.listen(host, port, (listenSocket) => {
        if (listenSocket) resolvePromise(listenSocket);
        else rejectPromise(new ListenError(`cannot listen on ${host}:${port} (${what})`));
      });
    });

  return (async () => {
    const listenSocket = await listen(app, config.host, config.port, 'lobby');
    let metricsSocket: uWS.us_listen_socket;
    try {
      metricsSocket = await listen(metricsApp, config.metricsHost, config.metricsPort, 'metrics, --metrics-port');
    } catch (error) {
      uWS.us_listen_socket_close(listenSocket);
      throw error;
    }
    return {
      port: uWS.us_socket_local_port(listenSocket),
      metricsPort: uWS.us_socket_local_port(metricsSocket),
      close(code = CloseCode.GOING_AWAY, reason = 'server shutting down') {
        uWS.us_listen_socket_close(listenSocket);
        uWS.us_listen_socket_close(metricsSocket);
        flushAll(); // goodbyes queued before the close (room.left) go out first
        for (const ws of sockets) {
          const data = ws.getUserData();
          if (!data.gone) {
            data.closing = true;
            ws.end(code, reason);
          }
        }
      },
    };
  })();
}

/**
 * Headers on every static file: no MIME sniffing, and a Content-Security-Policy the demo runs
 * under (its own scripts and styles, WebSockets to its own origin, Web Audio and canvases; no
 * plugins, no framing by other sites).
 */
const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ['x-content-type-options', 'nosniff'],
  [
    'content-security-policy',
    [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      "media-src 'self' data: blob:",
      "connect-src 'self' ws: wss:",
      "worker-src 'self' blob:",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
  ],
  ['referrer-policy', 'no-referrer'],
];
