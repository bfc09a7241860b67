/**
 * The arena's service worker: the app shell (the page, its script and stylesheet) network first,
 * the last copy that loaded when the network fails. The game server also serves the page, so
 * without this a reload while it is down shows the browser's own error page; with it the page
 * loads and says the game server is unreachable (and retries).
 *
 * Never in the way of an update: every request goes to the network first, and a page fetched
 * from it replaces the cached one (its old scripts and stylesheets are dropped from the cache).
 * Only same-origin GETs are touched; the lobby's WebSocket, /healthz and /metrics are not.
 */
const CACHE = 'tickmesh-arena-shell-v1';
/** The cache key of the page, whatever its query (`?room=`, `?name=`). */
const PAGE = '/';
const SKIP = /^\/(lobby|healthz|metrics)\b/;

/** The scripts and stylesheets a page names (Vite's hashed `/assets/...`). */
function assetsOf(html) {
  return [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
}

/** Keeps `page` (a response to a navigation) and what it names; drops assets it no longer names. */
async function keepShell(cache, page) {
  const html = await page.clone().text();
  const assets = assetsOf(html);
  await cache.put(PAGE, page);
  await Promise.all(
    assets.map(async (path) => {
      if (await cache.match(path)) return;
      const response = await fetch(path);
      if (response.ok) await cache.put(path, response);
    }),
  );
  const wanted = new Set(assets.map((path) => new URL(path, self.location.origin).href));
  for (const request of await cache.keys()) {
    const url = new URL(request.url);
    if (url.pathname.startsWith('/assets/') && !wanted.has(url.href)) await cache.delete(request);
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const page = await fetch(PAGE, { cache: 'no-cache' });
      if (page.ok) await keepShell(cache, page);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || SKIP.test(url.pathname)) return;
  // Only the game's page is the shell (not /report.html, the report viewer).
  const navigation = request.mode === 'navigate' && (url.pathname === '/' || url.pathname === '/index.html');
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      try {
        const response = await fetch(request);
        if (navigation && response.ok) event.waitUntil(keepShell(cache, response.clone()));
        return response;
      } catch (error) {
        const cached = await cache.match(navigation ? PAGE : request);
        if (cached) return cached;
        throw error;
      }
    })(),
  );
});
