/**
 * The arena app: the lobby flow (menu, room, countdown), the match (HUD, events, end screen, host
 * hand-over), the netgraph and the automation surface. It owns the lobby client and the net
 * layer; the Phaser scene pulls what to draw from `frame()`.
 */
import {
  createLobbyClient,
  type LobbyClient,
  type LobbyFailureCode,
  type Room,
  SELF,
  type Voice,
} from '@tickmesh/netcode';
import { createAttractMode } from './attract.js';
import { colorOfSeq } from './colors.js';
import type { GameInput } from './input.js';
import { type ArenaNet, createArenaNet, NO_NET_FIGURES, type PeerNet } from './net.js';
import { type ArenaParams, inviteLink } from './params.js';
import type { ArenaScene, PlayerLook, RenderFrame } from './scenes/arena-scene.js';
import { DEFAULT_ROOM_SETTINGS, matchSettings } from './settings.js';
import {
  type ArenaEntity,
  type ArenaEvent,
  arenaTuning,
  MATCH_ID,
  Phase,
  PlayerFlag,
  playerEntityId,
  timeLeftS,
} from './simulation.js';
import { h } from './ui/dom.js';
import { createHud, type ScoreRow } from './ui/hud.js';
import { createMenu } from './ui/menu.js';
import { createNetgraph } from './ui/netgraph.js';
import { type ChatLine, createRoomView } from './ui/room.js';

export type AppPhase = 'menu' | 'lobby' | 'countdown' | 'playing' | 'ended';

export interface AppDeps {
  params: ArenaParams;
  ui: HTMLElement;
  scene: ArenaScene;
  input: GameInput;
  storage: { local: Storage; session: Storage };
  location: Location;
}

/** Seconds from the end of a round to the host's `room.end` (the end screen's time). */
const END_SCREEN_S = 6;
const NAME_KEY = 'tickmesh.arena.name';
/** The session token is kept per lobby (a token means nothing to another lobby, and must not leak to one). */
const tokenKey = (lobbyUrl: string) => `tickmesh.arena.token ${lobbyUrl}`;

const FAILURES: Partial<Record<LobbyFailureCode, string>> = {
  ROOM_NOT_FOUND: 'No room with that code. Check it with your friend.',
  ROOM_FULL: 'That room is full.',
  ROOM_IN_GAME: 'That room is in a match; try again when it ends.',
  INVALID_NAME: 'That name is not allowed (1-24 visible characters, no control or direction-changing ones).',
  TOO_MANY_ROOMS: 'Too many rooms are open from your network (or on this server). Join one instead.',
  TOO_MANY_FAILED_JOINS: 'Too many wrong room codes from your network. Wait a minute, then try again.',
  RATE_LIMITED: 'Slow down a little and try again.',
  TIMEOUT: 'The lobby server did not answer.',
  DISCONNECTED: 'Cannot reach the lobby server.',
};

