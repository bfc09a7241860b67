/**
 * What the page remembers across reloads: the player's name (localStorage, for every lobby) and
 * the lobby session token (sessionStorage, kept per lobby URL: a token means nothing to another
 * lobby, and must not leak to one), so a reload resumes the session and its room.
 */

/** The part of `Storage` this uses. */
export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem'>;

export interface Remembered {
  /** The name last played under, or null. */
  name(): string | null;
  setName(name: string): void;
  /** This lobby's session token, or null (none, or empty). */
  token(): string | null;
  setToken(token: string): void;
}

const NAME_KEY = 'tickmesh.arena.name';
const tokenKey = (lobbyUrl: string) => `tickmesh.arena.token ${lobbyUrl}`;

/**
 * @example
 * const remembered = createRemembered({ local: localStorage, session: sessionStorage }, params.lobby);
 * const token = remembered.token();
 * const client = createLobbyClient({ url: params.lobby, name, ...(token ? { token } : {}) });
 */
export function createRemembered(
  storage: { local: KeyValueStore; session: KeyValueStore },
  lobbyUrl: string,
): Remembered {
  const key = tokenKey(lobbyUrl);
  return {
    name: () => storage.local.getItem(NAME_KEY),
    setName: (name) => storage.local.setItem(NAME_KEY, name),
    token: () => storage.session.getItem(key) || null,
    setToken: (token) => storage.session.setItem(key, token),
  };
}
