// A client that stops reading is closed (4002) instead of having the server buffer for it without
// bound, and the rest of its room notices it drop.
import { type LobbyServer, startLobbyServer } from '@tickmesh/lobby-server';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { letTimePass } from '../helpers/wait.js';

let server: LobbyServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

function connect(url: string): Promise<{ ws: WebSocket; next: (type: string) => Promise<Record<string, unknown>> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const queue: Record<string, unknown>[] = [];
    const waiters: { type: string; resolve: (m: Record<string, unknown>) => void }[] = [];
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as Record<string, unknown>;
      const i = waiters.findIndex((w) => w.type === msg.type);
      const waiter = i >= 0 ? waiters.splice(i, 1)[0] : undefined;
      if (waiter) waiter.resolve(msg);
      else queue.push(msg);
    });
    const next = (type: string) =>
      new Promise<Record<string, unknown>>((res) => {
        const i = queue.findIndex((m) => m.type === type);
        const found = i >= 0 ? queue.splice(i, 1)[0] : undefined;
        if (found) res(found);
        else waiters.push({ type, resolve: res });
      });
    ws.on('open', () => resolve({ ws, next }));
    ws.on('error', reject);
  });
}

describe('backpressure', () => {
  it('closes a member that stops reading, and its room sees it drop', async () => {
    server = await startLobbyServer({
      host: '127.0.0.1',
      port: 0,
      metricsPort: 0,
      rateLimitPerS: 100_000,
      rateBurst: 100_000,
      // This test is about the transport's slow-consumer close, not the sender's byte budgets.
      relayBytesPerS: 1e9,
      inBytesPerS: 1e9,
    });
    const sender = await connect(server.url);
    const sleeper = await connect(server.url);
    sender.ws.send(JSON.stringify({ type: 'hello', name: 'sender' }));
    await sender.next('welcome');
    sleeper.ws.send(JSON.stringify({ type: 'hello', name: 'sleeper' }));
    const { peerId: sleeperId } = await sleeper.next('welcome');
    sender.ws.send(JSON.stringify({ type: 'room.create' }));
    const created = (await sender.next('room.state')) as { room: { code: string } };
    sleeper.ws.send(JSON.stringify({ type: 'room.join', code: created.room.code }));
    await sleeper.next('room.state');
    await sender.next('room.state');

    sleeper.ws.pause(); // stops reading its TCP socket
    // 30 KB signals until the server gives up on the sleeper: far more than socket buffers hold.
    const data = 'x'.repeat(30_000);
    const frame = JSON.stringify({ type: 'signal', to: sleeperId, data });
    let dropped: Record<string, unknown> | null = null;
    const dropSeen = (async () => {
      for (;;) {
        const state = (await sender.next('room.state')) as { room: { peers: { id: string; connected: boolean }[] } };
        if (state.room.peers.some((p) => p.id === sleeperId && !p.connected)) {
          dropped = state;
          return;
        }
      }
    })();
    for (let i = 0; i < 2000 && !dropped; i++) {
      sender.ws.send(frame);
      if (i % 50 === 49) await letTimePass(5); // a pause between bursts, for the drop's room.state to come in
    }
    await dropSeen;
    expect(dropped).not.toBeNull();

    const metrics = await (await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/tickmesh_lobby_server_closes_total\{reason="slow consumer"\} 1/);
    // The sender was never disturbed.
    sender.ws.send(JSON.stringify({ type: 'ping', t: 42 }));
    expect(await sender.next('pong')).toMatchObject({ t: 42 });
    sender.ws.close();
    sleeper.ws.terminate();
  });
});
