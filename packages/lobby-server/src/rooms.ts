/**
 * The rooms a lobby holds: one room actor per code, the public ones in creation order for
 * `room.list`, and the codes of deleted rooms kept out of circulation for a while. Every change of
 * a room, whether a request or the countdown timer caused it, reaches every connected member as a
 * `room.state` with its ticket (signing.ts), echoing the `rid` of whoever caused it.
 */
import type { ErrorCode, PeerInfo, Rid, Room, RoomListEntry, RoomSettings } from '@tickmesh/protocol';
import { RoomState } from '@tickmesh/protocol';
import { type Actor, type ActorOptions, type AnyActorLogic, createActor } from 'xstate';
import type { AddressBook } from './addresses.js';
import type { LobbyConfig } from './config.js';
import type { IdSource } from './ids.js';
import type { TimerClock } from './machines/machine-runner.js';
import {
  type RoomContext,
  type RoomEvent,
  restoredRoom,
  roomMachine,
  takenOverRoom,
  toWireRoom,
} from './machines/room.machine.js';
import type { Connection } from './sessions.js';
import type { Signer } from './signing.js';

/** XState's timer clock (not exported by name): its default uses setTimeout; tests pass a `SimulatedClock`. */
export type MachineClock = NonNullable<ActorOptions<AnyActorLogic>['clock']>;

/** Who caused the event a room is processing, so their copy of `room.state` echoes their `rid`. */
export interface Cause {
  peerId: string;
  rid: Rid | undefined;
}

export interface RoomEntry {
  readonly code: string;
  readonly actor: Actor<typeof roomMachine>;
  /** The creator's address: the room counts against its `maxRoomsPerIp` while it lives. */
  readonly address: string;
  /** Creation order among all rooms; `room.list` pages by it. */
  readonly listSeq: number;
  cause: Cause | null;
  rejection: ErrorCode | null;
  broadcasted: boolean;
  last: { value: unknown; context: RoomContext };
}

export interface RoomDirectoryDeps {
  config: Pick<LobbyConfig, 'graceMs' | 'countdownMs'>;
  ids: IdSource;
  signer: Signer;
  addresses: AddressBook;
  /** Wall clock, epoch ms (`countdownEndsAt`, code retirement). */
  now: () => number;
  /** Clock for machine timers; XState's default (setTimeout) when absent. */
  clock: MachineClock | undefined;
  timerClock: TimerClock;
  /** The live connection of a member, if it has one. */
  connectionOf: (peerId: string) => Connection | null;
  /** Whether `peerId`'s session (connected or in its grace) is a member of room `code`. */
  inRoom: (peerId: string, code: string) => boolean;
  /** `chars` (UTF-16 units) were sent to other members because of `cause`'s request (or of a timer, when null). */
  chargeFanout: (cause: Cause | null, chars: number) => void;
  /** A room changed, before its members are told (a cluster saves it here: see cluster/node.ts). */
  onChange?: (entry: RoomEntry) => void;
  /** A room ended (its last member is gone). */
  onRemoved?: (entry: RoomEntry) => void;
}

/** A room code is not handed out again for this long after its room is deleted. */
const CODE_RETIREMENT_MS = 10 * 60 * 1000;

export type RoomDirectory = ReturnType<typeof createRoomDirectory>;

