/**
 * What the page remembers across reloads: the player's name and sound settings (localStorage,
 * for every lobby) and
 * the lobby session token (sessionStorage, kept per lobby URL: a token means nothing to another
 * lobby, and must not leak to one), so a reload resumes the session and its room.
 */
import type { SoundSettings } from '../audio/sound-board.js';

/** The part of `Storage` this uses. */
export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem'>;

export interface Remembered {
  /** The name last played under, or null. */
  name(): string | null;
  setName(name: string): void;
  /** This lobby's session token, or null (none, or empty). */
  token(): string | null;
  setToken(token: string): void;
  /** The sound settings last chosen, or null (none, or unreadable). */
  sound(): SoundSettings | null;
  setSound(settings: SoundSettings): void;
}

const NAME_KEY = 'tickmesh.arena.name';
const SOUND_KEY = 'tickmesh.arena.sound';
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
    sound: () => parseSoundSettings(storage.local.getItem(SOUND_KEY)),
    setSound: (settings) => storage.local.setItem(SOUND_KEY, JSON.stringify(settings)),
  };
}

/** Sound settings as stored (JSON), or null when absent or not what this page wrote. */
export function parseSoundSettings(text: string | null): SoundSettings | null {
  if (text === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { volume, muted } = value as Record<string, unknown>;
  if (typeof volume !== 'number' || !Number.isFinite(volume) || typeof muted !== 'boolean') return null;
  return { volume: Math.min(1, Math.max(0, volume)), muted };
}
