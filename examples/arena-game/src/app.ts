/**
 * The arena app's composition root: it makes the views and the parts that drive them, and wires
 * them together. Each part reads alone:
 * - app/lobby-flow.ts: connecting (with the remembered token), creating or joining a room, the
 *   room actions, the refusals in the player's words;
 * - app/chat-log.ts: the room's chat, with a line for every join, leave and change of host;
 * - app/voice-controls.ts: the mic button's cycle, mutes, who is speaking, spatial voice;
 * - app/match-flow.ts: the phase, and the end-of-round rule (the host's `room.end`);
 * - app/player-looks.ts, app/match-feedback.ts: names and colours; kill feed and effects;
 * - app/scene-frame.ts: what the Phaser scene draws; app/screens.ts: the DOM screens;
 * - app/automation.ts: `window.__arena`.
 * The app's clock, ten times a second, applies the match rule and then updates the DOM.
 */
import { createLobbyClient } from '@tickmesh/netcode';
import { type ArenaSnapshot, createAutomation } from './app/automation.js';
import { createChatLog, hostChangeText } from './app/chat-log.js';
import { createLobbyFlow, type RoomRequest } from './app/lobby-flow.js';
import { createMatchFeedback } from './app/match-feedback.js';
import { createMatchFlow } from './app/match-flow.js';
import { createPlayerLooks } from './app/player-looks.js';
import { createRemembered } from './app/remembered.js';
import { createSceneFrames } from './app/scene-frame.js';
import { createScreens } from './app/screens.js';
import { createVoiceControls } from './app/voice-controls.js';
import { createAttractMode } from './attract.js';
import type { GameInput, InputHandlers } from './input.js';
import { createArenaNet } from './net.js';
import { type ArenaParams, inviteLink } from './params.js';
import type { ArenaScene, RenderFrame } from './scenes/arena-scene.js';
import { matchSettings, newRoomSettings } from './settings.js';
import { createHud } from './ui/hud.js';
import { createLeftOutView } from './ui/left-out.js';
import { createLobbyStatus } from './ui/lobby-status.js';
import { createMenu } from './ui/menu.js';
import { createNetgraph } from './ui/netgraph.js';
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
  if (params.room) return { kind: 'join', code: params.room };
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
    { name: params.name ?? remembered.name() ?? '', code: params.room ?? '' },
    {
      quickplay: (name) => void lobby.enter(name, { kind: 'quickplay' }),
      create: (name) => void lobby.enter(name, { kind: 'create' }),
      join: (name, code) => void lobby.enter(name, { kind: 'join', code }),
    },
  );
  const chat = createChatLog({ selfId });
  const voice = createVoiceControls({ autoStart: params.voice === true, selfId, changed: () => screens.render() });
  const looks = createPlayerLooks();
  const hud = createHud({ mute: (peerId) => voice.toggleMute(peerId), mic: () => void voice.cycleMic() });
  const match = createMatchFlow({ room, selfId, world, end: () => lobby.end() });
  const showEvent = createMatchFeedback({
    look: (entityId) => looks.get(entityId),
    world,
    selfId,
    killfeed: (killer, victim, mine) => hud.killfeed(killer, victim, mine),
    effect: (kind, x, y, color, angle) => scene.effect(kind, x, y, color, angle),
    random: Math.random,
  });

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
      looks.roomChanged(change.room);
      const newHost = hostChangeText(change, selfId());
      if (newHost !== null && change.room?.state === 'playing') hud.notice(newHost, performance.now());
      match.roomChanged(change.room);
      voice.roomChanged(change);
    },
    chat: (message, inRoom) => chat.message(message, inRoom),
    connected(client, net) {
      net.onEvent((e) => showEvent(e.event));
      voice.attach(net.session.voice, () => client.peerId);
    },
  });

  const roomView = createRoomView({
    ready: (ready) => lobby.ready(ready),
    start: () => lobby.start(),
    leave: () => lobby.leave(),
    settings: (settings) => lobby.settings(settings),
    chat: (text) => lobby.chat(text),
    mic: () => void voice.cycleMic(),
    mute: (peerId) => voice.toggleMute(peerId),
    retryLinks: () => lobby.net()?.retryLinks(),
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
  });
  const screens = createScreens({
    ui,
    menu,
    roomView,
    hud,
    netgraph,
    leftOut,
    lobby,
    match,
    voice,
    chat: chat.lines,
    inviteLink: (code) => inviteLink(location, code),
    relay: () => relay,
    setInputActive: (active) => input.setActive(active),
    setCursor: (cursor) => {
      document.body.style.cursor = cursor;
    },
    now: () => performance.now(),
    wallClock: () => Date.now(),
  });

  const attract = createAttractMode(() => {});
  const frame = createSceneFrames({
    now: () => performance.now(),
    view: () => lobby.net()?.view(),
    phase: () => match.phase(),
    selfId,
    room,
    aimFrom: (x, y) => scene.aimFrom(x, y),
    setAim: (aim) => input.setAim(aim),
    looks,
    speaking: voice.speaking,
    placeVoices: (w, me, inRoom) => voice.placeVoices(w, me, inRoom),
    attract: (ms) => attract.frame(ms),
  });
  // Unobtrusive: the game goes on while the lobby is away (a restart, a blip).
  const lobbyStatus = createLobbyStatus();
  ui.append(lobbyStatus.el);
  const automation = createAutomation({
    lobby,
    phase: () => match.phase(),
    voiceStatus: () => voice.status(),
    speaking: voice.speaking,
    screenOf: (x, y) => scene.screenOf(x, y),
  });

  return {
    boot() {
      screens.show('menu');
      const name = params.name ?? remembered.name();
      const request = requestOf(params);
      if (name && request) void lobby.enter(name, request);
      setInterval(() => {
        match.update(performance.now());
        screens.render();
        lobbyStatus.render(lobby.room() !== null ? lobby.connection() : 'online');
      }, CLOCK_MS);
    },
    frame,
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
    },
  };
}
