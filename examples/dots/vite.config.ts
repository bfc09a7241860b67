// Vite for the dots example. `npm run dev -w examples/dots` serves the page with hot reload and
// starts a lobby server in the same process, on a free port, proxied at /lobby on the page's own
// origin (so the page's `ws://${location.host}/lobby` reaches it). Set TICKMESH_LOBBY_URL (e.g.
// http://127.0.0.1:8080) to proxy to a lobby you run yourself (`npx tickmesh-lobby`) instead.
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

const external = process.env.TICKMESH_LOBBY_URL;

/** Starts a lobby server beside the dev server and proxies /lobby (WebSocket upgrades included) to it. */
function devLobby(): Plugin {
  let lobby: { url: string; close(): Promise<void> } | null = null;
  return {
    name: 'tickmesh-dev-lobby',
    apply: 'serve',
    async config() {
      if (external) return { server: { proxy: { '/lobby': { target: external, ws: true } } } };
      const { startLobbyServer } = await import('@tickmesh/lobby-server');
      const started = await startLobbyServer({ host: '127.0.0.1', port: 0, metricsPort: 0 });
      lobby = started;
      return { server: { proxy: { '/lobby': { target: `http://127.0.0.1:${started.port}`, ws: true } } } };
    },
    configureServer(server) {
      if (lobby) server.config.logger.info(`  tickmesh lobby: ${lobby.url} (proxied at /lobby)`);
      server.httpServer?.once('close', () => void lobby?.close());
    },
  };
}

export default defineConfig({
  // Inside this repo: workspace packages from their TypeScript sources (not needed in your own game).
  resolve: { conditions: ['source', ...defaultClientConditions] },
  plugins: [devLobby()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
});
