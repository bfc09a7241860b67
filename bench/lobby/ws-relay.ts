/**
 * The baseline: the least a signaling relay on the `ws` package must do, run as its own process
 * (`node --import tsx bench/lobby/ws-relay.ts --port 0`; prints `listening ws://HOST:PORT/lobby`).
 *
 * It speaks just enough of the lobby protocol for the same load client to drive it: `hello` is
 * answered with `welcome` and a random peer id; `room.create` makes a room and answers
 * `room.state`; `room.join` adds the peer and sends `room.state` to every member; `signal` is
 * JSON.parse'd, its target looked up (a connected member of the sender's room, else `error`
 * `PEER_NOT_FOUND`) and sent `{"type":"signal","from","data"}` by JSON.stringify. No schema
 * validation, no rate limit, no metrics: everything the tickmesh server does beyond this is what
 * the comparison prices.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { type WebSocket, WebSocketServer } from 'ws';

interface Peer {
  id: string;
  ws: WebSocket;
  room: Room | null;
}

interface Room {
  code: string;
  peers: Peer[];
}

const { values } = parseArgs({ options: { host: { type: 'string' }, port: { type: 'string' } } });
const peers = new Map<string, Peer>();
const rooms = new Map<string, Room>();
let nextRoom = 0;

function roomState(room: Room): string {
  return JSON.stringify({
    type: 'room.state',
    room: { code: room.code, peers: room.peers.map((p) => ({ id: p.id })) },
  });
}

function fail(peer: Peer, code: string): void {
  peer.ws.send(JSON.stringify({ type: 'error', code, message: code }));
}

function onMessage(peer: Peer, text: string): void {
  let msg: { type?: string; to?: string; code?: string; data?: unknown };
  try {
    msg = JSON.parse(text);
  } catch {
    return fail(peer, 'BAD_MESSAGE');
  }
  switch (msg.type) {
    case 'signal': {
      const target = msg.to === undefined ? undefined : peers.get(msg.to);
      if (!target || target === peer || peer.room === null || target.room !== peer.room) {
        return fail(peer, 'PEER_NOT_FOUND');
      }
      target.ws.send(JSON.stringify({ type: 'signal', from: peer.id, data: msg.data }));
      return;
    }
    case 'hello':
      if (peer.id === '') {
        peer.id = randomBytes(9).toString('base64url');
        peers.set(peer.id, peer);
      }
      peer.ws.send(JSON.stringify({ type: 'welcome', peerId: peer.id }));
      return;
    case 'room.create': {
      const room: Room = { code: (nextRoom++).toString(36).toUpperCase(), peers: [peer] };
      rooms.set(room.code, room);
      peer.room = room;
      peer.ws.send(roomState(room));
      return;
    }
    case 'room.join': {
      const room = rooms.get(msg.code ?? '');
      if (!room) return fail(peer, 'ROOM_NOT_FOUND');
      room.peers.push(peer);
      peer.room = room;
      const state = roomState(room);
      for (const member of room.peers) member.ws.send(state);
      return;
    }
    default:
      return fail(peer, 'UNKNOWN_TYPE');
  }
}

function onClose(peer: Peer): void {
  peers.delete(peer.id);
  const room = peer.room;
  if (!room) return;
  room.peers = room.peers.filter((p) => p !== peer);
  if (room.peers.length === 0) rooms.delete(room.code);
}

const wss = new WebSocketServer({
  host: values.host ?? '127.0.0.1',
  port: Number(values.port ?? 0),
  path: '/lobby',
  maxPayload: 64 * 1024,
});
wss.on('connection', (ws) => {
  const peer: Peer = { id: '', ws, room: null };
  ws.on('message', (data, isBinary) => (isBinary ? fail(peer, 'BAD_MESSAGE') : onMessage(peer, String(data))));
  ws.on('close', () => onClose(peer));
});
wss.on('listening', () => {
  const address = wss.address();
  if (address === null || typeof address === 'string') throw new Error(`unexpected address ${address}`);
  process.stdout.write(`listening ws://${address.address}:${address.port}/lobby\n`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const client of wss.clients) client.terminate();
    wss.close(() => process.exit(0));
  });
}