export function createRoomDirectory(deps: RoomDirectoryDeps) {
  const { config, ids, signer, addresses, now, timerClock, connectionOf, inRoom, chargeFanout } = deps;
  const rooms = new Map<string, RoomEntry>();
  /** Public rooms in creation order, for `room.list` pages. */
  const publicRooms: RoomEntry[] = [];
  let nextListSeq = 1;
  /** Deleted rooms' codes and when they may be reused; insertion order is expiry order. */
  const retiredCodes = new Map<string, number>();
  const clockOption = deps.clock ? { clock: deps.clock } : {};

  function newRoomCode(): string {
    const t = now();
    for (const [code, until] of retiredCodes) {
      if (until > t) break;
      retiredCodes.delete(code);
    }
    for (;;) {
      const code = ids.roomCode();
      if (!rooms.has(code) && !retiredCodes.has(code)) return code;
    }
  }

  /**
   * A `room.state` of `entry` as text without its closing brace, with its ticket (a restart can
   * give the room back to whoever holds both): built once per change, closed by {@link closeState}.
   */
  function stateHead(entry: RoomEntry): { head: string; peers: readonly PeerInfo[] } {
    const snapshot = entry.actor.getSnapshot();
    const room = toWireRoom(snapshot.context, snapshot.value as RoomState);
    const roomJson = JSON.stringify(room);
    const ticket = JSON.stringify(signer.roomTicket(roomJson));
    return { head: `{"type":"room.state","room":${roomJson},"ticket":${ticket}`, peers: room.peers };
  }

  /** Sends the room's state to every connected member, charging what the others got to the cause. */
  function broadcast(entry: RoomEntry, cause: Cause | null = entry.cause): void {
    const { head, peers } = stateHead(entry);
    const plain = `${head}}`;
    let others = 0;
    for (const peer of peers) {
      const conn = connectionOf(peer.id);
      if (!conn) continue;
      if (cause && cause.peerId === peer.id) {
        conn.send(closeState(head, cause.rid));
      } else {
        conn.send(plain);
        others++;
      }
    }
    entry.broadcasted = true;
    if (others > 0) chargeFanout(cause, others * plain.length);
  }

  /** Registers a room actor: its broadcasts, its deletion, the indexes; then starts it. */
  function track(code: string, isPublic: boolean, actor: Actor<typeof roomMachine>, address: string): RoomEntry {
    const initial = actor.getSnapshot();
    const entry: RoomEntry = {
      code,
      actor,
      address,
      listSeq: nextListSeq++,
      cause: null,
      rejection: null,
      broadcasted: false,
      last: { value: initial.value, context: initial.context },
    };
    actor.on('rejected', (e) => {
      entry.rejection = e.code;
    });
    actor.subscribe((snapshot) => {
      if (snapshot.status === 'done') {
        remove(entry);
        return;
      }
      if (snapshot.value === entry.last.value && snapshot.context === entry.last.context) return;
      entry.last = { value: snapshot.value, context: snapshot.context };
      deps.onChange?.(entry);
      broadcast(entry);
    });
    rooms.set(code, entry);
    if (isPublic) publicRooms.push(entry);
    addresses.roomOpened(address);
    actor.start();
    return entry;
  }

  /** The room machine reached `closed` (its last member is gone); the actor has stopped itself. */
  function remove(entry: RoomEntry): void {
    if (rooms.get(entry.code) !== entry) return;
    rooms.delete(entry.code);
    const index = publicRooms.indexOf(entry);
    if (index >= 0) publicRooms.splice(index, 1);
    addresses.roomClosed(entry.address);
    retiredCodes.set(entry.code, now() + CODE_RETIREMENT_MS);
    deps.onRemoved?.(entry);
  }

  /**
   * Stops running a room without ending it: another node runs it now (this one lost its lease).
   * Nobody is told; the members' connections find the room's new home.
   */
  function drop(code: string): RoomEntry | null {
    const entry = rooms.get(code);
    if (!entry) return null;
    rooms.delete(code);
    const index = publicRooms.indexOf(entry);
    if (index >= 0) publicRooms.splice(index, 1);
    addresses.roomClosed(entry.address);
    entry.actor.stop();
    return entry;
  }

  /** A new room with `creator` its only member and host; its first state goes out with `cause`. */
  function create(
    options: { public: boolean; maxPlayers: number; settings: RoomSettings },
    creator: { id: string; name: string },
    address: string,
    cause: Cause,
    /** A code the caller reserved (a cluster reserves codes cluster-wide); a new one when absent. */
    code = newRoomCode(),
  ): RoomEntry {
    const actor = createActor(roomMachine, {
      ...clockOption,
      input: { code, ...options, creator, countdownMs: config.countdownMs, now },
    });
    const entry = track(code, options.public, actor, address);
    broadcast(entry, cause);
    return entry;
  }

  /**
   * Brings back a room a restart lost, from a member's ticket: the other members away, the host
   * kept, a playing room playing. Members not back in it when the grace ends are removed, as if their
   * own grace had run out: a member whose session is elsewhere (it came back but did not restore,
   * or joined another room) has no grace of this room's that would ever remove it.
   */
  function restore(room: Room, by: { id: string; name: string }, address: string, cause: Cause): RoomEntry {
    const snapshot = restoredRoom({ room, by: by.id, countdownMs: config.countdownMs, now });
    // XState takes the input too, and ignores it when it starts from a snapshot.
    const input = {
      code: room.code,
      public: room.public,
      maxPlayers: room.maxPlayers,
      settings: room.settings,
      creator: by,
      countdownMs: config.countdownMs,
      now,
    };
    const actor = createActor(roomMachine, { ...clockOption, snapshot, input });
    const entry = track(room.code, room.public, actor, address);
    endRestoreAfterGrace(entry);
    broadcast(entry, cause);
    return entry;
  }

  /**
   * Runs a room another node ran until it died or shut down, as that node last saved it
   * (cluster/node.ts): every member away until it comes back, restoring for one grace as after
   * {@link restore}, a countdown's timer armed again for the deadline it had. Nobody is told yet:
   * the first member back is, as it resumes.
   */
  function takeOver(code: string, persisted: string, address: string): RoomEntry {
    const snapshot = takenOverRoom({ persisted, countdownMs: config.countdownMs, now });
    const { context } = snapshot;
    const input = { ...context, creator: { id: context.hostId, name: '' } };
    const actor = createActor(roomMachine, { ...clockOption, snapshot, input });
    const entry = track(code, context.public, actor, address);
    const deadline = context.countdownEndsAt;
    if (snapshot.value === RoomState.COUNTDOWN && deadline !== null) {
      timerClock.setTimeout(
        () => {
          // Only the countdown it was armed for: one stopped and started again has its own timer.
          const counting = entry.actor.getSnapshot().context.countdownEndsAt === deadline;
          if (rooms.get(code) === entry && counting) dispatch(entry, { type: 'countdownElapsed' }, null);
        },
        Math.max(0, deadline - now()),
      );
    }
    endRestoreAfterGrace(entry);
    return entry;
  }

  /** Members not back in a restored room when the grace ends are removed; then the usual rules apply. */
  function endRestoreAfterGrace(entry: RoomEntry): void {
    timerClock.setTimeout(() => {
      if (rooms.get(entry.code) !== entry) return;
      for (const peer of entry.actor.getSnapshot().context.peers) {
        if (!peer.connected && !inRoom(peer.id, entry.code)) dispatch(entry, { type: 'leave', by: peer.id }, null);
      }
      if (rooms.get(entry.code) === entry) dispatch(entry, { type: 'restoreEnded' }, null);
    }, config.graceMs);
  }

  /** Sends `event` to a room on behalf of `cause`; returns the refusal code, if refused. */
  function dispatch(entry: RoomEntry, event: RoomEvent, cause: Cause | null): ErrorCode | null {
    entry.cause = cause;
    entry.rejection = null;
    entry.broadcasted = false;
    entry.actor.send(event);
    entry.cause = null;
    return entry.rejection;
  }

  /** Answers the sender with the current room when its accepted request changed nothing. */
  function answerUnchanged(entry: RoomEntry, conn: Connection, rid: Rid | undefined): void {
    if (entry.broadcasted) return;
    conn.send(closeState(stateHead(entry).head, rid));
  }

  /** The open public room quick play joins: the fullest with a free seat; on a tie, the oldest. */
  function quickplayPick(): RoomEntry | null {
    // Rooms iterate in creation order, so on a tie the first seen (the oldest) stays best.
    let best: RoomEntry | null = null;
    let bestPlayers = -1;
    for (const entry of rooms.values()) {
      const { context, value } = entry.actor.getSnapshot();
      if (!context.public || value !== RoomState.OPEN) continue;
      const players = context.peers.length;
      if (players < context.maxPlayers && players > bestPlayers) {
        best = entry;
        bestPlayers = players;
      }
    }
    return best;
  }

  /** One page of the public rooms in creation order after `cursor` (a `listSeq` in base 36). */
  function page(cursor: string | undefined, limit: number): { rooms: RoomListEntry[]; next?: string } {
    const after = cursor === undefined ? 0 : Number.parseInt(cursor, 36) || 0;
    // publicRooms is sorted by listSeq: find the first room after the cursor by bisection.
    let lo = 0;
    let hi = publicRooms.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((publicRooms[mid]?.listSeq ?? 0) <= after) lo = mid + 1;
      else hi = mid;
    }
    const entries = publicRooms.slice(lo, lo + limit);
    const list = entries.map((entry): RoomListEntry => {
      const { context, value } = entry.actor.getSnapshot();
      return {
        code: entry.code,
        players: context.peers.length,
        maxPlayers: context.maxPlayers,
        state: value as RoomState,
      };
    });
    const last = entries.at(-1);
    const more = lo + limit < publicRooms.length && last !== undefined;
    return more ? { rooms: list, next: last.listSeq.toString(36) } : { rooms: list };
  }

  /** Server shutdown: `notify` for every room, then every room actor stops. */
  function clear(notify: (entry: RoomEntry) => void): void {
    for (const entry of rooms.values()) {
      notify(entry);
      entry.actor.stop();
    }
    rooms.clear();
    publicRooms.length = 0;
  }

  return {
    create,
    restore,
    takeOver,
    drop,
    newRoomCode,
    dispatch,
    answerUnchanged,
    quickplayPick,
    page,
    clear,
    get: (code: string) => rooms.get(code),
    isRetired: (code: string) => retiredCodes.has(code),
    size: () => rooms.size,
    byState(): Record<string, number> {
      const counts: Record<string, number> = {};
      for (const entry of rooms.values()) {
        const state = entry.actor.getSnapshot().value as string;
        counts[state] = (counts[state] ?? 0) + 1;
      }
      return counts;
    },
  };
}

/** A `room.state` head closed, with `rid` for the sender of the request that caused it. */
function closeState(head: string, rid: Rid | undefined): string {
  return rid === undefined ? `${head}}` : `${head},"rid":${JSON.stringify(rid)}}`;
}
