/**
 * The room lifecycle of lobby protocol v1 (docs/lobby-protocol.md, "Room lifecycle"):
 *
 *   open ──start (host, all connected non-hosts ready, ≥2 connected)──► countdown
 *   countdown ──after countdownMs──► playing
 *   countdown ──join, leave, kick, disconnect, any ready change──► open
 *   playing ──end (host), or fewer than 2 connected──► open
 *   any ──last member removed──► closed (final; the registry deletes the room)
 *
 * Entering `open` clears every ready flag. The host is always a connected member while any member
 * is connected: when it leaves, is kicked or drops, the connected peer with the lowest `seq` takes
 * over at once. A refused request changes nothing and emits `rejected` with its error code, so the
 * socket layer can answer without knowing the rules.
 *
 * A room can also be restored (after a lobby restart, from a member's signed room ticket): it
 * starts in the state the ticket says, with the restorer connected and every other member away,
 * and stays `restoring` until the registry ends that window (`restoreEnded`, after the grace).
 * While restoring, members being away is the lobby's doing, not theirs: the host keeps its role
 * and a playing room does not reopen for want of connected members.
 *
 * The machine reads no clock: delays come from the actor's clock, `countdownEndsAt` from `input.now`.
 */
import { ErrorCode, type PeerInfo, type Room, type RoomSettings, RoomState } from '@tickmesh/protocol';
import { assign, emit, not, setup } from 'xstate';

export interface RoomInput {
  code: string;
  public: boolean;
  maxPlayers: number;
  settings: RoomSettings;
  creator: { id: string; name: string };
  /** Length of the pre-game countdown. */
  countdownMs: number;
  /** Wall clock in epoch ms, for `countdownEndsAt` only. */
  now: () => number;
}

/** A room brought back from a ticket (see {@link restoredRoom}). */
export interface RestoredRoom {
  room: Room;
  /** The member restoring it: the only one connected at first. */
  by: string;
  countdownMs: number;
  now: () => number;
}

export interface RoomContext {
  code: string;
  public: boolean;
  maxPlayers: number;
  settings: RoomSettings;
  /** Members in join order (rising `seq`), connected or in reconnect grace. */
  peers: readonly PeerInfo[];
  hostId: string;
  /** The `seq` the next joiner gets; never reused. */
  nextSeq: number;
  countdownEndsAt: number | null;
  countdownMs: number;
  now: () => number;
  /** True while a restored room waits for its members to come back (see the header). */
  restoring: boolean;
}

/** Events the registry sends. `by` is the peer that sent the request. */
export type RoomEvent =
  | { type: 'join'; peer: { id: string; name: string } }
  | { type: 'leave'; by: string }
  | { type: 'kick'; by: string; target: string }
  | { type: 'disconnect'; by: string }
  | { type: 'resume'; by: string; name: string }
  | { type: 'ready'; by: string; ready: boolean }
  | { type: 'settings'; by: string; settings: RoomSettings }
  | { type: 'start'; by: string }
  | { type: 'end'; by: string }
  | { type: 'restoreEnded' }
  /** A countdown's deadline passed on a room taken over from another node (its timer died there). */
  | { type: 'countdownElapsed' };

export type RoomEmitted = { type: 'rejected'; code: ErrorCode };

/** The connected member with the lowest `seq` when the current host is not a connected member. */
function electHost(peers: readonly PeerInfo[], hostId: string): string {
  const current = peers.find((p) => p.id === hostId);
  if (current?.connected) return hostId;
  const connected = peers.find((p) => p.connected);
  return connected?.id ?? current?.id ?? peers[0]?.id ?? hostId;
}

function withPeers(context: RoomContext, peers: readonly PeerInfo[]): Partial<RoomContext> {
  // While restoring, an away host is away because the lobby was: it keeps the role.
  const keep = context.restoring && peers.some((p) => p.id === context.hostId);
  return { peers, hostId: keep ? context.hostId : electHost(peers, context.hostId) };
}

