/**
 * The lobby server for bench:mesh, in its own process so the peers' CPU is measured apart from
 * it: `startLobbyServer` from source on 127.0.0.1, a free port, every other setting at its default
 * (the rate limit included: a mesh must open within it), unless `--no-rate-limit` raises the
 * per-connection rate limit out of the way. Prints its URL; stops on SIGTERM.
 */
import { startLobbyServer } from '@tickmesh/lobby-server';

const OUT_OF_THE_WAY = 1_000_000;
const noRateLimit = process.argv.includes('--no-rate-limit');
const server = await startLobbyServer({
  host: '127.0.0.1',
  port: 0,
  metricsPort: 0,
  ...(noRateLimit ? { rateLimitPerS: OUT_OF_THE_WAY, rateBurst: OUT_OF_THE_WAY } : {}),
});
process.stdout.write(`${server.url}\n`);
const stop = () => {
  void server.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
