// --tls-cert / --tls-key: the same lobby over HTTPS and WSS (uWS SSLApp), so browsers on a LAN get
// a secure context. The certificate is made here with openssl.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LobbyServer, startLobbyServer } from '@tickmesh/lobby-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { describeWith } from '../helpers/requirements.js';

let dir = '';
let server: LobbyServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tickmesh-tls-'));
  const args = 'req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1';
  execFileSync('openssl', [...args.split(' '), '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], {
    stdio: 'pipe',
  });
  server = await startLobbyServer({
    host: '127.0.0.1',
    port: 0,
    metricsPort: 0,
    tlsCert: join(dir, 'cert.pem'),
    tlsKey: join(dir, 'key.pem'),
  });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describeWith(['openssl'], 'TLS', () => {
  it('serves wss:// with the given certificate', async () => {
    expect(server.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/lobby$/);
    const ca = readFileSync(join(dir, 'cert.pem'));
    const welcome = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const ws = new WebSocket(server.url, { ca });
      ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', name: 'secure' })));
      ws.on('message', (data) => {
        resolve(JSON.parse(String(data)));
        ws.close();
      });
      ws.on('error', reject);
    });
    expect(welcome).toMatchObject({ type: 'welcome', protocol: 1 });
  });

  it('serves https:// health checks', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: server.port, path: '/healthz', ca: readFileSync(join(dir, 'cert.pem')) },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => {
            text += chunk.toString();
          });
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(JSON.parse(body)).toMatchObject({ ok: true });
  });
});
