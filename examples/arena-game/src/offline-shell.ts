/**
 * Registers the service worker (public/sw.js) that keeps the app shell, so a reload while the game
 * server is down still shows the game, which then says the server is unreachable, instead of the
 * browser's error page. Only for the built game on http(s) pages where the browser offers service
 * workers (a secure context: https, or localhost); the dev server's hot reload is left alone.
 */

/** What came of it: registered, not offered here, or refused (the page works online without it). */
export type OfflineShell = { kind: 'registered' } | { kind: 'unavailable' } | { kind: 'refused'; reason: string };

/**
 * @example
 * void registerOfflineShell({ location: window.location, navigator: window.navigator, built: import.meta.hot === undefined });
 */
export async function registerOfflineShell(deps: {
  location: Pick<Location, 'protocol'>;
  navigator: Navigator;
  /**
   * The built game, not Vite's dev server: `import.meta.hot` is undefined (not `env.PROD`, which
   * follows NODE_ENV and is false in a build made under a test runner).
   */
  built: boolean;
}): Promise<OfflineShell> {
  const { location, navigator } = deps;
  if (!deps.built || !/^https?:$/.test(location.protocol) || !('serviceWorker' in navigator)) {
    return { kind: 'unavailable' };
  }
  try {
    await navigator.serviceWorker.register('/sw.js');
    return { kind: 'registered' };
  } catch (error) {
    return { kind: 'refused', reason: String(error) };
  }
}
