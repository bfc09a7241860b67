/**
 * Builds the browser test page (tests/browser/page: index.html and the `window.__mesh` harness)
 * with Vite's `build()` API into a fresh temporary directory, for the lobby server to serve as its
 * `staticDir`. Workspace packages resolve to their TypeScript sources (the "source" condition), as
 * in vitest.config.ts, so the page runs the netcode under test without a package build.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, defaultClientConditions } from 'vite';

export interface HarnessPage {
  /** The built page: index.html and assets/. */
  dir: string;
  remove(): void;
}

const pageRoot = fileURLToPath(new URL('../browser/page/', import.meta.url));

/** Builds tests/browser/page, or the page in `root` (a bench's, say) the same way. */
export async function buildHarnessPage(root: string = pageRoot): Promise<HarnessPage> {
  const dir = mkdtempSync(join(tmpdir(), 'tickmesh-harness-'));
  try {
    await build({
      root,
      configFile: false,
      logLevel: 'warn',
      mode: 'development',
      resolve: { conditions: ['source', ...defaultClientConditions] },
      build: {
        outDir: dir,
        emptyOutDir: false,
        target: 'es2022',
        minify: false,
        sourcemap: 'inline',
        reportCompressedSize: false,
      },
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
