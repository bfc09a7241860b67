/**
 * A practice round while the room waits for players: the real simulation stepped here on the page
 * (as the menu's attract mode does), the player with their own keys and mouse against bot brains.
 * Nothing goes over the network (the lobby starts a match only with two peers). The room it shows
 * is the real one with the bots added as players and the state `playing`, so the HUD, the
 * scoreboard, the scene and `window.__arena` show the practice as they show a match.
 */
import type { PeerInfo, Room } from '@tickmesh/netcode';
import { type BotBrain, createBotBrain } from '../bot-brain.js';
import { type ArenaView, type NetFigures, NO_NET_FIGURES, type PeerNet } from '../net.js';
import { roomSettings } from '../settings.js';
import {
  type ArenaEntity,
  type ArenaEvent,
  type ArenaInput,
  type ArenaState,
  arenaToWorld,
  initialArenaState,
  playerEntityId,
  stepArena,
} from '../simulation.js';
import type { RoomChange } from './lobby-flow.js';

/** The practice's settings. */
export const practiceDefaults = {
  /** The bots' names. */
  bots: ['Vex', 'Kestrel', 'Moss'] as readonly string[],
  /** Round length, s: long, the player leaves it when they like (or when someone joins). Default 3600. */
  roundS: 3600,
  /** Simulation rate, Hz (the match's). Default 60. */
  tickRateHz: 60,
  /** The most time one call catches up on, s (a hidden tab does not replay minutes). Default 0.25. */
  maxCatchUpS: 0.25,
};

/** The peer id a practice bot plays under (never a lobby id: those have no colon). */
export const botPeerId = (name: string) => `bot:${name}`;

export interface PracticeDeps {
  /** The page's clock, ms. */
  now(): number;
  /** Random source in [0, 1) for the bots. */
  random(): number;
  /** The player's controls now. */
  sampleInput(): ArenaInput;
  /** A game event (kills, hits) as the kill feed and effects show it. */
  onEvent(event: ArenaEvent): void;
  options?: Partial<typeof practiceDefaults>;
}

export interface Practice {
  active(): boolean;
  /** Starts a round on the room's map for `selfId` against the bots. */
  start(room: Room, selfId: string): void;
  stop(): void;
  /** `room` as the practice shows it (bots added, `playing`), or `room` itself when not practising. */
  shownRoom(room: Room | null): Room | null;
  /** The practice world, stepped up to now; null when not practising. */
  view(): ArenaView | null;
  /**
   * Ends the practice when the room is left or a player joins it; returns the chat line that says
   * so ("Ann joined: practice ended."), or null.
   */
  roomChanged(change: RoomChange): string | null;
}

/** The net layer's face as the screens and `window.__arena` read it. */
export interface ShownNet {
  view(): ArenaView | null;
  peers(): Map<string, PeerNet>;
  figures(): NetFigures;
  role(): string;
  /** Whether the lobby offers TURN (a practice round has no links: false). */
  turnOffered(): boolean;
}

/**
 * The lobby as the screens, the scene and `window.__arena` see it: during a practice round its
 * room with the bots and the practice world in place of the net's.
 * @example
 * const shown = practiceLobby(practice, lobby);
 * createScreens({ lobby: shown, ... });
 */
export function practiceLobby<L extends { room(): Room | null; net(): ShownNet | null }>(
  practice: Practice,
  lobby: L,
): Omit<L, 'room' | 'net'> & { room(): Room | null; net(): ShownNet | null } {
  const net: ShownNet = {
    view: () => practice.view(),
    peers: () => new Map(),
    figures: () => NO_NET_FIGURES,
    role: () => 'practice',
    turnOffered: () => false,
  };
  return {
    ...lobby,
    room: () => practice.shownRoom(lobby.room()),
    net: () => (practice.active() ? net : lobby.net()),
  };
}

/**
 * @example
 * const practice = createPractice({ now: () => performance.now(), random: Math.random,
 *   sampleInput: () => input.sample(), onEvent: showEvent });
 * practice.start(lobby.room(), lobby.selfId());
 * scene.draw(practice.view());
 */
export function createPractice(deps: PracticeDeps): Practice {
  const o = { ...practiceDefaults, ...deps.options };
  const dt = 1 / o.tickRateHz;
  let current: {
    selfId: string;
    state: ArenaState;
    world: Map<number, ArenaEntity>;
    tick: number;
    lastMs: number;
    carryS: number;
    brains: Map<string, BotBrain>;
  } | null = null;
  /** Stepping now: an event listener that reads the view meanwhile gets the world as it is. */
  let stepping = false;

  function advance(): void {
    if (!current || stepping) return;
    stepping = true;
    try {
      step(current);
    } finally {
      stepping = false;
    }
  }

  function step(run: NonNullable<typeof current>): void {
    const nowMs = deps.now();
    run.carryS = Math.min(run.carryS + (nowMs - run.lastMs) / 1000, o.maxCatchUpS);
    run.lastMs = nowMs;
    while (run.carryS >= dt) {
      run.carryS -= dt;
      run.tick++;
      const inputs = new Map<string, ArenaInput>([[run.selfId, deps.sampleInput()]]);
      for (const [id, brain] of run.brains) inputs.set(id, brain.think(run.world, playerEntityId(id)));
      const before = run.state;
      const events: ArenaEvent[] = [];
      run.state = stepArena(before, inputs, dt, { tick: run.tick, emit: (e) => events.push(e), seenBy: () => before });
      run.world = arenaToWorld(run.state);
      for (const e of events) deps.onEvent(e);
    }
  }

  return {
    active: () => current !== null,
    start(room, selfId) {
      const state = initialArenaState({ roundS: o.roundS, map: roomSettings(room).map, seed: 1 });
      current = {
        selfId,
        state,
        world: arenaToWorld(state),
        tick: 0,
        lastMs: deps.now(),
        carryS: 0,
        brains: new Map(o.bots.map((name) => [botPeerId(name), createBotBrain(deps.random)])),
      };
    },
    stop() {
      current = null;
    },
    shownRoom(room) {
      if (!current || !room) return room;
      const lastSeq = Math.max(0, ...room.peers.map((p) => p.seq));
      const bots: PeerInfo[] = o.bots.map((name, i) => ({
        id: botPeerId(name),
        name: `${name} (bot)`,
        ready: true,
        connected: true,
        seq: lastSeq + i + 1,
      }));
      return { ...room, state: 'playing', peers: [...room.peers, ...bots] };
    },
    view() {
      advance();
      return current ? { world: current.world, tick: current.tick, dt } : null;
    },
    roomChanged({ before, room }) {
      if (!current || (room !== null && room.peers.length <= 1)) return null;
      current = null;
      const joined = room?.peers.find((p) => !before?.peers.some((q) => q.id === p.id));
      return joined ? `${joined.name} joined: practice ended.` : null;
    },
  };
}
