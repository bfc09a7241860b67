/**
 * The page's URL parameters: the stable automation surface (README "Arena demo"), also what an
 * invite link (`/?room=CODE`) carries.
 */
import { CONDITION_LIMITS, type NetConditions } from './conditions.js';

export interface ArenaParams {
  /** Player name; also remembered in localStorage once used. */
  name: string | null;
  /** Join this room at once (needs a name). */
  room: string | null;
  /** Create a private room at once. */
  create: boolean;
  /** Join or create a public room at once. */
  quickplay: boolean;
  /** Mark ready as soon as the page is in a room. */
  ready: boolean;
  /** Round length, s (10-3600), of a room this page creates; null: the default (2 min). Short rounds are for tests. */
  roundS: number | null;
  /** Start the microphone on entering a room (1), or never ask (0); null: wait for the mic button. */
  voice: boolean | null;
  /** Force every link through TURN (`iceTransportPolicy: 'relay'`). */
  relay: boolean;
  /**
   * Lobby WebSocket URL, or the URLs of a lobby cluster's nodes separated by commas (the client
   * moves to the next when one fails); default: the page's own origin, path `/lobby`.
   */
  lobby: string;
  /**
   * The netgraph's conditioner from the start: `lag=MS`, `jitter=MS`, `loss=PERCENT`, each added
   * to both directions of every link (conditions.ts). Whole numbers within the sliders' ranges
   * (`CONDITION_LIMITS`); a missing or bad value is 0.
   */
  conditions: NetConditions;
}

const flag = (v: string | null): boolean => v === '1' || v === 'true';

export function readParams(location: Pick<Location, 'search' | 'protocol' | 'host'>): ArenaParams {
  const q = new URLSearchParams(location.search);
  const voice = q.get('voice');
  const sameOrigin = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/lobby`;
  return {
    name: q.get('name')?.trim().slice(0, 24) || null,
    room: q.get('room')?.trim().toUpperCase() || null,
    create: flag(q.get('create')),
    quickplay: flag(q.get('quickplay')),
    ready: flag(q.get('ready')),
    roundS: roundLength(q.get('round')),
    voice: voice === null ? null : flag(voice),
    relay: flag(q.get('relay')),
    lobby: q.get('lobby') || sameOrigin,
    conditions: {
      latencyMs: conditionValue(q.get('lag'), CONDITION_LIMITS.latencyMs),
      jitterMs: conditionValue(q.get('jitter'), CONDITION_LIMITS.jitterMs),
      loss: conditionValue(q.get('loss'), CONDITION_LIMITS.lossPercent) / 100,
    },
  };
}

/** A round length in whole seconds within what the simulation accepts, or null. */
function roundLength(v: string | null): number | null {
  const s = v === null ? Number.NaN : Number(v);
  return Number.isInteger(s) && s >= 10 && s <= 3600 ? s : null;
}

/** A conditioner setting: a whole number within 0..max, or 0 (nothing added). */
function conditionValue(v: string | null, max: number): number {
  const n = v === null ? Number.NaN : Number(v);
  return Number.isInteger(n) && n >= 0 && n <= max ? n : 0;
}

/** The invite link for a room: this page with `?room=CODE` and nothing else. */
export function inviteLink(location: Location, code: string): string {
  return `${location.origin}${location.pathname}?room=${encodeURIComponent(code)}`;
}
