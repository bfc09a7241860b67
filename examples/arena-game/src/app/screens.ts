/**
 * The page's screens: which of the menu, the room lobby and the HUD is shown (and what that
 * switches: gameplay keys, spatial voice, the cursor), and their models, with the netgraph's, on
 * every render. Clicks pass through to the canvas except where a panel takes them.
 */
import { type ArenaNet, NO_NET_FIGURES, type PeerNet } from '../net.js';
import { h } from '../ui/dom.js';
import type { HudModel } from '../ui/hud.js';
import type { NetgraphModel } from '../ui/netgraph.js';
import type { RoomModel } from '../ui/room.js';
import type { CameraControls } from './camera-controls.js';
import type { ChatLog } from './chat-log.js';
import type { CustomMapShare } from './custom-map.js';
import { hudModel } from './hud-model.js';
import {
  leftOut,
  NO_LINK_WAIT,
  OPEN_GATE,
  type RelayState,
  startGate,
  stepLinkWait,
  stuckLinks,
  stuckText,
} from './link-gate.js';
import type { LobbyFlow } from './lobby-flow.js';
import type { MatchFlow } from './match-flow.js';
import type { VoiceControls } from './voice-controls.js';

type Shown = 'menu' | 'room' | 'hud' | 'left-out';

export interface ScreensDeps {
  /** Where the screens and the netgraph go. */
  ui: HTMLElement;
  menu: { readonly el: HTMLElement };
  roomView: { readonly el: HTMLElement; render(model: RoomModel): void };
  hud: { readonly el: HTMLElement; render(model: HudModel, nowMs: number): void };
  netgraph: { readonly el: HTMLElement; render(model: NetgraphModel): void };
  /** What a player the match started without sees (ui/left-out.ts). */
  leftOut: { readonly el: HTMLElement; render(relay: RelayState): void };
  lobby: Pick<
    LobbyFlow<Pick<ArenaNet, 'view' | 'peers' | 'figures' | 'role' | 'turnOffered'>>,
    'room' | 'selfId' | 'net'
  >;
  match: Pick<MatchFlow, 'phase' | 'backInS'>;
  voice: Pick<VoiceControls, 'speaking' | 'muted' | 'micOn' | 'micLabel' | 'note' | 'setSpatial'>;
  /** Camera tiles and button (none: no camera). */
  camera?: Pick<CameraControls, 'on' | 'label' | 'note' | 'tile' | 'tilesKey'>;
  chat: Pick<ChatLog, 'lines' | 'muted'>;
  /** Whether Ready carries over to the next round. */
  stayReady(): boolean;
  /** The host's custom map (app/custom-map.ts). */
  customMap: Pick<CustomMapShare, 'text' | 'missing'>;
  /** Who killed this player last, for the death screen (null: nobody yet). */
  killer(): string | null;
  inviteLink(code: string): string;
  /** Links forced through TURN (`relay=1`, or the netgraph's box). */
  relay(): boolean;
  /** Gameplay keys taken (only on the HUD). */
  setInputActive(active: boolean): void;
  setCursor(cursor: string): void;
  /** The page's clock, ms. */
  now(): number;
  /** The wall clock, ms (the server's countdown is in epoch ms). */
  wallClock(): number;
}

export interface Screens {
  show(which: Shown): void;
  /** DOM updates: a few times a second, and on demand. */
  render(): void;
  /** Tab held or released. */
  setScoreboard(held: boolean): void;
  /** The Scores button (touch): opens the scoreboard, or closes it. */
  toggleScoreboard(): void;
}

export function createScreens(deps: ScreensDeps): Screens {
  const screen = h('div', { style: 'position:absolute;inset:0;pointer-events:none' });
  deps.ui.append(screen, deps.netgraph.el);
  let shown: Shown | null = null;
  let scoreboardHeld = false;
  const { lobby, match, voice, camera } = deps;
  const peers = (): Map<string, PeerNet> => lobby.net()?.peers() ?? new Map();
  /** Since when each member's link has been down (app/link-gate.ts). */
  let linkWait = NO_LINK_WAIT;

  function show(which: Shown): void {
    if (shown === which) return;
    shown = which;
    const views = { menu: deps.menu.el, room: deps.roomView.el, hud: deps.hud.el, 'left-out': deps.leftOut.el };
    screen.replaceChildren(views[which]);
    deps.setInputActive(which === 'hud');
    voice.setSpatial(which === 'hud');
    deps.setCursor(which === 'hud' ? 'none' : '');
  }

  function render(): void {
    const p = match.phase();
    const room = lobby.room();
    const self = lobby.selfId();
    const links = peers();
    const now = deps.now();
    linkWait = stepLinkWait(linkWait, room, self, new Map([...links].map(([id, q]) => [id, q.link])), now);
    const relay = { relayOn: deps.relay(), turnOffered: lobby.net()?.turnOffered() ?? false };
    // Read only in a match: reading the view moves its render clock.
    const view = room?.state === 'playing' ? (lobby.net()?.view() ?? null) : null;
    if (!room || !self) {
      show('menu');
    } else if (leftOut(room, self, links.get(room.hostId)?.link ?? null, view !== null)) {
      show('left-out');
      deps.leftOut.render(relay);
    } else if (p === 'lobby' || p === 'countdown') {
      show('room');
      const stuck = stuckLinks(linkWait, room, self, now);
      deps.roomView.render({
        room,
        selfId: self,
        invite: deps.inviteLink(room.code),
        peers: links,
        speaking: voice.speaking,
        muted: voice.muted,
        micOn: voice.micOn(),
        micLabel: voice.micLabel(),
        voiceNote: voice.note(),
        chat: deps.chat.lines(),
        chatMuted: deps.chat.muted,
        stayReady: deps.stayReady(),
        nowMs: deps.wallClock(),
        gate: room.hostId === self ? startGate(linkWait, room, self, now) : OPEN_GATE,
        stuckText: stuck.length === 0 ? '' : stuckText(stuck, relay),
        ...(camera
          ? {
              camera: {
                on: camera.on(),
                label: camera.label(),
                note: camera.note(),
                tile: camera.tile,
                key: camera.tilesKey(),
              },
            }
          : {}),
        mapNote: deps.customMap.text(),
        mapWaiting: deps.customMap.missing().length,
      });
    } else {
      show('hud');
      const people = { room, selfId: self, peers: links, speaking: voice.speaking, muted: voice.muted };
      const ended = p === 'ended' ? { backInS: match.backInS(now) } : null;
      const shown = {
        scoreboard: scoreboardHeld,
        ended,
        micOn: voice.micOn(),
        micLabel: voice.micLabel(),
        killer: deps.killer(),
      };
      deps.hud.render({ ...hudModel(view, people, shown), ...(camera ? { tile: camera.tile } : {}) }, now);
    }
    const net = lobby.net();
    const names = new Map(room?.peers.map((q) => [q.id, q.name]) ?? []);
    deps.netgraph.render({
      peers: [...links.values()].map((q) => ({ ...q, name: names.get(q.id) ?? q.id })),
      net: net?.figures() ?? NO_NET_FIGURES,
      relay: deps.relay(),
      role: net?.role() ?? 'offline',
    });
  }

  return {
    show,
    render,
    setScoreboard(held) {
      scoreboardHeld = held;
      render();
    },
    toggleScoreboard() {
      scoreboardHeld = !scoreboardHeld;
      render();
    },
  };
}