export function createApp(deps: AppDeps) {
  const { params, ui, scene, input, storage } = deps;
  let lobby: LobbyClient | null = null;
  let lobbyName = '';
  let net: ArenaNet | null = null;
  let readySent = false;
  let scoreboardHeld = false;
  let endedAt: number | null = null;
  let endRequested = false;
  let lastRoom: Room | null = null;
  const chat: ChatLine[] = [];
  const muted = new Set<string>();
  const speaking = new Set<string>();
  let voice: Voice | null = null;
  /** The mic button cycles: off, open mic, push-to-talk on V. */
  let micMode: 'off' | 'open' | 'ptt' = 'off';
  let voiceNote = 'Click to talk; V is push-to-talk.';
  const micOn = () => micMode !== 'off' && voice?.status === 'on';
  const micLabel = () => (!micOn() ? 'Mic off' : micMode === 'ptt' ? 'Push V' : 'Mic on');
  /** Names and colours by player entity id, kept after a player leaves (for the kill feed). */
  const looks = new Map<number, PlayerLook & { peerId: string }>();

  /** What a room this page creates starts with (`round=` shortens the round). */
  const newRoomSettings =
    params.roundS === null ? DEFAULT_ROOM_SETTINGS : { ...DEFAULT_ROOM_SETTINGS, roundS: params.roundS };

  const attract = createAttractMode(() => {});
  let attractFrame: RenderFrame = attract.frame(0);

  const menu = createMenu(
    { name: params.name ?? storage.local.getItem(NAME_KEY) ?? '', code: params.room ?? '' },
    {
      quickplay: (name) => void enter(name, (l) => l.quickplay()),
      create: (name) => void enter(name, (l) => l.createRoom({ settings: newRoomSettings })),
      join: (name, code) => void enter(name, (l) => l.joinRoom(code)),
    },
  );
  const roomView = createRoomView({
    ready: (ready) => void lobby?.setReady(ready),
    start: () => void lobby?.start(),
    leave: () => void lobby?.leaveRoom(),
    settings: (s) => void lobby?.setSettings({ ...lobby.room?.settings, ...s }),
    chat: (text) => void lobby?.chat(text),
    mic: () => void cycleMic(),
    mute: (peerId) => toggleMute(peerId),
  });
  const hud = createHud({ mute: (peerId) => toggleMute(peerId), mic: () => void cycleMic() });
  const netgraph = createNetgraph({
    conditions: (c) => net?.setConditions(c),
    relay: (on) => {
      const url = new URL(deps.location.href);
      url.searchParams.set('relay', on ? '1' : '0');
      deps.location.assign(url.toString());
    },
  });
  // Clicks pass through to the canvas except where a panel takes them (.menu, .room, HUD buttons).
  const screen = h('div', { style: 'position:absolute;inset:0;pointer-events:none' });
  ui.append(screen, netgraph.el);

  function toggleMute(peerId: string): void {
    if (muted.has(peerId)) muted.delete(peerId);
    else muted.add(peerId);
    voice?.setPeerMuted(peerId, muted.has(peerId));
    render();
  }

  /** Starts the microphone (from a click, or `voice=1`), then push-to-talk, then off. */
  async function cycleMic(to?: 'open' | 'ptt' | 'off'): Promise<void> {
    if (!voice) return;
    const next = to ?? (micMode === 'off' ? 'open' : micMode === 'open' ? 'ptt' : 'off');
    micMode = next;
    if (next === 'off') {
      voice.stop();
      voiceNote = 'Microphone off.';
    } else {
      voice.setPushToTalk(next === 'ptt');
      if (voice.status !== 'on') {
        const started = await voice.start();
        if (!started.ok) {
          micMode = 'off';
          voiceNote =
            started.reason === 'denied' ? 'The browser refused the microphone.' : `No voice: ${started.reason}.`;
        }
      }
      if (micMode !== 'off') voiceNote = next === 'ptt' ? 'Hold V to talk.' : 'Open mic: everyone hears you.';
    }
    render();
  }

  function selfId(): string | null {
    return lobby?.peerId ?? null;
  }

  async function connectLobby(name: string): Promise<LobbyClient | null> {
    if (lobby && lobbyName === name && lobby.status.kind === 'identified') return lobby;
    net?.close();
    net = null;
    lobby?.close();
    lobbyName = name;
    const client = createLobbyClient({
      url: params.lobby,
      name,
      ...(storage.session.getItem(tokenKey(params.lobby))
        ? { token: storage.session.getItem(tokenKey(params.lobby)) as string }
        : {}),
    });
    lobby = client;
    client.on('room', (room) => onRoom(room));
    client.on('chat', (m) => {
      const peer = client.room?.peers.find((p) => p.id === m.from);
      chat.push({ name: m.name, text: m.text, color: peer ? colorOfSeq(peer.seq) : 0xcccccc });
    });
    client.on('left', ({ reason }) => {
      if (reason === 'kicked') menu.setNotice('The host removed you from the room.', 'error');
      if (reason === 'expired') menu.setNotice('Your connection dropped for too long; the room moved on.', 'error');
    });
    const welcome = await client.connect();
    if (!welcome.ok) {
      menu.setNotice(FAILURES[welcome.code] ?? welcome.message, 'error');
      return null;
    }
    storage.session.setItem(tokenKey(params.lobby), welcome.value.token);
    // The lobby hands out a new token on every resume: keep the newest, so a reload resumes.
    client.on('status', (status) => {
      if (status.kind === 'identified' && client.token !== null)
        storage.session.setItem(tokenKey(params.lobby), client.token);
    });
    storage.local.setItem(NAME_KEY, name);
    net = createArenaNet({
      lobby: client,
      sampleInput: () => input.sample(),
      settings: () => matchSettings(client.room),
      relay: params.relay,
      createPeerConnection: (config) => new RTCPeerConnection(config),
    });
    net.onEvent((e) => onGameEvent(e.event));
    voice = net.session.voice;
    voice?.on('speaking', ({ id, speaking: on }) => {
      const peerId = id === SELF ? client.peerId : id;
      if (peerId === null) return;
      if (on) speaking.add(peerId);
      else speaking.delete(peerId);
    });
    return client;
  }

  async function enter(
    name: string,
    join: (l: LobbyClient) => Promise<{ ok: boolean; code?: LobbyFailureCode; message?: string }>,
  ) {
    menu.setBusy(true);
    menu.setNotice('Connecting…');
    const client = await connectLobby(name);
    if (client) {
      // A resumed session may already be in a room: stay there.
      const result = client.room ? { ok: true } : await join(client);
      if (!result.ok)
        menu.setNotice(FAILURES[result.code as LobbyFailureCode] ?? result.message ?? 'Refused.', 'error');
      else menu.setNotice('');
    }
    menu.setBusy(false);
  }

  function onRoom(room: Room | null): void {
    const before = lastRoom;
    lastRoom = room;
    if (!room) {
      chat.length = 0;
      readySent = false;
      return;
    }
    for (const p of room.peers)
      looks.set(playerEntityId(p.id), { peerId: p.id, name: p.name, color: colorOfSeq(p.seq), speaking: false });
    if (before?.code !== room.code) chat.push({ name: '', text: `You joined room ${room.code}.`, color: null });
    if (before && before.code === room.code) {
      for (const p of room.peers)
        if (!before.peers.some((q) => q.id === p.id)) chat.push({ name: '', text: `${p.name} joined.`, color: null });
      for (const p of before.peers)
        if (!room.peers.some((q) => q.id === p.id)) chat.push({ name: '', text: `${p.name} left.`, color: null });
      if (before.hostId !== room.hostId) {
        const oldHost = before.peers.find((p) => p.id === before.hostId)?.name ?? 'The host';
        const newHost = room.peers.find((p) => p.id === room.hostId);
        const text = `${oldHost} left. ${newHost?.id === selfId() ? 'You are' : `${newHost?.name ?? '?'} is`} now the host.`;
        if (room.state === 'playing') hud.notice(text, performance.now());
        chat.push({ name: '', text, color: null });
      }
    }
    if (room.state !== 'playing') {
      endedAt = null;
      endRequested = false;
    }
    if (params.voice === true && micMode === 'off' && before?.code !== room.code) void cycleMic('open');
    if (params.ready && !readySent && room.state === 'open' && room.hostId !== selfId()) {
      readySent = true;
      void lobby?.setReady(true);
    }
  }

  function onGameEvent(event: ArenaEvent): void {
    const world = net?.view()?.world;
    if (event.type === 'kill') {
      const killer = looks.get(event.killer) ?? { name: '?', color: 0xffffff };
      const victim = looks.get(event.victim) ?? { name: '?', color: 0xffffff };
      const self = selfId();
      const mine = self !== null && (event.killer === playerEntityId(self) || event.victim === playerEntityId(self));
      hud.killfeed(killer, victim, mine);
      const v = world?.get(event.victim);
      if (v?.kind === 'player') scene.effect('ring', v.fields.x, v.fields.y, victim.color);
    } else if (event.type === 'hit') {
      const v = world?.get(event.victim);
      if (v?.kind === 'player') scene.effect('spark', v.fields.x, v.fields.y, 0xffffff, Math.random());
    }
  }

  function phase(): AppPhase {
    const room = lobby?.room;
    if (!room) return 'menu';
    if (room.state === 'open') return 'lobby';
    if (room.state === 'countdown') return 'countdown';
    const match = net?.view()?.world.get(MATCH_ID);
    return match?.kind === 'match' && match.fields.phase === Phase.ended ? 'ended' : 'playing';
  }

  function peers(): Map<string, PeerNet> {
    return net?.peers() ?? new Map();
  }

  /** What the scene draws: the match while in one, else the attract mode. */
  let lastFrameAt = performance.now();
  function frame(): RenderFrame {
    const nowMs = performance.now();
    const ms = nowMs - lastFrameAt;
    lastFrameAt = nowMs;
    const view = net?.view();
    const p = phase();
    if (view && (p === 'playing' || p === 'ended')) {
      const self = selfId();
      const selfEid = self === null ? null : playerEntityId(self);
      const me = selfEid === null ? undefined : view.world.get(selfEid);
      if (me?.kind === 'player') {
        const aim = scene.aimFrom(me.fields.x, me.fields.y);
        if (aim !== null) input.setAim(aim);
      }
      for (const look of looks.values()) look.speaking = speaking.has(look.peerId);
      placeVoices(view.world, me);
      return { world: view.world, tick: view.tick, dt: view.dt, self: selfEid, looks, overview: false };
    }
    attractFrame = attract.frame(ms);
    return attractFrame;
  }

  /** Spatial voice: the listener at the local player, every other voice where its player is drawn. */
  function placeVoices(world: ReadonlyMap<number, ArenaEntity>, me: ArenaEntity | undefined): void {
    if (voice?.status !== 'on' || me?.kind !== 'player') return;
    voice.setListener({ x: me.fields.x, y: me.fields.y, angle: me.fields.angle });
    for (const p of lobby?.room?.peers ?? []) {
      if (p.id === selfId()) continue;
      const e = world.get(playerEntityId(p.id));
      voice.setPeerPosition(p.id, e?.kind === 'player' ? { x: e.fields.x, y: e.fields.y } : null);
    }
  }

  function scoreRows(world: ReadonlyMap<number, ArenaEntity>, room: Room): ScoreRow[] {
    const pn = peers();
    return room.peers.map((p) => {
      const e = world.get(playerEntityId(p.id));
      const fields = e?.kind === 'player' ? e.fields : null;
      return {
        peerId: p.id,
        name: p.name,
        color: colorOfSeq(p.seq),
        score: fields?.score ?? 0,
        deaths: fields?.deaths ?? 0,
        pingMs: pn.get(p.id)?.rttMs ?? null,
        self: p.id === selfId(),
        host: p.id === room.hostId,
        speaking: speaking.has(p.id),
        muted: muted.has(p.id),
      };
    });
  }

  let shown: 'menu' | 'room' | 'hud' | null = null;
  function show(which: 'menu' | 'room' | 'hud'): void {
    if (shown === which) return;
    shown = which;
    screen.replaceChildren(which === 'menu' ? menu.el : which === 'room' ? roomView.el : hud.el);
    input.setActive(which === 'hud');
    voice?.setSpatial(which === 'hud');
    document.body.style.cursor = which === 'hud' ? 'none' : '';
  }

  /** DOM updates, a few times a second and on demand. */
  function render(): void {
    const p = phase();
    const room = lobby?.room ?? null;
    const self = selfId();
    if (!room || !self) {
      show('menu');
    } else if (p === 'lobby' || p === 'countdown') {
      show('room');
      roomView.render({
        room,
        selfId: self,
        invite: inviteLink(deps.location, room.code),
        peers: peers(),
        speaking,
        muted,
        micOn: micOn(),
        micLabel: micLabel(),
        voiceNote,
        chat,
        nowMs: Date.now(),
      });
    } else {
      show('hud');
      const view = net?.view();
      const world = view?.world ?? new Map<number, ArenaEntity>();
      const match = world.get(MATCH_ID);
      const me = world.get(playerEntityId(self));
      const now = performance.now();
      if (p === 'ended' && endedAt === null) endedAt = now;
      if (
        p === 'ended' &&
        room.hostId === self &&
        !endRequested &&
        endedAt !== null &&
        now - endedAt > END_SCREEN_S * 1000
      ) {
        endRequested = true;
        void lobby?.end();
      }
      const fields = me?.kind === 'player' ? me.fields : null;
      hud.render(
        {
          timeLeftS: match?.kind === 'match' && view ? timeLeftS(match.fields, view.tick, view.dt) : 0,
          hp: fields?.hp ?? null,
          maxHp: arenaTuning.maxHp,
          alive: fields ? (fields.flags & PlayerFlag.alive) !== 0 : true,
          respawnInS: fields && view ? Math.max(0, (fields.respawnTick - view.tick) * view.dt) : 0,
          rows: scoreRows(world, room),
          scoreboard: scoreboardHeld,
          ended:
            p === 'ended' && endedAt !== null
              ? { backInS: Math.max(0, Math.ceil(END_SCREEN_S - (now - endedAt) / 1000)) }
              : null,
          micOn: micOn(),
          micLabel: micLabel(),
        },
        now,
      );
    }
    const names = new Map(room?.peers.map((q) => [q.id, q.name]) ?? []);
    netgraph.render({
      peers: [...peers().values()].map((q) => ({ ...q, name: names.get(q.id) ?? q.id })),
      net: net?.figures() ?? NO_NET_FIGURES,
      relay: params.relay,
      role: net?.role() ?? 'offline',
    });
  }

  /** The automation snapshot (`window.__arena.snapshot()`): plain JSON, the netgraph's own figures. */
  function snapshot() {
    const room = lobby?.room ?? null;
    const view = net?.view() ?? null;
    return {
      room: room ? { code: room.code, state: room.state, hostId: room.hostId } : null,
      selfId: selfId(),
      phase: phase(),
      players: (room?.peers ?? []).map((p) => {
        const e = view?.world.get(playerEntityId(p.id));
        const f = e?.kind === 'player' ? e.fields : null;
        return {
          id: p.id,
          name: p.name,
          x: f?.x ?? null,
          y: f?.y ?? null,
          hp: f?.hp ?? null,
          score: f?.score ?? 0,
          alive: f ? (f.flags & PlayerFlag.alive) !== 0 : false,
        };
      }),
      peers: [...peers().values()].map((q) => ({
        id: q.id,
        link: q.link ?? 'connecting',
        rttMs: q.rttMs,
        candidateType: q.candidateType,
        kbpsIn: q.kbpsIn,
        kbpsOut: q.kbpsOut,
      })),
      voice: { state: voice?.status ?? 'off', speaking: [...speaking] },
      net: net?.figures() ?? NO_NET_FIGURES,
    };
  }

  function boot(): void {
    show('menu');
    const name = params.name ?? storage.local.getItem(NAME_KEY);
    if (name) {
      if (params.room) void enter(name, (l) => l.joinRoom(params.room as string));
      else if (params.create) void enter(name, (l) => l.createRoom({ settings: newRoomSettings }));
      else if (params.quickplay) void enter(name, (l) => l.quickplay());
    }
    setInterval(render, 100);
  }

  /** Where a player is drawn on the page (CSS px), or null: lets a test aim the real mouse at it. */
  function screenOf(peerId: string): { x: number; y: number } | null {
    const e = net?.view()?.world.get(playerEntityId(peerId));
    return e?.kind === 'player' ? scene.screenOf(e.fields.x, e.fields.y) : null;
  }

  return {
    boot,
    frame,
    snapshot,
    screenOf,
    render,
    handlers: {
      scoreboard: (held: boolean) => {
        scoreboardHeld = held;
        render();
      },
      pushToTalk: (held: boolean) => {
        if (micMode === 'ptt') voice?.setTalking(held);
      },
      netgraph: () => {
        netgraph.toggle();
        render();
      },
    },
  };
}

export type ArenaApp = ReturnType<typeof createApp>;
/** What `window.__arena.snapshot()` returns. */
export type ArenaSnapshot = ReturnType<ArenaApp['snapshot']>;
