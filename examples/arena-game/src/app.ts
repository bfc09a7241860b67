/**
 * The arena app's composition root: it makes the views and the parts that drive them, and wires
 * them together. Each part reads alone:
 * - app/lobby-flow.ts: connecting (with the remembered token), creating or joining a room, the
 *   room actions, the refusals in the player's words;
 * - app/chat-log.ts: the room's chat, with a line for every join, leave and change of host, chat
 *   mutes and the flood guard; app/chat-send.ts: what the player is told of a line not delivered;
 * - app/practice.ts, ui/practice-bar.ts: a practice round against bots while a room waits alone;
 * - app/voice-controls.ts: the mic button's cycle, mutes, who is speaking, spatial voice;
 * - app/match-flow.ts: the phase, and the end-of-round rule (the host's `room.end`);
 * - app/player-looks.ts, app/match-feedback.ts: names and colours; kill feed and effects;
 * - audio/sound-board.ts, app/match-sounds.ts: synthesized sound effects, and when they play;
 * - app/in-match-menu.ts: the in-match menu (Escape): leave, volume and mute, mic;
 * - app/game-chat.ts: the room's chat over the game in a round (Enter or T), on the same log;
 * - app/scene-frame.ts: what the Phaser scene draws; app/screens.ts: the DOM screens;
 * - app/automation.ts: `window.__arena`.
 * The app's clock, ten times a second, applies the match rule and then updates the DOM.
 */
import { createLobbyClient } from '@tickmesh/netcode';
import { type ArenaSnapshot, createAutomation } from './app/automation.js';
import { createCameraControls } from './app/camera-controls.js';
import { createChatLog, hostChangeText } from './app/chat-log.js';
import { chatNote } from './app/chat-send.js';
import { createCustomMapShare } from './app/custom-map.js';
import { createGameChat } from './app/game-chat.js';
import { createInMatchMenu } from './app/in-match-menu.js';
import { createLobbyFlow, type RoomRequest } from './app/lobby-flow.js';
import { createMatchFeedback } from './app/match-feedback.js';
import { type AppPhase, createMatchFlow } from './app/match-flow.js';
import { createMatchSounds } from './app/match-sounds.js';
import { createPlayerLooks } from './app/player-looks.js';
import { createPractice, practiceLobby } from './app/practice.js';
import { createRemembered } from './app/remembered.js';
import { createSceneFrames } from './app/scene-frame.js';
import { createScreens } from './app/screens.js';
import { createVoiceControls } from './app/voice-controls.js';
import { createAttractMode } from './attract.js';
import { createSoundBoard, DEFAULT_SOUND_SETTINGS } from './audio/sound-board.js';
import type { GameInput, InputHandlers } from './input.js';
import { createArenaNet } from './net.js';
import { type ArenaParams, inviteLink } from './params.js';
import type { ArenaScene, RenderFrame } from './scenes/arena-scene.js';
import { matchSettings, newRoomSettings, roomSettings } from './settings.js';
import { CUSTOM_MAP_ID } from './sim/maps.js';
import { playerEntityId } from './simulation.js';
import { saveJson } from './ui/download.js';
import { createHud } from './ui/hud.js';
import { createLeftOutView } from './ui/left-out.js';
import { createLobbyStatus } from './ui/lobby-status.js';
import { createMenu } from './ui/menu.js';
import { createNetgraph } from './ui/netgraph.js';
import { createPracticeBar } from './ui/practice-bar.js';
import { createRoomView } from './ui/room.js';

export type { ArenaSnapshot } from './app/automation.js';
export type { AppPhase } from './app/match-flow.js';

export interface AppDeps {
  params: ArenaParams;
  ui: HTMLElement;
  scene: ArenaScene;
  input: GameInput;
  storage: { local: Storage; session: Storage };
  location: Location;
  /** Where the app reports what went wrong without stopping the game (the sound failing). */
  log: Pick<Console, 'warn'>;
}

export interface ArenaApp {
  /** Shows the menu, enters a room at once if the URL asks for one, and starts the app's clock. */
  boot(): void;
  /** What the scene draws now (every render frame). */
  frame(): RenderFrame;
  /** `window.__arena.snapshot()`. */
  snapshot(): ArenaSnapshot;
  /** `window.__arena.screenOf(peerId)`. */
  screenOf(peerId: string): { x: number; y: number } | null;
  /** Updates the DOM now. */
  render(): void;
  handlers: InputHandlers;
}

/** How often the app's clock runs, ms. */
const CLOCK_MS = 100;

/** The room the URL asks to enter at once (`room=`, `create=1`, `quickplay=1`), if any. */
function requestOf(params: ArenaParams): RoomRequest | null {
  // An invite asks first ("Join Ann's room"), unless the URL names the player.
  if (params.room) return params.from !== null && params.name === null ? null : { kind: 'join', code: params.room };
  if (params.create) return { kind: 'create' };
  if (params.quickplay) return { kind: 'quickplay' };
  return null;
}