function setPeer(peers: readonly PeerInfo[], id: string, patch: Partial<PeerInfo>): PeerInfo[] {
  return peers.map((p) => (p.id === id ? { ...p, ...patch } : p));
}

export function connectedCount(context: Pick<RoomContext, 'peers'>): number {
  let n = 0;
  for (const p of context.peers) if (p.connected) n++;
  return n;
}

function isMember(context: RoomContext, id: string): boolean {
  return context.peers.some((p) => p.id === id);
}

/** The room as `room.state` carries it. */
export function toWireRoom(context: RoomContext, state: RoomState): Room {
  const room: Room = {
    code: context.code,
    state,
    hostId: context.hostId,
    public: context.public,
    maxPlayers: context.maxPlayers,
    settings: context.settings,
    peers: context.peers.map((p) => ({ ...p })),
  };
  if (state === RoomState.COUNTDOWN && context.countdownEndsAt !== null) room.countdownEndsAt = context.countdownEndsAt;
  return room;
}

const reject = (code: ErrorCode) => ({ type: 'reject', params: { code } }) as const;

export const roomMachine = setup({
  types: {
    context: {} as RoomContext,
    events: {} as RoomEvent,
    input: {} as RoomInput,
    emitted: {} as RoomEmitted,
  },
  delays: {
    countdown: ({ context }) => context.countdownMs,
  },
  guards: {
    isFull: ({ context }) => context.peers.length >= context.maxPlayers,
    allowsLateJoin: ({ context }) => context.settings.lateJoin === true,
    isAlreadyMember: ({ context, event }) => event.type === 'join' && isMember(context, event.peer.id),
    senderIsHost: ({ context, event }) => 'by' in event && event.by === context.hostId,
    senderIsMember: ({ context, event }) => 'by' in event && isMember(context, event.by),
    kickTargetValid: ({ context, event }) =>
      event.type === 'kick' && event.target !== event.by && isMember(context, event.target),
    readyChanges: ({ context, event }) =>
      event.type === 'ready' && context.peers.some((p) => p.id === event.by && p.ready !== event.ready),
    canStart: ({ context }) =>
      connectedCount(context) >= 2 && context.peers.every((p) => !p.connected || p.ready || p.id === context.hostId),
    // While restoring, members come back because the lobby did, not because they were away: the
    // countdown they were all counted ready for goes on.
    resumingPeerNotReady: ({ context, event }) =>
      !context.restoring &&
      event.type === 'resume' &&
      context.peers.some((p) => p.id === event.by && !p.connected && !p.ready),
    fewerThanTwoConnected: ({ context }) => !context.restoring && connectedCount(context) < 2,
    isEmpty: ({ context }) => context.peers.length === 0,
  },
  actions: {
    reject: emit((_, params: { code: ErrorCode }) => ({ type: 'rejected' as const, code: params.code })),
    addPeer: assign(({ context, event }) => {
      if (event.type !== 'join') return {};
      const peer: PeerInfo = {
        id: event.peer.id,
        name: event.peer.name,
        ready: false,
        connected: true,
        seq: context.nextSeq,
      };
      return { ...withPeers(context, [...context.peers, peer]), nextSeq: context.nextSeq + 1 };
    }),
    removeSender: assign(({ context, event }) =>
      'by' in event
        ? withPeers(
            context,
            context.peers.filter((p) => p.id !== event.by),
          )
        : {},
    ),
    removeKickTarget: assign(({ context, event }) =>
      event.type === 'kick'
        ? withPeers(
            context,
            context.peers.filter((p) => p.id !== event.target),
          )
        : {},
    ),
    markDisconnected: assign(({ context, event }) =>
      event.type === 'disconnect' ? withPeers(context, setPeer(context.peers, event.by, { connected: false })) : {},
    ),
    markResumed: assign(({ context, event }) =>
      event.type === 'resume'
        ? withPeers(context, setPeer(context.peers, event.by, { connected: true, name: event.name }))
        : {},
    ),
    setReady: assign(({ context, event }) =>
      event.type === 'ready' ? { peers: setPeer(context.peers, event.by, { ready: event.ready }) } : {},
    ),
    setSettings: assign(({ event }) => (event.type === 'settings' ? { settings: event.settings } : {})),
    clearReady: assign(({ context }) =>
      context.peers.some((p) => p.ready)
        ? { peers: context.peers.map((p) => (p.ready ? { ...p, ready: false } : p)) }
        : {},
    ),
    startCountdown: assign(({ context }) => ({ countdownEndsAt: context.now() + context.countdownMs })),
    stopCountdown: assign({ countdownEndsAt: null }),
    // The usual rules again: an away host loses the role.
    endRestore: assign(({ context }) => ({ restoring: false, hostId: electHost(context.peers, context.hostId) })),
  },
}).createMachine({
  id: 'room',
  context: ({ input }) => ({
    code: input.code,
    public: input.public,
    maxPlayers: input.maxPlayers,
    settings: input.settings,
    peers: [{ id: input.creator.id, name: input.creator.name, ready: false, connected: true, seq: 1 }],
    hostId: input.creator.id,
    nextSeq: 2,
    countdownEndsAt: null,
    countdownMs: input.countdownMs,
    now: input.now,
    restoring: false,
  }),
  initial: 'open',
  // Handlers shared by open, countdown and playing; states override where the rules differ.
  on: {
    join: [
      { guard: 'isAlreadyMember', actions: reject(ErrorCode.ALREADY_IN_ROOM) },
      { guard: 'isFull', actions: reject(ErrorCode.ROOM_FULL) },
      { actions: 'addPeer' },
    ],
    leave: { guard: 'senderIsMember', actions: 'removeSender' },
    disconnect: { guard: 'senderIsMember', actions: 'markDisconnected' },
    resume: { guard: 'senderIsMember', actions: 'markResumed' },
    kick: [
      { guard: not('senderIsHost'), actions: reject(ErrorCode.NOT_HOST) },
      { guard: not('kickTargetValid'), actions: reject(ErrorCode.PEER_NOT_FOUND) },
      { actions: 'removeKickTarget' },
    ],
    ready: { guard: 'readyChanges', actions: 'setReady' },
    settings: [
      { guard: not('senderIsHost'), actions: reject(ErrorCode.NOT_HOST) },
      { actions: reject(ErrorCode.BAD_STATE) },
    ],
    start: [
      { guard: not('senderIsHost'), actions: reject(ErrorCode.NOT_HOST) },
      { actions: reject(ErrorCode.BAD_STATE) },
    ],
    end: [
      { guard: not('senderIsHost'), actions: reject(ErrorCode.NOT_HOST) },
      { actions: reject(ErrorCode.BAD_STATE) },
    ],
    restoreEnded: { actions: 'endRestore' },
  },
  states: {
    open: {
      entry: 'clearReady',
      always: { guard: 'isEmpty', target: 'closed' },
      on: {
        settings: [{ guard: not('senderIsHost'), actions: reject(ErrorCode.NOT_HOST) }, { actions: 'setSettings' }],
        start: [
          { guard: not('senderIsHost'), actions: reject(ErrorCode.NOT_HOST) },
          { guard: not('canStart'), actions: reject(ErrorCode.NOT_READY) },
          { target: 'countdown' },
        ],
      },
    },
    countdown: {
      entry: 'startCountdown',
      exit: 'stopCountdown',
      after: { countdown: 'playing' },
      always: { guard: 'isEmpty', target: 'closed' },
      on: {
        countdownElapsed: { target: 'playing' },
        join: [
          { guard: 'isAlreadyMember', actions: reject(ErrorCode.ALREADY_IN_ROOM) },
          { guard: 'isFull', actions: reject(ErrorCode.ROOM_FULL) },
          { target: 'open', actions: 'addPeer' },
        ],
        leave: { guard: 'senderIsMember', target: 'open', actions: 'removeSender' },
        disconnect: { guard: 'senderIsMember', target: 'open', actions: 'markDisconnected' },
        // A peer back from grace who is not ready breaks "every connected non-host peer is ready".
        resume: [
          { guard: 'resumingPeerNotReady', target: 'open', actions: 'markResumed' },
          { guard: 'senderIsMember', actions: 'markResumed' },
        ],
        kick: [
          { guard: not('senderIsHost'), actions: reject(ErrorCode.NOT_HOST) },
          { guard: not('kickTargetValid'), actions: reject(ErrorCode.PEER_NOT_FOUND) },
          { target: 'open', actions: 'removeKickTarget' },
        ],
        ready: { guard: 'readyChanges', target: 'open', actions: 'setReady' },
      },
    },
    playing: {
      always: [
        { guard: 'isEmpty', target: 'closed' },
        { guard: 'fewerThanTwoConnected', target: 'open' },
      ],
      on: {
        join: [
          { guard: 'isAlreadyMember', actions: reject(ErrorCode.ALREADY_IN_ROOM) },
          { guard: not('allowsLateJoin'), actions: reject(ErrorCode.ROOM_IN_GAME) },
          { guard: 'isFull', actions: reject(ErrorCode.ROOM_FULL) },
          { actions: 'addPeer' },
        ],
        ready: { actions: reject(ErrorCode.BAD_STATE) },
        end: [{ guard: not('senderIsHost'), actions: reject(ErrorCode.NOT_HOST) }, { target: 'open' }],
      },
    },
    closed: { type: 'final' },
  },
});

