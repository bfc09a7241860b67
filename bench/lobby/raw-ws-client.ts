/**
 * A lean WebSocket client over node:net, for load generation only. On a 2-core machine a
 * `ws`-based load client saturates before the servers under test do, so the bench speaks just
 * the subset of RFC 6455 it needs:
 * - the HTTP/1.1 upgrade, checking `Sec-WebSocket-Accept` (§4.1), with extra request headers
 *   (`X-Forwarded-For` for a server behind a trusted proxy);
 * - frames out, unfragmented, masked (§5.3), 7/16/64-bit lengths: text frames with a fresh random
 *   key per frame, or frames encoded once by {@link encodeFrame} and sent as they are (the attacker
 *   sends the same junk many times; reusing a mask is legal on the wire, only predictable);
 * - text frames in with 7/16/64-bit lengths (servers never mask, §5.1);
 * - ping answered with pong, close answered with close (§5.5); no extensions, no fragments.
 *
 * Frames sent during one turn of the event loop are written together on setImmediate, one write
 * per socket, so the generator spends its CPU on messages rather than on syscalls.
 */
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { connect, type Socket } from 'node:net';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** Frame opcodes (RFC 6455 §5.2). */
export const Opcode = { text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;
const OP_TEXT = Opcode.text;
const OP_CLOSE = Opcode.close;
const OP_PING = Opcode.ping;
const OP_PONG = Opcode.pong;

export interface RawWsEvents {
  /** One text frame from the server. */
  onText(text: string): void;
  /** The connection is gone: `code` from the server's close frame, `null` if TCP just ended. */
  onClose(code: number | null): void;
}

export interface RawWs {
  /** Queues one text frame; queued frames are written on the next setImmediate. */
  sendText(text: string): void;
  /** Queues one frame made by {@link encodeFrame}, as it is. */
  sendFrame(encoded: Buffer): void;
  /** Drops the TCP connection without a close handshake (the bench tears down thousands at once). */
  destroy(): void;
}

export type RawWsConnectResult = { ok: true; ws: RawWs } | { ok: false; error: string };

/** Random bytes for masking keys, refilled in bulk rather than one CSPRNG call per frame. */
const keyPool = Buffer.allocUnsafe(64 * 1024);
let keyOffset = keyPool.length;

/** One masked, final frame of `opcode` carrying `payload` (a string is sent as its UTF-8 bytes). */
export function encodeFrame(opcode: number, payload: Buffer | string): Buffer {
  const length = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const out = Buffer.allocUnsafe(header + 4 + length);
  out[0] = 0x80 | opcode;
  if (length < 126) out[1] = 0x80 | length;
  else if (length < 65_536) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(length, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeBigUInt64BE(BigInt(length), 2);
  }
  if (keyOffset + 4 > keyPool.length) {
    randomFillSync(keyPool);
    keyOffset = 0;
  }
  keyPool.copy(out, header, keyOffset, keyOffset + 4);
  keyOffset += 4;
  const start = header + 4;
  if (typeof payload === 'string') out.write(payload, start, 'utf8');
  else payload.copy(out, start);
  // XOR four bytes at a time through a DataView (Buffer's readInt32LE is ~50x slower here).
  const view = new DataView(out.buffer, out.byteOffset, out.length);
  const key = view.getUint32(header);
  let at = start;
  for (; at + 4 <= out.length; at += 4) view.setUint32(at, view.getUint32(at) ^ key);
  for (let i = 0; at < out.length; at++, i++) view.setUint8(at, view.getUint8(at) ^ view.getUint8(header + i));
  return out;
}

/** Connections with frames waiting for the next flush. */
const dirty = new Set<{ socket: Socket; queue: Buffer[] }>();

function flush(): void {
  for (const conn of dirty) {
    const { queue } = conn;
    if (conn.socket.writable) conn.socket.write(queue.length === 1 ? (queue[0] as Buffer) : Buffer.concat(queue));
    conn.queue = [];
  }
  dirty.clear();
}

/** Opens `url` (ws://host:port/path) and completes the upgrade, sending `headers` with the request. */
export function connectRawWs(
  url: URL,
  headers: Readonly<Record<string, string>>,
  events: RawWsEvents,
): Promise<RawWsConnectResult> {
  return new Promise((resolve) => {
    const key = randomBytes(16).toString('base64');
    const accept = createHash('sha1')
      .update(key + WS_GUID)
      .digest('base64');
    const socket = connect({ host: url.hostname, port: Number(url.port), noDelay: true });
    const conn = { socket, queue: [] as Buffer[] };
    let upgraded = false;
    let pending: Buffer = Buffer.alloc(0);
    let closeCode: number | null = null;

    const fail = (error: string) => {
      socket.destroy();
      if (!upgraded) resolve({ ok: false, error });
    };

    const queue = (encoded: Buffer) => {
      if (conn.queue.length === 0) {
        if (dirty.size === 0) setImmediate(flush);
        dirty.add(conn);
      }
      conn.queue.push(encoded);
    };
    const ws: RawWs = {
      sendText: (text) => queue(encodeFrame(OP_TEXT, text)),
      sendFrame: queue,
      destroy() {
        socket.destroy();
      },
    };

    /** Handles every complete frame in `pending`; returns false on a protocol violation. */
    function readFrames(): boolean {
      let at = 0;
      while (pending.length - at >= 2) {
        const b0 = pending.readUInt8(at);
        const b1 = pending.readUInt8(at + 1);
        if (b1 & 0x80 || (b0 & 0x80) === 0) return false; // masked or fragmented: not ours to handle
        let length = b1 & 0x7f;
        let start = at + 2;
        if (length === 126) {
          if (pending.length - at < 4) break;
          length = pending.readUInt16BE(at + 2);
          start = at + 4;
        } else if (length === 127) {
          if (pending.length - at < 10) break;
          length = Number(pending.readBigUInt64BE(at + 2));
          start = at + 10;
        }
        const end = start + length;
        if (end > pending.length) break;
        const opcode = b0 & 0x0f;
        if (opcode === OP_TEXT) events.onText(pending.toString('utf8', start, end));
        else if (opcode === OP_PING) pong(pending.subarray(start, end));
        else if (opcode === OP_CLOSE) {
          closeCode = length >= 2 ? pending.readUInt16BE(start) : 1005;
          socket.end(encodeFrame(OP_CLOSE, pending.subarray(start, Math.min(end, start + 2))));
        } else if (opcode !== OP_PONG) return false;
        at = end;
      }
      pending = at === pending.length ? Buffer.alloc(0) : pending.subarray(at);
      return true;
    }

    function pong(payload: Buffer): void {
      socket.write(encodeFrame(OP_PONG, Buffer.from(payload)));
    }

    function readHandshake(): void {
      const headerEnd = pending.indexOf('\r\n\r\n');
      if (headerEnd < 0) {
        if (pending.length > 8192) fail('upgrade response headers too long');
        return;
      }
      const head = pending.toString('latin1', 0, headerEnd);
      pending = pending.subarray(headerEnd + 4);
      const acceptLine = head.split('\r\n').find((line) => /^sec-websocket-accept:/i.test(line));
      if (!head.startsWith('HTTP/1.1 101')) return fail(`upgrade refused: ${head.split('\r\n')[0]}`);
      if (acceptLine?.slice(acceptLine.indexOf(':') + 1).trim() !== accept) return fail('bad Sec-WebSocket-Accept');
      upgraded = true;
      resolve({ ok: true, ws });
    }

    socket.on('connect', () => {
      socket.write(
        `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
          Object.entries(headers)
            .map(([name, value]) => `${name}: ${value}\r\n`)
            .join('') +
          '\r\n',
      );
    });
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      if (!upgraded) readHandshake();
      if (upgraded && !readFrames()) fail('WebSocket protocol violation from the server');
    });
    socket.on('error', (error) => fail(error.message));
    socket.on('close', () => {
      dirty.delete(conn);
      if (!upgraded) resolve({ ok: false, error: 'connection closed during the upgrade' });
      else events.onClose(closeCode);
    });
  });
}
