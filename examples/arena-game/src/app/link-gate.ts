/**
 * The links a match needs, as the player sees them: for the host, the start gate (Start waits
 * until this page's link to every member is up, and offers to start without a member who has been
 * waited for `offerWithoutAfterMs`); for anyone, the members whose link has been down for
 * `stuckAfterMs` (said in plain words, with what to try); and the player the match started
 * without (in a match, no link to the host and nothing to draw), who is told so instead of being
 * shown an empty arena.
 *
 * Pure: the app keeps the `LinkWait` and steps it on its clock (`stepLinkWait`).
 */
import type { LinkState, Room } from '@tickmesh/netcode';

/** The gate's timings, ms. */
export const linkGateDefaults = {
  /** The host is offered "Start without …" once a member's link has been down this long. */
  offerWithoutAfterMs: 5_000,
  /** A link down this long is called stuck: the player is told whom it is with and what to try. */
  stuckAfterMs: 8_000,
};
export type LinkGateTuning = typeof linkGateDefaults;

/** Since when (this page's clock, ms) each member's link has been down; members whose link is up are absent. */
export type LinkWait = ReadonlyMap<string, number>;

export const NO_LINK_WAIT: LinkWait = new Map();

/** Another member as the gate needs it: id, name, and this page's link to them (null: none yet). */
interface Member {
  id: string;
  name: string;
}

/** The other connected members of the room (members away from the lobby cannot be in the match anyway). */
function others(room: Room, selfId: string): Member[] {
  return room.peers.filter((p) => p.id !== selfId && p.connected);
}

/** The wait stepped to `nowMs`: a link that is up leaves it, one that is down keeps (or starts) its time. */
export function stepLinkWait(
  wait: LinkWait,
  room: Room | null,
  selfId: string | null,
  links: ReadonlyMap<string, LinkState | null>,
  nowMs: number,
): LinkWait {
  if (!room || !selfId) return wait.size === 0 ? wait : NO_LINK_WAIT;
  const next = new Map<string, number>();
  for (const m of others(room, selfId)) {
    if (links.get(m.id) !== 'connected') next.set(m.id, wait.get(m.id) ?? nowMs);
  }
  return next;
}

export interface StartGate {
  /** Names of the members this page has no link to yet, in room order. */
  waitingFor: string[];
  /** Names of those waited for long enough to offer starting without them. */
  startWithout: string[];
}

export const OPEN_GATE: StartGate = { waitingFor: [], startWithout: [] };

/** The host's start gate now. */
export function startGate(
  wait: LinkWait,
  room: Room,
  selfId: string,
  nowMs: number,
  tuning: LinkGateTuning = linkGateDefaults,
): StartGate {
  const waiting = others(room, selfId).filter((m) => wait.has(m.id));
  const long = waiting.filter((m) => nowMs - (wait.get(m.id) ?? nowMs) >= tuning.offerWithoutAfterMs);
  return { waitingFor: waiting.map((m) => m.name), startWithout: long.map((m) => m.name) };
}

/** Names of the members whose link has been down at least `stuckAfterMs`. */
export function stuckLinks(
  wait: LinkWait,
  room: Room,
  selfId: string,
  nowMs: number,
  tuning: LinkGateTuning = linkGateDefaults,
): string[] {
  return others(room, selfId)
    .filter((m) => nowMs - (wait.get(m.id) ?? nowMs) >= tuning.stuckAfterMs)
    .map((m) => m.name);
}

/** "Bob", "Bob and Cy", "Bob, Cy and Dee". */
export function namesText(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** What the host's room lobby says while the gate is shut. */
export function waitingText(gate: StartGate): string {
  return `Waiting for ${namesText(gate.waitingFor)}'s connection…`;
}

/** What this page's relay setting and the lobby's ICE servers leave to try. */
export interface RelayState {
  /** Links forced through TURN (the netgraph's box, or `relay=1`). */
  relayOn: boolean;
  /** The lobby hands out a TURN server. */
  turnOffered: boolean;
}

/** What to try when links do not come up, in plain words. */
export function whatToTry({ relayOn, turnOffered }: RelayState): string {
  if (relayOn && !turnOffered)
    return 'Relay (TURN) is on, but this server offers none: turn it off in the netgraph (F3).';
  if (!relayOn && turnOffered) return 'Try turning on relay (TURN) in the netgraph (F3), or another network.';
  return 'Try another network (a phone hotspot, say).';
}

/** What a player whose links are stuck is told: with whom, and what to try. */
export function stuckText(names: readonly string[], relay: RelayState): string {
  return `Can't connect to ${namesText(names)}. ${whatToTry(relay)}`;
}

/**
 * Whether the match started without this player: the room is playing, this page is not its host,
 * has no link to the host and nothing to draw (a link lost mid-match, with a world already drawn,
 * is the HUD's business, not this).
 */
export function leftOut(
  room: Room | null,
  selfId: string | null,
  hostLink: LinkState | null,
  hasView: boolean,
): boolean {
  return room?.state === 'playing' && selfId !== null && room.hostId !== selfId && hostLink !== 'connected' && !hasView;
}

/** What the player the match started without is told. */
export function leftOutText(relay: RelayState): { title: string; body: string } {
  return {
    title: 'The match started without you',
    body: `Your connection to the others did not come up. ${whatToTry(relay)} You stay in the room, and join in as soon as your connection comes up.`,
  };
}