/**
 * The snapshot a restored room starts from: the room as its ticket describes it, in `playing` if
 * it was playing and in `open` otherwise (a countdown does not survive a restart), the restorer
 * connected, every other member away, `restoring` until `restoreEnded`. Start an actor from it
 * with `createActor(roomMachine, { snapshot })`: it runs no entry action, so ready flags stay.
 */
export function restoredRoom(restore: RestoredRoom) {
  const { room } = restore;
  const peers = room.peers.map((p) => ({ ...p, connected: p.id === restore.by }));
  const context: RoomContext = {
    code: room.code,
    public: room.public,
    maxPlayers: room.maxPlayers,
    settings: room.settings,
    peers,
    hostId: room.hostId,
    nextSeq: Math.max(0, ...peers.map((p) => p.seq)) + 1,
    countdownEndsAt: null,
    countdownMs: restore.countdownMs,
    now: restore.now,
    restoring: true,
  };
  const value = room.state === RoomState.PLAYING ? RoomState.PLAYING : RoomState.OPEN;
  return roomMachine.resolveState({ value, context });
}

/**
 * A room as a node saves it for the cluster: the room actor's persisted snapshot
 * (`actor.getPersistedSnapshot()`) as JSON text, the clock function `now` left out. Its delayed
 * events are not in it (XState keeps the scheduler's timers apart): {@link takenOverRoom} re-arms
 * the countdown from `countdownEndsAt`.
 */
