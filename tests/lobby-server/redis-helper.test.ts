// The redis-server helper the lobby cluster tests stand on: it answers PING, a kill() takes it
// away, a restart() brings it back at the same url, and stop() is safe to call twice.
import { connect } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { type RedisServer, startRedis } from '../helpers/redis.js';

let redis: RedisServer | null = null;

afterAll(async () => {
  await redis?.stop();
});

/** Sends `PING` over a plain TCP connection; resolves with the first reply line, rejects on a socket error. */
function ping(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      const end = reply.indexOf('\r\n');
      if (end >= 0) {
        socket.destroy();
        resolve(reply.slice(0, end));
      }
    });
    socket.once('error', reject);
  });
}

it('answers PING, goes away on kill(), comes back on the same port on restart()', async () => {
  redis = await startRedis();
  expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
  expect(await ping(redis.port)).toBe('+PONG');

  await redis.kill();
  await expect(ping(redis.port)).rejects.toThrow(/ECONNREFUSED/);

  await redis.restart();
  expect(await ping(redis.port)).toBe('+PONG');

  await redis.stop();
  await expect(ping(redis.port)).rejects.toThrow(/ECONNREFUSED/);
  await redis.stop();
}, 3_000);
