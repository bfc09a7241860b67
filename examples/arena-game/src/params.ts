/**
 * The page's URL parameters: the stable automation surface (README "Arena demo"), also what an
 * invite link (`/?room=CODE&from=NAME`) carries.
 */
import { resolveTuning, type SyncTuning, syncDefaults } from '@tickmesh/netcode';
import { CONDITION_LIMITS, type NetConditions } from './conditions.js';

export interface ArenaParams {
  /** Player name; also remembered in localStorage once used. */
  name: string | null;
  /** Join this room at once (needs a name). */
  room: string | null;
  /**
   * Who sent the invite (`from=`, plain text: trimmed, at most 24 characters, none invisible or
   * control); null when absent or not a plain name. An invite page asks before joining.
   */
  from: string | null;
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
  /**
   * Sync tuning overrides (`SyncTuning`, docs/netcode.md) for this page's session:
   * `sync=remotePlayers:predicted` or `sync=snapshotRateHz:30,jitterStatistic:mean`. An entry whose
   * key is not a tuning value or whose value is not of its type is ignored; a combination the sync
   * layer refuses (`resolveTuning`, e.g. `snapshotRateHz:7` at 60 ticks/s) is ignored whole: {}.
   */
  sync: Partial<SyncTuning>;
}

const flag = (v: string | null): boolean => v === '1' || v === 'true';

export function readParams(location: Pick<Location, 'search' | 'protocol' | 'host'>): ArenaParams {
  const q = new URLSearchParams(location.search);
  const voice = q.get('voice');
  const sameOrigin = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/lobby`;
  return {
    name: q.get('name')?.trim().slice(0, 24) || null,
    room: q.get('room')?.trim().toUpperCase() || null,
    from: inviterName(q.get('from')),
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
    sync: syncOverrides(q.get('sync')),
  };
}

/** The longest inviter name shown, in characters (the lobby's own limit for names). */
const MAX_INVITER_CHARS = 24;

/** Control and format characters (C0, C1, bidi overrides, zero-width): never part of a plain name. */
const NOT_PLAIN = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}]/u;

/** `from=` as a name to show: trimmed, cut to 24 characters, and only plain visible text; else null. */
export function inviterName(v: string | null): string | null {
  const name = Array.from(v?.trim() ?? '')
    .slice(0, MAX_INVITER_CHARS)
    .join('')
    .trim();
  return name !== '' && !NOT_PLAIN.test(name) ? name : null;
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

/** A tuning value as read from the URL: a number, a boolean, or a word not yet checked against its union. */
type SyncValue = number | boolean | string;

/**
 * The `sync=` value of these overrides, for a test or bench that opens pages with them.
 * @example
 * syncParam({ snapshotRateHz: 30, remotePlayers: 'predicted' }); // 'snapshotRateHz:30,remotePlayers:predicted'
 */
export function syncParam(overrides: Partial<SyncTuning>): string {
  return Object.entries(overrides)
    .map(([key, value]) => `${key}:${String(value)}`)
    .join(',');
}

/** `key:value` entries separated by commas, read by the type of each key's default; {} if the sync layer refuses them. */
function syncOverrides(v: string | null): Partial<SyncTuning> {
  const overrides: Record<string, SyncValue> = {};
  for (const entry of v?.split(',') ?? []) {
    const colon = entry.indexOf(':');
    const key = entry.slice(0, colon).trim();
    if (colon < 0 || !Object.hasOwn(syncDefaults, key)) continue;
    const value = syncValue(syncDefaults[key as keyof SyncTuning], entry.slice(colon + 1).trim());
    if (value !== null) overrides[key] = value;
  }
  return takenBySync(overrides) ? overrides : {};
}

/** `text` as a value of the same type as `example`: a finite number, `true|1|false|0`, or a word (the sync layer checks which). */
function syncValue(example: SyncValue, text: string): SyncValue | null {
  switch (typeof example) {
    case 'number': {
      const n = text === '' ? Number.NaN : Number(text);
      return Number.isFinite(n) ? n : null;
    }
    case 'boolean':
      return text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : null;
    default:
      return /^[A-Za-z]+$/.test(text) ? text : null;
  }
}

/** Whether the sync layer takes these overrides: `resolveTuning` checks the words and the rates together. */
function takenBySync(overrides: Record<string, SyncValue>): overrides is Partial<SyncTuning> {
  try {
    // The cast is what is being checked: resolveTuning throws a RangeError for a word or a rate it does not take.
    resolveTuning(overrides as Partial<SyncTuning>);
    return true;
  } catch (error) {
    if (error instanceof RangeError) return false;
    throw error;
  }
}

/**
 * The invite link for a room: this page with `?room=CODE`, and `&from=NAME` (who invites) when known.
 * @example
 * inviteLink(location, 'ABC234', 'Ann'); // 'https://arena.example/?room=ABC234&from=Ann'
 */
export function inviteLink(location: Pick<Location, 'origin' | 'pathname'>, code: string, from: string | null): string {
  const base = `${location.origin}${location.pathname}?room=${encodeURIComponent(code)}`;
  return from ? `${base}&from=${encodeURIComponent(from)}` : base;
}
