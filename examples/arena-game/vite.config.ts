// Vite for the arena demo. `npm run dev` serves it with hot reload and starts a lobby server in the
// same process, proxied at /lobby on the page's own origin (as `npm start` serves the build).
// Set TICKMESH_LOBBY_URL (e.g. ws://127.0.0.1:8080) to proxy to a lobby server you run yourself.
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

const external = process.env.TICKMESH_LOBBY_URL;
const lobbyPort = Number(process.env.TICKMESH_DEV_LOBBY_PORT ?? 8787);

/** Starts the lobby server beside the dev server (not for `vite build`). */
function devLobby(): Plugin {
  return {
    name: 'tickmesh-dev-lobby',
    apply: 'serve',
    async configureServer(server) {
      if (external) return;
      const { startLobbyServer } = await import('@tickmesh/lobby-server');
      const lobby = await startLobbyServer({ host: '127.0.0.1', port: lobbyPort, metricsPort: 0 });
      server.config.logger.info(`  tickmesh lobby: ${lobby.url} (proxied at /lobby)`);
      server.httpServer?.once('close', () => void lobby.close());
    },
  };
}

export default defineConfig({
  resolve: { conditions: ['source', ...defaultClientConditions] },
  plugins: [devLobby()],
  server: {
    proxy: { '/lobby': { target: external ?? `ws://127.0.0.1:${lobbyPort}`, ws: true } },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
    reportCompressedSize: false,
    // Two pages: the game, and the report viewer (its uPlot stays out of the game's bundle).
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL('./index.html', import.meta.url)),
        report: fileURLToPath(new URL('./report.html', import.meta.url)),
      },
    },
  },
});
