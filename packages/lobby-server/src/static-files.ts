/**
 * Static files for the demo game: read once, kept in memory (a built game is a few MB at most),
 * never outside `root`: no path segment that starts with a dot (`.env`, `.git/`), and no file
 * whose real path (symbolic links followed) leaves the root.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';

export interface StaticFile {
  body: Buffer;
  contentType: string;
  /** Hashed Vite assets can be cached for a long time; pages must be revalidated. */
  cacheControl: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
  '.mp3': 'audio/mpeg',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function createStaticFiles(rootDir: string) {
  const root = resolve(rootDir);
  /** The root with its own links resolved, so a root that is itself a link still serves. */
  let realRoot: string | null = null;
  const cache = new Map<string, StaticFile | null>();

  const inside = (path: string, dir: string) => path === dir || path.startsWith(dir + sep);

  function load(path: string): StaticFile | null {
    try {
      realRoot ??= realpathSync(root);
      const stat = statSync(path);
      const file = stat.isDirectory() ? join(path, 'index.html') : path;
      if (!inside(realpathSync(file), realRoot)) return null; // a link out of the root
      const body = readFileSync(file);
      const ext = extname(file).toLowerCase();
      return {
        body,
        contentType: TYPES[ext] ?? 'application/octet-stream',
        cacheControl: file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      };
    } catch {
      return null; // missing or unreadable: a 404, not an error
    }
  }

  return {
    /** The file for a URL path (without query), or null for 404. */
    lookup(urlPath: string): StaticFile | null {
      let decoded: string;
      try {
        decoded = decodeURIComponent(urlPath);
      } catch {
        return null;
      }
      if (decoded.includes('\0')) return null;
      // Dotfiles and dot-directories are never served (and `..` never gets as far as a join).
      if (decoded.split(/[\\/]/).some((segment) => segment.startsWith('.'))) return null;
      const path = normalize(join(root, decoded));
      if (!inside(path, root)) return null;
      let file = cache.get(path);
      if (file === undefined) {
        file = load(path);
        if (cache.size < 10_000) cache.set(path, file);
      }
      return file;
    },
  };
}