export function createApp(deps: AppDeps): ArenaApp {
  const { params, ui, scene, input, location } = deps;
  const remembered = createRemembered(deps.storage, params.lobby);
  const selfId = () => lobby.selfId();
  const room = () => lobby.room();
  const world = () => lobby.net()?.view()?.world;

  const menu = createMenu(
    {
      name: params.name ?? remembered.name() ?? '',
      code: params.room ?? '',
      ...(params.room && params.name === null ? { invite: { from: params.from } } : {}),
    },
    {
      quickplay: (name) => void lobby.enter(name, { kind: 'quickplay' }),
      create: (name) => void lobby.enter(name, { kind: 'create' }),
      join: (name, code) => void lobby.enter(name, { kind: 'join', code }),
    },
  );
  const chat = createChatLog({ selfId, now: () => Date.now() });
  const voice = createVoiceControls({ autoStart: params.voice === true, selfId, changed: () => screens.render() });
  const camera = createCameraControls({ changed: () => screens.render() });
  const looks = createPlayerLooks();
  const customMap = createCustomMapShare({
    room,
    selfId,
    useCustomMap: () => lobby.settings({ roundS: roomSettings(room()).roundS, map: CUSTOM_MAP_ID }),
    changed: () => screens.render(),
  });
  const hud = createHud({
    mute: (peerId) => voice.toggleMute(peerId),
    mic: () => void voice.cycleMic(),
    scores: () => screens.toggleScoreboard(),
    chat: () => gameChat.open(),
  });
  const match = createMatchFlow({ room, selfId, world, end: () => lobby.end() });
  const shownWorld = () => shown.net()?.view()?.world;
  const sound = createSoundBoard({
    output: () => scene.sfxOutput(),
    settings: remembered.sound() ?? DEFAULT_SOUND_SETTINGS,
    save: (settings) => remembered.setSound(settings),
    now: () => performance.now(),
    warn: (message) => deps.log.warn(`arena: ${message}`),
  });
  const matchSounds = createMatchSounds({
    play: (kind, volume) => sound.play(kind, volume),
    selfEntityId: () => {
      const self = selfId();
      return self === null ? null : playerEntityId(self);
    },
  });
  // Who killed this player last: the death screen names them.
  let killer: string | null = null;
  const showEvent = createMatchFeedback({
    look: (entityId) => looks.get(entityId),
    world: shownWorld,
    selfId,
    killfeed: (line) => hud.killfeed(line),
    killedBy: (look) => {
      killer = look.name;
    },
    effect: (kind, x, y, color, angle) => scene.effect(kind, x, y, color, angle),
    random: Math.random,
  });
  // A practice round against bots while the room waits: what the screens, the scene and
  // `window.__arena` show in its place (the room with the bots in it, the practice world).
  const practice = createPractice({
    now: () => performance.now(),
    random: Math.random,
    sampleInput: () => input.sample(),
    onEvent: (e) => showEvent(e),
  });
  const practiceBar = createPracticeBar(() => practice.stop());
  const phase = (): AppPhase => (practice.active() ? 'practice' : match.phase());
  const shown = practiceLobby(practice, { room, selfId, net: () => lobby.net(), connection: () => lobby.connection() });

  // The conditioner's settings: the URL's, then the netgraph sliders'. Each new net starts with them.
  let conditions = params.conditions;
  // Links forced through TURN: the URL's `relay=`, then the netgraph's box. Each new net starts with it.
  let relay = params.relay;
  const lobby = createLobbyFlow({
    lobbyUrl: params.lobby,
    remembered,
    newRoomSettings: newRoomSettings(params.roundS),
    autoReady: params.ready,
    createClient: createLobbyClient,
    createNet: (client) =>
      createArenaNet({
        lobby: client,
        sampleInput: () => input.sample(),
        settings: () => matchSettings(client.room),
        relay,
        createPeerConnection: (config) => new RTCPeerConnection(config),
        conditions,
        sync: params.sync,
      }),
    menu,
    roomChanged(change) {
      chat.roomChanged(change);
      const practiceEnded = practice.roomChanged(change);
      if (practiceEnded !== null) chat.note(practiceEnded);
      looks.roomChanged(change.room);
      const newHost = hostChangeText(change, selfId());
      if (newHost !== null && change.room?.state === 'playing') hud.notice(newHost, performance.now());
      match.roomChanged(change.room);
      voice.roomChanged(change);
    },
    chat: (message, inRoom) => chat.message(message, inRoom),
    netChat: (net) => net.chat,
    chatSent(sent, inRoom) {
      const note = chatNote(sent, inRoom);
      if (note) chat.unsent(note);
    },
    connected(client, net) {
      net.onEvent((e) => {
        showEvent(e.event);
        matchSounds.event(e.event);
      });
      voice.attach(net.session.voice, () => client.peerId);
      camera.attach(net.camera, () => client.peerId);
      customMap.attach(net.files, net.session.mesh);
    },
  });

  const muteChat = (peerId: string) =>
    chat.toggleMute(peerId, room()?.peers.find((p) => p.id === peerId)?.name ?? 'That player');
  const focusGame = () => {
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
  };
  const roomView = createRoomView({
    ready: (ready) => lobby.ready(ready),
    // A custom map must reach every member before the round starts.
    start: () => {
      if (customMap.missing().length === 0) lobby.start();
    },
    leave: () => lobby.leave(),
    settings: (settings) => lobby.settings(settings),
    chat: (text) => lobby.chat(text),
    mic: () => void voice.cycleMic(),
    camera: () => void camera.toggle(),
    mute: (peerId) => voice.toggleMute(peerId),
    muteChat,
    kick: (peerId) => lobby.kick(peerId),
    practice() {
      const r = room();
      const me = selfId();
      if (!r || !me || r.hostId !== me || r.peers.length > 1) return;
      practice.start(r, me);
      looks.roomChanged(practice.shownRoom(r));
      screens.render();
    },
    stayReady: (on) => lobby.setStayReady(on),
    retryLinks: () => lobby.net()?.retryLinks(),
    pickMap: (file) => void customMap.pick(file),
  });
  const leftOut = createLeftOutView({ leave: () => lobby.leave(), retry: () => lobby.net()?.retryLinks() });
  const netgraph = createNetgraph(conditions, {
    conditions: (c) => {
      conditions = c;
      lobby.net()?.setConditions(c);
    },
    relay: (on) => {
      relay = on;
      lobby.net()?.setRelayOnly(on);
    },
    saveReport: () => {
      const net = lobby.net();
      if (net) saveJson(`tickmesh-report-${selfId() ?? 'peer'}-${Date.now()}.json`, net.report());
    },
  });
  const matchMenu = createInMatchMenu({
    input,
    sound,
    voice,
    camera,
    leave: () => lobby.leave(),
    applyCursor: (cursor) => {
      document.body.style.cursor = cursor;
    },
    focusGame,
  });
  hud.el.append(matchMenu.el);
  const gameChat = createGameChat({
    input,
    lines: () => chat.lines(),
    send: (text) => lobby.chat(text),
    muteChat,
    now: () => Date.now(),
    focusGame,
  });
  hud.el.append(gameChat.el);
  const screens = createScreens({
    ui,
    menu,
    roomView,
    hud,
    netgraph,
    leftOut,
    lobby: shown,
    match: { phase, backInS: (nowMs) => match.backInS(nowMs) },
    voice,
    camera,
    chat,
    stayReady: () => lobby.stayReady(),
    customMap,
    killer: () => killer,
    inviteLink: (code) => inviteLink(location, code, room()?.peers.find((p) => p.id === selfId())?.name ?? null),
    relay: () => relay,
    setInputActive(active) {
      matchMenu.setOnHud(active);
      gameChat.setOnHud(active);
    },
    setCursor: (cursor) => matchMenu.setCursor(cursor),
    now: () => performance.now(),
    wallClock: () => Date.now(),
  });

  const attract = createAttractMode(() => {});
  const frame = createSceneFrames({
    now: () => performance.now(),
    view: () => shown.net()?.view(),
    phase,
    selfId,
    room: shown.room,
    aimFrom: (x, y) => scene.aimFrom(x, y),
    setAim: (aim) => input.setAim(aim),
    looks,
    speaking: voice.speaking,
    placeVoices: (w, me, inRoom) => {
      if (!practice.active()) voice.placeVoices(w, me, inRoom);
    },
    attract: (ms) => attract.frame(ms),
  });
  // Unobtrusive: the game goes on while the lobby is away (a restart, a blip).
  const lobbyStatus = createLobbyStatus();
  ui.append(lobbyStatus.el, practiceBar.el);
  const automation = createAutomation({
    lobby: shown,
    phase,
    voiceStatus: () => voice.status(),
    speaking: voice.speaking,
    screenOf: (x, y) => scene.screenOf(x, y),
    sound: () => sound.stats(),
    edgeMarkers: () => scene.edgeMarkers(),
  });

  return {
    boot() {
      screens.show('menu');
      const name = params.name ?? remembered.name();
      const request = requestOf(params);
      if (name && request) void lobby.enter(name, request);
      else menu.focusName();
      // A room entered from the URL at load has had no gesture yet: the first click or key lets voices play.
      for (const type of ['pointerdown', 'keydown'] as const) document.addEventListener(type, voice.gesture, true);
      setInterval(() => {
        match.update(performance.now());
        const endsAt = lobby.room()?.countdownEndsAt;
        matchSounds.clock(match.phase(), endsAt === undefined ? null : Math.ceil((endsAt - Date.now()) / 1000));
        screens.render();
        practiceBar.render(practice.active());
        matchMenu.render();
        gameChat.render();
        lobbyStatus.render(lobby.room() !== null ? lobby.connection() : 'online');
      }, CLOCK_MS);
    },
    frame() {
      const next = frame();
      matchSounds.frame(next);
      return next;
    },
    snapshot: () => automation.snapshot(),
    screenOf: (peerId) => automation.screenOf(peerId),
    render: () => screens.render(),
    handlers: {
      scoreboard: (held) => screens.setScoreboard(held),
      pushToTalk: (held) => voice.pushToTalk(held),
      netgraph: () => {
        netgraph.toggle();
        screens.render();
      },
      menu: () => matchMenu.escape(),
      chat: () => gameChat.open(),
    },
  };
}
