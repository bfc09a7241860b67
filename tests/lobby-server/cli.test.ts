// The `tickmesh-lobby` command as a user runs it: the built bin, flags, env, one start line,
// a clean stop on SIGTERM and SIGINT.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const BIN = fileURLToPath(new URL('../../packages/lobby-server/bin/tickmesh-lobby.js', import.meta.url));

function start(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: 'pipe' });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start line; output: ${out}`)), 10_000);
    child.stdout.on('data', () => {
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  return { child, listening, output: () => out };
}

async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  const exited = once(child, 'exit');
  child.kill(signal);
  const [code] = (await exited) as [number | null];
  return code;
}

function hello(url: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, 'ws').replace(/\/$/, '/lobby'));
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', name: 'cli' })));
    ws.on('message', (data) => {
      resolve(JSON.parse(String(data)));
      ws.close();
    });
    ws.on('error', reject);
  });
}

describe('tickmesh-lobby CLI', () => {
  it('lists exactly the documented flags in --help', () => {
    const result = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    const flags = [...result.stdout.matchAll(/^\s+(--[a-z-]+)/gm)].map((m) => m[1]);
    expect(flags).toEqual([
      '--port',
      '--host',
      '--static',
      '--grace-ms',
      '--countdown-ms',
      '--stun-url',
      '--turn-url',
      '--turn-secret',
      '--turn-ttl-s',
      '--rate',
      '--burst',
      '--origin',
      '--tls-cert',
      '--tls-key',
      '--max-conns-per-ip',
      '--max-conns',
      '--trust-proxy',
      '--hello-timeout-ms',
      '--in-bytes-per-s',
      '--max-rooms-per-ip',
      '--max-rooms',
      '--join-failures-per-min',
      '--relay-bytes-per-s',
      '--fanout-bytes-per-s',
      '--metrics-port',
      '--metrics-host',
      '--session-secret',
      '--state-dir',
      '--redis',
      '--node-id',
      '--lease-ms',
    ]);
  });

  it('refuses unknown flags and bad values with exit code 2', () => {
    const unknown = spawnSync(process.execPath, [BIN, '--nope'], { encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('--nope');
    const bad = spawnSync(process.execPath, [BIN, '--port', 'abc'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('port');
    const half = spawnSync(process.execPath, [BIN, '--tls-cert', '/x.pem'], { encoding: 'utf8' });
    expect(half.status).toBe(2);
    // A cluster's nodes must share the secret that signs tokens, or no session could move between them.
    const lonely = spawnSync(process.execPath, [BIN, '--redis', 'redis://127.0.0.1:1'], { encoding: 'utf8' });
    expect(lonely.status).toBe(2);
    expect(lonely.stderr).toContain('--session-secret');
  });

  it('starts with one line naming its URL, serves v1, and stops cleanly on SIGTERM', async () => {
    const server = start(['--host', '127.0.0.1', '--port', '0', '--stun-url', 'stun:127.0.0.1:3478']);
    const url = await server.listening;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const welcome = await hello(url);
    expect(welcome).toMatchObject({ type: 'welcome', protocol: 1, iceServers: [{ urls: ['stun:127.0.0.1:3478'] }] });
    expect(server.output().match(/listening on/g)).toHaveLength(1);
    // /metrics is on its own listener, 127.0.0.1:9464 by default, and named in the start line.
    expect(server.output()).toContain('metrics=http://127.0.0.1:9464/metrics');
    const metrics = await fetch('http://127.0.0.1:9464/metrics');
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('tickmesh_lobby_connections');
    expect((await fetch(`${url}metrics`)).status).toBe(404);
    expect(await stop(server.child, 'SIGTERM')).toBe(0);
  });

  it('takes its settings from the environment, flags winning', async () => {
    const server = start(['--host', '127.0.0.1'], {
      PORT: '0',
      TICKMESH_TURN_URLS: 'turn:127.0.0.1:3478',
      TICKMESH_TURN_SECRET: 's',
      TICKMESH_METRICS_PORT: '0',
      TICKMESH_TRUST_PROXY: 'off',
    });
    const url = await server.listening;
    const welcome = await hello(url);
    expect(welcome).toMatchObject({ iceServers: [{ urls: ['turn:127.0.0.1:3478'] }] });
    expect(server.output()).toMatch(/metrics=http:\/\/127\.0\.0\.1:(\d+)\/metrics/);
    expect(server.output()).not.toContain(':9464/');
    expect(await stop(server.child, 'SIGINT')).toBe(0);
  });
});