export function persistRoom(persisted: unknown): string {
  const { context, ...rest } = persisted as { context: RoomContext };
  const { now: _now, ...saved } = context;
  return JSON.stringify({ ...rest, context: saved });
}

/** A room taken over from a node that died or shut down (see {@link takenOverRoom}). */
export interface TakenOverRoom {
  /** {@link persistRoom}'s text, as the last owner saved it. */
  persisted: string;
  countdownMs: number;
  now: () => number;
}

/**
 * The snapshot a room taken over from another node starts from: in the state its last owner
 * saved, a countdown included (its deadline kept: send `countdownElapsed` when `countdownEndsAt`
 * passes, the timer died with the old node), every member away until it comes back, `restoring`
 * until `restoreEnded` as for {@link restoredRoom}. Seqs go on from the saved `nextSeq`.
 */
export function takenOverRoom(takeover: TakenOverRoom) {
  const saved = JSON.parse(takeover.persisted) as { value: RoomState; context: Omit<RoomContext, 'now'> };
  const context: RoomContext = {
    ...saved.context,
    peers: saved.context.peers.map((p) => ({ ...p, connected: false })),
    countdownMs: takeover.countdownMs,
    now: takeover.now,
    restoring: true,
  };
  return roomMachine.resolveState({ value: saved.value, context });
}
